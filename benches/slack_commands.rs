//! `/emcee` latency through slack-morphism's Socket Mode and emcee's Slack
//! adapter, against the fake Slack over loopback, with the floor measured in
//! the same run; then the memory of `emcee run` serving Discord and Slack at
//! once (issue 15, "Done when").
//!
//! For each rate (100/s and 1,000/s) the fake sends a steady stream of slash
//! command envelopes (`next`, `speaker Pere Urbón`, `agenda`, `session g1`,
//! each from a new attendee so no allowance is spent) and keeps, per
//! envelope, when it went out on the socket, when its ack came back and when
//! the answer was posted to its `response_url`. The floor is a bare
//! slack-morphism handler on the same client, connector, fake and Socket Mode
//! settings: it acks at once and posts a fixed text to the `response_url` from
//! a task, which is the shape emcee's adapter must have too (slack-morphism
//! reads a connection's next frame only after the callback returns). The two
//! take six one-second turns each, in rotating order, pooled; the median and
//! range of the turns' ratios show how much of a difference is noise.
//! Targets: emcee's p99 within 3x the floor's at 100/s; every ack under
//! 100 ms at 1,000/s.
//!
//! Both sides share one property of slack-morphism 2.31: its Socket Mode
//! socket keeps Nagle's algorithm on (tokio-tungstenite's `connect_async`), so
//! an ack written while the previous one is still unacknowledged waits for the
//! next envelope (which carries the TCP ack) or for the fake's delayed ACK. At
//! 1,000/s an ack's p50 is therefore about the 1 ms between envelopes, and the
//! last acks of a burst wait about 40 ms: the maxima near 45 ms are that, on
//! the floor too, not emcee's work.
//!
//! The memory figures start the real `emcee run` (this build's binary)
//! against a fake Discord and a fake Slack with the sample conference, wait
//! until every connection is open and one command was answered on each
//! platform, let it settle, and read `VmRSS`/`VmHWM` from `/proc`: Discord
//! and Slack together, then Discord alone and Slack alone as references.
//!
//! Run with `cargo bench --bench slack_commands` (release). `SLACK_BENCH_RSS=0`
//! skips the memory figures; `SLACK_BENCH_RATES=100,500` measures other rates.

// A benchmark fails loudly: a setup error ends the run.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "slack_commands/figures.rs"]
mod figures;
#[path = "slack_commands/floor.rs"]
mod floor;
#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;
#[path = "support/proc_status.rs"]
mod proc_status;
#[path = "slack_commands/rss.rs"]
mod rss;
#[allow(dead_code)]
#[path = "../tests/e2e/slack/harness.rs"]
mod slack_harness;

use emcee_core::store::Store;
use fake_slack::{FakeSlack, FakeUser, Interaction};
use figures::{print_header, print_ratio, print_run, Turn};
use slack_harness::{SlackOptions, SlackTestBot};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);
/// Turns each side takes per rate, and how long each turn sends.
const ROUNDS: usize = 6;
const ROUND_SECONDS: u32 = 1;
/// What the attendees ask, in turn; the floor gets the same envelopes.
const ASKED: [&str; 4] = ["next", "speaker Pere Urbón", "agenda", "session g1"];

#[tokio::main]
async fn main() {
    let floor = floor::start(fake_config()).await;
    let dir = tempfile::tempdir().unwrap();
    // A real database file, as `emcee run` has: every command reads it (the
    // missed reminders shown after an answer).
    let store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    let fake = FakeSlack::start_with(fake_config()).await.unwrap();
    let emcee = SlackTestBot::start_at(
        "2021-10-07T15:55:00Z",
        SlackOptions {
            fake: Some(fake),
            store: Some(store),
            ..SlackOptions::default()
        },
    )
    .await;
    println!("slack command latency: envelope sent on the socket -> ack / response_url post received (loopback)");
    print_header();
    let contenders: [(&str, &FakeSlack); 2] = [
        ("floor: bare slack-morphism", &floor.fake),
        ("emcee", &emcee.fake),
    ];
    let mut users = 0u32;
    let mut by_kind = HashMap::new();
    for rate in rates() {
        // The two take turns, in a rotating order, so that a burst of machine
        // noise lands on both rather than on whichever ran then.
        let mut pooled: [Turn; 2] = Default::default();
        let mut ratios: [Vec<f64>; 2] = Default::default();
        for round in 0..ROUNDS {
            let mut turns: [Turn; 2] = Default::default();
            for turn in 0..2 {
                let which = (round + turn) % 2;
                turns[which] = measure(contenders[which].1, rate, users).await;
                users += rate * ROUND_SECONDS;
            }
            ratios[0].push(figures::p99_ratio(&turns[1].acks, &turns[0].acks));
            ratios[1].push(figures::p99_ratio(&turns[1].replies, &turns[0].replies));
            for (pool, turn) in pooled.iter_mut().zip(turns) {
                pool.extend(turn);
            }
        }
        for ((name, _), pool) in contenders.iter().zip(&mut pooled) {
            pool.sort();
            print_run(&format!("{name} ack @ {rate}/s"), &pool.acks);
            print_run(&format!("{name} reply @ {rate}/s"), &pool.replies);
        }
        let [floor_pool, emcee_pool] = &pooled;
        print_ratio(
            &format!("p99 emcee / floor, ack @ {rate}/s"),
            &emcee_pool.acks,
            &floor_pool.acks,
            &mut ratios[0],
        );
        print_ratio(
            &format!("p99 emcee / floor, reply @ {rate}/s"),
            &emcee_pool.replies,
            &floor_pool.replies,
            &mut ratios[1],
        );
        figures::print_targets(rate, emcee_pool, floor_pool);
        by_kind.insert(rate, pooled[1].by_kind.clone());
    }
    if let Some(kinds) = by_kind.get(&100) {
        for (text, replies) in ASKED.iter().zip(kinds) {
            let mut replies = replies.clone();
            replies.sort();
            print_run(&format!("emcee reply `{text}` @ 100/s"), &replies);
        }
    }
    floor.stop().await;
    emcee.stop().await;
    if std::env::var("SLACK_BENCH_RSS").as_deref() != Ok("0") {
        rss::report().await;
    }
}

/// Commands a second to measure at: `SLACK_BENCH_RATES`, else 100 and 1,000.
fn rates() -> Vec<u32> {
    let asked: Vec<u32> = std::env::var("SLACK_BENCH_RATES")
        .unwrap_or_default()
        .split(',')
        .filter_map(|rate| rate.trim().parse().ok())
        .filter(|rate| *rate > 0)
        .collect();
    if asked.is_empty() {
        vec![100, 1_000]
    } else {
        asked
    }
}

/// Slack's own ack timeout (3 s), so a slow ack shows as slow rather than as
/// a re-delivery the harness's short timeout would cause.
fn fake_config() -> fake_slack::Config {
    fake_slack::Config::default()
}

/// Sends `rate` slash commands a second for one turn from new attendees
/// (`first_user` on), then collects each one's ack and reply latency.
async fn measure(fake: &FakeSlack, rate: u32, first_user: u32) -> Turn {
    let total = rate * ROUND_SECONDS;
    let channel = fake.ids().general_channel_id.clone();
    let mark = fake.mark();
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / rate);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut asked = Vec::with_capacity(total as usize);
    for n in 0..total {
        ticks.tick().await;
        let user = FakeUser::attendee(first_user + n);
        asked.push(fake.slash_command(&user, &channel, ASKED[n as usize % ASKED.len()]));
    }
    let want = total as usize;
    fake.wait_until("every ack and answer of the turn", PATIENCE, |f| {
        let got = mark.until(&f.mark());
        (got.acks >= want && got.response_posts >= want).then_some(())
    })
    .await
    .expect("every command acked and answered");
    collect(fake, &mark, &asked)
}

/// Each command's ack and reply latency, from its first sending.
fn collect(fake: &FakeSlack, mark: &fake_slack::Mark, asked: &[Interaction]) -> Turn {
    let mut turn = Turn::default();
    let mut sent: HashMap<String, Instant> = HashMap::new();
    for delivery in fake.deliveries_since(mark) {
        if delivery.retry_attempt == 0 {
            sent.insert(delivery.envelope_id, delivery.sent_at);
        } else {
            turn.redelivered += 1;
        }
    }
    let mut acked: HashMap<String, Instant> = HashMap::new();
    for ack in fake.acks_since(mark).into_iter().filter(|a| !a.dropped) {
        acked.entry(ack.envelope_id).or_insert(ack.received_at);
    }
    let mut answered: HashMap<String, Instant> = HashMap::new();
    for post in fake.response_posts_since(mark) {
        answered.entry(post.token).or_insert(post.received_at);
    }
    for (n, one) in asked.iter().enumerate() {
        let sent = sent[&one.envelope_id];
        let since = |at: Option<&Instant>, what: &str| {
            at.unwrap_or_else(|| panic!("{} not {what}", one.envelope_id))
                .saturating_duration_since(sent)
        };
        let ack = since(acked.get(&one.envelope_id), "acked");
        let reply = since(answered.get(&one.response_token), "answered");
        turn.push(n % ASKED.len(), ack, reply);
    }
    turn
}

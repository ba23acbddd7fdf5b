//! 2,000 attendees vote on a Slack button poll through emcee's real Slack
//! adapter and the fake Slack on loopback (issue 15, "Done when"). Each voter
//! clicks one option's Vote button once; the bench reports click received to
//! vote stored (p50/p99/max, measured by the poll recorder from the moment the
//! adapter's handler got the click to the commit in a real SQLite file),
//! envelope sent to the voter's private confirmation through the click's
//! `response_url`, and the time from the last click sent to all stored. Then
//! it closes the poll and checks every option's count, in the recorder's
//! tally and in the result post. Target: stored p99 under 2 ms.
//!
//! Run: `cargo bench --bench slack_poll_votes` (release). `POLL_VOTERS`
//! changes the count; `POLL_RATE` (clicks a second, default 1,000) paces them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../tests/e2e/slack/harness.rs"]
mod slack_harness;

use emcee_core::polls::MessageKey;
use emcee_core::store::Store;
use fake_slack::{FakeSlack, FakeUser, Interaction, StoredMessage};
use slack_harness::{SlackOptions, SlackTestBot};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);
const OPTIONS: [&str; 4] = ["A", "B", "C", "D"];
/// Stored p99, at most (issue 15).
const STORED_P99: Duration = Duration::from_millis(2);

#[tokio::main]
async fn main() {
    let voters = env_number("POLL_VOTERS", 2_000);
    let rate = env_number("POLL_RATE", 1_000).max(1);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("votes.sqlite3")).unwrap();
    // Slack's own 3 s ack timeout, not the harness's short one.
    let fake = FakeSlack::start_with(fake_slack::Config::default())
        .await
        .unwrap();
    let bot = SlackTestBot::start_at(
        "2021-10-07T15:55:00Z",
        SlackOptions {
            fake: Some(fake),
            store: Some(store),
            ..SlackOptions::default()
        },
    )
    .await;
    let poll = create(&bot).await;
    let polls = bot.fake.ids().polls_channel_id.clone();
    let people: Vec<FakeUser> = (0..voters)
        .map(|n| FakeUser::attendee(100_000 + n))
        .collect();
    for voter in &people {
        bot.fake.add_user(voter);
    }
    let choice = |n: usize| (n * 7 + n / 3) % OPTIONS.len();
    let mut expected = [0u64; OPTIONS.len()];
    let recorder = bot
        .running
        .as_ref()
        .unwrap()
        .bot
        .app
        .polls
        .recorder()
        .clone();
    let mark = bot.fake.mark();
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / rate);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut clicks = Vec::with_capacity(people.len());
    for (n, voter) in people.iter().enumerate() {
        ticks.tick().await;
        expected[choice(n)] += 1;
        let action = format!("emcee:vote:{}", choice(n));
        clicks.push(bot.fake.click(voter, &polls, &poll.ts, &action));
    }
    let sent = Instant::now();
    let want = u64::from(voters);
    bot.fake
        .wait_until("every click stored", PATIENCE, |_| {
            (recorder.latencies().count >= want).then_some(())
        })
        .await
        .expect("every click stored");
    let stored = Instant::now();
    let confirmed = confirmations(&bot.fake, &mark, &clicks).await;
    let tally = recorder
        .watch(&MessageKey::new(&polls, &poll.ts))
        .expect("the poll is live")
        .borrow()
        .tally
        .clone();
    let latencies = recorder.latencies();
    println!(
        "slack poll votes: {voters} voters, one Vote click each, paced at {rate}/s, through slack-morphism + emcee + fake Slack"
    );
    println!(
        "  sending all clicks took:              {:?}",
        sent - started
    );
    println!(
        "  last click sent -> all stored:        {:?}",
        stored - sent
    );
    println!(
        "  click received -> stored:             p50 {:?}, p99 {:?}, max {:?} (target p99 < {STORED_P99:?})",
        latencies.p50, latencies.p99, latencies.max
    );
    print_confirmations(&confirmed);
    let ephemerals = bot.fake.calls_of("chat.postEphemeral").len();
    println!("  chat.postEphemeral calls:             {ephemerals} (confirmations go through response_url)");
    assert_eq!(tally.voters, want, "every voter counted");
    assert_eq!(tally.counts, expected.to_vec(), "every option's count");
    let result = bot.close_poll(&poll, "Results").await;
    for (option, count) in OPTIONS.iter().zip(expected) {
        let shown = format!("{count} votes (");
        assert!(
            result.contains(&shown),
            "option {option}: {shown} not in {result}"
        );
    }
    println!("  result: counts {expected:?} of {voters} voters, exact in the tally and in the result post");
    println!("  target met: {}", latencies.p99 < STORED_P99);
    bot.stop().await;
}

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// An organiser opens a four-option poll in #polls; returns its message.
async fn create(bot: &SlackTestBot) -> StoredMessage {
    let polls = bot.fake.ids().polls_channel_id.clone();
    let text = format!(
        "poll create Benchmark? | {} minutes:60",
        OPTIONS.join(" | ")
    );
    let (_, created) = bot.ask_as(&FakeUser::attendee(1), &polls, &text).await;
    assert!(
        created.body.to_string().contains("Poll posted"),
        "{}",
        created.body
    );
    bot.fake
        .wait_until("the poll message", PATIENCE, |fake| {
            fake.messages(&polls)
                .into_iter()
                .find(|m| m.by_bot() && m.text.contains("Benchmark?"))
        })
        .await
        .unwrap()
}

/// Envelope sent -> the voter's confirmation posted to the click's
/// `response_url`, for every click, sorted.
async fn confirmations(
    fake: &FakeSlack,
    mark: &fake_slack::Mark,
    clicks: &[Interaction],
) -> Vec<Duration> {
    fake.wait_until("every click confirmed", PATIENCE, |f| {
        (mark.until(&f.mark()).response_posts >= clicks.len()).then_some(())
    })
    .await
    .expect("every click confirmed");
    let sent: HashMap<String, Instant> = fake
        .deliveries_since(mark)
        .into_iter()
        .filter(|d| d.retry_attempt == 0)
        .map(|d| (d.envelope_id, d.sent_at))
        .collect();
    let mut answered: HashMap<String, Instant> = HashMap::new();
    for post in fake.response_posts_since(mark) {
        answered.entry(post.token).or_insert(post.received_at);
    }
    let mut latencies: Vec<Duration> = clicks
        .iter()
        .map(|c| answered[&c.response_token].saturating_duration_since(sent[&c.envelope_id]))
        .collect();
    latencies.sort();
    latencies
}

fn print_confirmations(sorted: &[Duration]) {
    let at = |p: usize| sorted[(sorted.len() * p / 100).min(sorted.len() - 1)];
    println!(
        "  click sent -> confirmed (response_url): p50 {:?}, p99 {:?}, max {:?}",
        at(50),
        at(99),
        sorted[sorted.len() - 1]
    );
}

//! 10,000 voters react to one poll through the real bot (serenity + poise) and
//! the fake Discord on loopback. Reports reaction events handled per second,
//! received-to-durably-stored latency (p50/p99/max, measured by the recorder
//! from the moment the bot's handler got the event to the commit), the time
//! from the last event sent to all stored, and the process's peak RSS (bot and
//! fake together). Targets (issue 5): all stored within 2 s of the last event,
//! p99 under 2 ms.
//!
//! Run: `cargo bench --bench poll_votes` (release). `POLL_VOTERS` changes the count;
//! `POLL_RATE` (events per second) paces the voters instead of sending them as
//! fast as the fake can inject them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;

use emcee_core::polls::MessageKey;
use emcee_core::store::Store;
use fake_discord::FakeUser;
use harness::{BotOptions, TestBot, PATIENCE};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let voters: u32 = std::env::var("POLL_VOTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    // A real database file, as `emcee run` uses: "stored" means committed to it.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("votes.sqlite3")).unwrap();
    let options = BotOptions {
        store: Some(store),
        ..BotOptions::default()
    };
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, "2021-10-07T15:55:00Z", options).await;
    let (channel, message) = create_poll(&bot).await;
    let key = MessageKey::new(channel, message);
    let recorder = bot.data.polls.recorder().clone();
    let keys = ["🇦", "🇧", "🇨", "🇩"];
    let rate: u32 = std::env::var("POLL_RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut pace = (rate > 0).then(|| tokio::time::interval(Duration::from_secs(1) / rate));
    let started = Instant::now();
    // The voters run as a task on the runtime's workers, like the rest of the
    // fake: `main`'s own thread would be a third busy thread on two cores,
    // preempting the bot mid-commit, which no real deployment has.
    let fake = bot.fake.clone();
    let voting = tokio::spawn(async move {
        for n in 0..voters {
            if let Some(pace) = pace.as_mut() {
                pace.tick().await;
            }
            let user = FakeUser::attendee(100_000 + n);
            let emoji = keys[(n as usize * 7 + n as usize / 3) % keys.len()];
            fake.react(channel, message, &user, emoji).await.unwrap();
        }
    });
    voting.await.unwrap();
    let sent = Instant::now();
    while recorder.latencies().count < u64::from(voters) {
        assert!(sent.elapsed() < PATIENCE, "votes not stored in time");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let stored = Instant::now();
    let tally = recorder.watch(&key).unwrap().borrow().tally.clone();
    assert_eq!(tally.voters, u64::from(voters), "every voter counted");
    report(voters, rate, started, sent, stored, &recorder.latencies());
    bot.stop().await;
}

async fn create_poll(bot: &TestBot) -> (u64, u64) {
    let options = json!({ "create": {
        "question": "Benchmark?", "options": "A | B | C | D", "multi": true, "duration": "1h"
    }});
    let asked = bot
        .fake
        .slash_command(&FakeUser::organiser(1), "poll", options)
        .await;
    bot.response(&asked).await;
    let channel = bot.fake.ids().general_channel_id;
    let bot_id = bot.fake.ids().bot_user_id;
    bot.fake
        .wait_until("the poll with its reactions", PATIENCE, |f| {
            let message = f
                .messages(channel)
                .into_iter()
                .find(|m| !m.embeds.is_empty())?;
            f.reaction_users(message.id, "🇩")
                .contains(&bot_id)
                .then_some((channel, message.id))
        })
        .await
        .unwrap()
}

fn report(
    voters: u32,
    rate_asked: u32,
    started: Instant,
    sent: Instant,
    stored: Instant,
    latencies: &emcee_core::polls::LatencySummary,
) {
    let total = stored - started;
    let drain = stored - sent;
    let rate = f64::from(voters) / total.as_secs_f64();
    let pacing = if rate_asked == 0 {
        "as fast as possible".to_owned()
    } else {
        format!("paced at {rate_asked}/s")
    };
    println!(
        "poll_votes: {voters} voters, one reaction each, {pacing}, through serenity + poise + fake Discord"
    );
    println!("  events/s (first sent to last stored): {rate:.0}");
    println!(
        "  sending all events took:              {:?}",
        sent - started
    );
    println!("  last event sent -> all stored:        {drain:?} (target < 2 s)");
    println!(
        "  received -> stored latency:           p50 {:?}, p99 {:?}, max {:?} (target p99 < 2 ms)",
        latencies.p50, latencies.p99, latencies.max
    );
    println!("  peak RSS (bot + fake, VmHWM):         {}", peak_rss());
    let ok = drain < Duration::from_secs(2) && latencies.p99 < Duration::from_millis(2);
    println!("  targets met: {ok}");
}

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

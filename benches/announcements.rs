//! Announcement lateness at festival scale: 10,000 sessions across 50 channels,
//! the real clock, the real scheduler and paced sender against the fake Discord.
//!
//! Lateness is measured from a job's scheduled instant to the moment the fake
//! received the create-message request. Sessions start in 20 waves two seconds
//! apart (500 per wave, 10 per channel, combined into one message per channel),
//! which keeps every channel within Discord's 5 messages / 5 s. Afterwards the
//! idle scheduler's CPU use and the process's RSS are reported.
//!
//! Run: `cargo bench --bench announcements`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/festival.rs"]
mod festival;

use chrono::{DateTime, Utc};
use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::port::DiscordPort;
use emcee::discord::BotToken;
use emcee_core::clock::SystemClock;
use emcee_core::scheduler::ChatAnnouncer;
use emcee_core::scheduler::{plan, Scheduler, SchedulerOptions};
use emcee_core::store::Store;
use fake_discord::{FakeDiscord, FakeUser};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use festival::{programme, settings, CHANNELS, SESSIONS, WAVES};

/// User + system CPU time of this process, from /proc (Linux).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks: u64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let fake = FakeDiscord::start().await.unwrap();
    // Fifty channels the fake accepts messages in: DM channels of fifty users.
    let channels: Vec<u64> = (0..CHANNELS as u32)
        .map(|n| fake.dm_channel(&FakeUser::attendee(n)))
        .collect();
    let token = BotToken::new("bench-token".into()).unwrap();
    let outbound = Outbound::new(
        &fake.base_url(),
        &token,
        reqwest::Client::new(),
        Pacing::default(),
    );
    let announcer = ChatAnnouncer::new(Arc::new(DiscordPort::new(outbound, Vec::new())));

    let first = DateTime::from_timestamp(Utc::now().timestamp() + 4, 0).unwrap();
    let programme = Arc::new(programme(first));
    let settings = settings(&channels);
    let jobs = plan(&programme, &settings, &[]);
    let due: HashMap<String, DateTime<Utc>> = jobs.iter().map(|j| (j.nonce(), j.due_at)).collect();
    let store = Store::in_memory().unwrap();
    let scheduler = Scheduler::new(
        store,
        Arc::new(SystemClock),
        settings,
        SchedulerOptions::default(),
    );
    let (anchor_instant, anchor_utc) = (Instant::now(), Utc::now());
    let planning = Instant::now();
    let source = Arc::clone(&programme);
    let running = emcee::scheduler::spawn(
        scheduler,
        Arc::new(announcer),
        Arc::new(move || Arc::clone(&source)),
        &Arc::default(),
    );
    println!(
        "{SESSIONS} sessions, {CHANNELS} channels, {} announcement messages in {WAVES} waves",
        jobs.len()
    );

    let posts = |fake: &FakeDiscord| {
        fake.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.status == 200 && r.path.ends_with("/messages"))
            .count()
    };
    // Polled coarsely: re-scanning the fake's whole request log on every request
    // (as `wait_until` does) would compete with the sender and distort lateness.
    let deadline = Instant::now() + Duration::from_secs(120);
    while posts(&fake) < jobs.len() {
        assert!(Instant::now() < deadline, "not every announcement arrived");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("planning + run: {:.1?}", planning.elapsed());

    // (scheduled instant, lateness) of every post, in arrival order.
    let arrivals: Vec<(chrono::DateTime<chrono::Utc>, Duration)> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.status == 200 && r.path.ends_with("/messages"))
        .filter_map(|r| {
            let nonce = r.body_str("nonce")?.to_owned();
            let scheduled = due.get(&nonce)?;
            let offset = (*scheduled - anchor_utc).to_std().ok()?;
            Some((
                *scheduled,
                r.received_at
                    .saturating_duration_since(anchor_instant + offset),
            ))
        })
        .collect();
    let mut lateness: Vec<Duration> = arrivals.iter().map(|(_, late)| *late).collect();
    lateness.sort();
    // Where rate limits allow: the posts of each instant that fit in the sender's
    // global budget for one second; the rest wait for the next second by design.
    let budget = emcee::discord::outbound::Pacing::default().global_per_second;
    let mut seen: HashMap<chrono::DateTime<chrono::Utc>, usize> = HashMap::new();
    let mut within: Vec<Duration> = arrivals
        .iter()
        .filter(|(scheduled, _)| {
            let count = seen.entry(*scheduled).or_default();
            *count += 1;
            *count <= budget
        })
        .map(|(_, late)| *late)
        .collect();
    within.sort();
    println!(
        "lateness within the global budget ({budget}/s, first {budget} posts of each instant), n={}: p50 {:.1?}, p99 {:.1?}, max {:.1?} (target p99 < 50 ms)",
        within.len(),
        percentile(&within, 0.5),
        percentile(&within, 0.99),
        within.last().copied().unwrap_or_default()
    );
    println!(
        "lateness (scheduled instant -> request at the fake), n={}: p50 {:.1?}, p99 {:.1?}, max {:.1?}",
        lateness.len(),
        percentile(&lateness, 0.5),
        percentile(&lateness, 0.99),
        lateness.last().copied().unwrap_or_default()
    );

    let idle = Duration::from_secs(10);
    let before = cpu_time();
    tokio::time::sleep(idle).await;
    let used = cpu_time().saturating_sub(before);
    println!(
        "idle: {:.1?} CPU over {idle:?} ({:.2}% of one core); RSS {} MiB (bot scheduler + fake Discord in one process)",
        used,
        used.as_secs_f64() / idle.as_secs_f64() * 100.0,
        rss_kib() / 1024
    );
    running.stop().await;
}

//! A reminder burst: 2,000 attendees reminded of the keynote at the same lead
//! time, plus the keynote's announcement due at the same instant, through the
//! real scheduler, the real `ChatAnnouncer` over the real `DiscordPort` and
//! paced sender, against the fake Discord holding the bot to Discord's global
//! limit (50 requests a second, DM opens included; over it: a global 429).
//!
//! Three runs in one process, each on a fresh fake and database:
//! - floor: the sender as it was (every call outside a channel on one queue,
//!   the global budget in arrival order), no reminder starts early;
//! - cold: the new pacing and the default `reminders_ahead`, no DM channel
//!   kept yet (each DM costs an open and a post);
//! - warm: the same with every DM channel already kept in the store.
//!
//! Lateness is from the reminders' due instant to the moment the fake received
//! the create-message request (negative: early). Target: every DM delivered
//! once, the last no later than 60 s after its due instant.
//!
//! Run: `cargo bench --bench reminder_burst` (`REMINDER_BURST_USERS` and
//! `REMINDER_BURST_AHEAD_SECS` override the 2,000 users and the lead;
//! `REMINDER_BURST_RTT_MS` delays every answer of the fake, as the ocean
//! between the bot and Discord does: loopback hides what queueing calls one
//! at a time costs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeDelta, Utc};
use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::port::DiscordPort;
use emcee::discord::BotToken;
use emcee_core::agenda::{Agenda, Conference, Session, SessionId, SessionKind};
use emcee_core::chat::DirectChannels;
use emcee_core::clock::SystemClock;
use emcee_core::config::AnnouncementSettings;
use emcee_core::programme::Programme;
use emcee_core::scheduler::{ChatAnnouncer, PlanSettings, Reminder, Scheduler, SchedulerOptions};
use emcee_core::store::{ReminderStore, Store};
use fake_discord::{FakeDiscord, FakeUser, Fault, Matcher, RecordedRequest};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const LEAD_MINUTES: u32 = 10;

/// One run's set-up.
#[derive(Clone, Copy)]
struct Run {
    name: &'static str,
    old_pacing: bool,
    kept: bool,
    ahead: TimeDelta,
}

/// What one run measured, in seconds against the due instant.
struct Figures {
    delivered: usize,
    duplicates: usize,
    missing: usize,
    first: f64,
    last: f64,
    p50: f64,
    p99: f64,
    opens: usize,
    rate_limited: usize,
    announcement: Option<f64>,
}

fn env_number(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn programme(start: DateTime<Utc>) -> Programme {
    let keynote = Session {
        id: SessionId::new("keynote"),
        title: "Opening keynote".into(),
        abstract_text: String::new(),
        kind: SessionKind::Keynote,
        track: None,
        room: None,
        speakers: Vec::new(),
        start,
        end: start + TimeDelta::minutes(45),
        links: Vec::new(),
    };
    let conference = Conference {
        name: "Festival".into(),
        timezone: chrono_tz::UTC,
        tracks: Vec::new(),
        rooms: Vec::new(),
        sessions: vec![keynote],
    };
    Programme {
        agenda: Agenda::new(conference).unwrap(),
        polls: Vec::new(),
        contests: Vec::new(),
    }
}

fn settings(announcements_channel: u64) -> PlanSettings {
    PlanSettings {
        announcements: AnnouncementSettings {
            lead_minutes: vec![LEAD_MINUTES],
            on_demand: false,
            default_channel: Some(announcements_channel.to_string()),
            ..AnnouncementSettings::default()
        },
        poll_channel: None,
        nudges: None,
    }
}

/// A store with every user's reminder, and (warm) their DM channels kept.
async fn store(fake: &FakeDiscord, users: &[FakeUser], kept: bool) -> Store {
    let store = Store::in_memory().unwrap();
    let now = Utc::now();
    for user in users {
        let reminder = Reminder {
            user: user.id.to_string(),
            session: SessionId::new("keynote"),
            minutes_before: LEAD_MINUTES,
        };
        store.add_reminder(&reminder, 10, now).unwrap();
        if kept {
            let channel = fake.dm_channel(user).to_string();
            let id = user.id.to_string();
            store
                .keep_channel("discord", &id, &channel, now)
                .await
                .unwrap();
        }
    }
    store
}

fn port(fake: &FakeDiscord, run: Run, store: &Store) -> DiscordPort {
    let pacing = Pacing {
        one_queue_outside_channels: run.old_pacing,
        ..Pacing::default()
    };
    let token = BotToken::new("bench-token".into()).unwrap();
    let outbound = Outbound::new(&fake.base_url(), &token, reqwest::Client::new(), pacing);
    let port = DiscordPort::new(outbound, Vec::new());
    if run.old_pacing {
        port
    } else {
        port.with_direct_channels(Arc::new(store.clone()))
    }
}

fn delivered_posts(fake: &FakeDiscord) -> Vec<RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.status == 200 && r.path.ends_with("/messages"))
        .collect()
}

/// A fake at Discord's global limit, answering after the configured RTT.
async fn fake() -> FakeDiscord {
    let fake = FakeDiscord::start_with(fake_discord::Config {
        global_per_second: Some(50),
        ..fake_discord::Config::default()
    })
    .await
    .unwrap();
    let rtt = env_number("REMINDER_BURST_RTT_MS", 0);
    if rtt > 0 {
        fake.inject(Fault::Delay {
            matcher: Matcher::any_method("/"),
            delay: Duration::from_millis(rtt.unsigned_abs()),
            times: u32::MAX,
        });
    }
    fake
}

/// Runs one burst and measures it.
async fn burst(run: Run, users: usize) -> Figures {
    let fake = fake().await;
    let attendees: Vec<FakeUser> = (0..users as u32).map(FakeUser::attendee).collect();
    let store = store(&fake, &attendees, run.kept).await;
    let announcements = fake.ids().announcements_channel_id;
    let log_start = fake.requests().len();

    // Due far enough ahead that even the early start is still to come.
    let lead = TimeDelta::minutes(i64::from(LEAD_MINUTES));
    let due_secs = Utc::now().timestamp() + run.ahead.num_seconds() + 3;
    let due = DateTime::from_timestamp(due_secs, 0).unwrap();
    let (anchor_instant, anchor_utc) = (Instant::now(), Utc::now());
    let due_instant = anchor_instant + (due - anchor_utc).to_std().unwrap();

    let options = SchedulerOptions {
        reminders_ahead: run.ahead,
        ..SchedulerOptions::default()
    };
    let announcer = ChatAnnouncer::new(Arc::new(port(&fake, run, &store)));
    let scheduler = Scheduler::new(
        store,
        Arc::new(SystemClock),
        settings(announcements),
        options,
    );
    let programme = Arc::new(programme(due + lead));
    let running = emcee::scheduler::spawn(
        scheduler,
        Arc::new(announcer),
        Arc::new(move || Arc::clone(&programme)),
        &Arc::default(),
    );
    wait_for(&fake, users + 1, Duration::from_secs(600)).await;
    running.stop().await;
    measure(&fake, &attendees, announcements, due_instant, log_start)
}

/// Polls coarsely: scanning the whole log on every request would compete with
/// the sender.
async fn wait_for(fake: &FakeDiscord, posts: usize, patience: Duration) {
    let deadline = Instant::now() + patience;
    while delivered_posts(fake).len() < posts && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn seconds_from(due: Instant, at: Instant) -> f64 {
    if at >= due {
        (at - due).as_secs_f64()
    } else {
        -(due - at).as_secs_f64()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

fn measure(
    fake: &FakeDiscord,
    users: &[FakeUser],
    announcements: u64,
    due: Instant,
    log_start: usize,
) -> Figures {
    let announcement_path = format!("/channels/{announcements}/messages");
    let posts = delivered_posts(fake);
    let announcement = posts
        .iter()
        .find(|r| r.path == announcement_path)
        .map(|r| seconds_from(due, r.received_at));
    let mut lateness: Vec<f64> = posts
        .iter()
        .filter(|r| r.path != announcement_path)
        .map(|r| seconds_from(due, r.received_at))
        .collect();
    lateness.sort_by(f64::total_cmp);
    let mut per_user: HashMap<u64, usize> = HashMap::new();
    for user in users {
        per_user.insert(user.id, fake.messages(fake.dm_channel(user)).len());
    }
    let requests = fake.requests();
    let ours = &requests[log_start.min(requests.len())..];
    Figures {
        delivered: per_user.values().filter(|&&n| n > 0).count(),
        duplicates: per_user.values().map(|&n| n.saturating_sub(1)).sum(),
        missing: per_user.values().filter(|&&n| n == 0).count(),
        first: lateness.first().copied().unwrap_or(f64::NAN),
        last: lateness.last().copied().unwrap_or(f64::NAN),
        p50: percentile(&lateness, 0.5),
        p99: percentile(&lateness, 0.99),
        opens: ours
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/users/@me/channels")
            .count(),
        rate_limited: ours.iter().filter(|r| r.status == 429).count(),
        announcement,
    }
}

fn report(run: Run, users: usize, f: &Figures) {
    println!(
        "{:<6} ({} users, ahead {} s): delivered {}/{users}, duplicates {}, missing {}",
        run.name,
        users,
        run.ahead.num_seconds(),
        f.delivered,
        f.duplicates,
        f.missing
    );
    println!(
        "       first DM {:+.1} s, last {:+.1} s (spread {:.1} s); lateness p50 {:+.1} s, p99 {:+.1} s",
        f.first,
        f.last,
        f.last - f.first,
        f.p50,
        f.p99
    );
    let announcement = f
        .announcement
        .map_or("not posted".to_owned(), |s| format!("{:+.3} s", s));
    println!(
        "       DM opens {}, 429s {}, the announcement due with them: {announcement}",
        f.opens, f.rate_limited
    );
}

#[tokio::main]
async fn main() {
    let users = usize::try_from(env_number("REMINDER_BURST_USERS", 2_000)).unwrap_or(2_000);
    let default_ahead = SchedulerOptions::default().reminders_ahead.num_seconds();
    let ahead = TimeDelta::seconds(env_number("REMINDER_BURST_AHEAD_SECS", default_ahead));
    let runs = [
        Run {
            name: "floor",
            old_pacing: true,
            kept: false,
            ahead: TimeDelta::zero(),
        },
        Run {
            name: "cold",
            old_pacing: false,
            kept: false,
            ahead,
        },
        Run {
            name: "warm",
            old_pacing: false,
            kept: true,
            ahead,
        },
    ];
    let mut results = Vec::new();
    for run in runs {
        let figures = burst(run, users).await;
        report(run, users, &figures);
        results.push(figures);
    }
    let floor = &results[0];
    for (run, figures) in runs.iter().zip(&results).skip(1) {
        println!(
            "{}: last DM {:+.1} s vs floor {:+.1} s ({:.2}x); p50 {:+.1} s vs {:+.1} s; target: last <= +60 s {}",
            run.name,
            figures.last,
            floor.last,
            figures.last / floor.last,
            figures.p50,
            floor.p50,
            if figures.last <= 60.0 { "met" } else { "MISSED" }
        );
    }
}

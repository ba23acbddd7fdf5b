//! Calendar feeds over loopback HTTP: FEED_USERS (2,000) attendees with five
//! reminders each on a real SQLite file, every personal feed fetched once
//! (token hashed, owner looked up, reminders read, the calendar written from
//! the programme), then the whole conference's feed FEED_FETCHES (500)
//! times. Prints request-to-body latency p50/p99/max and requests per
//! second, one client on a kept-alive connection.
//!
//! Run: `cargo bench --bench feeds` (release).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use emcee::console::Console;
use emcee::render::text::TextStyle;
use emcee_core::agenda::SessionId;
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::scheduler::Reminder;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let (users, fetches) = (env("FEED_USERS", 2_000), env("FEED_FETCHES", 500));
    let dir = tempfile::tempdir().unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    std::fs::copy(sample.join("agenda.toml"), dir.path().join("agenda.toml")).unwrap();
    let text = std::fs::read_to_string(sample.join("emcee.toml")).unwrap()
        + "\n[web]\nlisten = \"127.0.0.1:0\"\npublic_url = \"http://feeds.test\"\n";
    let path = dir.path().join("emcee.toml");
    std::fs::write(&path, text).unwrap();
    let config = Arc::new(Config::load(&path).unwrap());
    let store = emcee_core::store::Store::open(&dir.path().join("feeds.sqlite3")).unwrap();
    let start = chrono::DateTime::from_timestamp(1_633_618_800, 0).unwrap();
    let style = TextStyle {
        timezone: chrono_tz::UTC,
        conference: config.programme.agenda.name().to_owned(),
    };
    let clock = Arc::new(ManualClock::new(start));
    let console = Console::new(Arc::clone(&config), clock, style, store);
    let app = console.app();
    let health = emcee::telemetry::Health::for_console(None);
    let addr = emcee::web::start(&config.settings, app, health)
        .await
        .unwrap()
        .unwrap();
    let sessions: Vec<SessionId> = config
        .programme
        .agenda
        .sessions()
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let mut urls = Vec::with_capacity(users);
    for n in 0..users {
        let user = format!("u{n}");
        for k in 0..5 {
            let session = sessions[(n * 7 + k * 3) % sessions.len()].clone();
            let reminder = Reminder {
                user: user.clone(),
                session,
                minutes_before: 10,
            };
            app.store
                .reminders
                .add_reminder(reminder, 100, start)
                .await
                .unwrap();
        }
        let url = app
            .feeds
            .personal_url("guild", &user)
            .await
            .unwrap()
            .unwrap();
        urls.push(url.replace("http://feeds.test", &format!("http://{addr}")));
    }
    let client = reqwest::Client::new();
    let personal = timed(&client, urls.iter().map(String::as_str)).await;
    report("personal feed (5 sessions)", &personal);
    let conference = format!("http://{addr}/cal/conference.ics");
    let whole = timed(&client, std::iter::repeat_n(conference.as_str(), fetches)).await;
    let sessions = config.programme.agenda.sessions().len();
    report(&format!("conference feed ({sessions} sessions)"), &whole);
}

async fn timed<'a>(client: &reqwest::Client, urls: impl Iterator<Item = &'a str>) -> Vec<Duration> {
    let mut took = Vec::new();
    for url in urls {
        let started = Instant::now();
        let response = client.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.text().await.unwrap();
        took.push(started.elapsed());
        assert!(body.contains("BEGIN:VEVENT"));
    }
    took
}

fn report(what: &str, took: &[Duration]) {
    let mut sorted = took.to_vec();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    let total: Duration = took.iter().sum();
    println!(
        "{what}: {} requests, {:.0}/s, p50 {:?}, p99 {:?}, max {:?}",
        took.len(),
        took.len() as f64 / total.as_secs_f64(),
        at(0.5),
        at(0.99),
        sorted[sorted.len() - 1]
    );
}

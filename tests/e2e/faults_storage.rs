//! Fault suite, storage and agenda: a database that stops taking writes (a full
//! disk, simulated honestly with `[store] max_size_mb`, i.e. SQLite's
//! `max_page_count`: writes fail with SQLITE_FULL exactly as on a full disk),
//! and an agenda file corrupted under a running bot.

mod fill;
pub mod logs;
mod votes;

use crate::harness::{embed, BotOptions, TestBot, PATIENCE};
use emcee_core::config::Config;
use emcee_core::scheduler::SchedulerOptions;
use emcee_core::store::{JobState, JobStore, Store};
use fake_discord::{FakeDiscord, FakeUser};
use fill::{close_fillers, fill};
use logs::Logs;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use votes::{create_poll, vote, wait_stored, Posted};

/// 09:10 PDT: sessions running, more to come, the last one still ahead.
const AT: &str = "2021-10-07T16:10:00Z";
/// Commands that only read: they must answer the same on a full database.
fn reads() -> Vec<(&'static str, Value)> {
    vec![
        ("now", json!({})),
        ("next", json!({})),
        ("agenda", json!({})),
        ("session", json!({ "name": "huici-unikraft" })),
        ("speaker", json!({ "name": "Urbón-Bayes, Pere" })),
        ("track", json!({ "name": "observability" })),
        ("search", json!({ "text": "latency" })),
    ]
}
pub const STORAGE_FAILING: &str = "storage is failing";

#[tokio::test]
async fn a_full_database_keeps_reads_answering_and_says_writes_fail() {
    let dir = tempfile::tempdir().unwrap();
    let config = editable_config(dir.path(), "\n[store]\nmax_size_mb = 1\n");
    let cap = Config::load(&config).unwrap().settings.store.max_bytes();
    let store = Store::open_capped(&dir.path().join("emcee.sqlite3"), cap).unwrap();
    let logs = Logs::capture();
    let bot = start(FakeDiscord::start().await.unwrap(), &config, store).await;
    let addr = emcee::telemetry::start("127.0.0.1:0".parse().unwrap(), bot.data.health.clone())
        .await
        .unwrap();
    let before = ask_all(&bot, 100).await;
    let failures_before = failures(addr).await;
    let poll = create_poll(&bot, 1)
        .await
        .expect("room for a poll before filling");

    // Fill the database through its real writers until each refuses.
    let filled = fill(&bot, &poll).await;
    let b = &bot;
    let reminded = until_refused(40, |n| async move {
        let answer = ask_as(b, n, "remind", json!({ "session": "huici-unikraft" })).await;
        assert_eq!(answer["data"]["flags"], 64, "ephemeral: {answer}");
        answer["data"]["content"]
            .as_str()
            .unwrap()
            .contains(STORAGE_FAILING)
    })
    .await;
    let polled = until_refused(20, |n| async move { create_poll(b, n).await.is_none() }).await;
    let voted = until_refused(20, |n| vote(b, &poll, n)).await;

    let after = ask_all(&bot, 200).await;
    assert_eq!(after, before, "read-only commands answer as before");
    let client = reqwest::Client::new();
    let health = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 503);
    let health: Value = health.json().await.unwrap();
    assert_eq!(health["store_writable"], false, "{health}");
    assert!(
        health["store_error"].as_str().unwrap().contains("full"),
        "{health}"
    );
    let counted = failures(addr).await - failures_before;
    assert!(
        counted >= 6.0,
        "3 fillers + /remind + /poll + a vote: {counted}"
    );
    let log = logs.text();
    let said = log.matches("the database cannot be written").count();
    assert_eq!(said, 1, "one line, not one per failure:\n{log}");
    assert!(!log.contains("panicked"), "{log}");
    // The failed vote's reaction stays on Discord for reconciliation.
    let voter = FakeUser::attendee(voted).id;
    assert!(bot.fake.reaction_users(poll.message, "🦀").contains(&voter));

    // Room again (the operator raised the cap), then a restart: the vote that
    // could not be stored is read back from Discord.
    bot.store.cap_size(None).unwrap();
    close_fillers(&bot, filled.polls).await;
    let (fake, store) = bot.stop().await;
    let bot = start(fake, &config, store).await;
    let recovered = wait_stored(&bot, &poll, voter, PATIENCE).await;
    assert!(recovered, "the vote was reconciled after the restart");
    println!(
        "fault suite: storage full: {} read commands tried while full, {} answered as before; \
         writes refused after filling (reminders {}, polls {}, votes {}): /remind on try {reminded}, \
         /poll create on try {polled}, vote on try {voted}; {counted} write failures counted; \
         /healthz 503 store_writable=false; {said} log line; failed vote recovered after restart: {recovered}",
        after.len(),
        after.iter().zip(&before).filter(|(a, b)| a == b).count(),
        filled.reminders,
        filled.polls,
        filled.votes,
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_corrupted_agenda_keeps_the_previous_one_and_announces_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = editable_config(dir.path(), "");
    let agenda = dir.path().join("agenda.toml");
    let good = std::fs::read(&agenda).unwrap();
    let store = Store::in_memory().unwrap();
    let bot = start(FakeDiscord::start().await.unwrap(), &config, store).await;
    let programme = bot.data.programme();
    let before = ask_all(&bot, 300).await;
    let (jobs_before, posts_before) = settled(&bot).await;
    let corruptions: [(&str, Vec<u8>); 3] = [
        ("truncated", good[..good.len() / 2].to_vec()),
        (
            "garbage",
            b"\x00\x01<html>502 Bad Gateway</html>]]]".to_vec(),
        ),
        (
            "not UTF-8",
            [&good[..40], &[0xff, 0xfe, 0xc3][..], &good[40..]].concat(),
        ),
    ];
    let mut refused = 0;
    let source = emcee_core::import::source::AgendaSource::new(
        emcee_core::import::fetch::SourceLocation::parse(agenda.to_str().unwrap()),
        emcee_core::import::source::SourceOptions {
            import: emcee_core::import::ImportOptions::new(chrono_tz::US::Pacific),
            fetch: emcee_core::import::fetch::FetchOptions::default(),
            cache_file: None,
        },
        emcee_core::import::fetch::client().unwrap(),
    );
    for (n, (what, bytes)) in corruptions.iter().enumerate() {
        std::fs::write(&agenda, bytes).unwrap();
        let text = reload(&bot, 10 + n as u32).await;
        assert!(
            text.contains("could not be loaded, so the current one stays"),
            "{what}: {text}"
        );
        assert!(
            text.contains("agenda.toml"),
            "{what}: the error names the file: {text}"
        );
        // The refresh loop (URL sources) takes the same stance on a broken file.
        emcee::refresh::refresh_once(&source, bot.data.app()).await;
        assert!(
            Arc::ptr_eq(&programme, &bot.data.programme()),
            "{what}: replaced"
        );
        refused += 1;
        println!("  /reload with a {what} agenda: {text}");
    }
    let after = ask_all(&bot, 400).await;
    assert_eq!(after, before, "/now, /next and the rest answer identically");
    let (jobs_after, posts_after) = settled(&bot).await;
    assert_eq!(jobs_after, jobs_before, "nothing rescheduled or cancelled");
    assert!(jobs_after.iter().all(|j| j.state != JobState::Cancelled));
    assert_eq!(
        posts_after, posts_before,
        "no change notice, nothing posted"
    );
    println!(
        "fault suite: corrupted agenda: {refused} of {} corruptions refused by /reload and refresh \
         with the file named; {} read commands answered identically; {} jobs unchanged, 0 posts",
        corruptions.len(),
        after.len(),
        jobs_after.len()
    );
    bot.stop().await;
}

/// The scheduler fixture (change notices on) with a copy of the agenda in
/// `dir`, plus `extra` settings.
fn editable_config(dir: &Path, extra: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("config/agenda.toml"), dir.join("agenda.toml")).unwrap();
    let config = std::fs::read_to_string(root.join("tests/e2e/fixtures/scheduler.toml"))
        .unwrap()
        .replace("../../../config/agenda.toml", "agenda.toml");
    std::fs::write(dir.join("emcee.toml"), config + extra).unwrap();
    dir.join("emcee.toml")
}

async fn start(fake: FakeDiscord, config: &Path, store: Store) -> TestBot {
    let options = BotOptions {
        config: config.to_owned(),
        store: Some(store),
        scheduler: Some(SchedulerOptions::default()),
        ..BotOptions::default()
    };
    TestBot::start_with(fake, AT, options).await
}

/// Attendee `n` runs `/name options`; the interaction callback body.
async fn ask_as(bot: &TestBot, n: u32, name: &str, options: Value) -> Value {
    let user = FakeUser::attendee(n);
    let handle = bot.fake.slash_command(&user, name, options).await;
    bot.response(&handle).await
}

/// Every read command, each from its own attendee (the throttle is per user);
/// the embeds, which carry the whole answer.
async fn ask_all(bot: &TestBot, first_user: u32) -> Vec<Value> {
    let mut answers = Vec::new();
    for (n, (name, options)) in reads().into_iter().enumerate() {
        let answer = ask_as(bot, first_user + n as u32, name, options).await;
        assert_eq!(answer["type"], 4, "{name}: {answer}");
        answers.push(embed(&answer).clone());
    }
    answers
}

/// Tries `attempt(1)`, `attempt(2)`, … until it says it was refused; returns
/// the try that was.
async fn until_refused<F, Fut>(most: u32, mut attempt: F) -> u32
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for n in 1..=most {
        if attempt(n).await {
            return n;
        }
    }
    panic!("still written after {most} tries");
}

async fn failures(addr: std::net::SocketAddr) -> f64 {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("emcee_store_write_failures_total "))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

/// The jobs and posts once the scheduler has done what was due at start.
async fn settled(bot: &TestBot) -> (Vec<emcee_core::store::JobRecord>, Vec<u64>) {
    let snapshot = || (bot.store.job_records().unwrap(), posts(&bot.fake));
    let mut last = snapshot();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = snapshot();
        if now == last {
            return now;
        }
        last = now;
    }
}

/// Every message the bot posted on its own (not answering an interaction) in
/// the guild's channels.
fn posts(fake: &FakeDiscord) -> Vec<u64> {
    let channels = fake.ids().text_channels();
    channels
        .iter()
        .flat_map(|(id, _)| fake.messages(*id))
        .filter(|m| m.interaction_id.is_none() && m.webhook_id.is_none())
        .map(|m| m.id)
        .collect()
}

/// An organiser runs `/reload`; the text of the (deferred) answer.
async fn reload(bot: &TestBot, organiser: u32) -> String {
    let asked = bot
        .fake
        .slash_command(&FakeUser::organiser(organiser), "reload", json!({}))
        .await;
    let answer = bot
        .fake
        .wait_for_request(
            |r| r.path.starts_with("/webhooks") && r.path.contains(&asked.token),
            PATIENCE,
        )
        .await
        .unwrap();
    answer.body_str("content").unwrap().to_owned()
}

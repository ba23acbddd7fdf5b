//! Two bot processes on one SQLite file, both with their scheduler running
//! and both counting a poll: when it closes, it is closed and its result
//! announced exactly once, whether the process that took the `/poll create`
//! holds the scheduler lease or the other one does.

use super::{create, react, wait_message, wait_tally, Posted};
use crate::harness::{start_scheduler, BotOptions, TestBot, PATIENCE};
use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::port::DiscordPort;
use emcee::discord::{BotToken, Data};
use emcee::scheduler::Running;
use emcee_core::config::Config;
use emcee_core::polls::{PollConfig, PollState};
use emcee_core::scheduler::SchedulerOptions;
use emcee_core::store::{JobState, JobStore, Lease, PollStore, Store};
use fake_discord::{FakeDiscord, FakeUser, RecordedRequest};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// After the sample day: nothing else is due, so every post is the poll's.
const EVENING: &str = "2021-10-07T22:00:00Z";

fn options(holder: &str) -> SchedulerOptions {
    SchedulerOptions {
        holder: holder.into(),
        lease_ttl: Duration::from_secs(3),
        ..SchedulerOptions::default()
    }
}

/// A second bot process: its own connection to the database file and its
/// own sender to the fake Discord, on the same clock; no gateway (commands
/// and reactions reach the first one).
fn second_process(bot: &TestBot, config: &Config, path: &Path) -> Data {
    let token = BotToken::new("fake-token".into()).unwrap();
    let outbound = Outbound::new(
        &bot.fake.base_url(),
        &token,
        reqwest::Client::new(),
        Pacing::default(),
    );
    let named = emcee::discord::server_ids(config.settings.servers()).unwrap();
    let port = DiscordPort::new(outbound, named.iter().map(|s| s.get()).collect());
    let data = Data::new(
        config.programme.clone(),
        Arc::new(bot.clock.clone()),
        Store::open(path).unwrap(),
        Arc::new(port),
    );
    data.polls
        .configure(PollConfig::from_settings(&config.settings));
    data
}

async fn wait_for_lease(path: &Path, holder: &str) {
    let lease = Lease::new(Store::open(path).unwrap(), "scheduler", "probe");
    let held = tokio::time::timeout(PATIENCE, async {
        while lease.holder().unwrap().as_deref() != Some(holder) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    held.await.expect("the first scheduler takes the lease");
}

/// Both processes on the file at `path`, both counting a poll with one
/// vote, both with their scheduler running; `/poll create` reaches the
/// gateway process, and `gateway_holds_lease` says whether that process or
/// the second one holds the scheduler lease.
async fn two_processes_counting_a_poll(
    path: &Path,
    config: &Config,
    gateway_holds_lease: bool,
) -> (TestBot, Data, Posted, Vec<Running>) {
    let options_a = BotOptions {
        store: Some(Store::open(path).unwrap()),
        ..BotOptions::default()
    };
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, EVENING, options_a).await;
    let settings = &config.settings;
    let mut schedulers = Vec::new();
    if gateway_holds_lease {
        schedulers.push(start_scheduler(&bot.data, settings, None, options("a")));
        wait_for_lease(path, "a").await;
    }
    let poll = create(&bot, json!({ "duration": "5m" })).await;
    react(&bot, &poll, &FakeUser::attendee(1), "🦀").await;
    wait_tally(&bot, &poll.key(), &[1, 0, 0], 1).await;
    // Started now, the second process counts the poll too, as one restarted
    // while it was open would: under in-memory timers both would close it.
    let other = second_process(&bot, config, path);
    assert!(other.polls.recorder().watch(&poll.key()).is_some());
    // What its gateway's first READY would do: learn who the bot is, then
    // resume the open polls.
    other.port.set_bot_user(bot.fake.ids().bot_user_id);
    other.polls.session_started();
    schedulers.push(start_scheduler(&other, settings, None, options("b")));
    if !gateway_holds_lease {
        wait_for_lease(path, "b").await;
        schedulers.push(start_scheduler(&bot.data, settings, None, options("a")));
    }
    (bot, other, poll, schedulers)
}

/// Result posts with `nonce` in `requests`, result messages the fake
/// stored, and edits of the poll message in `requests`.
fn announcements(
    fake: &FakeDiscord,
    requests: &[RecordedRequest],
    poll: &Posted,
    nonce: &str,
) -> (usize, usize, usize) {
    let poll_path = format!("/channels/{}/messages/{}", poll.channel, poll.message);
    let posts = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .filter(|r| r.body.as_ref().is_some_and(|b| b["nonce"] == nonce))
        .count();
    let stored = fake.messages(poll.channel);
    let stored = stored.iter().filter(|m| m.nonce.as_deref() == Some(nonce));
    let edits = requests
        .iter()
        .filter(|r| r.method == "PATCH" && r.path == poll_path)
        .count();
    (posts, stored.count(), edits)
}

async fn a_poll_closes_once_across_two_processes(gateway_holds_lease: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emcee.sqlite3");
    let config = Config::load(&BotOptions::default().config).unwrap();
    let (bot, other, poll, schedulers) =
        two_processes_counting_a_poll(&path, &config, gateway_holds_lease).await;
    let poll_path = format!("/channels/{}/messages/{}", poll.channel, poll.message);
    let live_edit = bot
        .fake
        .wait_for_request(|r| r.method == "PATCH" && r.path == poll_path, PATIENCE)
        .await
        .expect("the live tally shows the vote");
    let id = bot.store.poll_by_message(&poll.key()).unwrap().unwrap().id;
    let nonce = format!("poll-{id}-result");

    bot.clock.advance(chrono::TimeDelta::minutes(5));
    let result = wait_message(&bot, poll.channel, |m| m.nonce.as_deref() == Some(&nonce)).await;
    let text = result.embeds[0]["description"].as_str().unwrap();
    assert!(text.contains("1 voter"), "the stored vote counts: {text}");
    let retired = tokio::time::timeout(PATIENCE, async {
        while other.polls.recorder().watch(&poll.key()).is_some() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    retired
        .await
        .expect("the second process stops counting at the deadline");
    // Both schedulers stop only once their sends in flight are recorded.
    for scheduler in schedulers {
        scheduler.stop().await;
    }
    let (fake, store) = bot.stop().await;

    let after_live_edit = &fake.requests()[live_edit.index + 1..];
    let counted = announcements(&fake, after_live_edit, &poll, &nonce);
    assert_eq!(
        counted,
        (1, 1, 1),
        "result posts, result messages, final tallies"
    );
    let closed = store.poll_by_message(&poll.key()).unwrap().unwrap();
    assert_eq!((closed.state, closed.announced), (PollState::Closed, true));
    let key = format!("poll_close:p/{id}");
    let jobs = store.job_records().unwrap();
    let job = jobs.into_iter().find(|j| j.key == key);
    assert_eq!(job.map(|j| j.state), Some(JobState::Done));
}

#[tokio::test]
async fn a_poll_created_through_the_lease_holder_closes_once_across_two_processes() {
    a_poll_closes_once_across_two_processes(true).await;
}

#[tokio::test]
async fn a_poll_created_through_the_other_process_closes_once_across_two_processes() {
    a_poll_closes_once_across_two_processes(false).await;
}

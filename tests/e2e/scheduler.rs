//! The scheduler end to end: the real bot, its one scheduler task and the
//! paced sender against the fake Discord, with a manual clock stepped through
//! the sample day. Every wait is for a condition, never a fixed sleep.

use crate::harness::{instant, BotOptions, TestBot, PATIENCE};
use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::BotToken;
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::scheduler::{plan, Job, JobKind, PlanSettings, SchedulerOptions, Target};
use emcee_core::store::{JobState, JobStore, Store};
use fake_discord::{FakeDiscord, FakeUser, Fault, Matcher};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod lease;
mod missed;
mod reload;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures/scheduler.toml")
}

fn options(holder: &str) -> SchedulerOptions {
    SchedulerOptions {
        holder: holder.into(),
        lease_ttl: Duration::from_secs(1),
        ..SchedulerOptions::default()
    }
}

fn bot_options(holder: &str, store: Option<Store>) -> BotOptions {
    BotOptions {
        config: fixture(),
        store,
        scheduler: Some(options(holder)),
        ..BotOptions::default()
    }
}

/// Every post the fixture plans, except poll openings (the poll feature's).
fn planned(config: &Path) -> Vec<Job> {
    let config = Config::load(config).unwrap();
    let settings = PlanSettings::from_settings(&config.settings);
    plan(&config.programme, &settings, &[])
        .into_iter()
        .filter(|job| job.kind() != JobKind::PollOpen)
        .collect()
}

fn channel_id(fake: &FakeDiscord, target: &Target) -> u64 {
    let Target::Channel(name) = target else {
        panic!("not a channel: {target}")
    };
    let channels = fake.ids().text_channels();
    channels.iter().find(|(_, n)| n == name).unwrap().0
}

/// Nonces of every scheduled announcement in the guild's channels, in
/// creation order (interaction replies carry none, polls their own).
fn posted(fake: &FakeDiscord) -> Vec<(u64, String, u64)> {
    let mut all: Vec<(u64, String, u64)> = fake
        .ids()
        .text_channels()
        .iter()
        .flat_map(|(channel, _)| fake.messages(*channel))
        .filter_map(|m| Some((m.id, m.nonce?, m.channel_id)))
        .filter(|(_, nonce, _)| nonce.starts_with("em"))
        .collect();
    all.sort();
    all
}

/// Moves the clock to `at` and waits until `count` posts exist.
async fn step(bot: &TestBot, at: chrono::DateTime<chrono::Utc>, count: usize) {
    bot.clock.set(at);
    bot.fake
        .wait_until(&format!("{count} posts at {at}"), PATIENCE, |fake| {
            (posted(fake).len() >= count).then_some(())
        })
        .await
        .unwrap();
}

fn count_due(jobs: &[Job], at: chrono::DateTime<chrono::Utc>) -> usize {
    jobs.iter().filter(|job| job.due_at <= at).count()
}

/// Posts due by `at` for a bot started at `start`: what falls due from then
/// on, plus what is still within the catch-up window (10 min) and not moot.
fn due_since(
    jobs: &[Job],
    start: chrono::DateTime<chrono::Utc>,
    at: chrono::DateTime<chrono::Utc>,
) -> usize {
    let catch_up = start - chrono::TimeDelta::minutes(10);
    jobs.iter()
        .filter(|j| j.due_at <= at)
        .filter(|j| j.due_at > start || (j.due_at >= catch_up && j.expires_at > start))
        .count()
}

#[tokio::test]
async fn the_whole_sample_day_posts_every_announcement_once_in_order_at_its_instant() {
    let jobs = planned(&fixture());
    let first = jobs[0].due_at - chrono::TimeDelta::minutes(1);
    let fake = FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, &first.to_rfc3339(), bot_options("a", None)).await;
    let instants: BTreeSet<_> = jobs.iter().map(|job| job.due_at).collect();
    for at in instants {
        let due = count_due(&jobs, at);
        step(&bot, at, due).await;
        assert_eq!(posted(&bot.fake).len(), due, "nothing early at {at}");
    }
    let posts = posted(&bot.fake);
    for job in &jobs {
        let copies: Vec<_> = posts.iter().filter(|(_, n, _)| *n == job.nonce()).collect();
        assert_eq!(copies.len(), 1, "{} once", job.key);
        assert_eq!(
            copies[0].2,
            channel_id(&bot.fake, &job.target),
            "{}",
            job.key
        );
    }
    let due_of = |nonce: &str| jobs.iter().find(|j| j.nonce() == nonce).unwrap().due_at;
    let order: Vec<_> = posts.iter().map(|(_, n, _)| due_of(n)).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "posted in order");
    assert_only_the_configured_role_is_mentioned(&bot.fake);
    // Each declared poll was opened through the poll feature, once.
    for poll in &Config::load(&fixture()).unwrap().programme.polls {
        let opened = bot.data.polls.recorder().declared(&poll.id).await.unwrap();
        assert!(opened.is_some(), "poll {} opened", poll.id);
    }
    bot.stop().await;
}

fn assert_only_the_configured_role_is_mentioned(fake: &FakeDiscord) {
    let role = fake.ids().organiser_role_id.to_string();
    let general = format!("/channels/{}/messages", fake.ids().general_channel_id);
    for request in fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
    {
        let body = request.body.as_ref().unwrap();
        assert_eq!(body["allowed_mentions"]["parse"], json!([]), "{body}");
        assert_eq!(body["enforce_nonce"], json!(true));
        let roles = body["allowed_mentions"]["roles"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if request.path == general {
            assert_eq!(roles, [json!(role)], "the configured role only");
            assert!(body["content"]
                .as_str()
                .unwrap()
                .starts_with(&format!("<@&{role}>")));
        } else {
            assert!(roles.is_empty(), "{body}");
        }
    }
}

#[tokio::test]
async fn a_restart_mid_day_neither_duplicates_nor_loses_within_the_catch_up_window() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("emcee.sqlite3")).unwrap();
    let jobs = planned(&fixture());
    let fake = FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(
        fake,
        "2021-10-07T08:40:00-07:00",
        bot_options("a", Some(store)),
    )
    .await;
    // Started at 08:40 on an empty database: the morning is past the catch-up
    // window, so only what falls due from now on is posted.
    let started = count_due(&jobs, instant("2021-10-07T08:40:00-07:00"));
    for at in ["2021-10-07T08:45:00-07:00", "2021-10-07T08:50:00-07:00"] {
        step(&bot, instant(at), count_due(&jobs, instant(at)) - started).await;
    }
    let before = posted(&bot.fake).len();
    let (fake, store) = bot.kill();

    // Down from 08:50 to 09:02: the 08:55 "in 5 minutes" posts are moot (their
    // sessions started), the 09:00 "starting now" ones are within catch-up.
    let back = instant("2021-10-07T09:02:00-07:00");
    let options = BotOptions {
        clock: Some(ManualClock::new(back)),
        ..bot_options("b", Some(store.clone()))
    };
    let bot = TestBot::start_with(fake, &back.to_rfc3339(), options).await;
    let at_nine: Vec<_> = jobs
        .iter()
        .filter(|j| j.due_at == instant("2021-10-07T09:00:00-07:00"))
        .collect();
    step(&bot, back, before + at_nine.len()).await;
    let posts = posted(&bot.fake);
    assert_eq!(
        posts.len(),
        before + at_nine.len(),
        "no duplicate, nothing moot"
    );
    let nonces: BTreeSet<_> = posts.iter().map(|(_, n, _)| n.clone()).collect();
    assert_eq!(nonces.len(), posts.len(), "every post once");
    assert!(
        at_nine.iter().all(|j| nonces.contains(&j.nonce())),
        "caught up"
    );
    let skipped: Vec<_> = store
        .job_records()
        .unwrap()
        .into_iter()
        .filter(|r| r.state == JobState::Skipped && r.due_at > instant("2021-10-07T08:50:00-07:00"))
        .collect();
    assert!(
        !skipped.is_empty()
            && skipped
                .iter()
                .all(|r| r.due_at == instant("2021-10-07T08:55:00-07:00"))
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_server_error_then_a_retry_yields_one_message() {
    let jobs = planned(&fixture());
    let fake = FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, "2021-10-07T08:58:00-07:00", bot_options("a", None)).await;
    let nine = instant("2021-10-07T09:00:00-07:00");
    let job = jobs.iter().find(|j| j.due_at == nine).unwrap();
    // An earlier attempt reached Discord but its answer was lost: the same
    // nonce now returns that message instead of creating another.
    let outbound = Outbound::new(
        &bot.fake.base_url(),
        &BotToken::new("fake-token".into()).unwrap(),
        reqwest::Client::new(),
        Pacing::default(),
    );
    let channel = channel_id(&bot.fake, &job.target);
    let body = emcee::discord::markup::scheduled(&job.message, &job.nonce());
    outbound
        .create_message(channel, body, Vec::new())
        .await
        .unwrap();
    bot.fake.inject(Fault::ServerError {
        matcher: Matcher::new("POST", "/channels/*/messages"),
        status: 502,
        times: 2,
    });
    step(
        &bot,
        nine,
        count_due(&jobs, nine) - count_due(&jobs, instant("2021-10-07T08:58:00-07:00")),
    )
    .await;
    let copies = posted(&bot.fake)
        .into_iter()
        .filter(|(_, n, _)| *n == job.nonce())
        .count();
    assert_eq!(copies, 1);
    let failed = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.status == 502)
        .count();
    assert_eq!(failed, 2, "the 5xx were retried");
    bot.stop().await;
}

#[tokio::test]
async fn a_burst_of_rate_limits_is_ridden_out_with_every_post_once() {
    let jobs = planned(&fixture());
    let fake = FakeDiscord::start().await.unwrap();
    let start = instant("2021-10-07T08:59:00-07:00");
    let bot = TestBot::start_with(fake, &start.to_rfc3339(), bot_options("a", None)).await;
    bot.fake.inject(Fault::RateLimited {
        matcher: Matcher::new("POST", "/channels/*/messages"),
        retry_after: Duration::from_millis(200),
        global: false,
        times: 4,
    });
    let nine = instant("2021-10-07T09:00:00-07:00");
    let due = count_due(&jobs, nine) - count_due(&jobs, start);
    step(&bot, nine, due).await;
    // The start at 08:59 may also catch up on earlier posts, at its own pace:
    // judge the posts that fell due after it.
    let window: BTreeSet<String> = jobs
        .iter()
        .filter(|j| j.due_at > start && j.due_at <= nine)
        .map(|j| j.nonce())
        .collect();
    let in_window = |f: &FakeDiscord| {
        posted(f)
            .into_iter()
            .filter(|(_, n, _)| window.contains(n))
            .collect::<Vec<_>>()
    };
    bot.fake
        .wait_until("every post due by 09:00", crate::harness::PATIENCE, |f| {
            (in_window(f).len() >= window.len()).then_some(())
        })
        .await
        .unwrap();
    let posts = in_window(&bot.fake);
    let nonces: BTreeSet<_> = posts.iter().map(|(_, n, _)| n.clone()).collect();
    assert_eq!((posts.len(), nonces.len()), (due, due));
    let all = posted(&bot.fake);
    let all_nonces: BTreeSet<_> = all.iter().map(|(_, n, _)| n.clone()).collect();
    assert_eq!(all.len(), all_nonces.len(), "no post twice");
    assert_eq!(
        bot.fake
            .requests()
            .iter()
            .filter(|r| r.status == 429)
            .count(),
        4
    );
    bot.stop().await;
}

#[tokio::test]
async fn reminders_arrive_by_dm_and_closed_dms_fall_back_to_a_private_notice() {
    let fake = FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, "2021-10-07T08:30:00-07:00", bot_options("a", None)).await;
    let (open, closed) = (FakeUser::attendee(1), FakeUser::attendee(2));
    bot.fake.inject(Fault::DmClosed { user_id: closed.id });
    for user in [&open, &closed] {
        let asked = bot
            .fake
            .slash_command(
                user,
                "remind",
                json!({"session": "morling-jfrunit", "minutes_before": 15}),
            )
            .await;
        let reply = bot.response(&asked).await;
        assert!(
            reply["data"]["content"]
                .as_str()
                .unwrap()
                .contains("I'll DM you 15 min"),
            "{reply}"
        );
    }
    bot.clock.set(instant("2021-10-07T08:45:00-07:00"));
    let dm = bot.fake.dm_channel(&open);
    let message = bot
        .fake
        .wait_until("the reminder DM", PATIENCE, |fake| {
            fake.messages(dm).into_iter().next()
        })
        .await
        .unwrap();
    assert!(message.content.contains("JfrUnit"), "{}", message.content);
    bot.fake
        .wait_for_request(|r| r.status == 403, PATIENCE)
        .await
        .unwrap();
    let asked = bot.fake.slash_command(&closed, "now", json!({})).await;
    let notice = bot
        .fake
        .wait_for_request(
            |r| {
                r.method == "POST"
                    && r.path.contains(&asked.token)
                    && r.path.starts_with("/webhooks")
            },
            PATIENCE,
        )
        .await
        .unwrap();
    assert!(notice
        .body_str("content")
        .unwrap()
        .contains("direct messages are closed"));
    let listed = bot.ask("reminders", json!({})).await;
    assert!(
        listed["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Your reminders (1)"),
        "{listed}"
    );
    let calendar = bot.fake.slash_command(&open, "mycal", json!({})).await;
    let request = bot
        .fake
        .wait_for_interaction_response(&calendar, PATIENCE)
        .await
        .unwrap();
    assert_eq!(request.attachments[0].filename, "emcee-reminders.ics");
    bot.stop().await;
}

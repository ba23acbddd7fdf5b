//! Fault suite, network side: the in-process bot against a fake Discord that
//! fails REST calls at random (20 % 429, 5 % 500 on every route) or keeps
//! dropping the gateway, while announcements fall due, votes come in and
//! attendees run commands. Nothing may be lost, doubled or left unanswered.
//! Each scenario prints one `fault suite:` line with its counts and seed;
//! `EMCEE_FAULT_SEED` replays a run. The gateway scenarios are in `gateway`.

use crate::harness::{seed, BotOptions, Rng, TestBot, PATIENCE};
use chrono::{DateTime, Utc};
use emcee_core::config::Config;
use emcee_core::polls::MessageKey;
use emcee_core::scheduler::{plan, Job, JobKind, PlanSettings, SchedulerOptions};
use fake_discord::{FakeDiscord, FakeUser, Fault, InteractionHandle, Matcher};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::time::Instant;

mod gateway;

const EMOJI: [&str; 3] = ["🇦", "🇧", "🇨"];
const VOTERS: u64 = 60;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures/scheduler.toml")
}

/// A bot on the scheduler fixture (scheduler running) or on the sample config.
pub(super) async fn start(at: &str, scheduler: bool) -> TestBot {
    let fake = FakeDiscord::start().await.unwrap();
    let options = if scheduler {
        BotOptions {
            config: fixture(),
            scheduler: Some(SchedulerOptions {
                holder: "chaos".into(),
                lease_ttl: Duration::from_secs(1),
                ..SchedulerOptions::default()
            }),
            ..BotOptions::default()
        }
    } else {
        BotOptions::default()
    };
    TestBot::start_with(fake, at, options).await
}

/// An organiser opens a single-choice A/B/C poll (before any fault is armed).
pub(super) async fn open_poll(bot: &TestBot) -> MessageKey {
    let options =
        json!({ "create": { "question": "Chaos?", "options": "A | B | C", "duration": "2h" } });
    let asked = bot
        .fake
        .slash_command(&FakeUser::organiser(1), "poll", options)
        .await;
    bot.response(&asked).await;
    let (fake, bot_id) = (&bot.fake, bot.fake.ids().bot_user_id);
    let message = fake
        .wait_until("the poll with its reactions", PATIENCE, |f| {
            let poll = f
                .messages(f.ids().general_channel_id)
                .into_iter()
                .rev()
                .find(|m| {
                    m.embeds
                        .first()
                        .is_some_and(|e| e["title"].as_str().is_some_and(|t| t.starts_with("📊")))
                })?;
            EMOJI
                .iter()
                .all(|e| f.reaction_users(poll.id, e).contains(&bot_id))
                .then_some(poll.id)
        })
        .await
        .unwrap();
    MessageKey::new(fake.ids().general_channel_id, message)
}

/// Votes and unvotes at random; the test's own view of who holds what is only
/// a hint (the bot moves single-choice votes), the judge is [`settled_tally`].
pub(super) struct Voting {
    poll: MessageKey,
    held: BTreeSet<(u64, usize)>,
    pub(super) events: usize,
}

impl Voting {
    pub(super) fn on(poll: &MessageKey) -> Self {
        Self {
            poll: poll.clone(),
            held: BTreeSet::new(),
            events: 0,
        }
    }

    pub(super) async fn one(&mut self, fake: &FakeDiscord, rng: &mut Rng) {
        let (voter, option) = (rng.below(VOTERS), rng.below(3) as usize);
        let user = FakeUser::attendee(700 + voter as u32);
        let (channel, message) = (
            self.poll.channel.parse().unwrap(),
            self.poll.message.parse().unwrap(),
        );
        if self.held.remove(&(voter, option)) {
            fake.unreact(channel, message, &user, EMOJI[option])
                .await
                .unwrap();
        } else {
            self.held.insert((voter, option));
            fake.react(channel, message, &user, EMOJI[option])
                .await
                .unwrap();
        }
        self.events += 1;
    }
}

/// The tally Discord (the fake) holds: non-bot reactors per option, and voters.
pub(crate) fn discord_tally(fake: &FakeDiscord, poll: &MessageKey) -> (Vec<u64>, u64) {
    let (message, bot) = (poll.message.parse().unwrap(), fake.ids().bot_user_id);
    let mut voters = BTreeSet::new();
    let counts = EMOJI
        .iter()
        .map(|e| {
            let users: Vec<u64> = fake
                .reaction_users(message, e)
                .into_iter()
                .filter(|&u| u != bot)
                .collect();
            voters.extend(users.iter().copied());
            users.len() as u64
        })
        .collect();
    (counts, voters.len() as u64)
}

/// Waits until the stored tally equals Discord's; returns both as last seen and
/// how many votes they differ by (0 when settled).
pub(super) async fn settled_tally(bot: &TestBot, poll: &MessageKey) -> (Vec<u64>, Vec<u64>, u64) {
    let view = bot.data.polls.recorder().watch(poll).expect("poll is open");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let stored = view.borrow().tally.clone();
        let (discord, voters) = discord_tally(&bot.fake, poll);
        let lost: u64 = stored
            .counts
            .iter()
            .zip(&discord)
            .map(|(s, d)| s.abs_diff(*d))
            .sum();
        if (lost == 0 && stored.voters == voters) || Instant::now() > deadline {
            return (stored.counts, discord, lost);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A random agenda command from a fresh attendee (the per-user throttle stays out of it).
pub(super) async fn ask(fake: &FakeDiscord, rng: &mut Rng, n: u32) -> InteractionHandle {
    let (name, options) = match rng.below(5) {
        0 => ("now", json!({})),
        1 => ("next", json!({})),
        2 => ("agenda", json!({})),
        3 => ("search", json!({ "text": "rust" })),
        _ => ("help", json!({})),
    };
    fake.slash_command(&FakeUser::attendee(5_000 + n), name, options)
        .await
}

/// Answers to `asked`: (answered with an embed, apologised, silent), once every
/// interaction has a successful callback or `patience` passed.
pub(super) async fn answers(
    fake: &FakeDiscord,
    asked: &[InteractionHandle],
    patience: Duration,
) -> (usize, usize, usize) {
    let ok = |f: &FakeDiscord| -> BTreeMap<String, Value> {
        f.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/callback") && r.status < 300)
            .map(|r| (r.path, r.body.unwrap_or_default()))
            .collect()
    };
    let path = |h: &InteractionHandle| format!("/interactions/{}/{}/callback", h.id, h.token);
    let all = |f: &FakeDiscord| {
        let done = ok(f);
        asked
            .iter()
            .all(|h| done.contains_key(&path(h)))
            .then_some(())
    };
    let _ = fake
        .wait_until("every command answered", patience, all)
        .await;
    let done = ok(fake);
    let (mut answered, mut apologised) = (0, 0);
    for body in asked.iter().filter_map(|h| done.get(&path(h))) {
        if body["data"]["embeds"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
        {
            answered += 1;
        } else {
            apologised += 1;
        }
    }
    (answered, apologised, asked.len() - answered - apologised)
}

/// Nonces of the scheduler's posts (announcements carry `em…` nonces), with copies.
fn posted(fake: &FakeDiscord) -> BTreeMap<String, usize> {
    let mut copies = BTreeMap::new();
    for (channel, _) in fake.ids().text_channels() {
        for nonce in fake.messages(channel).into_iter().filter_map(|m| m.nonce) {
            if nonce.starts_with("em") {
                *copies.entry(nonce).or_insert(0) += 1;
            }
        }
    }
    copies
}

/// Every announcement of the fixture due by `at`, by nonce.
fn due_by(jobs: &[Job], at: DateTime<Utc>) -> BTreeSet<String> {
    jobs.iter()
        .filter(|j| j.due_at <= at)
        .map(Job::nonce)
        .collect()
}

/// The fixture's announcements (poll openings are the poll feature's).
fn planned() -> Vec<Job> {
    let config = Config::load(&fixture()).unwrap();
    let settings = PlanSettings::from_settings(&config.settings);
    plan(&config.programme, &settings, &[])
        .into_iter()
        .filter(|job| job.kind() != JobKind::PollOpen)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_chaos_loses_and_doubles_nothing_and_every_command_is_answered() {
    let seed = seed();
    eprintln!("fault suite: rest chaos seed {seed} (EMCEE_FAULT_SEED={seed} replays it)");
    let mut rng = Rng(seed);
    let jobs = planned();
    let instants: BTreeSet<_> = jobs.iter().map(|j| j.due_at).collect();
    let instants: Vec<_> = instants.into_iter().take(8).collect();
    let expected = due_by(&jobs, instants[instants.len() - 1]);
    let first = instants[0] - chrono::TimeDelta::minutes(1);
    let bot = start(&first.to_rfc3339(), true).await;
    let poll = open_poll(&bot).await;
    let before = bot.fake.requests().len();
    bot.fake.inject(Fault::Chaos {
        matcher: Matcher::any_method("/"),
        rate_limited: 0.20,
        server_error: 0.05,
        retry_after: Duration::from_millis(100),
        seed: rng.below(u64::MAX),
    });
    let mut voting = Voting::on(&poll);
    let mut asked = Vec::new();
    // The clock moves to the next instant once the posts due so far are out, as
    // the minutes between two instants would allow on the day.
    let mut stage = 0;
    bot.clock.set(instants[0]);
    let caught_up = |f: &FakeDiscord, at| {
        let posts = posted(f);
        due_by(&jobs, at).iter().all(|n| posts.contains_key(n))
    };
    for step in 0..400u32 {
        voting.one(&bot.fake, &mut rng).await;
        if step % 8 == 0 {
            asked.push(ask(&bot.fake, &mut rng, step).await);
        }
        if stage + 1 < instants.len() && caught_up(&bot.fake, instants[stage]) {
            stage += 1;
            bot.clock.set(instants[stage]);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    loop {
        let at = instants[stage];
        let waited = bot.fake.wait_until("the posts due", PATIENCE, |f| {
            caught_up(f, at).then_some(())
        });
        if waited.await.is_err() || stage + 1 == instants.len() {
            break;
        }
        stage += 1;
        bot.clock.set(instants[stage]);
    }
    let posts = posted(&bot.fake);
    let (answered, apologised, silent) = answers(&bot.fake, &asked, PATIENCE).await;
    let (stored, discord, lost) = settled_tally(&bot, &poll).await;
    let missing = expected.iter().filter(|n| !posts.contains_key(*n)).count();
    let doubled: usize = posts.values().map(|c| c - 1).sum();
    let injected = bot.fake.injected();
    let requests = bot.fake.requests().len() - before;
    eprintln!(
        "fault suite: rest chaos: {} 429s, {} 500s injected in {requests} requests; announcements {} expected, {} posted, {missing} lost, {doubled} duplicates; {} vote events, stored {stored:?} vs discord {discord:?}, {lost} lost; commands {} sent, {answered} answered, {apologised} apologies, {silent} silent; seed {seed}",
        injected.rate_limited, injected.server_errors, expected.len(), posts.len(), voting.events, asked.len(),
    );
    assert_eq!(
        (missing, doubled),
        (0, 0),
        "every announcement once (seed {seed})"
    );
    assert_eq!(
        lost, 0,
        "stored tally equals Discord's reactions (seed {seed})"
    );
    assert_eq!(
        (answered, silent),
        (asked.len(), 0),
        "every command answered (seed {seed})"
    );
    bot.stop().await;
}

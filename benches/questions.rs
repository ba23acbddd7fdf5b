//! 2,000 attendees upvote 50 questions of one session through the real bot
//! (serenity + poise) and the fake Discord on loopback, each click a ▲
//! button interaction. Reports clicks handled per second, click-to-stored
//! latency (p50/p99/max, measured by the Q&A service from the click reaching
//! it to the vote committed to a real SQLite file), whether it all fit in
//! 30 s, and checks the hosts' top list against the expected counts.
//! Targets (issue 14): within 30 s, p99 under 2 ms, the top list exact.
//!
//! Beside it, the same run prints a floor: the same clicks as bare store
//! calls (`QuestionStore::vote`), one after another on a fresh SQLite file
//! in the same folder, with no bot, gateway or board around them: what one
//! vote costs this machine at that moment.
//!
//! Run: `cargo bench --bench questions` (release). `QA_ATTENDEES` and
//! `QA_VOTES` (upvotes per attendee, default 5) change the load;
//! `QA_SECONDS` (default 30) spreads the clicks evenly over that many
//! seconds, as a room voting through a session would; 0 sends them as fast
//! as the fake can inject them (a burst: the latency is then mostly queueing).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../tests/e2e/harness.rs"]
mod harness;

use emcee_core::agenda::SessionId;
use emcee_core::polls::{Latencies, LatencySummary};
use emcee_core::questions::{normalise, Click, Filed, Host, NewQuestion, QuestionStore};
use emcee_core::scheduler::holder;
use emcee_core::store::Store;
use fake_discord::FakeUser;
use harness::{BotOptions, Rng, TestBot, PATIENCE};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

const QUESTIONS: usize = 50;
const SESSION: &str = "morling-jfrunit";

fn env(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let attendees = env("QA_ATTENDEES", 2_000);
    let per_attendee = env("QA_VOTES", 5) as usize;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("qa.sqlite3")).unwrap();
    let options = BotOptions {
        store: Some(store),
        ..BotOptions::default()
    };
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, "2021-10-07T16:05:00Z", options).await;
    let buttons = ask_all(&bot).await;

    // Who clicks what: each attendee upvotes `per_attendee` distinct
    // questions, skewed towards the first ones; one in ten clicks one of
    // them twice (a vote taken back).
    let mut rng = Rng(0x0051_A5ED);
    let mut clicks = Vec::new();
    let mut expected: HashMap<usize, u32> = HashMap::new();
    for n in 0..attendees {
        let user = FakeUser::attendee(200_000 + n);
        let mut chosen = BTreeSet::new();
        while chosen.len() < per_attendee.min(QUESTIONS) {
            let a = rng.below(QUESTIONS as u64) as usize;
            let b = rng.below(QUESTIONS as u64) as usize;
            chosen.insert(a.min(b));
        }
        let undo = (rng.below(10) == 0).then(|| *chosen.iter().next().unwrap());
        for &q in &chosen {
            clicks.push((user.clone(), q));
            *expected.entry(q).or_default() += 1;
        }
        if let Some(q) = undo {
            clicks.push((user.clone(), q));
            *expected.entry(q).or_default() -= 1;
        }
    }
    let total = clicks.len() as u64;
    let floor_clicks = clicks.clone();
    let seconds = env("QA_SECONDS", 30);
    let mut pace = (seconds > 0).then(|| {
        let gap = Duration::from_secs(u64::from(seconds)).as_secs_f64() / total as f64;
        tokio::time::interval(Duration::from_secs_f64(gap))
    });
    let started = Instant::now();
    let fake = bot.fake.clone();
    let targets = buttons.clone();
    let sending = tokio::spawn(async move {
        for (user, q) in clicks {
            if let Some(pace) = pace.as_mut() {
                pace.tick().await;
            }
            let (message, button) = &targets[q];
            fake.click_button(&user, *message, button).await;
        }
    });
    sending.await.unwrap();
    let sent = Instant::now();
    let service = bot.data.questions.clone();
    while service.vote_latencies().count < total {
        assert!(sent.elapsed() < PATIENCE, "votes not stored in time");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let stored = Instant::now();
    let correct = top_list_is_exact(&bot, &buttons, &expected).await;
    let service_latencies = service.vote_latencies();
    bot.stop().await;
    let floor = floor(dir.path(), &floor_clicks).await;
    report(
        attendees,
        total,
        started,
        sent,
        stored,
        correct,
        &Latency {
            service: service_latencies,
            floor,
        },
    );
}

/// The same clicks as bare store calls on a fresh file, one at a time.
async fn floor(dir: &std::path::Path, clicks: &[(FakeUser, usize)]) -> LatencySummary {
    let store = Store::open(&dir.join("floor.sqlite3")).unwrap();
    let at = chrono::Utc::now();
    let mut ids = Vec::new();
    for n in 0..QUESTIONS {
        let text = format!("Benchmark question number {n}?");
        let new = NewQuestion {
            community: "floor".into(),
            session: SessionId::new(SESSION),
            asker: format!("asker{n}"),
            asker_name: format!("asker {n}"),
            anonymous: false,
            normal: normalise(&text),
            text,
            asked_at: at,
        };
        match store.file_question(&new, 3).await.unwrap() {
            Filed::New(question) => ids.push(question.id),
            other => panic!("{other:?}"),
        }
    }
    let latencies = Latencies::default();
    for (user, q) in clicks {
        let started = Instant::now();
        let user = user.id.to_string();
        let click = Click::Answered {
            by: holder::me(),
            click: 0,
        };
        store
            .vote("floor", ids[*q], &user, at, click)
            .await
            .unwrap();
        latencies.record(started.elapsed());
    }
    latencies.summary()
}

/// 50 attendees ask one question each; returns each question's message and
/// ▲ button id, in asking order.
async fn ask_all(bot: &TestBot) -> Vec<(u64, String)> {
    let channel = bot.fake.ids().general_channel_id;
    let mut buttons = Vec::new();
    for n in 0..QUESTIONS {
        let text = format!("Benchmark question number {n}?");
        let options = json!({ "question": text, "session": SESSION });
        let asker = FakeUser::attendee(100_000 + n as u32);
        let handle = bot.fake.slash_command(&asker, "ask", options).await;
        bot.response(&handle).await;
        let posted = bot
            .fake
            .wait_until("the question", PATIENCE, |f| {
                f.messages(channel)
                    .into_iter()
                    .find(|m| m.content.contains(&text) && !m.components.is_empty())
            })
            .await
            .unwrap();
        let id = posted.components[0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_owned();
        buttons.push((posted.id, id));
    }
    buttons
}

/// The hosts' list: every count as expected, sorted by votes then age.
async fn top_list_is_exact(
    bot: &TestBot,
    buttons: &[(u64, String)],
    expected: &HashMap<usize, u32>,
) -> bool {
    let programme = bot.data.programme();
    let host = Host {
        community: &bot.fake.ids().guild_id.to_string(),
        user: "bench",
        organiser: true,
    };
    let (_, listed) = bot
        .data
        .questions
        .host_list(&programme.agenda, host, "0", Some(SESSION))
        .await
        .unwrap();
    let index_of: HashMap<String, usize> = buttons
        .iter()
        .enumerate()
        .map(|(i, (_, id))| (id.rsplit(':').next().unwrap().to_owned(), i))
        .collect();
    let counts_right = listed.iter().all(|q| {
        let index = index_of[&q.id.to_string()];
        expected.get(&index).copied().unwrap_or(0) == q.votes
    });
    let sorted = listed.windows(2).all(|w| {
        (w[0].votes, std::cmp::Reverse(w[0].asked_at))
            >= (w[1].votes, std::cmp::Reverse(w[1].asked_at))
    });
    counts_right && sorted && listed.len() == QUESTIONS
}

/// Click to stored through the bot, and the floor beside it.
struct Latency {
    service: LatencySummary,
    floor: LatencySummary,
}

fn report(
    attendees: u32,
    clicks: u64,
    started: Instant,
    sent: Instant,
    stored: Instant,
    correct: bool,
    latency: &Latency,
) {
    let Latency {
        service: latencies,
        floor,
    } = latency;
    let total = stored - started;
    let rate = clicks as f64 / total.as_secs_f64();
    println!(
        "questions: {attendees} attendees, {clicks} ▲ clicks on {QUESTIONS} questions, through serenity + poise + fake Discord"
    );
    println!("  clicks/s (first sent to last stored): {rate:.0}");
    println!(
        "  all clicks sent in:                   {:?}",
        sent - started
    );
    println!("  first click -> last stored:           {total:?} (target: within 30 s)");
    println!(
        "  click -> stored latency:              p50 {:?}, p99 {:?}, max {:?} (target p99 < 2 ms)",
        latencies.p50, latencies.p99, latencies.max
    );
    println!(
        "  floor (bare store votes, same run):   p50 {:?}, p99 {:?}, max {:?}",
        floor.p50, floor.p99, floor.max
    );
    println!("  hosts' top list exact:                {correct}");
    let drain = stored - sent;
    println!("  last click sent -> all stored:        {drain:?} (target < 2 s)");
    let ok = drain < Duration::from_secs(2) && latencies.p99 < Duration::from_millis(2) && correct;
    println!("  targets met: {ok}");
}

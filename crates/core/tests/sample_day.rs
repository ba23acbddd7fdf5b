//! The whole sample day through the core alone: the real scheduler, poll
//! service and reminder service on an in-memory chat platform, with a manual
//! clock stepped from one due instant to the next. No Discord, no console.
//! Every announcement goes out once, the four declared polls open, take votes
//! (changed ones included) and close with the right results, and reminders
//! arrive by DM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use emcee_core::app::App;
use emcee_core::chat::memory::{MemoryPort, Posted};
use emcee_core::chat::ChatPort;
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::polls::{PollConfig, PollService, PollState, Reaction};
use emcee_core::scheduler::{
    plan, ChatAnnouncer, Job, JobKind, PlanSettings, Reminder, Scheduler, SchedulerOptions, Target,
};
use emcee_core::store::Store;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Who votes what in each declared poll, by option: (voter, first choice,
/// changed to).
const BALLOTS: &[(&str, usize, Option<usize>)] = &[
    ("ada", 0, None),
    ("bob", 1, Some(0)),
    ("cy", 1, None),
    ("dee", 2, Some(1)),
    ("eve", 0, None),
];

struct Day {
    app: App,
    port: Arc<MemoryPort>,
    clock: ManualClock,
}

fn setup() -> (Day, Config, Scheduler) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = Config::load(&root.join("config/emcee.toml")).expect("the sample config loads");
    let start: DateTime<Utc> = "2021-10-07T13:00:00Z".parse().unwrap();
    let clock = ManualClock::new(start);
    let store = Store::in_memory().unwrap();
    let (removed, mut removals) = tokio::sync::mpsc::unbounded_channel::<Reaction>();
    let port = Arc::new(MemoryPort::new(Some(removed)));
    let polls = PollService::new(
        Arc::new(store.clone()),
        Arc::clone(&port) as Arc<dyn ChatPort>,
        Arc::new(clock.clone()),
    );
    polls.configure(PollConfig::from_settings(&config.settings));
    let echo = polls.clone();
    tokio::spawn(async move {
        while let Some(reaction) = removals.recv().await {
            echo.on_reaction(reaction, Instant::now()).await.unwrap();
        }
    });
    let scheduler = Scheduler::new(
        store.clone(),
        Arc::new(clock.clone()),
        PlanSettings::from_settings(&config.settings),
        SchedulerOptions {
            holder: "sample-day".into(),
            ..SchedulerOptions::default()
        },
    );
    let app = App::new(
        config.programme.clone(),
        Arc::new(clock.clone()),
        store,
        polls,
    );
    app.attach_scheduler(scheduler.clone());
    (Day { app, port, clock }, config, scheduler)
}

/// The channel and DM posts the plan promises, by dedupe key.
fn promised(jobs: &[Job]) -> BTreeMap<String, &Job> {
    jobs.iter()
        .filter(|job| job.kind() != JobKind::PollOpen)
        .map(|job| (job.nonce(), job))
        .collect()
}

fn count_by_dedupe(messages: &[Posted], key: &str) -> usize {
    messages
        .iter()
        .filter(|m| m.post.dedupe.as_deref() == Some(key))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_sample_day_runs_through_an_in_memory_platform() {
    let started = Instant::now();
    let (day, config, scheduler) = setup();
    let reminders = day.app.reminders().unwrap();
    let programme = day.app.programme();
    for (user, session, minutes) in [
        ("ada", "g1", 10),
        ("bob", "g1", 5),
        ("cy", "huici-unikraft", 15),
    ] {
        let answer = reminders
            .remind(&programme, user, session, minutes)
            .await
            .unwrap();
        assert!(answer.to_plain().starts_with("I'll DM you"), "{answer:?}");
    }
    let reminded: Vec<Reminder> = [
        ("ada", "g1", 10),
        ("bob", "g1", 5),
        ("cy", "huici-unikraft", 15),
    ]
    .iter()
    .map(|(user, session, minutes)| Reminder {
        user: (*user).into(),
        session: emcee_core::reminders::find(&programme.agenda, session)
            .unwrap()
            .0,
        minutes_before: *minutes,
    })
    .collect();
    let settings = PlanSettings::from_settings(&config.settings);
    let jobs = plan(&programme, &settings, &reminded);
    let promised = promised(&jobs);
    assert!(promised.len() > 40, "a full day: {}", promised.len());
    let dms = jobs
        .iter()
        .filter(|j| matches!(j.target, Target::User(_)))
        .count();
    assert_eq!(dms, 3);

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let announcer = ChatAnnouncer::new(Arc::clone(&day.port) as Arc<dyn ChatPort>)
        .with_polls(day.app.polls.clone());
    let run = {
        let source = day.app.programme_source();
        tokio::spawn(async move {
            scheduler
                .run(Arc::new(announcer), source, async { drop(stopped.await) })
                .await;
        })
    };

    let mut instants: Vec<DateTime<Utc>> = jobs.iter().map(|j| j.due_at).collect();
    instants.extend(programme.polls.iter().map(|p| p.closes_at));
    instants.sort();
    instants.dedup();
    let mut voted = std::collections::BTreeSet::new();
    for at in instants {
        day.clock.set(at);
        let due: Vec<&Job> = promised
            .values()
            .filter(|j| j.due_at <= at)
            .copied()
            .collect();
        day.port
            .wait_for(|messages| {
                due.iter()
                    .all(|job| count_by_dedupe(messages, &job.nonce()) >= 1)
                    .then_some(())
            })
            .await;
        for poll in programme.polls.iter().filter(|p| p.opens_at <= at) {
            wait_opened(&day, &poll.id).await;
        }
        vote_in_new_polls(&day, &mut voted).await;
        let closing: Vec<_> = programme
            .polls
            .iter()
            .filter(|p| p.closes_at <= at)
            .collect();
        for poll in closing {
            wait_closed(&day, &poll.id).await;
        }
    }
    stop.send(()).unwrap();
    run.await.unwrap();

    let messages = day.port.messages();
    for (key, job) in &promised {
        assert_eq!(
            count_by_dedupe(&messages, key),
            1,
            "{} posted once",
            job.key
        );
    }
    let dm_count = messages.iter().filter(|m| m.to.starts_with("dm:")).count();
    assert_eq!(dm_count, 3, "every reminder by DM");
    assert_eq!(voted.len(), 4, "the four declared polls opened");
    for poll in &programme.polls {
        check_result(&day, &poll.id, &messages).await;
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

/// Casts [`BALLOTS`] in every poll that opened since the last call.
async fn vote_in_new_polls(day: &Day, voted: &mut std::collections::BTreeSet<String>) {
    let recorder = day.app.polls.recorder();
    for poll in recorder.open_polls().await.unwrap() {
        let Some(id) = poll.declared_id.clone() else {
            continue;
        };
        if !voted.insert(id) {
            continue;
        }
        for (voter, first, changed) in BALLOTS {
            for option in std::iter::once(*first).chain(*changed) {
                let reaction = Reaction {
                    message: poll.message.clone(),
                    voter: (*voter).into(),
                    key: poll.choices[option].key.clone(),
                    added: true,
                    by_self: false,
                };
                day.port.user_reacted(&reaction);
                day.app
                    .polls
                    .on_reaction(reaction, Instant::now())
                    .await
                    .unwrap();
            }
        }
    }
}

async fn wait_opened(day: &Day, declared: &str) {
    let recorder = day.app.polls.recorder();
    while recorder.declared(declared).await.unwrap().is_none() {
        tokio::task::yield_now().await;
    }
}

async fn wait_closed(day: &Day, declared: &str) {
    let recorder = day.app.polls.recorder();
    loop {
        let poll = recorder.declared(declared).await.unwrap().unwrap();
        if poll.state == PollState::Closed && poll.announced {
            return;
        }
        tokio::task::yield_now().await;
    }
}

/// Moved votes count once where they ended: A 3 (ada, bob, eve), B 2 (cy, dee).
async fn check_result(day: &Day, declared: &str, messages: &[Posted]) {
    let recorder = day.app.polls.recorder();
    let poll = recorder.declared(declared).await.unwrap().unwrap();
    let (poll, results) = recorder.results(&poll.message).await.unwrap().unwrap();
    let counts: Vec<u64> = results.options.iter().map(|o| o.votes).collect();
    assert_eq!(&counts[..3], &[3, 2, 0], "{declared}: {counts:?}");
    assert_eq!(results.voters, 5);
    assert_eq!(results.winners, vec![0]);
    let replies: Vec<&Posted> = messages
        .iter()
        .filter(|m| m.post.reply_to.as_ref() == Some(&poll.message))
        .collect();
    assert_eq!(replies.len(), 1, "{declared}: one result post");
    let card = replies[0].post.card.as_ref().unwrap();
    assert!(card.title.to_plain().starts_with("Results: "), "{declared}");
    assert!(card.body.to_plain().contains("Winner:"), "{declared}");
    assert!(
        replies[0].post.attachment.is_some(),
        "{declared}: the chart"
    );
}

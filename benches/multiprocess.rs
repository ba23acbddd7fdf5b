//! Several emcee processes on one PostgreSQL, against one process on SQLite,
//! in the same run: announcement lateness and job claims per second with 1
//! and 3 processes (10,000 sessions in 50 channels), and vote storage with
//! 10,000 voters across 3 guilds.
//!
//! A "process" here is an in-process instance with everything a process owns
//! on its own: its database handle (its own pool of connections and its own
//! poll connection on PostgreSQL), its scheduler with its own lease holder
//! name, its own HTTP client and paced sender to the fake Discord, its own
//! vote recorder. They share the runtime and the CPU, as three processes on
//! one 2-core machine share the CPU. What is measured is what several
//! processes change, the database between them (lease, `SKIP LOCKED` claims,
//! concurrent plans and vote upserts); the real binary would add process
//! start-up and, for votes, a gateway per shard, which `poll_votes` and the
//! e2e multiprocess tests cover.
//!
//! - Announcements: sessions start in 20 waves two seconds apart (500 a wave,
//!   combined into one message per channel), as in `announcements`. Lateness
//!   is from a job's instant to the fake receiving the post; "within the send
//!   budget" counts the first posts of each instant that fit in one second of
//!   the sender's global budget (the rest wait for the next second by design).
//!   Target: p99 under 50 ms.
//! - Claims: 10,000 jobs already due, claimed 256 at a time by every process
//!   at once, each checked and finished as the scheduler does.
//! - Votes: one poll per guild, the guild's poll on the process holding its
//!   shard (guild g on process g mod n), 10,000 voters (one reaction each),
//!   each guild's delivered in order at 1,000 a second (3,000 a second in
//!   all), each handled as a task of its own. Received-to-stored is the recorder's own
//!   measure (from the event to its commit); target p99 under 5 ms.
//!
//! PostgreSQL is started by the benchmark (the tests' throwaway server:
//! `initdb` into a temporary folder, a free port, stopped at exit).
//! Run: `cargo bench --bench multiprocess`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/festival.rs"]
mod festival;
#[allow(dead_code)]
#[path = "../crates/core/tests/storage_contract/pg_server.rs"]
mod pg_server;

use chrono::{DateTime, TimeDelta, Utc};
use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::port::DiscordPort;
use emcee::discord::BotToken;
use emcee_core::clock::SystemClock;
use emcee_core::polls::{Choice, MessageKey, NewPoll, Reaction, Recorder};
use emcee_core::scheduler::{plan, ChatAnnouncer, Scheduler, SchedulerOptions};
use emcee_core::store::{Backend, Database, DatabaseUrl, JobState};
use fake_discord::{FakeDiscord, FakeUser};
use festival::{programme, settings, CHANNELS, SESSIONS, WAVES};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const VOTERS: u32 = 10_000;
const GUILDS: usize = 3;
/// Votes a second each guild's shard delivers.
const VOTE_RATE: u32 = 1_000;
const KEYS: [&str; 4] = ["🇦", "🇧", "🇨", "🇩"];

/// Where a run's processes keep their state.
#[derive(Clone, Copy)]
enum Setup {
    Sqlite,
    Postgres(usize),
}

impl Setup {
    fn processes(self) -> usize {
        match self {
            Self::Sqlite => 1,
            Self::Postgres(n) => n,
        }
    }

    fn name(self) -> String {
        match self {
            Self::Sqlite => "SQLite, 1 process".to_owned(),
            Self::Postgres(1) => "PostgreSQL, 1 process".to_owned(),
            Self::Postgres(n) => format!("PostgreSQL, {n} processes"),
        }
    }

    /// One database handle per process, all on one fresh database.
    async fn open(self, dir: &std::path::Path) -> Vec<Database> {
        let backend = match self {
            Self::Sqlite => Backend::Sqlite(dir.join(format!("bench-{}.sqlite3", next()))),
            Self::Postgres(_) => {
                let url = pg_server::fresh_database().await.expect("PostgreSQL");
                Backend::Postgres(DatabaseUrl::parse(&url).unwrap())
            }
        };
        let mut all = Vec::new();
        for _ in 0..self.processes() {
            all.push(Database::open(&backend, None).await.unwrap());
        }
        all
    }
}

fn next() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// Lateness (p50, p99, max) of the posts within the send budget, and of all.
struct Lateness {
    within: (Duration, Duration, Duration),
    all_p99: Duration,
}

fn summary(mut late: Vec<Duration>) -> (Duration, Duration, Duration) {
    late.sort();
    let max = late.last().copied().unwrap_or_default();
    (percentile(&late, 0.5), percentile(&late, 0.99), max)
}

/// Every process runs its scheduler on the festival; returns the lateness
/// once every announcement reached the fake.
async fn announcements(setup: Setup, dir: &std::path::Path) -> Lateness {
    let fake = FakeDiscord::start().await.unwrap();
    let channels: Vec<u64> = (0..CHANNELS as u32)
        .map(|n| fake.dm_channel(&FakeUser::attendee(n)))
        .collect();
    let databases = setup.open(dir).await;
    // Every process plans the 10,000 sessions at start, at once.
    let first = DateTime::from_timestamp(Utc::now().timestamp() + 8, 0).unwrap();
    let programme = Arc::new(programme(first));
    let jobs = plan(&programme, &settings(&channels), &[]);
    let due: HashMap<String, DateTime<Utc>> = jobs.iter().map(|j| (j.nonce(), j.due_at)).collect();
    let (anchor_instant, anchor_utc) = (Instant::now(), Utc::now());
    let mut running = Vec::new();
    for (n, database) in databases.iter().enumerate() {
        let token = BotToken::new(format!("bench-token-{n}")).unwrap();
        let outbound = Outbound::new(
            &fake.base_url(),
            &token,
            reqwest::Client::new(),
            Pacing::default(),
        );
        let announcer = ChatAnnouncer::new(Arc::new(DiscordPort::new(outbound, Vec::new())));
        // Each on a host of its own, as processes on several machines: a
        // holder is never judged gone, its lease only expires.
        let options = SchedulerOptions {
            holder: format!("host-{n}/pid1-0/bench"),
            ..SchedulerOptions::default()
        };
        let scheduler = Scheduler::with_storage(
            database.scheduler_storage(),
            Arc::new(SystemClock),
            settings(&channels),
            options,
        );
        let source = Arc::clone(&programme);
        running.push(emcee::scheduler::spawn(
            scheduler,
            Arc::new(announcer),
            Arc::new(move || Arc::clone(&source)),
            &Arc::default(),
        ));
    }
    let posts = |fake: &FakeDiscord| {
        fake.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.status == 200 && r.path.ends_with("/messages"))
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(180);
    while posts(&fake).len() < jobs.len() {
        assert!(Instant::now() < deadline, "not every announcement arrived");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let arrivals: Vec<(DateTime<Utc>, Duration)> = posts(&fake)
        .into_iter()
        .filter_map(|r| {
            let scheduled = *due.get(r.body_str("nonce")?)?;
            let offset = (scheduled - anchor_utc).to_std().ok()?;
            let late = r
                .received_at
                .saturating_duration_since(anchor_instant + offset);
            Some((scheduled, late))
        })
        .collect();
    assert_eq!(arrivals.len(), jobs.len(), "each announcement posted once");
    let budget = Pacing::default().global_per_second;
    let mut seen: HashMap<DateTime<Utc>, usize> = HashMap::new();
    let within = arrivals
        .iter()
        .filter(|(scheduled, _)| {
            let count = seen.entry(*scheduled).or_default();
            *count += 1;
            *count <= budget
        })
        .map(|(_, late)| *late)
        .collect();
    let all = summary(arrivals.iter().map(|(_, late)| *late).collect());
    for scheduler in running {
        scheduler.stop().await;
    }
    Lateness {
        within: summary(within),
        all_p99: all.1,
    }
}

/// 10,000 due jobs claimed by every process at once; jobs per second.
async fn claims(setup: Setup, dir: &std::path::Path) -> f64 {
    let databases = setup.open(dir).await;
    let channels: Vec<u64> = (0..CHANNELS as u64).collect();
    let first = Utc::now() - TimeDelta::seconds(60);
    let jobs = plan(&programme(first), &settings(&channels), &[]);
    let count = jobs.len();
    databases[0].jobs.add_jobs(jobs).await.unwrap();
    let started = Instant::now();
    let mut claimers = tokio::task::JoinSet::new();
    for (n, database) in databases.into_iter().enumerate() {
        claimers.spawn(async move {
            let (jobs, holder) = (database.jobs, format!("bench-{n}"));
            let mut done = 0;
            loop {
                let now = Utc::now();
                let claimed = jobs
                    .claim_due(now, None, 256, holder.clone())
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return done;
                }
                for claim in claimed {
                    let (key, token) = (claim.job.key, claim.token);
                    assert!(jobs.holds_claim(key.clone(), token.clone()).await.unwrap());
                    let outcome = "posted".to_owned();
                    let finished = jobs.finish_job(key, token, JobState::Done, outcome, now);
                    assert!(finished.await.unwrap());
                    done += 1;
                }
            }
        });
    }
    let mut total = 0;
    while let Some(done) = claimers.join_next().await {
        total += done.unwrap();
    }
    assert_eq!(total, count, "every job claimed once");
    count as f64 / started.elapsed().as_secs_f64()
}

/// Vote storage: received-to-stored (p50, p99, max over every process's
/// recorder) and last vote sent to all stored.
async fn votes(setup: Setup, dir: &std::path::Path) -> ((Duration, Duration, Duration), Duration) {
    let databases = setup.open(dir).await;
    let recorders: Vec<Recorder> = databases
        .iter()
        .map(|database| Recorder::start(Arc::clone(&database.polls)))
        .collect();
    let mut polls = Vec::new();
    for guild in 0..GUILDS {
        let message = MessageKey::new(1000 + guild, 2000 + guild);
        let recorder = &recorders[guild % recorders.len()];
        let now = Utc::now();
        let poll = NewPoll {
            message: message.clone(),
            question: format!("Guild {guild}?"),
            choices: KEYS
                .iter()
                .map(|key| Choice {
                    key: (*key).to_owned(),
                    label: (*key).to_owned(),
                })
                .collect(),
            multi: true,
            hide_tally: false,
            style: emcee_core::polls::PollStyle::Reactions,
            opened_at: now,
            closes_at: now + TimeDelta::hours(1),
            declared_id: None,
            created_by: None,
            community: Some(format!("guild-{guild}")),
        };
        recorder.open(poll).await.unwrap();
        polls.push((message, recorder.clone()));
    }
    // Each guild's shard delivers its events in order at VOTE_RATE a second
    // and the handler runs each as a task of its own, as serenity does.
    let mut guilds = tokio::task::JoinSet::new();
    for (guild, (message, recorder)) in polls.into_iter().enumerate() {
        guilds.spawn(async move {
            let mut pace = tokio::time::interval(Duration::from_secs(1) / VOTE_RATE);
            let mut stored = tokio::task::JoinSet::new();
            for voter in (0..VOTERS).filter(|v| *v as usize % GUILDS == guild) {
                pace.tick().await;
                let reaction = Reaction {
                    message: message.clone(),
                    voter: format!("voter-{voter}"),
                    key: KEYS[voter as usize % KEYS.len()].to_owned(),
                    added: true,
                    by_self: false,
                };
                let recorder = recorder.clone();
                stored.spawn(async move { recorder.react(reaction, Instant::now()).await });
            }
            (Instant::now(), stored)
        });
    }
    let mut sent: Option<Instant> = None;
    let mut pending = Vec::new();
    while let Some(done) = guilds.join_next().await {
        let (last, stored) = done.unwrap();
        pending.push(stored);
        sent = sent.max(Some(last));
    }
    for mut stored in pending {
        while let Some(result) = stored.join_next().await {
            result.unwrap().unwrap();
        }
    }
    let drain = sent.map(|sent| sent.elapsed()).unwrap_or_default();
    let counted: u64 = recorders.iter().map(|r| r.latencies().count).sum();
    assert_eq!(counted, u64::from(VOTERS), "every vote stored");
    let worst = |pick: fn(&emcee_core::polls::LatencySummary) -> Duration| {
        recorders
            .iter()
            .map(|r| pick(&r.latencies()))
            .max()
            .unwrap_or_default()
    };
    (
        (worst(|l| l.p50), worst(|l| l.p99), worst(|l| l.max)),
        drain,
    )
}

#[tokio::main]
async fn main() {
    pg_server::server().expect("PostgreSQL (this benchmark needs it; EMCEE_SKIP_POSTGRES is set)");
    let dir = tempfile::tempdir().unwrap();
    println!(
        "multiprocess: {SESSIONS} sessions in {CHANNELS} channels ({WAVES} waves), {VOTERS} \
         voters across {GUILDS} guilds; processes are in-process instances, each with its own \
         database pool, scheduler, sender and recorder"
    );
    for setup in [Setup::Sqlite, Setup::Postgres(1), Setup::Postgres(3)] {
        let late = announcements(setup, dir.path()).await;
        let rate = claims(setup, dir.path()).await;
        let ((v50, v99, vmax), drain) = votes(setup, dir.path()).await;
        let (p50, p99, max) = late.within;
        println!("{}:", setup.name());
        println!(
            "  announcement lateness within the send budget: p50 {p50:.1?}, p99 {p99:.1?}, max \
             {max:.1?} (target p99 < 50 ms; all posts p99 {:.1?})",
            late.all_p99
        );
        println!("  job claims (claimed, checked, finished): {rate:.0}/s");
        println!(
            "  votes received -> stored: p50 {v50:.2?}, p99 {v99:.2?}, max {vmax:.1?} (target \
             p99 < 5 ms); last vote -> all stored {drain:.1?}"
        );
    }
}

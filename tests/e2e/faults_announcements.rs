//! Fault suite, announcement half: the real `emcee` process SIGKILLed at random
//! moments during a dense announcement block on a rehearsal clock, and
//! restarted on the same database each time with the clock carried forward
//! (the restarted process takes the scheduler lease over from its dead
//! predecessor at once).
//! Judged from what the fake Discord holds: every announcement the scheduler's
//! rules say is due went out, and none went out twice. The seed is printed, and
//! `EMCEE_FAULT_SEED` replays a run.

use crate::faults::{start, wait_connected, TRIALS};
use crate::harness::{seed, Rng, PATIENCE};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use emcee_core::config::Config;
use emcee_core::scheduler::{plan, Job, PlanSettings};
use fake_discord::{FakeDiscord, Fault, Matcher, RecordedRequest};
use std::collections::{BTreeSet, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::Child;
use tokio::time::Instant;

/// Simulated seconds per real second.
const SPEED: i64 = 12;
/// Slots per channel; each slot starts `PER_SLOT` parallel sessions, which
/// the scheduler announces together.
const SLOTS: i64 = 12;
const PER_SLOT: usize = 2;
/// Simulated seconds between two slots of one channel.
const SLOT_SECONDS: i64 = 30;
/// Discord's latency on posting a message: it keeps sends in flight long
/// enough for the kills to land in the middle of some.
pub(crate) const LATENCY: Duration = Duration::from_millis(150);

/// Writes an agenda with one track per fake channel, `SLOTS × PER_SLOT`
/// sessions each from `first`, and an emcee.toml routing each track to its
/// channel. Returns the config's path and the number of sessions.
pub(crate) fn write_block(
    dir: &Path,
    fake: &FakeDiscord,
    first: DateTime<Utc>,
) -> (PathBuf, usize) {
    let mut tracks = String::new();
    let mut sessions = String::new();
    let mut routes = String::new();
    let mut count = 0;
    for (c, (_, channel)) in (0..).zip(fake.ids().text_channels()) {
        let _ = writeln!(tracks, "[[tracks]]\nname = \"Track {channel}\"");
        let _ = writeln!(routes, "\"Track {channel}\" = \"{channel}\"");
        for slot in 0..SLOTS {
            // Channels are staggered so their posts interleave.
            let start = first + TimeDelta::seconds(slot * SLOT_SECONDS + c * 7);
            let start = start.to_rfc3339_opts(SecondsFormat::Secs, true);
            for n in 0..PER_SLOT {
                count += 1;
                let _ = writeln!(
                    sessions,
                    "[[sessions]]\nid = \"{channel}-{slot}-{n}\"\n\
                     title = \"Talk {n} of slot {slot} in {channel}\"\n\
                     track = \"Track {channel}\"\nstart = {start}\nminutes = 10"
                );
            }
        }
    }
    let agenda = format!("[conference]\nname = \"Fault block\"\n\n{tracks}\n{sessions}");
    std::fs::write(dir.join("agenda.toml"), agenda).unwrap();
    let config = format!(
        "[conference]\ntimezone = \"UTC\"\n\n[agenda]\nsource = \"agenda.toml\"\n\n\
         [announcements]\nlead_minutes = [2, 0]\non_demand = false\ncatch_up_minutes = 10\n\n\
         [announcements.tracks]\n{routes}\n[discord]\nservers = [\"{}\"]\n",
        fake.ids().guild_id
    );
    std::fs::write(dir.join("emcee.toml"), config).unwrap();
    (dir.join("emcee.toml"), count)
}

/// Every job the config plans, and the catch-up window.
pub(crate) fn planned(config: &Path) -> (Vec<Job>, TimeDelta) {
    let config = Config::load(config).unwrap();
    let settings = PlanSettings::from_settings(&config.settings);
    (plan(&config.programme, &settings, &[]), settings.catch_up())
}

/// Whether the scheduler must post `job`: it falls due by `end`, and if it
/// fell due while no process ran (an outage `(down, back]`, the first one
/// ending at the first start), it is still within the catch-up window and not
/// moot when the process starts again (as `due_since` in scheduler.rs).
pub(crate) fn must_post(
    job: &Job,
    outages: &[(DateTime<Utc>, DateTime<Utc>)],
    catch_up: TimeDelta,
    end: DateTime<Utc>,
) -> bool {
    job.due_at <= end
        && outages
            .iter()
            .filter(|(down, back)| *down < job.due_at && job.due_at <= *back)
            .all(|(_, back)| *back - job.due_at <= catch_up && job.expires_at > *back)
}

/// The bot on a rehearsal clock reading `at`, on `database`.
fn launch(fake: &FakeDiscord, config: &Path, database: &Path, at: DateTime<Utc>) -> Child {
    let at = at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let (speed, database) = (SPEED.to_string(), database.to_str().unwrap());
    let clock = ["--at", &at, "--speed", &speed, "--database", database];
    start(fake, config, &clock)
}

/// Scheduled announcements in the fake's channels: (channel, nonce, content).
fn posts(fake: &FakeDiscord) -> Vec<(u64, String, String)> {
    fake.ids()
        .text_channels()
        .iter()
        .flat_map(|(channel, _)| fake.messages(*channel))
        .filter_map(|m| Some((m.channel_id, m.nonce?, m.content)))
        .filter(|(_, nonce, _)| nonce.starts_with("em"))
        .collect()
}

/// Message POSTs Discord answered so far.
pub(crate) fn message_posts(fake: &FakeDiscord) -> usize {
    fake.requests()
        .iter()
        .filter(|r| is_message_post(r))
        .count()
}

fn is_message_post(request: &RecordedRequest) -> bool {
    request.method == "POST"
        && request.path.ends_with("/messages")
        && (200..300).contains(&request.status)
}

/// Message POSTs sent again with a nonce an earlier POST already got a
/// message for: the fake (as Discord) answered them with that message.
fn resent_by_nonce(fake: &FakeDiscord) -> usize {
    let mut seen = HashSet::new();
    fake.requests()
        .iter()
        .filter(|r| is_message_post(r))
        .filter_map(|r| r.body_str("nonce").map(str::to_owned))
        .filter(|nonce| !seen.insert(nonce.clone()))
        .count()
}

/// Waits until no request reached the fake for a second.
async fn quiesce(fake: &FakeDiscord) {
    let mut last = usize::MAX;
    let deadline = Instant::now() + PATIENCE;
    while fake.requests().len() != last && Instant::now() < deadline {
        last = fake.requests().len();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The block's run: the bot started at `t0`, then SIGKILLed at each of
/// `kill_at` (ms since `began`) and started again where the clock had got to,
/// until the block's end. Returns the outages `(down, back]` in simulated
/// time, the first one ending at the first start, and the last process.
async fn run_block(
    fake: &FakeDiscord,
    (config, database): (&Path, &Path),
    t0: DateTime<Utc>,
    began: Instant,
    kill_at: Vec<u64>,
) -> (Vec<(DateTime<Utc>, DateTime<Utc>)>, Child) {
    // The clock runs on across restarts: each process starts where the last
    // one stopped.
    let sim_now = || t0 + TimeDelta::from_std(began.elapsed()).unwrap() * SPEED as i32;
    let mut outages = vec![(DateTime::<Utc>::MIN_UTC, t0)];
    let mut child = launch(fake, config, database, t0);
    wait_connected(fake, 0).await;
    for (trial, at) in kill_at.into_iter().enumerate() {
        tokio::time::sleep_until(began + Duration::from_millis(at)).await;
        if trial % 2 == 1 {
            // Every other kill lands right after a message reached Discord,
            // before the bot can record that it went out.
            let sent = message_posts(fake);
            let _ = fake
                .wait_until("a message post", Duration::from_secs(3), |f| {
                    (message_posts(f) > sent).then_some(())
                })
                .await;
        }
        // SIGKILL, sent at once (std's `kill` on Unix), not through kill(1).
        child.start_kill().unwrap();
        let _ = child.wait().await;
        let down = sim_now();
        let identified = fake.identifies().len();
        let back = sim_now();
        child = launch(fake, config, database, back);
        outages.push((down, back));
        wait_connected(fake, identified).await;
    }
    (outages, child)
}

/// What the fake holds, judged against the announcements that must be there.
pub(crate) struct Verdict {
    pub expected: usize,
    pub posted: usize,
    pub lost: usize,
    pub duplicates: usize,
    pub resent: usize,
}

impl Verdict {
    pub(crate) fn of(fake: &FakeDiscord, expected: &BTreeSet<String>) -> Self {
        let all = posts(fake);
        let by_nonce: HashSet<_> = all.iter().map(|(c, n, _)| (c, n)).collect();
        let by_content: HashSet<_> = all.iter().map(|(c, _, t)| (c, t)).collect();
        let posted = all.iter().map(|(_, n, _)| n).collect::<HashSet<_>>();
        let posted = expected.iter().filter(|n| posted.contains(n)).count();
        Self {
            expected: expected.len(),
            posted,
            lost: expected.len() - posted,
            duplicates: all.len() - by_nonce.len().min(by_content.len()),
            resent: resent_by_nonce(fake),
        }
    }
}

#[tokio::test]
#[ignore = "slow fault suite; .ci/run runs it with --ignored"]
async fn sigkill_during_an_announcement_block_loses_and_duplicates_nothing() {
    let seed = seed();
    eprintln!("announcement fault suite: seed {seed} (EMCEE_FAULT_SEED={seed} replays it)");
    let mut rng = Rng(seed);
    let fake = FakeDiscord::start().await.unwrap();
    fake.inject(Fault::Delay {
        matcher: Matcher::new("POST", "/channels/*/messages"),
        delay: LATENCY,
        times: u32::MAX,
    });
    let dir = tempfile::tempdir().unwrap();
    let first = DateTime::parse_from_rfc3339("2021-10-07T16:00:00Z").unwrap();
    let (config, sessions) = write_block(dir.path(), &fake, first.with_timezone(&Utc));
    let (jobs, catch_up) = planned(&config);
    let t0 = jobs[0].due_at - TimeDelta::seconds(10);
    let end = jobs.iter().map(|j| j.due_at).max().unwrap();
    let block_ms = ((end - t0).num_milliseconds() / SPEED) as u64;
    let mut kill_at: Vec<u64> = (0..TRIALS)
        .map(|_| 500 + rng.below(block_ms - 500))
        .collect();
    kill_at.sort_unstable();

    let database = dir.path().join("emcee-block.sqlite3");
    let began = Instant::now();
    let files = (config.as_path(), database.as_path());
    let (outages, mut child) = run_block(&fake, files, t0, began, kill_at).await;
    tokio::time::sleep_until(began + Duration::from_millis(block_ms)).await;
    let expected: BTreeSet<String> = jobs
        .iter()
        .filter(|job| must_post(job, &outages, catch_up, end))
        .map(Job::nonce)
        .collect();
    let _ = fake
        .wait_until("every expected announcement", PATIENCE, |f| {
            (Verdict::of(f, &expected).lost == 0).then_some(())
        })
        .await;
    quiesce(&fake).await;
    child.start_kill().unwrap();

    let v = Verdict::of(&fake, &expected);
    eprintln!(
        "fault suite: {TRIALS} trials, {} SIGKILLs, {sessions} sessions, {} announcements \
         expected, {} posted, {} lost, {} duplicates, {} resent (deduped by nonce), {:.1} s, \
         seed {seed}",
        outages.len() - 1,
        v.expected,
        v.posted,
        v.lost,
        v.duplicates,
        v.resent,
        began.elapsed().as_secs_f64()
    );
    assert_eq!(v.lost, 0, "every due announcement posted (seed {seed})");
    assert_eq!(
        v.duplicates, 0,
        "no announcement posted twice (seed {seed})"
    );
}

//! Fault trials on three processes sharing one PostgreSQL, on the
//! announcement block of `faults_announcements` (its agenda, its rules for
//! what must be posted, its verdict from what the fake holds): SIGKILLs of
//! any of the three during the block and a vote burst, a PostgreSQL restart
//! mid-run, and the lease holder frozen past its lease. Each prints its
//! counts ("fault suite: ..."); the seed is printed and `EMCEE_FAULT_SEED`
//! replays a run. One PostgreSQL server serves every trial (a fresh
//! database each), and a killed process is restarted, not re-initialised.

use super::{quiesce, sharded, stored_votes, Cluster, PROCESSES, SHARDS};
use crate::faults::TRIALS;
use crate::faults_announcements::{
    message_posts, must_post, planned, write_block, Verdict, LATENCY,
};
use crate::faults_network::{discord_tally, Voting};
use crate::harness::{seed, Rng, PATIENCE};
use crate::pg_server;
use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::polls::MessageKey;
use emcee_core::scheduler::Job;
use fake_discord::{FakeDiscord, FakeUser, Fault, Matcher, StoredMessage};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::time::Instant;

/// Simulated seconds per real second.
const SPEED: i64 = 12;
const EMOJI: [&str; 3] = ["🇦", "🇧", "🇨"];

/// A block's trial: the fake (posts answered after `LATENCY`), the block's
/// config with 5-minute leads (a lead announcement stays current for five
/// minutes, longer than a lease's handover at this speed), its jobs and its
/// catch-up window, and the cluster, not started, its clock two simulated
/// minutes before the first job.
struct Block {
    cluster: Cluster,
    jobs: Vec<Job>,
    catch_up: TimeDelta,
    sessions: usize,
    _dir: tempfile::TempDir,
}

impl Block {
    async fn new() -> Option<Self> {
        let fake = FakeDiscord::start_with(sharded(0, false)).await.unwrap();
        fake.inject(Fault::Delay {
            matcher: Matcher::new("POST", "/channels/*/messages"),
            delay: LATENCY,
            times: u32::MAX,
        });
        let dir = tempfile::tempdir().unwrap();
        let first = DateTime::parse_from_rfc3339("2021-10-07T16:00:00Z").unwrap();
        let (config, sessions) = write_block(dir.path(), &fake, first.with_timezone(&Utc));
        let text = std::fs::read_to_string(&config).unwrap();
        let text = text.replace("lead_minutes = [2, 0]", "lead_minutes = [5, 0]");
        std::fs::write(&config, text).unwrap();
        let (jobs, catch_up) = planned(&config);
        let t0 = jobs[0].due_at - TimeDelta::minutes(2);
        let cluster = Cluster::new(fake, &config, t0, SPEED).await?;
        Some(Self {
            cluster,
            jobs,
            catch_up,
            sessions,
            _dir: dir,
        })
    }

    fn end(&self) -> DateTime<Utc> {
        self.jobs.iter().map(|job| job.due_at).max().unwrap()
    }

    /// The real instant `fraction` of the way through the block.
    fn moment(&self, fraction: f64) -> Instant {
        let first = self.jobs[0].due_at;
        let span = (self.end() - first).num_milliseconds() as f64;
        let at = first + TimeDelta::milliseconds((span * fraction) as i64);
        self.cluster.real(at)
    }

    /// Waits for the block's end and for every announcement that must be
    /// posted given `outages`, then for the fake to fall quiet.
    async fn verdict(&self, outages: &[(DateTime<Utc>, DateTime<Utc>)]) -> (Verdict, usize) {
        let end = self.end();
        tokio::time::sleep_until(self.cluster.real(end)).await;
        let expected: BTreeSet<String> = self
            .jobs
            .iter()
            .filter(|job| must_post(job, outages, self.catch_up, end))
            .map(Job::nonce)
            .collect();
        let _ = self
            .cluster
            .fake
            .wait_until("every expected announcement", PATIENCE, |f| {
                (Verdict::of(f, &expected).lost == 0).then_some(())
            })
            .await;
        quiesce(&self.cluster.fake).await;
        (Verdict::of(&self.cluster.fake, &expected), self.jobs.len())
    }
}

/// The flash poll an organiser creates through the gateway, once posted
/// with its reactions.
async fn create_poll(fake: &FakeDiscord) -> StoredMessage {
    let options = json!({ "create": { "question": "Crash test?", "options": "A | B | C", "multi": true, "duration": "2h" } });
    let asked = fake
        .slash_command(&FakeUser::organiser(1), "poll", options)
        .await;
    fake.wait_for_interaction_response(&asked, PATIENCE)
        .await
        .expect("poll created");
    let (channel, bot) = (fake.ids().general_channel_id, fake.ids().bot_user_id);
    fake.wait_until("the poll with its reactions", PATIENCE, |f| {
        let poll = f
            .messages(channel)
            .into_iter()
            .find(|m| !m.embeds.is_empty())?;
        EMOJI
            .iter()
            .all(|e| f.reaction_users(poll.id, e).contains(&bot))
            .then_some(poll)
    })
    .await
    .expect("poll posted")
}

/// Waits until the stored votes equal the reactions Discord holds; returns
/// both as last seen.
async fn settled_votes(cluster: &Cluster, poll: &StoredMessage) -> (Vec<u64>, Vec<u64>) {
    let db = cluster.db().await;
    let key = MessageKey::new(poll.channel_id, poll.id);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (reactions, _) = discord_tally(&cluster.fake, &key);
        let stored = stored_votes(&db, poll.id).await;
        let stored: Vec<u64> = stored.into_iter().map(|n| n as u64).collect();
        if stored == reactions || Instant::now() > deadline {
            return (stored, reactions);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow fault suite; .ci/run runs it with --ignored"]
async fn sigkill_any_of_three_processes_twenty_times_loses_and_doubles_nothing() {
    let seed = seed();
    eprintln!(
        "multiprocess fault suite (SIGKILL): seed {seed} (EMCEE_FAULT_SEED={seed} replays it)"
    );
    let mut rng = Rng(seed);
    let Some(mut block) = Block::new().await else {
        return;
    };
    let began = Instant::now();
    block.cluster.start_all().await;
    let poll = create_poll(&block.cluster.fake).await;
    let db = block.cluster.db().await;
    let mut kill_at: Vec<f64> = (0..TRIALS)
        .map(|_| rng.below(1000) as f64 / 1000.0)
        .collect();
    kill_at.sort_by(f64::total_cmp);
    let mut voting = Voting::on(&MessageKey::new(poll.channel_id, poll.id));
    let mut killed = [0; PROCESSES];
    for (trial, at) in kill_at.into_iter().enumerate() {
        tokio::time::sleep_until(block.moment(at)).await;
        // Every other kill is the lease holder's, right after one of its
        // posts reached Discord and before it could record it; the others
        // hit any process, the one receiving the gateway's events included.
        let victim = if trial % 2 == 1 {
            let holder = block.cluster.wait_holder(&db).await;
            let fake = &block.cluster.fake;
            let sent = message_posts(fake);
            let _ = fake
                .wait_until("a message post", Duration::from_secs(3), |f| {
                    (message_posts(f) > sent).then_some(())
                })
                .await;
            holder
        } else {
            rng.below(PROCESSES as u64) as usize
        };
        let burst = 5 + rng.below(15) as usize;
        let kill_step = rng.below(burst as u64) as usize;
        for step in 0..burst {
            if step == kill_step {
                block.cluster.kill(victim).await;
                killed[victim] += 1;
            }
            voting.one(&block.cluster.fake, &mut rng).await;
        }
        if trial % 4 == 1 {
            // Another process takes the dead holder's lease over (at once:
            // it ran on this host) before the victim comes back.
            block.cluster.wait_holder(&db).await;
        }
        block.cluster.start(victim).await;
    }
    // Every process ran throughout but for its restarts, and one always held
    // the lease or took it over from a dead holder at once: no outage.
    let t0 = block.cluster.at(Duration::ZERO);
    let (v, planned) = block.verdict(&[(DateTime::<Utc>::MIN_UTC, t0)]).await;
    let (stored, expected) = settled_votes(&block.cluster, &poll).await;
    eprintln!(
        "fault suite: multiprocess, {PROCESSES} processes on PostgreSQL and {SHARDS} shards, {TRIALS} trials, \
         SIGKILLs per process {killed:?}, {} sessions, {planned} jobs, {} announcements \
         expected, {} posted, {} lost, {} duplicates, {} resent (deduped by nonce), {} vote \
         events, votes stored {stored:?}, reactions {expected:?}, {:.1} s, seed {seed}",
        block.sessions,
        v.expected,
        v.posted,
        v.lost,
        v.duplicates,
        v.resent,
        voting.events,
        began.elapsed().as_secs_f64()
    );
    block.cluster.kill_all().await;
    let logs = block.cluster.logs();
    assert_eq!(
        v.lost, 0,
        "every due announcement posted (seed {seed})\n{logs}"
    );
    assert_eq!(v.duplicates, 0, "none posted twice (seed {seed})\n{logs}");
    assert_eq!(
        stored, expected,
        "votes equal the reactions (seed {seed})\n{logs}"
    );
}

/// How long PostgreSQL stays down (real time).
const DOWN: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow fault suite; .ci/run runs it with --ignored"]
async fn a_postgresql_restart_mid_run_loses_and_doubles_nothing_within_the_catch_up_window() {
    let Some(mut block) = Block::new().await else {
        return;
    };
    let server = pg_server::server().expect("the server runs");
    let began = Instant::now();
    block.cluster.start_all().await;
    tokio::time::sleep_until(block.moment(0.4)).await;
    let down = block.cluster.now();
    tokio::task::spawn_blocking(|| server.stop())
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(DOWN).await;
    tokio::task::spawn_blocking(|| server.start_again())
        .await
        .unwrap()
        .unwrap();
    let up = block.cluster.now();
    // A process notices the server is back on its next lease tick (a
    // third of the 15 s lease): within that, due posts may wait.
    let back = up + TimeDelta::seconds(5 * SPEED);
    let (v, planned) = block
        .verdict(&[
            (DateTime::<Utc>::MIN_UTC, block.cluster.at(Duration::ZERO)),
            (down, back),
        ])
        .await;
    let due_meanwhile = block
        .jobs
        .iter()
        .filter(|job| down < job.due_at && job.due_at <= back)
        .count();
    let db = block.cluster.db().await;
    let holder = block.cluster.wait_holder(&db).await;
    let alive = (0..PROCESSES)
        .filter(|&n| block.cluster.pid(n).is_some())
        .count();
    let reconnected = reconnections(&block.cluster.logs());
    eprintln!(
        "fault suite: multiprocess PostgreSQL restart, {PROCESSES} processes, down {:.1} s \
         (simulated {down} to {up}), {planned} jobs, {due_meanwhile} due while down or \
         reconnecting, {} announcements expected, {} posted, {} lost, {} duplicates, {} \
         resent (deduped by nonce), processes alive {alive}, lease with process {holder}, \
         store errors logged {reconnected}, {:.1} s",
        DOWN.as_secs_f64(),
        v.expected,
        v.posted,
        v.lost,
        v.duplicates,
        v.resent,
        began.elapsed().as_secs_f64()
    );
    block.cluster.kill_all().await;
    let logs = block.cluster.logs();
    assert_eq!(alive, PROCESSES, "no process died of the restart\n{logs}");
    assert_eq!(v.lost, 0, "every due announcement posted\n{logs}");
    assert_eq!(v.duplicates, 0, "none posted twice\n{logs}");
}

/// Lines where a process said its database failed.
fn reconnections(logs: &str) -> usize {
    logs.lines()
        .filter(|line| line.contains("WARN") || line.contains("ERROR"))
        .filter(|line| line.contains("database") || line.contains("store"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow fault suite; .ci/run runs it with --ignored"]
async fn a_holder_frozen_past_its_lease_posts_nothing_another_process_took_over() {
    let Some(mut block) = Block::new().await else {
        return;
    };
    let began = Instant::now();
    block.cluster.start_all().await;
    let db = block.cluster.db().await;
    // Frozen with a post of its own in flight: a job claimed and not yet
    // finished (Discord answers a post after LATENCY).
    tokio::time::sleep_until(block.moment(0.2)).await;
    let frozen = block.cluster.wait_holder(&db).await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let claimed = "SELECT COUNT(*) FROM jobs WHERE state = 'claimed'";
        let claimed: i64 = db.query_one(claimed, &[]).await.unwrap().get(0);
        if claimed > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the holder sends nothing");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let fake = &block.cluster.fake;
    block.cluster.signal(frozen, "STOP");
    let frozen_at = Instant::now();
    // Until its lease (15 s) ran out and another process took over and posted.
    let successor = loop {
        let holder = block.cluster.holder(&db).await;
        if let Some(n) = holder.filter(|&n| n != frozen) {
            break n;
        }
        assert!(
            frozen_at.elapsed() < PATIENCE * 2,
            "nobody took the lease over"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let by_successor = |f: &FakeDiscord| {
        f.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
            .filter(|r| Cluster::sent_by(r, successor))
            .count()
    };
    let before = by_successor(fake);
    fake.wait_until("a post of the successor", PATIENCE, |f| {
        (by_successor(f) > before).then_some(())
    })
    .await
    .expect("the successor posts");
    let resumed_from = fake.requests().len();
    let frozen_for = frozen_at.elapsed();
    block.cluster.signal(frozen, "CONT");
    // Nothing is excused: the freeze is shorter than a lead announcement
    // stays current, so the successor catches up on what fell due.
    let t0 = block.cluster.at(Duration::ZERO);
    let (v, planned) = block.verdict(&[(DateTime::<Utc>::MIN_UTC, t0)]).await;
    // What the frozen process posted after it woke, and which of those
    // another process had posted: none may be, but a nonce Discord already
    // knew returns the earlier message, so count those apart.
    let logs = block.cluster.logs();
    let lost_claims = logs.matches("the claim was lost meanwhile").count();
    let not_sent = logs.matches("another process took the job over").count();
    let requests = fake.requests();
    let after: Vec<_> = requests[resumed_from..]
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .filter(|r| Cluster::sent_by(r, frozen))
        .collect();
    let others_nonces: BTreeSet<&str> = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .filter(|r| !Cluster::sent_by(r, frozen))
        .filter_map(|r| r.body_str("nonce"))
        .collect();
    let taken_over = after
        .iter()
        .filter(|r| {
            r.body_str("nonce")
                .is_some_and(|n| others_nonces.contains(n))
        })
        .count();
    // Of those, the ones that made a second message (Discord answers a
    // nonce it knows with the earlier message): none may.
    let messages: Vec<_> = fake
        .ids()
        .text_channels()
        .iter()
        .flat_map(|(channel, _)| fake.messages(*channel))
        .collect();
    let doubled = after
        .iter()
        .filter_map(|r| r.body_str("nonce"))
        .filter(|n| others_nonces.contains(n))
        .filter(|n| {
            messages
                .iter()
                .filter(|m| m.nonce.as_deref() == Some(*n))
                .count()
                > 1
        })
        .count();
    let retried = logs.matches("emcee::discord::outbound: retrying").count();
    eprintln!(
        "fault suite: multiprocess SIGSTOP, process {frozen} frozen {:.1} s (lease 15 s) with \
         a post in flight, process {successor} took over, {planned} jobs, {} announcements \
         expected, {} posted, {} lost, {} duplicates, {} resent (deduped by nonce), {} posts by \
         the frozen process after it woke ({retried} sends retried by the sender), {taken_over} of \
         them of jobs another process had taken over, {doubled} of those made a message, \
         {lost_claims} outcomes refused for a lost claim, {not_sent} sends stopped by \
         their claim, {:.1} s",
        frozen_for.as_secs_f64(),
        v.expected,
        v.posted,
        v.lost,
        v.duplicates,
        v.resent,
        after.len(),
        began.elapsed().as_secs_f64()
    );
    block.cluster.kill_all().await;
    assert_eq!(
        doubled, 0,
        "the frozen process posted nothing taken over\n{logs}"
    );
    assert_eq!(v.lost, 0, "every due announcement posted\n{logs}");
    assert_eq!(v.duplicates, 0, "none posted twice\n{logs}");
}

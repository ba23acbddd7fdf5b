//! Several `emcee run` processes on one PostgreSQL: the real binary, three
//! times, on a throwaway server the test starts (`pg_server`), all against
//! one fake Discord, on one rehearsal clock.
//!
//! Each process gets `--at` set to where the shared clock has got to when it
//! starts (`--speed` runs it on), so processes started one after another, or
//! restarted, agree on the time. `--database postgres://…` points the
//! rehearsal at the test's own database. Each process has its own bot token
//! (the fake takes any), so every request the fake records says which
//! process sent it. Discord runs 4 shards, split across the processes
//! (0-1, 2, 3), so each guild's events reach one process, the one running
//! its shard. Logs go to a file per process, shown when a test fails.

mod day;
mod faults;

use crate::harness::PATIENCE;
use crate::pg_server;
use crate::process::TOKEN;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use fake_discord::{FakeDiscord, RecordedRequest};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// Processes in a cluster.
pub(crate) const PROCESSES: usize = 3;
/// Discord shards, and the range each process runs (serenity boots a
/// process's own shards 5 s apart, so the two-shard process starts slowest).
pub(crate) const SHARDS: u32 = 4;
const RANGES: [(u32, u32); PROCESSES] = [(0, 1), (2, 2), (3, 3)];

/// A fake Discord of `SHARDS` shards, one IDENTIFY bucket each (so processes
/// started together need not wait for each other), with `extra_guilds` more
/// guilds beside the conference's.
pub(crate) fn sharded(extra_guilds: usize, stranger_guild: bool) -> fake_discord::Config {
    fake_discord::Config {
        shards: SHARDS,
        max_concurrency: SHARDS,
        extra_guilds,
        stranger_guild,
        ..fake_discord::Config::default()
    }
}

/// Several bot processes on one database, one fake Discord and one clock.
pub(crate) struct Cluster {
    pub fake: FakeDiscord,
    pub url: String,
    pub config: PathBuf,
    logs: PathBuf,
    t0: DateTime<Utc>,
    began: Instant,
    speed: i64,
    children: Vec<Option<Child>>,
    starts: usize,
}

impl Cluster {
    /// A cluster with no process yet: the clock reads `t0` now and runs
    /// `speed` times faster than real time. `None` when PostgreSQL tests are
    /// opted out of.
    pub async fn new(
        fake: FakeDiscord,
        config: &Path,
        t0: DateTime<Utc>,
        speed: i64,
    ) -> Option<Self> {
        let url = pg_server::fresh_database().await?;
        let logs = config.parent().unwrap().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        Some(Self {
            fake,
            url,
            config: config.to_owned(),
            logs,
            t0,
            began: Instant::now(),
            speed,
            children: (0..PROCESSES).map(|_| None).collect(),
            starts: 0,
        })
    }

    /// Where the shared clock is now.
    pub fn now(&self) -> DateTime<Utc> {
        self.at(self.began.elapsed())
    }

    /// The shared clock `elapsed` after the cluster was made.
    pub fn at(&self, elapsed: Duration) -> DateTime<Utc> {
        let elapsed = TimeDelta::from_std(elapsed).unwrap();
        self.t0 + elapsed * i32::try_from(self.speed).unwrap()
    }

    /// The real instant the shared clock reads `at`.
    pub fn real(&self, at: DateTime<Utc>) -> Instant {
        let ms = (at - self.t0).num_milliseconds().max(0) / self.speed;
        self.began + Duration::from_millis(u64::try_from(ms).unwrap())
    }

    /// The bot token of process `n`: the fake records it on every request.
    pub fn token(n: usize) -> String {
        format!("{TOKEN}-p{n}")
    }

    /// Whether `request` came from process `n`.
    pub fn sent_by(request: &RecordedRequest, n: usize) -> bool {
        request.header("authorization") == Some(&format!("Bot {}", Self::token(n))[..])
    }

    /// Starts every process at once and waits until every shard is connected.
    pub async fn start_all(&mut self) {
        let identified = self.fake.identify_log().len();
        for n in 0..PROCESSES {
            self.spawn(n);
        }
        for n in 0..PROCESSES {
            self.wait_connected(n, identified).await;
        }
    }

    /// Starts process `n` on the clock as it reads now, and waits until its
    /// shards are connected to the gateway.
    pub async fn start(&mut self, n: usize) {
        let identified = self.fake.identify_log().len();
        self.spawn(n);
        self.wait_connected(n, identified).await;
    }

    /// Waits until each shard of process `n` identified (after the first
    /// `identified` IDENTIFYs) and is connected.
    async fn wait_connected(&self, n: usize, identified: usize) {
        let (first, last) = RANGES[n];
        let shards: Vec<u32> = (first..=last).collect();
        let wait = self
            .fake
            .wait_until("the shards to identify", PATIENCE, |f| {
                let log = f.identify_log();
                let fresh = &log[identified.min(log.len())..];
                shards
                    .iter()
                    .all(|s| {
                        fresh
                            .iter()
                            .any(|i| i.shard.id == *s && i.refused.is_none())
                    })
                    .then_some(())
            });
        wait.await.expect("the process's shards identify");
        let ready = self.fake.wait_shards_ready(&shards, PATIENCE).await;
        ready.expect("the process's shards connect");
    }

    fn spawn(&mut self, n: usize) {
        assert!(self.children[n].is_none(), "process {n} already runs");
        self.starts += 1;
        let log = self.logs.join(format!("p{n}-{}.log", self.starts));
        let log = std::fs::File::create(log).unwrap();
        let at = self.now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let child = Command::new(env!("CARGO_BIN_EXE_emcee"))
            .args(["run", "--at", &at, "--speed", &self.speed.to_string()])
            .arg("--database")
            .arg(&self.url)
            .arg("--shards")
            .arg(format!("{}-{}/{SHARDS}", RANGES[n].0, RANGES[n].1))
            .arg("--config")
            .arg(&self.config)
            .env("EMCEE_DISCORD_API", self.fake.base_url())
            .env("DISCORD_TOKEN", Self::token(n))
            .env("RUST_LOG", "info")
            .env_remove("EMCEE_CONFIG")
            .env_remove("EMCEE_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("emcee runs");
        self.children[n] = Some(child);
    }

    /// The process id of process `n`, if it runs.
    pub fn pid(&self, n: usize) -> Option<u32> {
        self.children[n].as_ref().and_then(Child::id)
    }

    /// SIGKILLs process `n` and waits until it is gone.
    pub async fn kill(&mut self, n: usize) {
        if let Some(mut child) = self.children[n].take() {
            child.start_kill().unwrap();
            let _ = child.wait().await;
        }
    }

    /// Sends `signal` (e.g. "STOP", "CONT") to process `n`.
    pub fn signal(&self, n: usize, signal: &str) {
        let pid = self.pid(n).expect("the process runs").to_string();
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal} {pid}");
    }

    /// Which process holds the scheduler lease now, if a running one does.
    pub async fn holder(&self, db: &tokio_postgres::Client) -> Option<usize> {
        let row = db
            .query_opt("SELECT holder FROM leases WHERE name = 'scheduler'", &[])
            .await
            .ok()??;
        let holder: String = row.get(0);
        (0..PROCESSES).find(|&n| {
            self.pid(n)
                .is_some_and(|pid| holder.contains(&format!("/pid{pid}-")))
        })
    }

    /// Waits until a running process holds the scheduler lease.
    pub async fn wait_holder(&self, db: &tokio_postgres::Client) -> usize {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(n) = self.holder(db).await {
                return n;
            }
            assert!(Instant::now() < deadline, "no process took the lease");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A connection to the cluster's database.
    pub async fn db(&self) -> tokio_postgres::Client {
        connect(&self.url).await
    }

    /// Every process's log, for a failure message.
    pub fn logs(&self) -> String {
        let mut all = String::new();
        let mut files: Vec<_> = std::fs::read_dir(&self.logs)
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let _ = writeln!(all, "--- {name}\n{text}");
        }
        all
    }

    /// Stops every process with SIGKILL.
    pub async fn kill_all(&mut self) {
        for n in 0..PROCESSES {
            self.kill(n).await;
        }
    }
}

/// A client on `url`, its connection driven in the background.
pub(crate) async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// Stored votes per option of the poll posted as `message`: (position,
/// voters), positions from 0.
pub(crate) async fn stored_votes(db: &tokio_postgres::Client, message: u64) -> Vec<i64> {
    let rows = db
        .query(
            "SELECT o.position, COUNT(v.voter) FROM polls p
             JOIN poll_options o ON o.poll_id = p.id
             LEFT JOIN poll_votes v ON v.poll_id = p.id AND v.position = o.position AND v.net > 0
             WHERE p.message = $1 GROUP BY o.position ORDER BY o.position",
            &[&message.to_string()],
        )
        .await
        .unwrap();
    rows.iter().map(|row| row.get(1)).collect()
}

/// Waits until nothing reached the fake for a second.
pub(crate) async fn quiesce(fake: &FakeDiscord) {
    let mut last = usize::MAX;
    let deadline = Instant::now() + crate::harness::PATIENCE;
    while fake.requests().len() != last && Instant::now() < deadline {
        last = fake.requests().len();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

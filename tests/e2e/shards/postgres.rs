//! Shards on PostgreSQL: two processes on one throwaway server (the core's
//! `pg_server.rs`) take turns at IDENTIFY through its `leases` table.

use super::Serving;
use crate::harness::PATIENCE;
use crate::pg_server;
use crate::process::{sample_config, TOKEN};
use emcee::discord::shards::pacing::{lease_name, IDENTIFY_INTERVAL};
use fake_discord::{Config, FakeDiscord, Shard};
use std::process::Stdio;
use tokio::process::Command;

/// `emcee run --shards RANGE` on PostgreSQL (no `--at`: a rehearsal would
/// keep to its own SQLite file).
fn run_on(url: &str, fake: &FakeDiscord, dir: &tempfile::TempDir, range: &str) -> Serving {
    let child = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["run", "--shards", range, "--config"])
        .arg(dir.path().join("emcee.toml"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EMCEE_DISCORD_API", fake.base_url())
        .env("EMCEE_DATABASE_URL", url)
        .env("DISCORD_TOKEN", TOKEN)
        .env("RUST_LOG", "info")
        .env_remove("EMCEE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("emcee runs");
    Serving::new(child)
}

#[tokio::test]
async fn on_postgresql_processes_take_turns_at_identify_through_the_leases() {
    let Some(url) = pg_server::fresh_database().await else {
        return;
    };
    let fake = FakeDiscord::start_with(Config {
        shards: 2,
        extra_guilds: 2,
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = sample_config();
    let first = run_on(&url, &fake, &dir, "0/2");
    let second = run_on(&url, &fake, &dir, "1/2");
    fake.wait_shards_ready(&[0, 1], PATIENCE)
        .await
        .expect("both shards connect");
    let log = fake.identify_log();
    let shards: Vec<Shard> = log.iter().map(|i| i.shard).collect();
    assert_eq!(shards.len(), 2, "{log:?}");
    let gap = log[1].at - log[0].at;
    println!("IDENTIFY gap across processes on PostgreSQL: {gap:?}");
    assert!(
        gap >= IDENTIFY_INTERVAL,
        "one bucket: the second process waited for the first's lease ({gap:?})"
    );

    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let holder: String = client
        .query_one(
            "SELECT holder FROM leases WHERE name = $1",
            &[&lease_name(0)],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        holder.contains("/pid"),
        "a process holds bucket 0's lease: {holder}"
    );

    for process in [first, second] {
        let (code, stderr) = process.stop().await;
        assert_eq!(code, Some(0), "{stderr}");
    }
}

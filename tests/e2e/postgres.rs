//! `emcee run` on PostgreSQL: the real binary, `EMCEE_DATABASE_URL` pointing
//! at a throwaway server the test starts (see the core's
//! `tests/storage_contract/pg_server.rs`), the fake Discord for the rest.

use crate::harness::PATIENCE;
use crate::pg_server;
use crate::process::{finish, sample_config, terminate, TOKEN};
use fake_discord::FakeDiscord;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

const PASSWORD: &str = "pg-password-never-shown";

#[tokio::test]
async fn emcee_run_keeps_its_state_in_postgresql_and_never_shows_the_password() {
    let Some(url) = pg_server::fresh_database().await else {
        return;
    };
    // The test server trusts local connections, so any password gets in.
    let url = url.replacen(
        "postgres://emcee@",
        &format!("postgres://emcee:{PASSWORD}@"),
        1,
    );
    let fake = FakeDiscord::start().await.unwrap();
    let config = sample_config();
    let child = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["run", "--config"])
        .arg(config.path().join("emcee.toml"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EMCEE_DISCORD_API", fake.base_url())
        .env("EMCEE_DATABASE_URL", &url)
        .env("DISCORD_TOKEN", TOKEN)
        .env("RUST_LOG", "debug")
        .env_remove("EMCEE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("emcee runs");
    let pid = child.id().expect("running");
    let exited = tokio::spawn(finish(child));
    fake.wait_ready(PATIENCE).await.expect("the bot connects");

    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let (holder, jobs) = loop {
        let holder = client
            .query_opt("SELECT holder FROM leases WHERE name = 'scheduler'", &[])
            .await
            .unwrap()
            .map(|row| row.get::<_, String>(0));
        let jobs: i64 = client
            .query_one("SELECT COUNT(*) FROM jobs", &[])
            .await
            .unwrap()
            .get(0);
        if let (Some(holder), true) = (&holder, jobs > 0) {
            break (holder.clone(), jobs);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no lease or plan in PostgreSQL"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(holder.contains(&format!("/pid{pid}-")), "{holder}");
    assert!(
        jobs > 20,
        "the sample day is planned into PostgreSQL: {jobs}"
    );
    let version: i64 = client
        .query_one("SELECT version FROM emcee_schema", &[])
        .await
        .unwrap()
        .get(0);
    let migrations = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/core/migrations/postgres"),
    )
    .unwrap()
    .filter(|f| f.as_ref().unwrap().path().extension() == Some("sql".as_ref()))
    .count();
    assert_eq!(
        version,
        i64::try_from(migrations).unwrap(),
        "every PostgreSQL migration applied, 0001_schema to the newest"
    );

    let (code, stderr) = terminate(pid, exited).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("PostgreSQL postgres://emcee:***@127.0.0.1"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(PASSWORD),
        "the password never appears: {stderr}"
    );
    let released = client
        .query_opt("SELECT holder FROM leases WHERE name = 'scheduler'", &[])
        .await
        .unwrap();
    assert!(released.is_none(), "the lease is given up at shutdown");
    assert!(
        !config.path().join("emcee.sqlite3").exists(),
        "no SQLite file beside the config"
    );
}

#[tokio::test]
async fn polls_export_reads_the_shared_postgresql_database() {
    use emcee_core::polls::{Choice, MarkRow, MessageKey, NewPoll, PollStore, PollStyle};
    let Some(url) = pg_server::fresh_database().await else {
        return;
    };
    let store = emcee_core::store::postgres::PgStore::open(
        &emcee_core::store::DatabaseUrl::parse(&url).unwrap(),
    )
    .await
    .unwrap();
    let polls = store.polls();
    tokio::task::spawn_blocking(move || {
        let opened_at = chrono::DateTime::from_timestamp(1_633_622_400, 0).unwrap();
        let poll = polls
            .insert_poll(&NewPoll {
                message: MessageKey::new("10", "20"),
                question: "Which language?".into(),
                choices: ["Rust", "Go"]
                    .iter()
                    .zip(["🇦", "🇧"])
                    .map(|(label, key)| Choice {
                        key: key.into(),
                        label: (*label).into(),
                    })
                    .collect(),
                multi: false,
                hide_tally: false,
                style: PollStyle::Reactions,
                opened_at,
                closes_at: opened_at + chrono::TimeDelta::minutes(10),
                declared_id: None,
                created_by: None,
                community: Some("1".into()),
            })
            .unwrap();
        let mark = |voter: &str, option| MarkRow {
            voter: voter.into(),
            option,
            net: 1,
            last_add: 1,
        };
        let marks = [mark("ann", 0), mark("bob", 0), mark("cy", 1)];
        let marks: Vec<_> = marks.into_iter().map(|m| (poll.id, m)).collect();
        polls.save_marks(&marks).unwrap();
    })
    .await
    .unwrap();
    // Named on the command line, and through the environment with the config.
    let config = sample_config();
    let named = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["polls", "export", "--format", "json", "--database", &url])
        .env_remove("EMCEE_DATABASE_URL")
        .output()
        .await
        .unwrap();
    let from_env = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["polls", "export", "--config"])
        .arg(config.path().join("emcee.toml"))
        .env("EMCEE_DATABASE_URL", &url)
        .output()
        .await
        .unwrap();
    let json = String::from_utf8_lossy(&named.stdout);
    assert!(
        named.status.success(),
        "{}",
        String::from_utf8_lossy(&named.stderr)
    );
    let exported: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(exported[0]["question"], "Which language?", "{json}");
    assert_eq!(exported[0]["results"]["voters"], 3, "{json}");
    assert_eq!(exported[0]["results"]["options"][0]["votes"], 2, "{json}");
    let csv = String::from_utf8_lossy(&from_env.stdout);
    assert!(
        from_env.status.success(),
        "{}",
        String::from_utf8_lossy(&from_env.stderr)
    );
    assert!(
        csv.contains("Which language?") && csv.contains("Rust"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        3,
        "a header and one row per option: {csv}"
    );
}

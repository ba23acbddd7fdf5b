//! `emcee run` as an operator starts it: the real binary against the fake
//! Discord, configured only through the environment.

use crate::harness::PATIENCE;
use fake_discord::{FakeDiscord, Fault, Matcher};
use std::process::Stdio;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

pub(crate) const TOKEN: &str = "MTIzNDU2.secret-token-value";

/// A copy of the sample config in a temporary folder, so the run's database
/// file lands there.
pub(crate) fn sample_config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    for name in ["emcee.toml", "agenda.toml"] {
        std::fs::copy(config.join(name), dir.path().join(name)).expect("copy config");
    }
    dir
}

mod supervision;

pub(crate) fn emcee_run(
    fake: &FakeDiscord,
    config: &tempfile::TempDir,
    token: Option<&str>,
) -> Child {
    emcee_command(fake, config, token)
        .spawn()
        .expect("emcee runs")
}

/// `emcee run` against `fake`, ready to spawn (tests add to its environment).
pub(crate) fn emcee_command(
    fake: &FakeDiscord,
    config: &tempfile::TempDir,
    token: Option<&str>,
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_emcee"));
    let config = config.path().join("emcee.toml");
    command
        .args(["run", "--at", "2021-10-07T15:55:00Z", "--config"])
        .arg(config)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EMCEE_DISCORD_API", fake.base_url())
        .env("RUST_LOG", "trace")
        .env_remove("EMCEE_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    match token {
        Some(token) => command.env("DISCORD_TOKEN", token),
        None => command.env_remove("DISCORD_TOKEN"),
    };
    command
}

/// Sends SIGTERM to `pid` and returns what [`finish`] gave for it.
pub(crate) async fn terminate(
    pid: u32,
    exited: tokio::task::JoinHandle<(Option<i32>, String)>,
) -> (Option<i32>, String) {
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    exited.await.expect("finished")
}

/// Waits for the process to exit and returns its status and stderr. stderr is
/// drained while it runs, so verbose logs can never fill the pipe and stall it.
pub(crate) async fn finish(mut child: Child) -> (Option<i32>, String) {
    let mut pipe = child.stderr.take().expect("stderr is piped");
    let reader = tokio::spawn(async move {
        let mut stderr = String::new();
        let _ = pipe.read_to_string(&mut stderr).await;
        stderr
    });
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("emcee exits")
        .expect("exit status");
    (status.code(), reader.await.expect("stderr reader"))
}

/// Sends SIGTERM to `pid`, as a service manager stops the bot.

#[tokio::test]
async fn a_missing_or_rejected_token_gets_one_line_and_status_2() {
    let fake = FakeDiscord::start().await.unwrap();
    let config = sample_config();
    let (code, stderr) = finish(emcee_run(&fake, &config, None)).await;
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("DISCORD_TOKEN is not set"), "{stderr}");

    fake.inject(Fault::ServerError {
        matcher: Matcher::new("GET", "/users/@me"),
        status: 401,
        times: 1,
    });
    let (code, stderr) = finish(emcee_run(&fake, &config, Some(TOKEN))).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("Discord rejected the bot token"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret-token-value"),
        "the token never appears: {stderr}"
    );
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly_and_logs_never_show_the_token() {
    let fake = FakeDiscord::start().await.unwrap();
    let config = sample_config();
    let child = emcee_run(&fake, &config, Some(TOKEN));
    let pid = child.id().expect("running");
    let exited = tokio::spawn(finish(child));
    fake.wait_ready(PATIENCE).await.expect("the bot connects");
    let commands = format!("/applications/{}/commands", fake.ids().application_id);
    fake.wait_for_request(|r| r.method == "PUT" && r.path == commands, PATIENCE)
        .await
        .expect("global registration (no [discord] servers)");
    let (code, stderr) = terminate(pid, exited).await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("shutting down"),
        "trace logs are on: {stderr}"
    );
    assert!(
        !stderr.contains("secret-token-value"),
        "the token never appears in logs"
    );
    let sent = fake.requests();
    assert!(
        sent.iter()
            .all(|r| r.header("authorization") == Some(&format!("Bot {TOKEN}")[..])),
        "every call authenticated"
    );
}

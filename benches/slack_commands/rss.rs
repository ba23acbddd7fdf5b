//! The memory of `emcee run`: this build's binary against a fake Discord and
//! a fake Slack on loopback, with the sample conference, serving both at once
//! and, for reference, each alone. Only the tokens in the environment differ
//! between the three, as an operator would start them.

use crate::proc_status::status_kib;
use crate::slack_harness::config_text;
use fake_discord::FakeDiscord;
use fake_slack::{FakeSlack, FakeUser};
use serde_json::json;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

const PATIENCE: Duration = Duration::from_secs(60);
/// How long the process idles, connected and having answered, before reading.
const SETTLE: Duration = Duration::from_secs(3);
/// `emcee run` opens slack-morphism's default two Socket Mode connections.
const SLACK_CONNECTIONS: usize = 2;

#[derive(Clone, Copy, PartialEq)]
enum Platforms {
    Both,
    Discord,
    Slack,
}

impl Platforms {
    fn name(self) -> &'static str {
        match self {
            Self::Both => "Discord + Slack",
            Self::Discord => "Discord only",
            Self::Slack => "Slack only",
        }
    }

    fn discord(self) -> bool {
        self != Self::Slack
    }

    fn slack(self) -> bool {
        self != Self::Discord
    }
}

/// `VmRSS` and `VmHWM` of one settled process, KiB.
struct Memory {
    rss: u64,
    peak: u64,
}

/// Starts each configuration in turn and prints its memory.
pub async fn report() {
    println!("emcee run memory (release binary, sample conference, connected, one command answered per platform, {SETTLE:?} settled):");
    for platforms in [Platforms::Both, Platforms::Discord, Platforms::Slack] {
        let memory = measure(platforms).await;
        println!(
            "  {:<18} VmRSS {:>7.1} MiB   VmHWM {:>7.1} MiB",
            platforms.name(),
            memory.rss as f64 / 1024.0,
            memory.peak as f64 / 1024.0
        );
    }
}

async fn measure(platforms: Platforms) -> Memory {
    let discord = FakeDiscord::start().await.expect("fake discord");
    let slack = FakeSlack::start().await.expect("fake slack");
    let dir = tempfile::tempdir().expect("temp dir");
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml");
    std::fs::copy(sample, dir.path().join("agenda.toml")).expect("agenda");
    let config = dir.path().join("emcee.toml");
    std::fs::write(&config, config_text(&slack.ids().team_id)).expect("config");
    let mut command = Command::new(env!("CARGO_BIN_EXE_emcee"));
    command
        .args(["run", "--at", "2021-10-07T15:55:00Z", "--config"])
        .arg(&config)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG")
        .env_remove("EMCEE_CONFIG")
        .env_remove("EMCEE_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if platforms.discord() {
        command
            .env("DISCORD_TOKEN", "MTIzNDU2.bench-token-value")
            .env("EMCEE_DISCORD_API", discord.base_url());
    } else {
        command.env_remove("DISCORD_TOKEN");
    }
    if platforms.slack() {
        command
            .env("EMCEE_SLACK_API", slack.api_url())
            .env("SLACK_BOT_TOKEN", slack.bot_token())
            .env("SLACK_APP_TOKEN", slack.app_token());
    } else {
        command
            .env_remove("SLACK_BOT_TOKEN")
            .env_remove("SLACK_APP_TOKEN");
    }
    let mut child = command.spawn().expect("emcee runs");
    let stderr = drain(&mut child);
    if platforms.discord() {
        answered_on_discord(&discord).await;
    }
    if platforms.slack() {
        answered_on_slack(&slack).await;
    }
    tokio::time::sleep(SETTLE).await;
    let pid = child.id().expect("running");
    let memory = Memory {
        rss: status_kib(&pid.to_string(), "VmRSS"),
        peak: status_kib(&pid.to_string(), "VmHWM"),
    };
    stop(child, stderr).await;
    memory
}

/// Reads the child's stderr meanwhile, so its logs never fill the pipe.
fn drain(child: &mut Child) -> tokio::task::JoinHandle<String> {
    let mut pipe = child.stderr.take().expect("stderr is piped");
    tokio::spawn(async move {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text).await;
        text
    })
}

/// Connected, commands registered, and `/next` answered.
async fn answered_on_discord(fake: &FakeDiscord) {
    fake.wait_ready(PATIENCE).await.expect("Discord connects");
    let commands = format!("/applications/{}/commands", fake.ids().application_id);
    fake.wait_for_request(|r| r.method == "PUT" && r.path == commands, PATIENCE)
        .await
        .expect("commands registered");
    let asked = fake
        .slash_command(&fake_discord::FakeUser::attendee(1), "next", json!({}))
        .await;
    let callback = format!("/interactions/{}/{}/callback", asked.id, asked.token);
    fake.wait_for_request(|r| r.path == callback, PATIENCE)
        .await
        .expect("answered on Discord");
}

/// Every Socket Mode connection open, and `/emcee next` answered.
async fn answered_on_slack(fake: &FakeSlack) {
    fake.wait_connected(SLACK_CONNECTIONS, PATIENCE)
        .await
        .expect("Socket Mode connects");
    let general = fake.ids().general_channel_id.clone();
    let asked = fake.slash_command(&FakeUser::attendee(1), &general, "next");
    fake.wait_for_response(&asked.response_token, PATIENCE)
        .await
        .expect("answered on Slack");
}

/// SIGTERM, as a service manager stops it; its stderr is shown if it failed.
async fn stop(mut child: Child, stderr: tokio::task::JoinHandle<String>) {
    let pid = child.id().expect("running").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("emcee exits")
        .expect("exit status");
    let stderr = stderr.await.unwrap_or_default();
    assert!(status.success(), "emcee run failed ({status}): {stderr}");
}

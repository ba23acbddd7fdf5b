//! `emcee run` as an operator starts it on Slack: the real binary against the
//! fake Slack (and the fake Discord), configured only through the
//! environment. Each platform whose section and tokens are present starts;
//! one that fails is reported in one line and the other goes on.

use super::harness::config_text;
use crate::harness::PATIENCE;
use crate::process::{finish, TOKEN};
use fake_discord::FakeDiscord;
use fake_slack::{FakeSlack, FakeUser};
use std::process::Stdio;
use tokio::process::{Child, Command};

/// The sample agenda with a config that serves the fake's workspace.
fn config(fake: &FakeSlack) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml");
    std::fs::copy(sample, dir.path().join("agenda.toml")).unwrap();
    std::fs::write(
        dir.path().join("emcee.toml"),
        config_text(&fake.ids().team_id),
    )
    .unwrap();
    dir
}

fn emcee_run(
    slack: &FakeSlack,
    bot_token: &str,
    discord: Option<&FakeDiscord>,
    config: &tempfile::TempDir,
) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_emcee"));
    command
        .args(["run", "--at", "2021-10-07T15:55:00Z", "--config"])
        .arg(config.path().join("emcee.toml"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EMCEE_SLACK_API", slack.api_url())
        .env("SLACK_BOT_TOKEN", bot_token)
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("RUST_LOG", "trace")
        .env_remove("EMCEE_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    match discord {
        Some(discord) => command
            .env("DISCORD_TOKEN", TOKEN)
            .env("EMCEE_DISCORD_API", discord.base_url()),
        None => command.env_remove("DISCORD_TOKEN"),
    };
    command.spawn().unwrap()
}

/// A running `emcee run` whose stderr is drained meanwhile (trace logs
/// would otherwise fill the pipe and stall the process).
struct Running {
    child: Child,
    stderr: tokio::task::JoinHandle<String>,
}

fn running(mut child: Child) -> Running {
    let mut pipe = child.stderr.take().unwrap();
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = tokio::io::AsyncReadExt::read_to_string(&mut pipe, &mut text).await;
        text
    });
    Running { child, stderr }
}

impl Running {
    /// Sends SIGTERM and returns the exit status and stderr.
    async fn terminate(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().unwrap().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .expect("emcee exits")
            .unwrap();
        (status.code(), self.stderr.await.unwrap())
    }
}

#[tokio::test]
async fn slack_alone_answers_and_stops_cleanly_without_showing_a_token() {
    let slack = FakeSlack::start().await.unwrap();
    let dir = config(&slack);
    let child = running(emcee_run(&slack, slack.bot_token(), None, &dir));
    slack.wait_connected(1, PATIENCE).await.unwrap();
    let general = slack.ids().general_channel_id.clone();
    let asked = slack.slash_command(&FakeUser::attendee(1), &general, "next");
    let answer = slack
        .wait_for_response(&asked.response_token, PATIENCE)
        .await
        .unwrap();
    assert!(
        answer.body.to_string().contains("Next up"),
        "{}",
        answer.body
    );
    let (code, stderr) = child.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
    for secret in [slack.bot_token(), slack.app_token()] {
        assert!(!stderr.contains(secret), "a token in the logs");
    }
}

#[tokio::test]
async fn a_sigterm_while_it_is_still_starting_is_a_clean_stop() {
    // The first Web API call is made while `run` starts, before it waits
    // for a signal: a SIGTERM then must already have its handler (it once
    // killed the process, exit status by signal, when it came that early).
    let slack = FakeSlack::start().await.unwrap();
    let dir = config(&slack);
    let child = running(emcee_run(&slack, slack.bot_token(), None, &dir));
    slack
        .wait_for_call(|c| c.method == "auth.test", PATIENCE)
        .await
        .unwrap();
    let (code, stderr) = child.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
}

#[tokio::test]
async fn a_rejected_slack_token_with_nothing_else_is_one_line_and_status_2() {
    let slack = FakeSlack::start().await.unwrap();
    let dir = config(&slack);
    let (code, stderr) = finish(emcee_run(&slack, "xoxb-revoked-secret", None, &dir)).await;
    assert_eq!(code, Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("Slack rejected the bot token"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("revoked-secret"),
        "the token never appears"
    );
}

#[tokio::test]
async fn discord_goes_on_when_slack_fails_to_start() {
    let slack = FakeSlack::start().await.unwrap();
    let discord = FakeDiscord::start().await.unwrap();
    let dir = config(&slack);
    let child = running(emcee_run(
        &slack,
        "xoxb-revoked-secret",
        Some(&discord),
        &dir,
    ));
    discord
        .wait_ready(PATIENCE)
        .await
        .expect("Discord connects");
    let (code, stderr) = child.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("error: Slack did not start"),
        "{stderr}"
    );
}

#[tokio::test]
async fn one_process_serves_discord_and_slack() {
    let slack = FakeSlack::start().await.unwrap();
    let discord = FakeDiscord::start().await.unwrap();
    let dir = config(&slack);
    let child = running(emcee_run(&slack, slack.bot_token(), Some(&discord), &dir));
    discord
        .wait_ready(PATIENCE)
        .await
        .expect("Discord connects");
    slack.wait_connected(1, PATIENCE).await.unwrap();
    let general = slack.ids().general_channel_id.clone();
    let asked = slack.slash_command(&FakeUser::attendee(1), &general, "now");
    let Ok(answer) = slack
        .wait_for_response(&asked.response_token, PATIENCE)
        .await
    else {
        let (code, stderr) = child.terminate().await;
        let acks = slack.acks();
        panic!("no answer (exit {code:?}, acks {acks:?}): {stderr}");
    };
    assert!(
        answer.body.to_string().contains("Live now"),
        "{}",
        answer.body
    );
    let (code, stderr) = child.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.lines().any(|l| l.starts_with("error:")), "{stderr}");
}

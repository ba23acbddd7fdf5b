//! Channel membership on Slack: at start the bot checks that it is a member
//! of every channel it will post in, joins the public ones it is not in
//! (`conversations.join`) and names each one it cannot post in on one line;
//! `emcee check --online` reports the same without joining anything.

use super::harness::{config_text, SlackOptions, SlackTestBot};
use fake_slack::FakeSlack;
use std::process::Stdio;
use tokio::process::Command;

#[tokio::test]
async fn at_start_a_public_channel_is_joined_and_a_private_one_is_reported() {
    let options = SlackOptions {
        // #secret is private and the bot is not in it: Slack hides it.
        channels: vec!["secret".into(), "organisers".into()],
        ..SlackOptions::default()
    };
    let bot = SlackTestBot::start_at("2021-10-07T15:55:00Z", options).await;
    let ids = bot.fake.ids().clone();
    let joins = bot.fake.calls_of("conversations.join");
    assert_eq!(joins.len(), 1, "only #random needed joining: {joins:?}");
    assert_eq!(
        joins[0].arg("channel"),
        Some(ids.random_channel_id.as_str())
    );
    let random = bot.fake.channel(&ids.random_channel_id).unwrap();
    assert!(random.members.contains(&ids.bot_user_id));
    let problems = &bot.running.as_ref().unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("#secret: "), "{problems:?}");
    assert!(problems[0].contains("/invite @emcee"), "{problems:?}");
    assert!(!problems[0].contains('\n'));
    bot.stop().await;
}

/// `emcee check --online` with Slack's tokens only: the Slack preflight
/// runs, changes nothing, and a channel the bot cannot post in fails it.
async fn check_online(fake: &FakeSlack, extra: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml");
    std::fs::copy(sample, dir.path().join("agenda.toml")).unwrap();
    let text = config_text(&fake.ids().team_id).replace(
        "[announcements.tracks]\n",
        &format!("[announcements.tracks]\n{extra}"),
    );
    std::fs::write(dir.path().join("emcee.toml"), text).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args([
            "check",
            "--online",
            "--at",
            "2021-10-07T15:55:00Z",
            "--config",
        ])
        .arg(dir.path().join("emcee.toml"))
        .env("EMCEE_SLACK_API", fake.api_url())
        .env("SLACK_BOT_TOKEN", fake.bot_token())
        .env("SLACK_APP_TOKEN", fake.app_token())
        .env_remove("DISCORD_TOKEN")
        .env_remove("EMCEE_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let output = child.wait_with_output().await.unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn check_online_checks_slack_and_joins_nothing() {
    let fake = FakeSlack::start().await.unwrap();
    let (code, stdout, stderr) = check_online(&fake, "").await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("online: Slack: connected as"), "{stdout}");
    assert!(stdout.contains("#random (joined at start)"), "{stdout}");
    assert!(stdout.contains("problems: none"), "{stdout}");
    assert!(stdout.contains("next"), "the next posts: {stdout}");
    assert!(fake.calls_of("conversations.join").is_empty());
    let (code, stdout, stderr) = check_online(&fake, "\"Unikernels\" = \"secret\"\n").await;
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(stdout.contains("MISSING"), "{stdout}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("#secret")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("error: #secret: "), "{stderr}");
    assert!(!stderr.contains(fake.bot_token()), "no token in the output");
}

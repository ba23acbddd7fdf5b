//! Slack with several processes: each keeps its own Socket Mode connection,
//! Slack hands each envelope to one of them, and whichever gets it handles
//! it from the shared database.

use super::Serving;
use crate::harness::PATIENCE;
use fake_slack::{FakeSlack, FakeUser, StoredMessage};
use std::collections::BTreeSet;
use std::process::Stdio;
use tokio::process::{Child, Command};

/// The sample agenda and a config serving only the fake's workspace, whose
/// user group `S0ORGANISE` (attendee 1) organises.
fn config(slack: &FakeSlack) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml");
    std::fs::copy(sample, dir.path().join("agenda.toml")).unwrap();
    let team = &slack.ids().team_id;
    let text = format!(
        "[conference]\ntimezone = \"US/Pacific\"\n\n[agenda]\nsource = \"agenda.toml\"\n\n\
         [polls]\nchannel = \"polls\"\ntally_every_seconds = 2\n\n\
         [slack]\nworkspace = \"{team}\"\norganisers = [\"S0ORGANISE\"]\n"
    );
    std::fs::write(dir.path().join("emcee.toml"), text).unwrap();
    dir
}

fn run(slack: &FakeSlack, dir: &tempfile::TempDir) -> Child {
    Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["run", "--at", "2021-10-07T15:55:00Z", "--config"])
        .arg(dir.path().join("emcee.toml"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EMCEE_SLACK_API", slack.api_url())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("SLACK_APP_TOKEN", slack.app_token())
        .env("RUST_LOG", "info")
        .env_remove("DISCORD_TOKEN")
        .env_remove("EMCEE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// The stored votes per option of the poll asking `question`, by `emcee
/// polls export`.
async fn stored_votes(dir: &tempfile::TempDir, question: &str) -> Vec<u64> {
    let out = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["polls", "export", "--format", "json", "--config"])
        .arg(dir.path().join("emcee.toml"))
        .arg("--database")
        .arg(dir.path().join("emcee-rehearsal.sqlite3"))
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let polls: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let poll = polls
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p.to_string().contains(question))
        .unwrap_or_else(|| panic!("no poll in {polls}"));
    poll["results"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes"].as_u64().unwrap())
        .collect()
}

/// Two processes on one workspace and database, both connected.
async fn two_processes(slack: &FakeSlack) -> (tempfile::TempDir, [Serving; 2]) {
    let dir = config(slack);
    let both = [
        Serving::new(run(slack, &dir)),
        Serving::new(run(slack, &dir)),
    ];
    slack.wait_connected(2, PATIENCE).await.unwrap();
    (dir, both)
}

async fn stop(both: [Serving; 2]) {
    for process in both {
        let (code, stderr) = process.stop().await;
        assert_eq!(code, Some(0), "{stderr}");
    }
}

#[tokio::test]
async fn two_processes_share_the_envelopes_and_answer_each_command_once() {
    let slack = FakeSlack::start().await.unwrap();
    let (_dir, both) = two_processes(&slack).await;
    let general = slack.ids().general_channel_id.clone();
    let mut tokens = Vec::new();
    for n in 1..=4 {
        let asked = slack.slash_command(&FakeUser::attendee(n), &general, "next");
        let answer = slack
            .wait_for_response(&asked.response_token, PATIENCE)
            .await
            .unwrap();
        assert!(
            answer.body.to_string().contains("Next up"),
            "{}",
            answer.body
        );
        tokens.push(asked.response_token);
    }
    for token in &tokens {
        let answers = slack
            .response_posts()
            .into_iter()
            .filter(|p| &p.token == token)
            .count();
        assert_eq!(answers, 1, "each command answered once");
    }
    let deliveries = slack.deliveries();
    let used: BTreeSet<u64> = deliveries.iter().map(|d| d.connection).collect();
    assert_eq!(
        used.len(),
        2,
        "both processes handled commands: {deliveries:?}"
    );
    let envelopes: BTreeSet<&str> = deliveries.iter().map(|d| d.envelope_id.as_str()).collect();
    assert_eq!(
        envelopes.len(),
        deliveries.len(),
        "no envelope delivered twice"
    );
    stop(both).await;
}

/// Six voters' reactions, dealt by Slack to either process: the one that did
/// not open the poll adopts it from the database, so every vote is stored
/// once and `poll results` (in whichever process) counts all six.
#[tokio::test]
async fn two_processes_count_every_vote_once_whichever_gets_it() {
    let slack = FakeSlack::start().await.unwrap();
    let (dir, both) = two_processes(&slack).await;
    let polls = slack.ids().polls_channel_id.clone();
    let poll = create(
        &slack,
        "Tea or coffee?",
        "| Tea | Coffee style:reactions",
        2,
    )
    .await;
    for voter in &six_voters(&slack) {
        slack.react(voter, &polls, &poll.ts, "one").unwrap();
    }
    let stored = stored_until(&dir, "Tea or coffee?", &[6, 0]).await;
    assert_eq!(stored, [6, 0], "each of the six votes stored once");
    assert_results_count_six(&slack, &poll).await;
    stop(both).await;
}

/// The same with Slack's default poll style, Vote buttons: each click is
/// answered by whichever process got it, and stored once.
#[tokio::test]
async fn two_processes_count_every_click_once_whichever_gets_it() {
    let slack = FakeSlack::start().await.unwrap();
    let (dir, both) = two_processes(&slack).await;
    let polls = slack.ids().polls_channel_id.clone();
    let poll = create(&slack, "Milk or lemon?", "| Milk | Lemon", 0).await;
    for voter in &six_voters(&slack) {
        let clicked = slack.click(voter, &polls, &poll.ts, "emcee:vote:1");
        let answer = slack
            .wait_for_response(&clicked.response_token, PATIENCE)
            .await
            .unwrap();
        assert!(
            answer.body.to_string().contains("Lemon"),
            "the click is answered: {}",
            answer.body
        );
    }
    let stored = stored_until(&dir, "Milk or lemon?", &[0, 6]).await;
    assert_eq!(stored, [0, 6], "each of the six clicks stored once");
    let clicks: BTreeSet<u64> = slack.deliveries().iter().map(|d| d.connection).collect();
    assert_eq!(clicks.len(), 2, "both processes got envelopes");
    assert_results_count_six(&slack, &poll).await;
    stop(both).await;
}

/// An organiser creates the poll `question` with `options` (ten minutes) in
/// #polls; returns its message once it carries its `seeds` reactions.
async fn create(slack: &FakeSlack, question: &str, options: &str, seeds: usize) -> StoredMessage {
    let polls = slack.ids().polls_channel_id.clone();
    let command = format!("poll create {question} {options} minutes:10");
    let created = slack.slash_command(&FakeUser::attendee(1), &polls, &command);
    slack
        .wait_for_response(&created.response_token, PATIENCE)
        .await
        .unwrap();
    slack
        .wait_until("the poll message", PATIENCE, |fake| {
            fake.messages(&polls)
                .into_iter()
                .find(|m| m.by_bot() && m.text.contains(question) && m.reactions.len() == seeds)
        })
        .await
        .unwrap()
}

/// Six attendees, members of #polls.
fn six_voters(slack: &FakeSlack) -> Vec<FakeUser> {
    let polls = slack.ids().polls_channel_id.clone();
    let voters: Vec<FakeUser> = (20..26).map(FakeUser::attendee).collect();
    for voter in &voters {
        slack.add_user(voter);
        slack.set_member(&polls, &voter.id, true).unwrap();
    }
    voters
}

/// The stored votes, as `emcee polls export` reads them from the shared
/// database, once they are `wanted` (or when patience runs out).
async fn stored_until(dir: &tempfile::TempDir, question: &str, wanted: &[u64]) -> Vec<u64> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let stored = stored_votes(dir, question).await;
        if stored == wanted || tokio::time::Instant::now() >= deadline {
            return stored;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// `poll results` on `poll` (named by its message: the agenda's own polls
/// open in #polls meanwhile), answered by either process, counts all six.
async fn assert_results_count_six(slack: &FakeSlack, poll: &StoredMessage) {
    let polls = slack.ids().polls_channel_id.clone();
    let command = format!("poll results {}", poll.ts);
    let asked = slack.slash_command(&FakeUser::admin(), &polls, &command);
    let results = slack
        .wait_for_response(&asked.response_token, PATIENCE)
        .await
        .unwrap()
        .body
        .to_string();
    assert!(
        results.contains("6 voters") && results.contains("6 votes (100%)"),
        "each vote counted once: {results}"
    );
}

//! Fault suite: the real `emcee` process killed with SIGKILL at random moments
//! during a burst of votes, then restarted on the same database, many times.
//! Nothing may be lost: after the last restart the stored tally must equal the
//! reactions Discord (the fake) really holds. The seed is printed, and
//! `EMCEE_FAULT_SEED` replays a run.

use crate::harness::{seed, Rng, PATIENCE};
use crate::process::{sample_config, TOKEN};
use fake_discord::{FakeDiscord, FakeUser};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub(crate) const TRIALS: usize = 20;
const VOTERS: u32 = 40;
const AT: &[&str] = &["--at", "2021-10-07T15:55:00Z"];
const EMOJI: [&str; 3] = ["🇦", "🇧", "🇨"];

/// Starts `emcee run` against `fake`; `clock` are its clock and database
/// arguments (e.g. `--at T --speed N --database F`).
pub(crate) fn start(fake: &FakeDiscord, config: &Path, clock: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_emcee"))
        .arg("run")
        .args(clock)
        .arg("--config")
        .arg(config)
        .env("EMCEE_DISCORD_API", fake.base_url())
        .env("DISCORD_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .env_remove("EMCEE_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("emcee runs")
}

/// Waits until the process `child` has connected (a READY after `identifies` earlier ones).
pub(crate) async fn wait_connected(fake: &FakeDiscord, identified_before: usize) {
    fake.wait_until("the restarted bot to identify", PATIENCE, |f| {
        (f.identifies().len() > identified_before).then_some(())
    })
    .await
    .expect("connects");
    fake.wait_ready(PATIENCE).await.expect("ready");
}

fn sigkill(child: &Child) {
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// The stored per-option counts, read with `emcee polls export` while the bot runs.
fn stored_counts(config: &Path, database: &Path) -> Option<Vec<u64>> {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["polls", "export", "--format", "json", "--config"])
        .arg(config)
        .arg("--database")
        .arg(database)
        .output()
        .ok()?;
    let polls: Value = serde_json::from_slice(&output.stdout).ok()?;
    // The test's own poll: the sample's declared polls open too (their
    // channel is missing in the fake, so in the default channel).
    let options = polls
        .as_array()?
        .iter()
        .find(|poll| poll.to_string().contains("Crash test?"))?["results"]["options"]
        .as_array()?
        .clone();
    Some(
        options
            .iter()
            .map(|o| o["votes"].as_u64().unwrap_or(0))
            .collect(),
    )
}

#[tokio::test]
async fn sigkill_during_a_vote_burst_loses_no_vote_over_twenty_restarts() {
    let seed = seed();
    eprintln!("fault suite: seed {seed} (EMCEE_FAULT_SEED={seed} replays it)");
    let mut rng = Rng(seed);
    let fake = FakeDiscord::start().await.unwrap();
    let dir = sample_config();
    let config = dir.path().join("emcee.toml");
    let database = dir.path().join("emcee-rehearsal.sqlite3");
    let mut child = start(&fake, &config, AT);
    wait_connected(&fake, 0).await;

    let options = json!({ "create": { "question": "Crash test?", "options": "A | B | C", "multi": true, "duration": "2h" } });
    let asked = fake
        .slash_command(&FakeUser::organiser(1), "poll", options)
        .await;
    fake.wait_for_interaction_response(&asked, PATIENCE)
        .await
        .expect("poll created");
    let channel = fake.ids().general_channel_id;
    let bot = fake.ids().bot_user_id;
    let message = fake
        .wait_until("the poll with its reactions", PATIENCE, |f| {
            let poll = f
                .messages(channel)
                .into_iter()
                .find(|m| !m.embeds.is_empty())?;
            EMOJI
                .iter()
                .all(|e| f.reaction_users(poll.id, e).contains(&bot))
                .then_some(poll.id)
        })
        .await
        .expect("poll posted");

    let mut held: BTreeSet<(u32, usize)> = BTreeSet::new();
    let (mut kills, mut events) = (0, 0);
    for _trial in 0..TRIALS {
        let burst = 20 + rng.below(40) as usize;
        let kill_at = rng.below(burst as u64) as usize;
        for step in 0..burst {
            if step == kill_at {
                sigkill(&child);
                let _ = child.wait().await;
                kills += 1;
            }
            let voter = rng.below(u64::from(VOTERS)) as u32;
            let option = rng.below(EMOJI.len() as u64) as usize;
            let user = FakeUser::attendee(500 + voter);
            if held.remove(&(voter, option)) {
                fake.unreact(channel, message, &user, EMOJI[option])
                    .await
                    .unwrap();
            } else {
                held.insert((voter, option));
                fake.react(channel, message, &user, EMOJI[option])
                    .await
                    .unwrap();
            }
            events += 1;
        }
        let identified = fake.identifies().len();
        child = start(&fake, &config, AT);
        wait_connected(&fake, identified).await;
    }

    let expected: Vec<u64> = (0..EMOJI.len())
        .map(|o| held.iter().filter(|(_, opt)| *opt == o).count() as u64)
        .collect();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut last = None;
    while tokio::time::Instant::now() < deadline {
        last = stored_counts(&config, &database);
        if last.as_ref() == Some(&expected) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let lost: i64 = expected
        .iter()
        .zip(last.iter().flatten())
        .map(|(e, s)| *e as i64 - *s as i64)
        .map(i64::abs)
        .sum();
    eprintln!("fault suite: {TRIALS} trials, {kills} SIGKILLs, {events} vote events, stored {last:?}, expected {expected:?}, {lost} votes lost");
    assert_eq!(
        last,
        Some(expected),
        "the stored tally equals Discord's reactions after {kills} SIGKILLs (seed {seed})"
    );
    sigkill(&child);
}

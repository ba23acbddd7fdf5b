//! SIGKILL during a burst of upvotes, as an operator's process dies: the
//! real `emcee run` binary on a SQLite file, killed with `kill -9` while ▲
//! clicks come in, then started again on the same file.
//!
//! Discord never delivers an interaction twice: a click the dead process did
//! not answer fails in the user's client ("This interaction failed"), and
//! the user clicks again, which is a new interaction for the new process.
//! So the test redelivers exactly that: one new click from each user whose
//! click went unanswered. That click is the first one tried again, also
//! when the dead process had stored it and died before answering: it must
//! not toggle the vote back. So every user ends with their vote counted
//! once, and the count kept beside the question equals its vote rows.

use super::{config_dir, upvote_button, AT, SESSION};
use crate::faults::{start, wait_connected};
use crate::harness::PATIENCE;
use fake_discord::{FakeDiscord, FakeUser, Fault, InteractionHandle, Matcher, StoredMessage};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;
use tokio::process::Child;

/// Clickers in the burst.
const BURST: u32 = 60;

/// Clicks stored whose answers never leave the process before it dies.
const HELD: usize = 10;

/// `kill -9`, and waits until the process is gone.
async fn sigkill(mut child: Child) {
    child.kill().await.expect("SIGKILL");
}

fn answered(fake: &FakeDiscord, handle: &InteractionHandle) -> bool {
    let path = format!("/interactions/{}/{}/callback", handle.id, handle.token);
    fake.requests().iter().any(|r| r.is("POST", &path))
}

/// The users whose vote on question `id` is stored, and the count kept
/// beside the question, read from the file while no process runs.
fn stored(database: &Path, id: i64) -> (BTreeSet<String>, i64) {
    let connection = rusqlite::Connection::open(database).unwrap();
    let voters = connection
        .prepare("SELECT user_id FROM question_votes WHERE question_id = ?1")
        .unwrap()
        .query_map([id], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let count = connection
        .query_row("SELECT votes FROM questions WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .unwrap();
    (voters, count)
}

/// Attendee 1 asks the question; returns its message once posted.
async fn asked(fake: &FakeDiscord) -> StoredMessage {
    let options = json!({ "question": "What does a SIGKILL cost?", "session": SESSION });
    let handle = fake
        .slash_command(&FakeUser::attendee(1), "ask", options)
        .await;
    fake.wait_for_interaction_response(&handle, PATIENCE)
        .await
        .expect("/ask answered");
    let channel = fake.ids().general_channel_id;
    fake.wait_until("the question's message", PATIENCE, |f| {
        f.messages(channel)
            .into_iter()
            .find(|m| m.content.contains("SIGKILL cost") && !m.components.is_empty())
    })
    .await
    .unwrap()
}

/// Clicks ▲ as each of `users` and waits until every click is answered.
async fn click_answered(fake: &FakeDiscord, message: u64, button: &str, users: &[FakeUser]) {
    let mut handles = Vec::new();
    for user in users {
        handles.push(fake.click_button(user, message, button).await);
    }
    for handle in &handles {
        fake.wait_for_interaction_response(handle, PATIENCE)
            .await
            .expect("the click answered");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_of_the_process_during_an_upvote_burst_loses_no_vote_and_doubles_none() {
    let (dir, config) = config_dir();
    let database = dir.path().join("qa.sqlite3");
    let file = database.to_str().unwrap();
    let clock = ["--at", AT, "--database", file];
    let fake = FakeDiscord::start().await.unwrap();
    let child = start(&fake, &config, &clock);
    wait_connected(&fake, 0).await;
    let message = asked(&fake).await;
    let (button, _) = upvote_button(&message);
    let id: i64 = button.rsplit(':').next().unwrap().parse().unwrap();

    // The burst: the first third of the clicks answered; then a sixth
    // stored but not answered when the process dies (the fake holds their
    // answers back, as a slow network would); the rest sent to the dead
    // process. Discord shows the users of the last two "This interaction
    // failed".
    let users: Vec<FakeUser> = (200..200 + BURST).map(FakeUser::attendee).collect();
    let (answering, rest) = users.split_at((BURST / 3) as usize);
    let (held, unread) = rest.split_at(HELD);
    let mut handles = Vec::new();
    for user in answering {
        handles.push((user, fake.click_button(user, message.id, &button).await));
    }
    fake.wait_until("the first clicks answered", PATIENCE, |f| {
        let done = handles.iter().filter(|(_, h)| answered(f, h)).count();
        (done == answering.len()).then_some(())
    })
    .await
    .expect("the bot answers clicks");
    fake.inject(Fault::Delay {
        matcher: Matcher::new("POST", "/interactions/*/*/callback"),
        delay: Duration::from_secs(600),
        times: HELD as u32,
    });
    for user in held {
        handles.push((user, fake.click_button(user, message.id, &button).await));
    }
    let stored_all = answering.len() + HELD;
    // Stored, and their answers on the way (held by the fake), so that
    // none of the retries' answers is held later.
    fake.wait_until("the held clicks stored and answering", PATIENCE, |f| {
        let answering = f.injected().delayed == HELD as u64;
        (answering && stored(&database, id).0.len() == stored_all).then_some(())
    })
    .await
    .expect("the bot stores clicks before answering them");
    sigkill(child).await;
    for user in unread {
        handles.push((user, fake.click_button(user, message.id, &button).await));
    }
    let acked: BTreeSet<String> = handles
        .iter()
        .filter(|(_, h)| answered(&fake, h))
        .map(|(u, _)| u.id.to_string())
        .collect();
    let (kept, count) = stored(&database, id);
    assert!(
        acked.is_subset(&kept),
        "every answered click is stored: answered {acked:?}, stored {kept:?}"
    );
    assert_eq!(kept.len() - acked.len(), HELD, "stored, never answered");
    assert_eq!(count, kept.len() as i64, "the count is its rows'");

    // A new process; each user whose click failed clicks again.
    let identified = fake.identifies().len();
    let child = start(&fake, &config, &clock);
    wait_connected(&fake, identified).await;
    let retry: Vec<FakeUser> = users
        .iter()
        .filter(|u| !acked.contains(&u.id.to_string()))
        .cloned()
        .collect();
    click_answered(&fake, message.id, &button, &retry).await;
    sigkill(child).await;

    let everyone: BTreeSet<String> = users.iter().map(|u| u.id.to_string()).collect();
    let (after, count) = stored(&database, id);
    eprintln!(
        "SIGKILL mid-burst: {} of {BURST} clicks answered, {} stored unanswered, {} retried; {} votes after",
        acked.len(),
        kept.len() - acked.len(),
        retry.len(),
        after.len()
    );
    assert_eq!(
        after,
        everyone,
        "{} answered, {} stored unanswered and kept by the retry, the rest counted on retry",
        acked.len(),
        kept.len() - acked.len()
    );
    assert_eq!(count, after.len() as i64, "no vote counted twice");
}

//! Speaker nudges through the fake Discord, on the controllable clock: each
//! mapped speaker's DM at T−60 and T−15 exactly once, also across a
//! restart; nothing for unmapped speakers; and "questions are waiting" at
//! the end only for a session whose Q&A has open questions.

use crate::harness::{instant, TestBot, PATIENCE};
use crate::questions::threads::options;
use crate::questions::{ask, config_dir, speaker, SESSION};
use emcee_core::questions::QuestionState;
use emcee_core::store::{JobState, JobStore};
use fake_discord::{FakeDiscord, FakeUser};
use serde_json::json;
use std::path::Path;

/// The speaker of the Java talk beside JfrUnit (no questions for it).
fn other_speaker() -> FakeUser {
    FakeUser::attendee(779)
}

/// [`config_dir`] with nudges on and the Java talk's speaker mapped too.
fn nudge_config(dir: &Path) {
    let agenda = dir.join("agenda.toml");
    let text = std::fs::read_to_string(&agenda).unwrap();
    let mapped = text.replace(
        "speakers = [{ name = \"Simon Ritter\", affiliation = \"Azul Systems\" }]",
        &format!(
            "speakers = [{{ name = \"Simon Ritter\", affiliation = \"Azul Systems\", discord = \"{}\" }}]",
            other_speaker().id
        ),
    );
    assert_ne!(
        text, mapped,
        "the sample agenda still has the Java talk's speaker"
    );
    std::fs::write(agenda, mapped).unwrap();
    let path = dir.join("emcee.toml");
    let settings = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, format!("{settings}\n[nudges]\nenabled = true\n")).unwrap();
}

/// The texts the bot sent into `user`'s DM channel, one per send request
/// (the fake's nonce check would hide a repeated send among the messages).
fn sent_to(fake: &FakeDiscord, user: &FakeUser) -> Vec<String> {
    let path = format!("/channels/{}/messages", fake.dm_channel(user));
    fake.requests()
        .iter()
        .filter(|r| r.is("POST", &path))
        .map(|r| r.body_str("content").unwrap_or_default().to_owned())
        .collect()
}

async fn wait_sent(fake: &FakeDiscord, user: &FakeUser, count: usize) -> Vec<String> {
    fake.wait_until("the speaker's nudges", PATIENCE, |f| {
        let sent = sent_to(f, user);
        (sent.len() >= count).then_some(sent)
    })
    .await
    .unwrap_or_else(|_| panic!("{} nudges, not {count}", sent_to(fake, user).len()))
}

/// Waits until the `count` jobs whose key starts with `prefix` are done
/// (sent, or found nothing to say) in the store: the fake sees a DM a
/// moment before the bot records it sent.
async fn jobs_done(bot: &TestBot, prefix: &str, count: usize) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let records = JobStore::job_records(&bot.store).unwrap();
        let jobs: Vec<_> = records
            .iter()
            .filter(|r| r.key.starts_with(prefix))
            .collect();
        if jobs.len() == count && jobs.iter().all(|r| r.state == JobState::Done) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{jobs:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speakers_are_nudged_once_per_lead_across_a_restart_and_told_of_waiting_questions() {
    let (dir, config) = config_dir();
    nudge_config(dir.path());
    let fake = FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, "2021-10-07T14:58:00Z", options(&config, None)).await;
    let announcements = bot.fake.ids().announcements_channel_id;

    bot.clock.set(instant("2021-10-07T15:00:00Z"));
    let first = wait_sent(&bot.fake, &speaker(), 1).await;
    assert!(
        first[0].contains("JfrUnit")
            && first[0].contains(&format!("<#{announcements}>"))
            && first[0].contains("<t:1633622400:R>"),
        "{}",
        first[0]
    );
    wait_sent(&bot.fake, &other_speaker(), 1).await;
    jobs_done(&bot, "nudge:60:", 2).await;

    // A crash after the first nudge: the next process does not send it again.
    let (fake, store) = bot.kill();
    fake.close_gateway(4004);
    let bot =
        TestBot::start_with(fake, "2021-10-07T15:00:30Z", options(&config, Some(store))).await;
    bot.clock.set(instant("2021-10-07T15:45:00Z"));
    let second = wait_sent(&bot.fake, &speaker(), 2).await;
    assert!(second[1].contains("JfrUnit"), "{}", second[1]);
    wait_sent(&bot.fake, &other_speaker(), 2).await;

    // Two questions for JfrUnit, one answered: one is waiting at the end.
    bot.clock.set(instant("2021-10-07T16:10:00Z"));
    for (n, text) in [(1, "Which JDK does it need?"), (2, "Does it run in CI?")] {
        let options = json!({ "question": text, "session": SESSION });
        ask(&bot, &FakeUser::attendee(n), options).await;
    }
    let store = bot.data.questions.store();
    let session = emcee_core::agenda::SessionId::new(SESSION);
    let asked = store.session_questions(None, &session).await.unwrap();
    assert_eq!(asked.len(), 2);
    store
        .set_state(asked[0].id, QuestionState::Answered)
        .await
        .unwrap();

    bot.clock.set(instant("2021-10-07T16:25:00Z"));
    let all = wait_sent(&bot.fake, &speaker(), 3).await;
    assert!(
        all[2].contains("1 question is waiting") && all[2].contains("/questions morling-jfrunit"),
        "{}",
        all[2]
    );
    // Two mapped speakers with one talk each: two ends.
    jobs_done(&bot, "questions_waiting:", 2).await;
    assert_eq!(sent_to(&bot.fake, &speaker()).len(), 3, "each nudge once");
    assert_eq!(
        sent_to(&bot.fake, &other_speaker()).len(),
        2,
        "no questions for the Java talk: nothing at its end"
    );
    // Nobody else was messaged: the unmapped speakers have no chat user.
    let opened: Vec<String> = bot
        .fake
        .requests()
        .iter()
        .filter(|r| r.is("POST", "/users/@me/channels"))
        .map(|r| {
            r.body
                .as_ref()
                .map(|b| b["recipient_id"].to_string())
                .unwrap_or_default()
        })
        .collect();
    let mapped = [speaker().id.to_string(), other_speaker().id.to_string()];
    assert!(
        opened
            .iter()
            .all(|id| mapped.iter().any(|m| id.contains(m))),
        "{opened:?}"
    );
    bot.stop().await;
}

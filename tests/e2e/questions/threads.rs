//! A thread per session: opened on the start announcement (which then
//! links to it), home of the
//! session's questions and of its on-demand post, archived once a set time
//! after the session ends, also across a restart.

use super::{ask, config_dir, SESSION};
use crate::harness::{instant, BotOptions, TestBot, PATIENCE};
use emcee_core::agenda::SessionId;
use emcee_core::questions::QuestionStore;
use fake_discord::{FakeDiscord, FakeThread, FakeUser};
use serde_json::json;
use std::path::Path;

const TITLE: &str = "Continuous Performance Regression Testing with JfrUnit";

/// [`config_dir`] with threads on (archived 10 minutes after the end) and
/// the Observability track announced alone in #polls.
pub(crate) fn thread_config(dir: &Path) {
    let path = dir.join("emcee.toml");
    let settings = std::fs::read_to_string(&path).unwrap().replace(
        "\"Observability\" = \"announcements\"",
        "\"Observability\" = \"polls\"",
    );
    let settings = format!("{settings}\n[threads]\nenabled = true\narchive_after_minutes = 10\n");
    std::fs::write(path, settings).unwrap();
}

/// A bot on `config` with its scheduler running (a one-second lease, so a
/// process started after a kill takes over at once), on `store` if given.
pub(crate) fn options(config: &Path, store: Option<emcee_core::store::Store>) -> BotOptions {
    BotOptions {
        config: config.to_path_buf(),
        store,
        scheduler: Some(emcee_core::scheduler::SchedulerOptions {
            holder: "threads".into(),
            lease_ttl: std::time::Duration::from_secs(1),
            ..Default::default()
        }),
        ..BotOptions::default()
    }
}

/// The session's thread once the bot has kept it: the fake shows the
/// thread as soon as it is created, a moment before the bot has stored it,
/// and a question asked in between would go to the session's channel.
async fn the_thread(bot: &TestBot) -> FakeThread {
    let thread = bot
        .fake
        .wait_until("the session's thread", PATIENCE, |fake| {
            fake.threads().into_iter().find(|t| t.name == TITLE)
        })
        .await
        .unwrap();
    let kept = kept_thread(bot, &SessionId::new(SESSION)).await;
    assert_eq!(kept, thread.id.to_string(), "the bot kept another thread");
    thread
}

/// The thread the bot keeps for `session`, once it does (the store wakes no
/// waiter).
pub(crate) async fn kept_thread(bot: &TestBot, session: &SessionId) -> String {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(kept) = bot.store.thread(session).await.unwrap() {
            return kept.channel;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the bot never kept the session's thread"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Waits until thread `thread` is archived, and checks it was archived once.
pub(crate) async fn archived_once(fake: &FakeDiscord, thread: u64) {
    let path = format!("/channels/{thread}");
    fake.wait_for_request(|r| r.is("PATCH", &path) && r.status < 300, PATIENCE)
        .await
        .expect("the thread archived");
    // The fake records each request once answered, a moment before the
    // waiter's next look at its threads.
    fake.wait_until("the thread shown archived", PATIENCE, |fake| {
        let shown = fake.threads().iter().any(|t| t.id == thread && t.archived);
        shown.then_some(())
    })
    .await
    .unwrap();
    let archives = fake
        .requests()
        .iter()
        .filter(|r| r.is("PATCH", &path) && r.status < 300)
        .count();
    assert_eq!(archives, 1, "archived once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sessions_thread_is_opened_at_its_start_and_archived_after_it_even_across_a_restart() {
    let (dir, config) = config_dir();
    thread_config(dir.path());
    let fake = FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, "2021-10-07T15:58:00Z", options(&config, None)).await;
    bot.clock.set(instant("2021-10-07T16:00:00Z"));
    let thread = the_thread(&bot).await;
    let polls = bot.fake.ids().polls_channel_id;
    assert_eq!(thread.parent_id, polls);
    let announcement = bot.fake.message(thread.id).expect("on the announcement");
    assert!(
        announcement.content.contains("Starting now"),
        "{}",
        announcement.content
    );
    // The announcement is edited to link to its thread, once it is kept.
    let link = format!("<#{}>", thread.id);
    let linked = bot
        .fake
        .wait_until("the announcement's link to its thread", PATIENCE, |fake| {
            let message = fake.message(thread.id)?;
            message.content.contains(&link).then_some(message)
        })
        .await
        .expect("the announcement links to its thread");
    assert!(
        linked.content.contains("Starting now") && linked.content.contains(TITLE),
        "{}",
        linked.content
    );

    // Asked elsewhere, the question lands in the thread; asked in the
    // thread, it is for the thread's session without naming it.
    ask(
        &bot,
        &FakeUser::attendee(1),
        json!({ "question": "Where do I start?", "session": SESSION }),
    )
    .await;
    let handle = bot
        .fake
        .slash_command_in(
            thread.id,
            &FakeUser::attendee(2),
            "ask",
            json!({ "question": "Which JDK?" }),
        )
        .await;
    let answer = bot.response(&handle).await;
    assert!(
        answer["data"]["content"]
            .as_str()
            .unwrap()
            .contains("JfrUnit"),
        "{answer}"
    );
    bot.fake
        .wait_until("both questions in the thread", PATIENCE, |fake| {
            let texts: Vec<String> = fake
                .messages(thread.id)
                .into_iter()
                .map(|m| m.content)
                .collect();
            let both = texts.iter().any(|t| t.contains("Where do I start"))
                && texts.iter().any(|t| t.contains("Which JDK"));
            both.then_some(())
        })
        .await
        .unwrap();
    let general = bot.fake.ids().general_channel_id;
    assert!(
        !bot.fake
            .messages(general)
            .iter()
            .any(|m| m.content.contains("Where do I start")),
        "not in the channel it was asked in"
    );

    // The on-demand post at the end comes into the thread too.
    bot.clock.set(instant("2021-10-07T16:25:30Z"));
    bot.fake
        .wait_until("the video link in the thread", PATIENCE, |fake| {
            fake.messages(thread.id)
                .into_iter()
                .find(|m| m.content.contains("on demand") && m.content.contains("Where do I start"))
        })
        .await
        .unwrap();
    assert!(!bot.fake.threads()[0].archived, "not before its time");

    // A crash before the archive time: the next process archives it, once.
    let (fake, store) = bot.kill();
    fake.close_gateway(4004);
    let again =
        TestBot::start_with(fake, "2021-10-07T16:30:00Z", options(&config, Some(store))).await;
    again.clock.set(instant("2021-10-07T16:35:01Z"));
    archived_once(&again.fake, thread.id).await;
    assert_eq!(again.fake.threads().len(), 1, "no second thread");
    again.stop().await;
}

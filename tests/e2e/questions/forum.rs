//! A track whose channel is a forum: a session's announcements there are one
//! forum post named after it (its start joins the post its "starting soon"
//! opened), which is the session's thread (its questions go there, it is
//! archived after the session); a restart that lost the send adopts the
//! post it made; with threads off the announcements are still posts, the
//! only thing a forum takes.

use super::threads::{archived_once, kept_thread, options, thread_config};
use super::{config_dir, SESSION};
use crate::harness::{eventually, instant, TestBot, PATIENCE};
use emcee_core::agenda::SessionId;
use emcee_core::questions::QuestionStore;
use emcee_core::store::{JobRecord, JobState, JobStore};
use fake_discord::{Config, FakeDiscord, FakeThread, FakeUser, Ids};
use serde_json::json;

const TITLE: &str = "Continuous Performance Regression Testing with JfrUnit";

/// A fake Discord whose #polls (where the tests route Observability) is a forum.
async fn forum_discord() -> FakeDiscord {
    FakeDiscord::start_with(Config {
        channel_types: vec![(Ids::default().polls_channel_id, 15)],
        ..Config::default()
    })
    .await
    .unwrap()
}

/// The forum post announcing that the session starts now.
async fn start_post(fake: &FakeDiscord) -> FakeThread {
    fake.wait_until("the session's start post", PATIENCE, |fake| {
        fake.threads().into_iter().find(|t| {
            fake.message(t.id)
                .is_some_and(|m| m.content.contains("Starting now"))
        })
    })
    .await
    .unwrap()
}

/// Waits until every job due by `at` is finished: each post, and what
/// follows it (the thread kept, any edit), is done.
async fn settled(bot: &TestBot, at: &str) {
    let at = instant(at);
    eventually("every job due by then finished", || {
        let jobs = bot.store.job_records().ok()?;
        let open = |job: &JobRecord| matches!(job.state, JobState::Pending | JobState::Claimed);
        (!jobs.iter().any(|j| j.due_at <= at && open(j))).then_some(())
    })
    .await;
}

/// The calls that opened posts in #polls whose starter says `text`.
fn posts_opened(fake: &FakeDiscord, text: &str) -> usize {
    let path = format!("/channels/{}/threads", fake.ids().polls_channel_id);
    fake.requests()
        .iter()
        .filter(|r| r.is("POST", &path) && r.status < 300)
        .filter(|r| {
            r.body.as_ref().is_some_and(|b| {
                b["message"]["content"]
                    .as_str()
                    .is_some_and(|c| c.contains(text))
            })
        })
        .count()
}

/// Plain messages the bot tried to post in #polls (a forum refuses them).
fn plain_tries(fake: &FakeDiscord) -> usize {
    let path = format!("/channels/{}/messages", fake.ids().polls_channel_id);
    fake.requests()
        .iter()
        .filter(|r| r.is("POST", &path))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forum_tracks_session_is_a_post_with_its_questions_archived_after_and_made_once() {
    let (dir, config) = config_dir();
    thread_config(dir.path());
    let fake = forum_discord().await;
    let polls = fake.ids().polls_channel_id;
    let bot = TestBot::start_with(fake, "2021-10-07T15:58:00Z", options(&config, None)).await;
    bot.clock.set(instant("2021-10-07T16:00:00Z"));
    let post = start_post(&bot.fake).await;
    settled(&bot, "2021-10-07T16:00:00Z").await;
    assert_eq!((post.parent_id, post.name.as_str()), (polls, TITLE));
    let session = SessionId::new(SESSION);
    let kept = bot.store.thread(&session).await.unwrap().expect("kept");
    assert_eq!(kept.channel, post.id.to_string(), "the post is the thread");
    let starter = bot.fake.message(post.id).unwrap();
    assert!(starter.content.contains(TITLE), "{}", starter.content);
    assert!(
        !starter.content.contains("Questions and chat") && starter.edited_timestamp.is_none(),
        "no link to where the reader is: {}",
        starter.content
    );
    assert_eq!(plain_tries(&bot.fake), 0, "a known forum gets no message");
    let path = format!("/channels/{polls}/threads");
    let opened = bot
        .fake
        .requests()
        .into_iter()
        .find(|r| r.is("POST", &path))
        .and_then(|r| r.body)
        .unwrap();
    assert_eq!(
        opened["message"]["allowed_mentions"],
        json!({ "parse": [] })
    );
    assert!(opened["message"].get("nonce").is_none(), "{opened}");
    assert_eq!(posts_opened(&bot.fake, "Starting now"), 1);

    // Asked in the post, a question is the post's session's and stays there.
    let handle = bot
        .fake
        .slash_command_in(
            post.id,
            &FakeUser::attendee(2),
            "ask",
            json!({ "question": "Which JDK?" }),
        )
        .await;
    let answer = bot.response(&handle).await;
    let text = answer["data"]["content"].as_str().unwrap();
    assert!(text.contains("JfrUnit"), "{answer}");
    bot.fake
        .wait_until("the question in the post", PATIENCE, |fake| {
            fake.messages(post.id)
                .into_iter()
                .find(|m| m.content.contains("Which JDK") && !m.components.is_empty())
        })
        .await
        .unwrap();

    // A crash that lost every send (a fresh store): the process after it
    // announces again and finds the posts it made instead of making more.
    let (fake, _lost) = bot.kill();
    fake.close_gateway(4004);
    let again = TestBot::start_with(fake, "2021-10-07T16:01:00Z", options(&config, None)).await;
    let kept = kept_thread(&again, &session).await;
    settled(&again, "2021-10-07T16:01:00Z").await;
    assert_eq!(kept, post.id.to_string(), "the same post");
    assert_eq!(
        posts_opened(&again.fake, "Starting now"),
        1,
        "not posted twice"
    );
    assert_eq!(plain_tries(&again.fake), 0);

    // Archived once, archive_after_minutes after the end (16:25).
    again.clock.set(instant("2021-10-07T16:35:01Z"));
    archived_once(&again.fake, post.id).await;
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sessions_start_joins_the_post_its_starting_soon_opened() {
    let (dir, config) = config_dir();
    thread_config(dir.path());
    let fake = forum_discord().await;
    let bot = TestBot::start_with(fake, "2021-10-07T15:54:00Z", options(&config, None)).await;
    bot.clock.set(instant("2021-10-07T15:55:00Z"));
    let soon = bot
        .fake
        .wait_until("the starting-soon post", PATIENCE, |fake| {
            fake.threads().into_iter().find(|t| t.name == TITLE)
        })
        .await
        .unwrap();
    settled(&bot, "2021-10-07T15:55:00Z").await;
    bot.clock.set(instant("2021-10-07T16:00:00Z"));
    let session = SessionId::new(SESSION);
    let kept = kept_thread(&bot, &session).await;
    settled(&bot, "2021-10-07T16:00:00Z").await;
    assert_eq!(kept, soon.id.to_string(), "the session's one post");
    let texts: Vec<String> = bot
        .fake
        .messages(soon.id)
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert!(texts[0].contains("Starting <t:"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("Starting now")),
        "{texts:?}"
    );
    let ours = bot.fake.threads().into_iter().filter(|t| t.name == TITLE);
    assert_eq!(ours.count(), 1, "one post per session");
    assert_eq!(plain_tries(&bot.fake), 0);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_threads_off_a_forum_given_by_id_still_gets_its_announcements_as_posts() {
    let (dir, config) = config_dir();
    let polls = Ids::default().polls_channel_id;
    let path = dir.path().join("emcee.toml");
    let settings = std::fs::read_to_string(&path).unwrap().replace(
        "\"Observability\" = \"announcements\"",
        &format!("\"Observability\" = \"{polls}\""),
    );
    std::fs::write(&path, settings).unwrap();
    let fake = forum_discord().await;
    let bot = TestBot::start_with(fake, "2021-10-07T15:58:00Z", options(&config, None)).await;
    bot.clock.set(instant("2021-10-07T16:00:00Z"));
    let post = start_post(&bot.fake).await;
    settled(&bot, "2021-10-07T16:00:00Z").await;
    assert_eq!((post.parent_id, post.name.as_str()), (polls, TITLE));
    assert!(
        bot.fake
            .threads()
            .iter()
            .all(|t| t.parent_id == polls && t.name == TITLE),
        "every post named after its session: {:?}",
        bot.fake.threads()
    );
    // Given by id, the forum was not in any list: Discord's one refusal of
    // a message taught the bot what it is.
    assert_eq!(plain_tries(&bot.fake), 1, "one refused message, not two");
    assert_eq!(posts_opened(&bot.fake, "Starting now"), 1);
    let session = SessionId::new(SESSION);
    assert!(
        bot.store.thread(&session).await.unwrap().is_none(),
        "threads off"
    );
    let starter = bot.fake.message(post.id).unwrap();
    assert!(starter.edited_timestamp.is_none(), "{}", starter.content);
    bot.stop().await;
}

//! Replies in a session's Slack thread are posted exactly once. The "now
//! on demand" reply and the "next question" board carry their dedupe key
//! as message metadata, and the port looks for it among the thread's
//! replies (`conversations.replies`) before posting, and again before
//! retrying a post whose answer was lost. Here the fake carries the reply
//! out and then breaks the connection, so the bot cannot know it landed:
//! its own retry finds it, and so does a bot that died before storing the
//! send and runs the job again.

use super::harness::{SlackOptions, SlackTestBot};
use super::questions::{ask, threaded, SESSION};
use crate::feeds::eventually_async as wait;
use crate::harness::{instant, PATIENCE};
use emcee::slack::outbound::Pacing;
use emcee_core::questions::QuestionStore;
use emcee_core::scheduler::JobKind;
use emcee_core::store::{JobState, JobStore, Store};
use fake_slack::{FakeSlack, FakeUser, Fault, StoredMessage};
use std::time::Duration;

const ON_DEMAND: &str = "Now available on demand";

/// Starts the bot before JfrUnit, lets it open the session's thread at
/// 09:00 PDT, and returns the thread's parent `ts`.
async fn thread_opened(options: SlackOptions) -> (SlackTestBot, String) {
    let bot = SlackTestBot::start_at("2021-10-07T15:59:50Z", options).await;
    bot.clock.set(instant("2021-10-07T16:00:00Z"));
    let session = emcee_core::agenda::SessionId::new(SESSION);
    let thread = wait("the session's thread kept", || async {
        bot.store.thread(&session).await.ok().flatten()
    })
    .await;
    let (_, parent) = thread.channel.split_once('/').unwrap();
    (bot, parent.to_owned())
}

/// The answer of the next reply in a thread is lost.
fn lose_the_reply(fake: &FakeSlack) {
    fake.inject(Fault::LoseAnswer {
        method: Some("chat.postMessage".into()),
        with_arg: Some("thread_ts".into()),
        times: 1,
    });
}

/// The on-demand posts in #random: (in the channel, replies in the thread).
fn on_demand_posts(fake: &FakeSlack, parent: &str) -> (usize, usize) {
    let channel = fake.ids().random_channel_id.clone();
    let posts: Vec<StoredMessage> = fake
        .messages(&channel)
        .into_iter()
        .filter(|m| m.by_bot() && m.text.contains(ON_DEMAND) && m.text.contains("JfrUnit"))
        .collect();
    let replies = posts
        .iter()
        .filter(|m| m.thread_ts.as_deref() == Some(parent))
        .count();
    (posts.len() - replies, replies)
}

/// The stored state of JfrUnit's on-demand job.
fn on_demand_job(store: &Store) -> Option<JobState> {
    let jobs = store.job_records().unwrap();
    jobs.into_iter()
        .find(|j| j.kind == JobKind::OnDemand && j.key.contains(SESSION))
        .map(|j| j.state)
}

async fn sent(store: &Store) {
    wait("the on-demand job stored as sent", || async {
        (on_demand_job(store) == Some(JobState::Done)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_bots_own_retry_of_a_reply_whose_answer_was_lost_posts_nothing_twice() {
    let (bot, parent) = thread_opened(threaded()).await;
    lose_the_reply(&bot.fake);
    bot.clock.set(instant("2021-10-07T16:25:00Z"));
    sent(&bot.store).await;
    assert_eq!(bot.fake.injected().lost_answers, 1);
    assert_eq!(
        on_demand_posts(&bot.fake, &parent),
        (1, 1),
        "one post in the channel, one reply in the thread"
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_bot_that_died_after_its_reply_landed_does_not_post_it_again_after_a_restart() {
    // The retry after the lost answer waits an hour: the bot dies first.
    let dying = SlackOptions {
        pacing: Some(Pacing {
            retry_backoff: Duration::from_secs(3600),
            ..Pacing::default()
        }),
        ..threaded()
    };
    let (mut bot, parent) = thread_opened(dying).await;
    lose_the_reply(&bot.fake);
    bot.clock.set(instant("2021-10-07T16:25:00Z"));
    bot.fake
        .wait_until("the reply carried out, its answer lost", PATIENCE, |fake| {
            let lost = fake.injected().lost_answers == 1;
            (lost && on_demand_posts(fake, &parent) == (1, 1)).then_some(())
        })
        .await
        .unwrap();
    // A crash: the scheduler stops where it is.
    if let Some(scheduler) = bot.scheduler.take() {
        scheduler.abort();
    }
    assert_eq!(
        on_demand_job(&bot.store),
        Some(JobState::Claimed),
        "the send was not stored"
    );
    let (fake, store) = bot.stop().await;
    let looked = fake.calls_of("conversations.replies").len();

    let again = SlackTestBot::start_at(
        "2021-10-07T16:25:00Z",
        SlackOptions {
            fake: Some(fake),
            store: Some(store),
            ..threaded()
        },
    )
    .await;
    sent(&again.store).await;
    assert_eq!(
        on_demand_posts(&again.fake, &parent),
        (1, 1),
        "still one post in the channel and one reply in the thread"
    );
    assert!(
        again.fake.calls_of("conversations.replies").len() > looked,
        "the job ran again and looked at the thread"
    );
    again.stop().await;
}

#[tokio::test]
async fn a_board_whose_answer_was_lost_is_found_not_posted_twice() {
    let (bot, parent) = thread_opened(threaded()).await;
    // Only posts with a dedupe key carry metadata: the question's reply
    // goes through, the board's answer is lost.
    bot.fake.inject(Fault::LoseAnswer {
        method: Some("chat.postMessage".into()),
        with_arg: Some("metadata".into()),
        times: 1,
    });
    let asked = ask(&bot, &FakeUser::attendee(1), "Does JfrUnit run in CI?").await;
    assert!(asked.contains("is up"), "{asked}");
    let session = emcee_core::agenda::SessionId::new(SESSION);
    let team = bot.fake.ids().team_id.clone();
    let board = wait("the board stored", || async {
        bot.store.board(&team, &session).await.ok().flatten()
    })
    .await;
    assert_eq!(bot.fake.injected().lost_answers, 1);
    let channel = bot.fake.ids().random_channel_id.clone();
    let boards: Vec<StoredMessage> = bot
        .fake
        .messages(&channel)
        .into_iter()
        .filter(|m| m.by_bot() && m.text.contains("Next question"))
        .collect();
    assert_eq!(boards.len(), 1, "one board");
    assert_eq!(boards[0].thread_ts.as_deref(), Some(parent.as_str()));
    assert_eq!(
        board.message, boards[0].ts,
        "the one stored is the one posted"
    );
    bot.stop().await;
}

/// A long thread is read to its end: a reply past the first page of
/// `conversations.replies` is found, and the closing line is said once by
/// two processes one after the other.
#[tokio::test]
async fn a_reply_past_the_first_page_of_a_long_thread_is_found_and_the_thread_closes_once() {
    use emcee_core::chat::{ChatPort, Post, Text};
    let fake = FakeSlack::start().await.unwrap();
    let channel = fake.ids().general_channel_id.clone();
    let user = FakeUser::attendee(1);
    let parent = fake.user_message(&user, &channel, "the session").unwrap();
    for n in 0..250 {
        fake.user_reply(&user, &channel, &parent, &format!("question {n}"))
            .unwrap();
    }
    let thread = format!("{channel}/{parent}");
    let reply = Post::lines(vec![Text::plain("Now on demand")]).deduped("thread0123456789abcdef");
    let fresh = || super::outbound::port(&fake, Pacing::default());
    let first = fresh().post(&thread, &reply).await.unwrap();
    let pages = fake.calls_of("conversations.replies").len();
    let again = fresh().post(&thread, &reply).await.unwrap();
    assert_eq!(
        again, first,
        "found by its metadata, on the thread's second page"
    );
    let paged = fake.calls_of("conversations.replies")[pages..]
        .iter()
        .filter(|c| c.arg("cursor").is_some())
        .count();
    assert!(paged >= 1, "read past the first page");
    for _ in 0..2 {
        fresh().archive_thread(&thread).await.unwrap();
    }
    let said = |text: &str| {
        fake.messages(&channel)
            .iter()
            .filter(|m| m.by_bot() && m.text.contains(text))
            .count()
    };
    assert_eq!(said("Now on demand"), 1);
    assert_eq!(
        said(emcee::slack::port::CLOSING_LINE),
        1,
        "the closing line once"
    );
}

//! A crash in the middle of a burst of upvotes: every vote answered before
//! it is stored, none lost and none counted twice once the bot is back.

use super::{ask, click_all, config_dir, question_message, upvote_button, wait_count, AT, SESSION};
use crate::harness::{BotOptions, TestBot};
use emcee_core::questions::QuestionStore;
use fake_discord::FakeUser;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_during_upvotes_loses_none_and_doubles_none() {
    let (dir, config) = config_dir();
    let database = dir.path().join("qa.sqlite3");
    let store = emcee_core::store::Store::open(&database).unwrap();
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let options = |store| BotOptions {
        config: config.clone(),
        store: Some(store),
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, AT, options(store)).await;
    let question = json!({ "question": "What does a crash cost?", "session": SESSION });
    ask(&bot, &FakeUser::attendee(1), question).await;
    let message = question_message(&bot, "crash cost").await;
    let (button, _) = upvote_button(&message);
    let first: Vec<FakeUser> = (200..230).map(FakeUser::attendee).collect();
    click_all(&bot, message.id, &button, &first).await;
    // Clicks still in flight when the bot dies: each is stored or not at all.
    let mut handles = Vec::new();
    for n in 230..240 {
        let user = FakeUser::attendee(n);
        handles.push(bot.fake.click_button(&user, message.id, &button).await);
    }
    let (fake, store) = bot.kill();
    fake.close_gateway(4004);
    drop(store);
    let answered = handles
        .iter()
        .filter(|h| {
            let path = format!("/interactions/{}/{}/callback", h.id, h.token);
            fake.requests().iter().any(|r| r.is("POST", &path))
        })
        .count();

    let reopened = emcee_core::store::Store::open(&database).unwrap();
    let id: i64 = button.rsplit(':').next().unwrap().parse().unwrap();
    let stored = reopened.question(id).await.unwrap().unwrap().votes;
    assert!(
        (30 + answered..=40).contains(&(stored as usize)),
        "{stored} votes stored, {answered} in-flight clicks answered: every answered one counts"
    );
    let again = TestBot::start_with(fake, AT, options(reopened)).await;
    let more: Vec<FakeUser> = (240..260).map(FakeUser::attendee).collect();
    click_all(&again, message.id, &button, &more).await;
    let expected = stored + 20;
    wait_count(&again, message.id, &format!("▲ {expected}")).await;
    assert_eq!(
        again.store.question(id).await.unwrap().unwrap().votes,
        expected,
        "none doubled"
    );
    again.stop().await;
}

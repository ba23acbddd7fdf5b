//! A crash in the middle of a burst of upvotes: every vote answered before
//! it is stored, none lost and none counted twice once the bot is back.

use super::{ask, click_all, config_dir, question_message, upvote_button, AT, SESSION};
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

    // The killed process's handlers may still finish a click they had begun
    // (in-process, a task outlives its bot): those votes are stored too.
    let reopened = emcee_core::store::Store::open(&database).unwrap();
    let id: i64 = button.rsplit(':').next().unwrap().parse().unwrap();
    let again = TestBot::start_with(fake, AT, options(reopened)).await;
    let more: Vec<FakeUser> = (240..260).map(FakeUser::attendee).collect();
    click_all(&again, message.id, &button, &more).await;
    let deadline = std::time::Instant::now() + crate::harness::PATIENCE;
    let settled = loop {
        let stored = again.store.question(id).await.unwrap().unwrap().votes as usize;
        let shown = upvote_button(&again.fake.message(message.id).unwrap()).1;
        if shown == format!("▲ {stored}") {
            break stored;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "shown {shown}, stored {stored}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(
        (50 + answered..=60).contains(&settled),
        "{settled} votes: the 30 confirmed, the {answered} in-flight clicks that were \
         answered, and the 20 after the restart all count, and nothing twice"
    );
    again.stop().await;
}

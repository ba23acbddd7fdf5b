//! A bare serenity bot against the fake: READY, commands answered over REST, a
//! reaction, and a dropped gateway connection that the client resumes.

use fake_discord::{Config, FakeDiscord, FakeUser, RecordedRequest};
use serde_json::json;

use crate::harness::{intents, Bot, WAIT};

fn posts_pong(channel: u64) -> impl Fn(&RecordedRequest) -> bool {
    let path = format!("/channels/{channel}/messages");
    move |r| r.is("POST", &path) && r.body_str("content") == Some("pong")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_answers_messages_commands_and_reactions_and_survives_a_resume() {
    let fake = FakeDiscord::start().await.unwrap();
    let mut bot = Bot::start(&fake).await;
    fake.wait_ready(WAIT).await.unwrap();
    let identify = fake.identifies().remove(0);
    assert_eq!(identify["intents"], json!(intents().bits()));
    assert_eq!(identify["token"], json!("Bot fake-token"));
    let general = fake.ids().general_channel_id;
    let user = FakeUser::attendee(7);

    answers_ping(&fake, &user).await;
    answers_slash_command(&fake, &user).await;
    let react_to = fake.user_message(general, &user, "!react").await;
    let path = format!("/channels/{general}/messages/{react_to}/reactions/%F0%9F%91%8D/@me");
    fake.wait_for_request(|r| r.is("PUT", &path), WAIT)
        .await
        .unwrap();
    assert_eq!(
        fake.reaction_users(react_to, "👍"),
        [fake.ids().bot_user_id]
    );
    bot.handled("own_reaction_add").await;

    // Drop the TCP connection; a message sent meanwhile is replayed on RESUME.
    assert!(fake.drop_gateway());
    fake.user_message(general, &user, "!ping").await;
    fake.wait_ready(WAIT).await.unwrap();
    assert_eq!(fake.resumes(), 1);
    assert_eq!(fake.identifies().len(), 1, "resumed, not re-identified");
    wait_for_pongs(&fake, general, 2).await;

    // And it still answers new events on the resumed session.
    fake.user_message(general, &user, "!ping").await;
    wait_for_pongs(&fake, general, 3).await;
    bot.stop().await;
}

async fn answers_ping(fake: &FakeDiscord, user: &FakeUser) {
    let general = fake.ids().general_channel_id;
    fake.user_message(general, user, "!ping").await;
    let pong = fake
        .wait_for_request(posts_pong(general), WAIT)
        .await
        .unwrap();
    assert_eq!(pong.header("authorization"), Some("Bot fake-token"));
    assert!(
        !format!("{pong:?}").contains("fake-token"),
        "Debug redacts the token"
    );
    let stored: Vec<String> = fake
        .messages(general)
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(stored, ["!ping", "pong"]);
}

async fn answers_slash_command(fake: &FakeDiscord, user: &FakeUser) {
    let slash = fake.slash_command(user, "ping", json!({})).await;
    let callback = fake
        .wait_for_interaction_response(&slash, WAIT)
        .await
        .unwrap();
    assert_eq!(callback.status, 204);
    let body = callback.body.unwrap();
    assert_eq!(body["type"], json!(4));
    assert_eq!(body["data"]["content"], json!("pong from /ping"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4000_resumes_too() {
    let fake = FakeDiscord::start().await.unwrap();
    let bot = Bot::start(&fake).await;
    fake.wait_ready(WAIT).await.unwrap();
    assert!(fake.close_gateway(4000));
    fake.wait_ready(WAIT).await.unwrap();
    let general = fake.ids().general_channel_id;
    fake.user_message(general, &FakeUser::attendee(1), "!ping")
        .await;
    fake.wait_for_request(posts_pong(general), WAIT)
        .await
        .unwrap();
    assert_eq!((fake.resumes(), fake.identifies().len()), (1, 1));
    let resumed = fake
        .dispatched()
        .into_iter()
        .filter(|d| d.event == "RESUMED")
        .count();
    assert_eq!(resumed, 1);
    bot.stop().await;
}

async fn wait_for_pongs(fake: &FakeDiscord, channel: u64, count: usize) {
    let what = format!("{count} pongs");
    let pongs = |f: &FakeDiscord| {
        f.messages(channel)
            .iter()
            .filter(|m| m.content == "pong")
            .count()
    };
    fake.wait_until(&what, WAIT, |f| (pongs(f) >= count).then_some(()))
        .await
        .unwrap();
    assert_eq!(pongs(fake), count);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_heartbeats_keep_the_session() {
    let config = Config {
        heartbeat_interval_ms: 100,
        ..Config::default()
    };
    let fake = FakeDiscord::start_with(config).await.unwrap();
    let bot = Bot::start(&fake).await;
    fake.wait_ready(WAIT).await.unwrap();
    // serenity polls its socket every 500 ms, so this takes a couple of seconds.
    fake.wait_until("3 heartbeats", WAIT, |f| {
        (f.heartbeats() >= 3).then_some(())
    })
    .await
    .unwrap();
    assert_eq!((fake.identifies().len(), fake.resumes()), (1, 0));
    bot.stop().await;
}

//! TLS mode: serenity's own ratelimiter against the fake. No proxy; the reqwest
//! client resolves `discord.com` to the fake and trusts its certificate.

use std::time::{Duration, Instant};

use fake_discord::{Config, FakeDiscord, FakeUser, Fault, Matcher};
use serenity::all::{Http, HttpBuilder};

use crate::harness::{channel, Bot, WAIT};

fn ratelimited_http(fake: &FakeDiscord) -> Http {
    HttpBuilder::new("fake-token")
        .client(fake.tls_client().expect("started with TLS"))
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_waits_out_an_injected_429_and_retries() {
    let fake = FakeDiscord::start_tls().await.unwrap();
    let http = ratelimited_http(&fake);
    assert_eq!(
        http.get_current_user().await.unwrap().id.get(),
        fake.ids().bot_user_id
    );

    fake.inject(Fault::RateLimited {
        matcher: Matcher::new("POST", "/channels/*/messages"),
        retry_after: Duration::from_millis(300),
        global: false,
        times: 1,
    });
    let started = Instant::now();
    channel(fake.ids().general_channel_id)
        .say(&http, "after the limit")
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "serenity honoured retry-after"
    );
    let posts: Vec<u16> = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, [429, 200], "one refusal, one retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_waits_for_an_exhausted_bucket_to_reset() {
    let config = Config {
        rate_limit: 1,
        rate_window: Duration::from_millis(400),
        ..Config::default()
    };
    let fake = FakeDiscord::start_tls_with(config).await.unwrap();
    let http = ratelimited_http(&fake);
    http.get_current_user().await.unwrap();
    let started = Instant::now();
    http.get_current_user().await.unwrap();
    // The first answer said `remaining: 0, reset-after: 0.4`: serenity waits first.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited {:?}",
        started.elapsed()
    );
    assert!(
        fake.requests().iter().all(|r| r.status == 200),
        "no 429 was needed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_with_the_ratelimiter_on_answers_over_tls() {
    let fake = FakeDiscord::start_tls().await.unwrap();
    let bot = Bot::start_with(ratelimited_http(&fake)).await;
    fake.wait_ready(WAIT).await.unwrap();
    let general = fake.ids().general_channel_id;
    fake.user_message(general, &FakeUser::attendee(1), "!ping")
        .await;
    let path = format!("/channels/{general}/messages");
    let pong = fake
        .wait_for_request(|r| r.is("POST", &path), WAIT)
        .await
        .unwrap();
    assert_eq!(pong.body_str("content"), Some("pong"));
    bot.stop().await;
}

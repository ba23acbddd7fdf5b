//! The paced outbound sender against the fake Discord: in proxy mode (our
//! pacing only) and through TLS with `discord.com` resolved to the fake (the
//! production code path with only DNS and trust changed).

use crate::harness::{BotOptions, TestBot, PATIENCE};
use emcee::discord::outbound::{Outbound, OutboundError, Pacing};
use emcee::discord::BotToken;
use fake_discord::{FakeDiscord, FakeUser, Fault, Matcher};
use serde_json::json;
use std::time::Duration;

fn token() -> BotToken {
    BotToken::new("fake-token".into()).unwrap()
}

fn statuses(fake: &FakeDiscord, method: &str, path: &str) -> Vec<u16> {
    fake.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_ridden_out_with_one_message_each() {
    let fake = FakeDiscord::start().await.unwrap();
    let channel = fake.ids().announcements_channel_id;
    let path = format!("/channels/{channel}/messages");
    let outbound = Outbound::new(
        &fake.base_url(),
        &token(),
        reqwest::Client::new(),
        Pacing::default(),
    );
    let matcher = || Matcher::new("POST", "/channels/*/messages");
    fake.inject(Fault::RateLimited {
        matcher: matcher(),
        retry_after: Duration::from_millis(300),
        global: false,
        times: 2,
    });
    fake.inject(Fault::ServerError {
        matcher: matcher(),
        status: 502,
        times: 1,
    });
    let body =
        json!({ "content": "Starting now: @everyone G1", "nonce": "job-1", "enforce_nonce": true });
    let message = outbound
        .create_message(channel, body, Vec::new())
        .await
        .unwrap();
    assert_eq!(message["content"], "Starting now: @everyone G1");
    assert_eq!(statuses(&fake, "POST", &path), [429, 429, 502, 200]);
    let stored = fake.messages(channel);
    assert_eq!(stored.len(), 1, "one message despite three failed attempts");
    let sent = fake
        .requests()
        .into_iter()
        .rfind(|r| r.path == path)
        .unwrap();
    assert_eq!(
        sent.body.unwrap()["allowed_mentions"],
        json!({ "parse": [] }),
        "nothing pings"
    );
}

#[tokio::test]
async fn messages_to_one_channel_keep_their_order_under_pacing() {
    let fake = FakeDiscord::start().await.unwrap();
    let channel = fake.ids().general_channel_id;
    let pacing = Pacing {
        channel_messages: 3,
        channel_window: Duration::from_millis(100),
        ..Pacing::default()
    };
    let outbound = Outbound::new(&fake.base_url(), &token(), reqwest::Client::new(), pacing);
    fake.inject(Fault::RateLimited {
        matcher: Matcher::new("POST", "/channels/*/messages"),
        retry_after: Duration::from_millis(50),
        global: true,
        times: 1,
    });
    let sends = (0..10).map(|n| {
        let outbound = outbound.clone();
        async move {
            outbound
                .create_message(channel, json!({ "content": format!("#{n}") }), Vec::new())
                .await
        }
    });
    // Started in order on one task, so their turns are taken in order.
    let results = futures_in_order(sends).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let contents: Vec<String> = fake
        .messages(channel)
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(
        contents,
        (0..10).map(|n| format!("#{n}")).collect::<Vec<_>>()
    );
}

/// Runs futures concurrently but polls them first in the given order.
async fn futures_in_order<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs = Vec::new();
    let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
    // Poll each once in order to queue its turn, then await all.
    for slot in &mut pending {
        if let Some(future) = slot.as_mut() {
            let _ = tokio::time::timeout(Duration::from_millis(1), future.as_mut()).await;
        }
    }
    for slot in pending.into_iter().flatten() {
        outputs.push(
            tokio::time::timeout(PATIENCE, slot)
                .await
                .expect("send finished"),
        );
    }
    outputs
}

#[tokio::test]
async fn refusals_come_back_at_once_with_discords_code() {
    let fake = FakeDiscord::start().await.unwrap();
    let user = FakeUser::attendee(9);
    fake.inject(Fault::DmClosed { user_id: user.id });
    let outbound = Outbound::new(
        &fake.base_url(),
        &token(),
        reqwest::Client::new(),
        Pacing::default(),
    );
    let dm = outbound.open_dm(user.id).await.unwrap();
    let error = outbound
        .create_message(dm, json!({ "content": "Reminder" }), Vec::new())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(50007), "{error}");
    assert!(matches!(error, OutboundError::Rejected { status: 403, .. }));
}

#[tokio::test]
async fn through_tls_as_discord_com_the_sender_rides_out_a_global_429() {
    let fake = FakeDiscord::start_tls().await.unwrap();
    let client = fake.tls_client().expect("a client trusting the fake");
    let outbound = Outbound::new("https://discord.com", &token(), client, Pacing::default());
    let channel = fake.ids().polls_channel_id;
    fake.inject(Fault::RateLimited {
        matcher: Matcher::any_method("/channels/*/messages"),
        retry_after: Duration::from_millis(200),
        global: true,
        times: 1,
    });
    let message = outbound
        .create_message(channel, json!({ "content": "poll" }), Vec::new())
        .await
        .unwrap();
    outbound
        .add_reaction(
            channel,
            message["id"].as_str().unwrap().parse().unwrap(),
            "🦀",
        )
        .await
        .unwrap();
    assert_eq!(fake.messages(channel).len(), 1);
    assert_eq!(
        statuses(&fake, "POST", &format!("/channels/{channel}/messages")),
        [429, 200]
    );
}

#[tokio::test]
async fn a_killed_bot_starts_again_on_the_same_fake_and_database() {
    let bot = TestBot::start_at("2021-10-07T15:55:00Z").await;
    assert_eq!(bot.data.store.sqlite().map(|s| s.path()), Some(":memory:"));
    let (fake, store) = bot.kill();
    let again = TestBot::start_with(
        fake,
        "2021-10-07T15:56:00Z",
        BotOptions {
            store: Some(store),
            ..BotOptions::default()
        },
    )
    .await;
    let answer = again.ask("now", json!({})).await;
    assert_eq!(answer["data"]["embeds"][0]["title"], "Live now");
    again.stop().await;
}

#[tokio::test]
async fn a_dm_channel_is_opened_once_kept_and_reopened_when_discord_forgot_it() {
    use emcee::discord::port::DiscordPort;
    use emcee_core::chat::{ChatPort, DirectChannels, Post, Text};
    use emcee_core::store::Store;
    use std::sync::Arc;

    let fake = FakeDiscord::start().await.unwrap();
    let user = FakeUser::attendee(3);
    let store = Store::in_memory().unwrap();
    let outbound = Outbound::new(
        &fake.base_url(),
        &token(),
        reqwest::Client::new(),
        Pacing::default(),
    );
    let port = DiscordPort::new(outbound, Vec::new()).with_direct_channels(Arc::new(store.clone()));
    let post = |n: u32| Post::lines(vec![Text::plain(format!("reminder {n}"))]);
    let opens = |fake: &FakeDiscord| statuses(fake, "POST", "/users/@me/channels").len();
    let id = user.id.to_string();

    port.direct(&id, &post(1)).await.unwrap();
    port.direct(&id, &post(2)).await.unwrap();
    assert_eq!(opens(&fake), 1, "opened once, then kept");
    let dm = fake.dm_channel(&user);
    let kept = store.channel_of("discord", &id).await.unwrap();
    assert_eq!(kept, Some(dm.to_string()), "kept in the store");

    // A kept channel Discord no longer knows (10003) is reopened once.
    let now = chrono::Utc::now();
    store
        .keep_channel("discord", &id, "999", now)
        .await
        .unwrap();
    let sent = port.direct(&id, &post(3)).await.unwrap();
    assert_eq!(sent.channel, dm.to_string());
    assert_eq!(statuses(&fake, "POST", "/channels/999/messages"), [404]);
    assert_eq!(opens(&fake), 2);
    let kept = store.channel_of("discord", &id).await.unwrap();
    assert_eq!(kept, Some(dm.to_string()), "the stale id was replaced");
    let contents: Vec<String> = fake.messages(dm).into_iter().map(|m| m.content).collect();
    assert_eq!(contents, ["reminder 1", "reminder 2", "reminder 3"]);
}

#[tokio::test]
async fn dm_opens_run_side_by_side_within_discords_global_limit() {
    use emcee::discord::port::DiscordPort;
    use emcee_core::chat::{ChatPort, Post, Text};
    use std::sync::Arc;

    let fake = FakeDiscord::start_with(fake_discord::Config {
        global_per_second: Some(50),
        ..fake_discord::Config::default()
    })
    .await
    .unwrap();
    // Slow opens: one at a time, 60 of them would take 18 s.
    fake.inject(Fault::Delay {
        matcher: Matcher::new("POST", "/users/@me/channels"),
        delay: Duration::from_millis(300),
        times: 60,
    });
    let outbound = Outbound::new(
        &fake.base_url(),
        &token(),
        reqwest::Client::new(),
        Pacing::default(),
    );
    let port = Arc::new(DiscordPort::new(outbound, Vec::new()));
    let started = std::time::Instant::now();
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..60 {
        let port = Arc::clone(&port);
        sends.spawn(async move {
            let user = FakeUser::attendee(100 + n).id.to_string();
            let post = Post::lines(vec![Text::plain("The keynote starts soon")]);
            port.direct(&user, &post).await
        });
    }
    while let Some(sent) = sends.join_next().await {
        assert!(sent.unwrap().is_ok());
    }
    let elapsed = started.elapsed();
    // 120 requests at the sender's 45 a second take at least 2.7 s; one open
    // at a time could not take under 18 s (the delays are sleeps, which a
    // loaded machine does not stretch much), so 15 s proves they overlap.
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}");
    let requests = fake.requests();
    assert!(
        requests.iter().all(|r| r.status != 429),
        "never over the limit"
    );
    let opens = statuses(&fake, "POST", "/users/@me/channels");
    assert_eq!(opens.len(), 60);
}

//! 429s: injected storms with `Retry-After`, and Slack's own limits enforced.

use std::time::Duration;

use fake_slack::{Config, FakeSlack, Fault};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::{channel, text};
use crate::harness::{bot_token, client, retrying_client, Web};

#[tokio::test]
async fn a_429_carries_retry_after_and_a_retrying_client_rides_it_out() {
    let fake = FakeSlack::start().await.unwrap();
    let general = fake.ids().general_channel_id.clone();
    fake.inject(Fault::RateLimited {
        method: Some("chat.postMessage".to_owned()),
        retry_after: Duration::from_secs(1),
        times: 2,
    });
    let plain = client(&fake);
    let request = SlackApiChatPostMessageRequest::new(channel(&general), text("hello"));
    match plain
        .open_session(&bot_token(&fake))
        .chat_post_message(&request)
        .await
    {
        Err(SlackClientError::RateLimitError(e)) => {
            assert_eq!(e.retry_after, Some(Duration::from_secs(1)));
            assert_eq!(e.code.as_deref(), Some("ratelimited"));
        }
        other => panic!("expected a rate limit error, got {other:?}"),
    }
    let retrying = retrying_client(&fake, 3);
    retrying
        .open_session(&bot_token(&fake))
        .chat_post_message(&request)
        .await
        .unwrap();
    let statuses: Vec<u16> = fake
        .calls_of("chat.postMessage")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [429, 429, 200]);
    let calls = fake.calls_of("chat.postMessage");
    let waited = calls[2].received_at - calls[1].received_at;
    assert!(waited >= Duration::from_millis(900), "waited {waited:?}");
    assert_eq!(fake.injected().rate_limited, 2);
    assert_eq!(fake.messages(&general).len(), 1);
}

#[tokio::test]
async fn enforced_limits_hold_posts_per_channel_with_a_short_burst() {
    let web = Web::start(Config {
        enforce_rate_limits: true,
        ..Default::default()
    })
    .await;
    let (fake, session) = (&web.fake, web.session());
    let ids = fake.ids().clone();
    let post = |id: &str| SlackApiChatPostMessageRequest::new(channel(id), text("Starting now"));
    for _ in 0..5 {
        session
            .chat_post_message(&post(&ids.general_channel_id))
            .await
            .unwrap();
    }
    match session
        .chat_post_message(&post(&ids.general_channel_id))
        .await
    {
        Err(SlackClientError::RateLimitError(e)) => {
            let wait = e.retry_after.unwrap();
            assert!(
                wait >= Duration::from_secs(4) && wait <= Duration::from_secs(5),
                "{wait:?}"
            );
        }
        other => panic!("expected a rate limit error, got {other:?}"),
    }
    session
        .chat_post_message(&post(&ids.announcements_channel_id))
        .await
        .unwrap();
    assert_eq!(fake.messages(&ids.general_channel_id).len(), 5);
    assert_eq!(
        fake.calls_of("chat.postMessage")
            .iter()
            .filter(|c| c.status == 429)
            .count(),
        1
    );
}

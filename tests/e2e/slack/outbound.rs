//! The Slack port's transport against the fake: a post that landed before a
//! crash is found by its metadata instead of posted again, 429 storms are
//! ridden out in order, and 5xx retries are bounded.

use emcee::slack::outbound::Pacing;
use emcee::slack::port::SlackPort;
use emcee::slack::start::{prepare, Connection};
use emcee::slack::SlackTokens;
use emcee_core::chat::{ChatPort, KeptInMemory, PortError, Post, Text};
use emcee_core::config::SlackSettings;
use fake_slack::{FakeSlack, Fault};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A port as a freshly started process has it: no memory of earlier posts.
pub(super) fn port(fake: &FakeSlack, pacing: Pacing) -> Arc<SlackPort> {
    let tokens = SlackTokens::new(fake.bot_token().into(), fake.app_token().into()).unwrap();
    let settings = SlackSettings {
        workspace: fake.ids().team_id.clone(),
        organisers: Vec::new(),
    };
    let connection = Connection {
        api_base: fake.api_url(),
        pacing,
        ..Connection::default()
    };
    let kept = Arc::new(KeptInMemory::default());
    prepare(tokens, &settings, &connection, kept).unwrap().port
}

fn post(text: &str) -> Post {
    Post::lines(vec![Text::plain(text)])
}

#[tokio::test]
async fn a_post_that_landed_before_a_crash_is_not_posted_again() {
    let fake = FakeSlack::start().await.unwrap();
    let channel = fake.ids().announcements_channel_id.clone();
    let announcement = post("Starting now: Fast I/O").deduped("em0123456789abcdef");
    let first = port(&fake, Pacing::default())
        .post(&channel, &announcement)
        .await
        .unwrap();
    // The process died before recording the post; the next one retries the job.
    let again = port(&fake, Pacing::default())
        .post(&channel, &announcement)
        .await
        .unwrap();
    assert_eq!(again, first, "the earlier post is found by its metadata");
    let landed = fake
        .messages(&channel)
        .into_iter()
        .filter(|m| m.by_bot())
        .count();
    assert_eq!(landed, 1);
    let other = post("Starting now: Fast I/O").deduped("em0000000000000001");
    port(&fake, Pacing::default())
        .post(&channel, &other)
        .await
        .unwrap();
    assert_eq!(
        fake.messages(&channel)
            .into_iter()
            .filter(|m| m.by_bot())
            .count(),
        2,
        "another key is another post"
    );
}

#[tokio::test]
async fn a_429_storm_is_ridden_out_in_order_and_channels_do_not_wait_for_each_other() {
    let fake = FakeSlack::start().await.unwrap();
    let port = port(&fake, Pacing::default());
    let (one, two) = (
        fake.ids().announcements_channel_id.clone(),
        fake.ids().general_channel_id.clone(),
    );
    fake.inject(Fault::RateLimited {
        method: Some("chat.postMessage".into()),
        retry_after: Duration::from_secs(1),
        times: 3,
    });
    let started = Instant::now();
    let mut sends = Vec::new();
    for n in 0..5 {
        let (port, channel) = (Arc::clone(&port), one.clone());
        sends.push(tokio::spawn(async move {
            port.post(&channel, &post(&format!("message {n}"))).await
        }));
        tokio::task::yield_now().await;
    }
    for send in sends {
        send.await.unwrap().unwrap();
    }
    let texts: Vec<String> = fake
        .messages(&one)
        .into_iter()
        .filter(|m| m.by_bot())
        .map(|m| m.text)
        .collect();
    assert_eq!(
        texts,
        (0..5).map(|n| format!("message {n}")).collect::<Vec<_>>(),
        "each once, in order"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "Retry-After honoured"
    );
    // Eight channels' worth of posts do not queue behind one another.
    let started = Instant::now();
    port.post(&two, &post("elsewhere")).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let fake = FakeSlack::start().await.unwrap();
    let pacing = Pacing {
        retry_backoff: Duration::from_millis(10),
        ..Pacing::default()
    };
    let port = port(&fake, pacing);
    let channel = fake.ids().general_channel_id.clone();
    fake.inject(Fault::ServerError {
        method: Some("chat.postMessage".into()),
        status: 503,
        times: 2,
    });
    port.post(&channel, &post("after two 503s")).await.unwrap();
    let refused = port.post("C0NOSUCH", &post("nowhere")).await.unwrap_err();
    assert!(matches!(refused, PortError::Refused(_)), "{refused:?}");
    fake.inject(Fault::ServerError {
        method: Some("chat.postMessage".into()),
        status: 500,
        times: 100,
    });
    let failed = port.post(&channel, &post("never")).await.unwrap_err();
    assert!(matches!(failed, PortError::Transient(_)), "{failed:?}");
    assert!(failed.to_string().contains("after 5 attempts"), "{failed}");
}

//! Scheduled messages, which post when the fake's clock reaches them.

use std::time::Duration;

use fake_slack::Config;
use serde_json::json;
use slack_morphism::prelude::*;

use super::{api_code, channel, text};
use crate::harness::Web;

#[tokio::test]
async fn a_scheduled_message_posts_when_the_clock_reaches_it() {
    let web = Web::start(Config {
        start_at: Some(1_765_432_100),
        ..Default::default()
    })
    .await;
    let (fake, session) = (&web.fake, web.session());
    let announcements = fake.ids().announcements_channel_id.clone();
    let at = |secs: u64| {
        SlackDateTime::new(
            slack_morphism::SlackUtcDateTime::from_second(i64::try_from(secs).unwrap()).unwrap(),
        )
    };
    let schedule = |post_at: u64, what: &str| {
        SlackApiChatScheduleMessageRequest::new(channel(&announcements), text(what), at(post_at))
    };
    let past = session
        .chat_schedule_message(&schedule(1_765_432_000, "late"))
        .await;
    assert_eq!(api_code(past), "time_in_past");
    let far = session
        .chat_schedule_message(&schedule(1_765_432_100 + 121 * 24 * 3600, "far"))
        .await;
    assert_eq!(api_code(far), "time_too_far");
    let soon = session
        .chat_schedule_message(&schedule(1_765_432_160, "Starting now: eBPF"))
        .await
        .unwrap();
    let later = session
        .chat_schedule_message(&schedule(1_765_432_400, "cancelled talk"))
        .await
        .unwrap();
    let listed = session
        .chat_scheduled_messages_list(&SlackApiChatScheduledMessagesListRequest::new())
        .await
        .unwrap();
    assert_eq!(listed.scheduled_messages.len(), 2);

    // slack-morphism's own delete sends `scheduled_message`; Slack wants
    // `scheduled_message_id`, so the adapter posts that method raw.
    let typed = session
        .chat_delete_scheduled_message(&SlackApiChatDeleteScheduledMessageRequest::new(
            channel(&announcements),
            later.scheduled_message_id.clone(),
        ))
        .await;
    assert_eq!(api_code(typed), "invalid_arguments");
    let url = format!("{}/chat.deleteScheduledMessage", fake.api_url())
        .parse()
        .unwrap();
    let raw =
        json!({ "channel": announcements, "scheduled_message_id": later.scheduled_message_id });
    let deleted: ClientResult<serde_json::Value> = session
        .http_session_api
        .http_post_uri(url, &raw, None)
        .await;
    deleted.unwrap();

    assert!(fake.advance(Duration::from_secs(59)).is_empty());
    assert!(fake.messages(&announcements).is_empty());
    let posted = fake.advance(Duration::from_secs(1));
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].text, "Starting now: eBPF");
    assert!(posted[0].ts.starts_with("1765432160."));
    assert_eq!(
        posted[0].scheduled_message_id.as_ref(),
        Some(&soon.scheduled_message_id.0)
    );
    assert!(
        fake.advance(Duration::from_secs(3600)).is_empty(),
        "the deleted one never posts"
    );
    assert!(fake.scheduled().is_empty());
}

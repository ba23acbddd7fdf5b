//! Marks: what a burst brought, read back without the log before it.

use fake_slack::{FakeSlack, FakeUser, Mark};
use slack_morphism::prelude::*;

use crate::harness::{Listener, Seen, WAIT};

#[tokio::test]
async fn a_mark_reads_back_only_the_deliveries_acks_and_answers_after_it() {
    let fake = FakeSlack::start().await.unwrap();
    let mut listener = Listener::start(&fake, 1).await;
    let general = fake.ids().general_channel_id.clone();
    let before = fake.slash_command(&FakeUser::attendee(1), &general, "now");
    fake.wait_for_ack(&before.envelope_id, WAIT).await.unwrap();
    let _ = listener.next().await;

    let mark = fake.mark();
    let burst: Vec<_> = (2..5)
        .map(|n| fake.slash_command(&FakeUser::attendee(n), &general, "next"))
        .collect();
    let mut commands = Vec::new();
    for _ in &burst {
        match listener.next().await {
            Seen::Command(command) => commands.push(*command),
            other => panic!("expected a command, got {other:?}"),
        }
    }
    let reply = SlackApiPostWebhookMessageRequest::new(
        SlackMessageContent::new().with_text("answered".into()),
    );
    for command in &commands[..2] {
        listener
            .client
            .respond_to_event(&command.response_url, &reply)
            .await
            .unwrap();
    }
    for asked in &burst {
        fake.wait_for_ack(&asked.envelope_id, WAIT).await.unwrap();
    }

    let got = mark.until(&fake.mark());
    assert_eq!(
        got,
        Mark {
            deliveries: 3,
            acks: 3,
            response_posts: 2
        }
    );
    let sent = sorted(burst.iter().map(|a| a.envelope_id.clone()));
    let delivered = fake.deliveries_since(&mark).into_iter();
    assert_eq!(sorted(delivered.map(|d| d.envelope_id)), sent);
    let acked = fake.acks_since(&mark).into_iter();
    assert_eq!(sorted(acked.map(|a| a.envelope_id)), sent);
    let answered: Vec<String> = fake
        .response_posts_since(&mark)
        .into_iter()
        .map(|p| p.token)
        .collect();
    assert_eq!(answered.len(), 2);
    assert!(answered
        .iter()
        .all(|t| burst.iter().any(|a| &a.response_token == t)));
    assert!(!answered.contains(&before.response_token));
    assert!(
        fake.acks_since(&fake.mark()).is_empty(),
        "nothing after now"
    );
    listener.stop().await;
}

fn sorted(ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.collect();
    ids.sort();
    ids
}

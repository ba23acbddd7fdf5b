//! Socket Mode through slack-morphism's listener: hello, slash commands acked
//! with their reply, `response_url` posts, button clicks, reaction events,
//! re-delivery of a lost ack to the other connection, and reconnecting after a
//! dropped socket or a `disconnect` frame.

use std::time::Duration;

use fake_slack::{Click, Config, FakeSlack, FakeUser, Fault, Origin, ResponseEffect};
use serde_json::json;
use slack_morphism::prelude::*;

use crate::harness::{Listener, Seen, WAIT};

async fn next_command(listener: &mut Listener) -> SlackCommandEvent {
    match listener.next().await {
        Seen::Command(command) => *command,
        other => panic!("expected a command, got {other:?}"),
    }
}

#[tokio::test]
async fn a_slash_command_is_acked_with_its_reply_and_answered_through_its_response_url() {
    let fake = FakeSlack::start().await.unwrap();
    let mut listener = Listener::start(&fake, 1).await;
    let general = fake.ids().general_channel_id.clone();
    let user = FakeUser::attendee(3);
    let asked = fake.slash_command(&user, &general, "next Observability");
    let command = next_command(&mut listener).await;
    assert_eq!(command.text.as_deref(), Some("next Observability"));
    assert_eq!(command.team_id.0, fake.ids().team_id);
    assert_eq!(command.user_id.0, user.id);
    assert_eq!(command.command.0, "/emcee");
    assert_eq!(
        command.response_url.0.as_str(),
        fake.response_url(&asked.response_token)
    );

    let ack = fake.wait_for_ack(&asked.envelope_id, WAIT).await.unwrap();
    assert_eq!(ack.retry_attempt, 0);
    assert!(ack.latency < WAIT);
    let reply = ack.payload.expect("the reply rides in the ack");
    assert_eq!(reply["text"], "echo: next Observability");
    let shown = fake
        .wait_for_ephemeral(
            &user.id,
            |e| e.origin == Origin::Ack(asked.envelope_id.clone()),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(shown.text, "echo: next Observability");

    let later = SlackApiPostWebhookMessageRequest::new(
        SlackMessageContent::new().with_text("the answer, later".into()),
    );
    for _ in 0..5 {
        listener
            .client
            .respond_to_event(&command.response_url, &later)
            .await
            .unwrap();
    }
    let sixth = listener
        .client
        .respond_to_event(&command.response_url, &later)
        .await;
    assert!(sixth.is_err(), "a response_url takes 5 posts");
    let effects: Vec<ResponseEffect> = fake
        .response_posts()
        .into_iter()
        .map(|p| p.effect)
        .collect();
    assert!(matches!(effects[0], ResponseEffect::Ephemeral(_)));
    assert_eq!(effects[5], ResponseEffect::Refused("used_url".into()));

    let shared = fake.slash_command(&user, &general, "now");
    next_command(&mut listener).await;
    let in_channel = json!({ "response_type": "in_channel", "text": "Live now: eBPF" });
    let posted = reqwest::Client::new()
        .post(fake.response_url(&shared.response_token))
        .json(&in_channel)
        .send()
        .await
        .unwrap();
    assert!(posted.status().is_success());
    let message = fake
        .wait_for_message(&general, |m| m.text == "Live now: eBPF", WAIT)
        .await
        .unwrap();
    assert!(message.by_bot());
    listener.stop().await;
}

#[tokio::test]
async fn a_lost_ack_is_redelivered_with_retry_attempt_1_to_the_other_connection() {
    let fake = FakeSlack::start_with(Config {
        ack_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await
    .unwrap();
    let mut listener = Listener::start(&fake, 2).await;
    let general = fake.ids().general_channel_id.clone();
    let user = FakeUser::attendee(4);
    fake.inject(Fault::DropAcks { times: 1 });
    let asked = fake.slash_command(&user, &general, "agenda");
    next_command(&mut listener).await;
    next_command(&mut listener).await;
    let ack = fake.wait_for_ack(&asked.envelope_id, WAIT).await.unwrap();
    assert_eq!(ack.retry_attempt, 1);
    let sent: Vec<_> = fake
        .deliveries()
        .into_iter()
        .filter(|d| d.envelope_id == asked.envelope_id)
        .collect();
    assert_eq!(sent.len(), 2);
    assert_eq!((sent[0].retry_attempt, sent[1].retry_attempt), (0, 1));
    assert_ne!(
        sent[0].connection, sent[1].connection,
        "re-delivered elsewhere"
    );
    let acks = fake.acks();
    assert!(acks[0].dropped && !acks[1].dropped);
    assert_eq!(fake.injected().dropped_acks, 1);

    let before = fake.deliveries().len();
    for n in 0..4 {
        let asked = fake.slash_command(&user, &general, &format!("n{n}"));
        next_command(&mut listener).await;
        fake.wait_for_ack(&asked.envelope_id, WAIT).await.unwrap();
    }
    let conns: Vec<u64> = fake.deliveries()[before..]
        .iter()
        .map(|d| d.connection)
        .collect();
    assert_ne!(conns[0], conns[1], "round robin: {conns:?}");
    assert_eq!(conns[0], conns[2]);
    listener.stop().await;
}

#[tokio::test]
async fn a_button_click_comes_with_the_message_and_its_response_url_replaces_it() {
    let fake = FakeSlack::start().await.unwrap();
    let mut listener = Listener::start(&fake, 1).await;
    let polls = fake.ids().polls_channel_id.clone();
    let blocks = json!([
        { "type": "section", "block_id": "option-a", "text": { "type": "mrkdwn", "text": "Tea" },
          "accessory": { "type": "button", "action_id": "vote:a", "value": "poll-1:a", "text": { "type": "plain_text", "text": "Vote" } } },
    ]);
    let posted = listener.post_blocks(&fake, &polls, "Tea?", blocks).await;
    let voter = FakeUser::attendee(5);
    let click = fake.click(&voter, &polls, &posted.ts.0, "vote:a");
    let Seen::Interaction(event) = listener.next().await else {
        panic!("expected an interaction");
    };
    let SlackInteractionEvent::BlockActions(event) = *event else {
        panic!("expected block_actions");
    };
    let action = &event.actions.as_ref().unwrap()[0];
    assert_eq!(action.action_id.0, "vote:a");
    assert_eq!(action.value.as_deref(), Some("poll-1:a"));
    assert_eq!(
        action.block_id.as_ref().map(|b| b.0.as_str()),
        Some("option-a")
    );
    assert_eq!(
        event.message.as_ref().map(|m| &m.origin.ts),
        Some(&posted.ts)
    );
    assert_eq!(
        event.user.as_ref().map(|u| u.id.0.clone()),
        Some(voter.id.clone())
    );
    fake.wait_for_ack(&click.envelope_id, WAIT).await.unwrap();

    let private = json!({ "text": "You voted Tea" });
    let replace = json!({ "replace_original": true, "text": "Tea? 1 vote" });
    let http = reqwest::Client::new();
    for body in [private, replace] {
        let answer = http
            .post(fake.response_url(&click.response_token))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
    }
    let forged = fake.click_as(&Click {
        user: voter.clone(),
        channel: polls.clone(),
        ts: posted.ts.0.clone(),
        action_id: "vote:a".into(),
        block_id: "option-z".into(),
        value: "poll-2:z".into(),
    });
    let Seen::Interaction(event) = listener.next().await else {
        panic!("expected an interaction");
    };
    let SlackInteractionEvent::BlockActions(event) = *event else {
        panic!("expected block_actions");
    };
    assert_eq!(event.actions.unwrap()[0].value.as_deref(), Some("poll-2:z"));
    fake.wait_for_ack(&forged.envelope_id, WAIT).await.unwrap();

    let posts = fake.response_posts();
    assert!(matches!(posts[0].effect, ResponseEffect::Ephemeral(_)));
    assert_eq!(posts[1].effect, ResponseEffect::Replaced);
    assert_eq!(
        fake.message(&polls, &posted.ts.0).unwrap().text,
        "Tea? 1 vote"
    );
    listener.stop().await;
}

#[tokio::test]
async fn reaction_events_survive_a_dropped_socket_and_a_refresh() {
    let fake = FakeSlack::start().await.unwrap();
    let polls = fake.ids().polls_channel_id.clone();
    let user = FakeUser::attendee(6);
    let ts = fake.user_message(&user, &polls, "anyone for tea?").unwrap();
    let early = fake
        .react(&user, &polls, &ts, "tea")
        .unwrap()
        .expect("subscribed");
    let mut listener = Listener::start(&fake, 1).await;
    let Seen::Event(callback) = listener.next().await else {
        panic!("expected an event");
    };
    assert_eq!(
        callback.event_id.0, early.event_id,
        "held until a connection opened"
    );
    let SlackEventCallbackBody::ReactionAdded(added) = &callback.event else {
        panic!("expected reaction_added");
    };
    assert_eq!(added.reaction.0, "tea");
    assert_eq!(added.user.0, user.id);

    assert_eq!(fake.drop_sockets(), 1);
    fake.wait_until("a reconnect", WAIT, |f| {
        (f.connects() == 2 && f.connections().len() == 1).then_some(())
    })
    .await
    .unwrap();
    let removed = fake
        .unreact(&user, &polls, &ts, "tea")
        .unwrap()
        .expect("subscribed");
    let Seen::Event(callback) = listener.next().await else {
        panic!("expected an event");
    };
    assert_eq!(callback.event_id.0, removed.event_id);
    assert!(matches!(
        callback.event,
        SlackEventCallbackBody::ReactionRemoved(_)
    ));

    // An envelope delivered just before a disconnect may miss its ack and
    // come again later (see the crate docs): let this one be acked first.
    fake.wait_for_ack(&removed.envelope_id, WAIT).await.unwrap();
    assert_eq!(fake.disconnect("refresh_requested"), 1);
    fake.wait_until("a fresh connection", WAIT, |f| {
        (f.connects() == 3 && f.connections().len() == 1).then_some(())
    })
    .await
    .unwrap();
    let asked = fake.slash_command(&user, &polls, "help");
    next_command(&mut listener).await;
    fake.wait_for_ack(&asked.envelope_id, WAIT).await.unwrap();
    assert!(fake.acks().iter().all(|a| !a.unknown && !a.duplicate));
    listener.stop().await;
}

#[tokio::test]
async fn a_handler_error_sends_no_ack_so_the_envelope_comes_back_until_slack_gives_up() {
    let fake = FakeSlack::start_with(Config {
        ack_timeout: Duration::from_millis(100),
        max_redeliveries: 2,
        ..Config::default()
    })
    .await
    .unwrap();
    let mut listener = Listener::start(&fake, 1).await;
    let asked = fake.slash_command(
        &FakeUser::attendee(8),
        &fake.ids().general_channel_id,
        "fail",
    );
    for _ in 0..3 {
        assert_eq!(
            next_command(&mut listener).await.text.as_deref(),
            Some("fail")
        );
    }
    let attempts: Vec<u32> = fake
        .deliveries()
        .iter()
        .filter(|d| d.envelope_id == asked.envelope_id)
        .map(|d| d.retry_attempt)
        .collect();
    assert_eq!(attempts, [0, 1, 2]);
    let after = fake.slash_command(&FakeUser::attendee(8), &fake.ids().general_channel_id, "ok");
    let next = next_command(&mut listener).await;
    assert_eq!(next.text.as_deref(), Some("ok"), "no fourth delivery");
    fake.wait_for_ack(&after.envelope_id, WAIT).await.unwrap();
    assert!(fake
        .acks()
        .iter()
        .all(|a| a.envelope_id != asked.envelope_id));
    assert!(!fake.envelopes()[0].acked);
    listener.stop().await;
}

//! Posting, reading and editing the bot's messages: blocks and metadata in
//! history, threads, Slack's refusals, updates and deletes, history paging.

use std::collections::HashMap;

use fake_slack::{Config, FakeUser, Fault};
use serde_json::json;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::{api_code, channel, text};
use crate::harness::Web;

#[tokio::test]
async fn a_post_with_blocks_and_metadata_comes_back_in_history() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let general = fake.ids().general_channel_id.clone();
    let blocks: Vec<SlackBlock> = serde_json::from_value(json!([
        { "type": "section", "text": { "type": "mrkdwn", "text": "*Next:* eBPF" } },
        { "type": "actions", "elements": [{ "type": "button", "action_id": "remind", "text": { "type": "plain_text", "text": "Remind me" }, "value": "g1" }] },
    ]))
    .unwrap();
    let metadata = SlackMessageMetadata::new("emcee_job".into()).with_event_payload(HashMap::from(
        [("key".to_owned(), "announce:g1:5".to_owned())],
    ));
    let content = text("Next: eBPF")
        .with_blocks(blocks)
        .with_metadata(metadata);
    let posted = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel(&general),
            content,
        ))
        .await
        .unwrap();
    assert_eq!(posted.channel.0, general);
    let reply = session
        .chat_post_message(
            &SlackApiChatPostMessageRequest::new(channel(&general), text("in the thread"))
                .with_thread_ts(posted.ts.clone()),
        )
        .await
        .unwrap();
    assert!(
        reply.ts.0 > posted.ts.0,
        "ts increase: {} then {}",
        posted.ts,
        reply.ts
    );

    let history = session
        .conversations_history(
            &SlackApiConversationsHistoryRequest::new()
                .with_channel(channel(&general))
                .with_include_all_metadata(true),
        )
        .await
        .unwrap();
    assert_eq!(history.messages.len(), 1, "the reply stays in its thread");
    let top = &history.messages[0];
    assert_eq!(top.origin.ts, posted.ts);
    assert_eq!(top.parent.reply_count, Some(1));
    let meta = top.content.metadata.as_ref().expect("metadata");
    assert_eq!(meta.event_type, "emcee_job");
    assert_eq!(
        meta.event_payload
            .as_ref()
            .and_then(|p| p.get("key"))
            .map(String::as_str),
        Some("announce:g1:5")
    );
    assert_eq!(top.content.blocks.as_ref().map(Vec::len), Some(2));
    let plain = session
        .conversations_history(
            &SlackApiConversationsHistoryRequest::new().with_channel(channel(&general)),
        )
        .await
        .unwrap();
    assert!(
        plain.messages[0].content.metadata.is_none(),
        "metadata only when asked"
    );
    let thread = session
        .conversations_replies(&SlackApiConversationsRepliesRequest::new(
            channel(&general),
            posted.ts.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(thread.messages.len(), 2);
    assert_eq!(fake.messages(&general).len(), 2);
}

#[tokio::test]
async fn posts_are_refused_as_slack_refuses_them() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let ids = fake.ids().clone();
    let post = |id: &str, content: SlackMessageContent| {
        SlackApiChatPostMessageRequest::new(channel(id), content)
    };
    let random = session
        .chat_post_message(&post(&ids.random_channel_id, text("hi")))
        .await;
    assert_eq!(api_code(random), "not_in_channel");
    let secret = session
        .chat_post_message(&post(&ids.secret_channel_id, text("hi")))
        .await;
    assert_eq!(api_code(secret), "channel_not_found");
    let stranger = session
        .chat_post_message(&post(&ids.stranger.announcements_channel_id, text("hi")))
        .await;
    assert_eq!(api_code(stranger), "channel_not_found");
    let long = session
        .chat_post_message(&post(&ids.general_channel_id, text(&"x".repeat(40_001))))
        .await;
    assert_eq!(api_code(long), "msg_too_long");
    let many: Vec<SlackBlock> = (0..51).map(|_| SlackDividerBlock::new().into()).collect();
    let blocks = session
        .chat_post_message(&post(&ids.general_channel_id, text("x").with_blocks(many)))
        .await;
    match blocks {
        Err(SlackClientError::ApiError(e)) => {
            assert_eq!(e.code, "invalid_blocks");
            assert!(e.errors.unwrap_or_default()[0].contains("[json-pointer:/blocks]"));
        }
        other => panic!("expected invalid_blocks, got {other:?}"),
    }
    let empty = session
        .chat_post_message(&post(&ids.general_channel_id, SlackMessageContent::new()))
        .await;
    assert_eq!(api_code(empty), "no_text");

    let joined = session
        .conversations_join(&SlackApiConversationsJoinRequest::new(channel(
            &ids.random_channel_id,
        )))
        .await
        .unwrap();
    assert_eq!(joined.channel.flags.is_member, Some(true));
    session
        .chat_post_message(&post(&ids.random_channel_id, text("now I may")))
        .await
        .unwrap();
    let private = session
        .conversations_join(&SlackApiConversationsJoinRequest::new(channel(
            &ids.organisers_channel_id,
        )))
        .await;
    assert_eq!(api_code(private), "method_not_supported_for_channel_type");
    assert!(fake.calls().iter().all(|c| c.status == 200));
}

#[tokio::test]
async fn update_and_delete_the_bots_own_message() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let polls = fake.ids().polls_channel_id.clone();
    let posted = web.post(&polls, "Tea? 0 votes").await;
    let updated = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            channel(&polls),
            text("Tea? 1 vote"),
            posted.ts.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(updated.ts, posted.ts);
    let stored = fake.message(&polls, &posted.ts.0).unwrap();
    assert_eq!(stored.text, "Tea? 1 vote");
    assert!(stored.edited.is_some());

    let user_ts = fake
        .user_message(&FakeUser::attendee(2), &polls, "mine")
        .unwrap();
    let foreign = session
        .chat_update(&SlackApiChatUpdateRequest::new(
            channel(&polls),
            text("hijacked"),
            SlackTs::new(user_ts.clone()),
        ))
        .await;
    assert_eq!(api_code(foreign), "cant_update_message");

    let delete = SlackApiChatDeleteRequest::new(channel(&polls), posted.ts.clone());
    session.chat_delete(&delete).await.unwrap();
    assert!(fake.message(&polls, &posted.ts.0).is_none());
    assert_eq!(
        api_code(session.chat_delete(&delete).await),
        "message_not_found"
    );
    assert_eq!(
        fake.messages(&polls).len(),
        1,
        "only the user's message is left"
    );
    let reply = fake
        .user_reply(&FakeUser::attendee(3), &polls, &user_ts, "me too")
        .unwrap();
    let thread = session
        .conversations_replies(&SlackApiConversationsRepliesRequest::new(
            channel(&polls),
            SlackTs::new(user_ts.clone()),
        ))
        .await
        .unwrap();
    let in_thread: Vec<&str> = thread
        .messages
        .iter()
        .map(|m| m.origin.ts.0.as_str())
        .collect();
    assert_eq!(in_thread, [user_ts.as_str(), reply.as_str()]);
}

#[tokio::test]
async fn history_pages_newest_first_within_oldest_and_5xx_faults_reach_the_client() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let general = fake.ids().general_channel_id.clone();
    let mut sent = Vec::new();
    for n in 0..5 {
        let posted = web.post(&general, &format!("m{n}")).await;
        sent.push(posted.ts);
    }
    let mut request = SlackApiConversationsHistoryRequest::new()
        .with_channel(channel(&general))
        .with_oldest(sent[0].clone())
        .with_limit(3);
    let mut seen = Vec::new();
    loop {
        let page = session.conversations_history(&request).await.unwrap();
        seen.extend(page.messages.iter().filter_map(|m| m.content.text.clone()));
        match page.response_metadata.and_then(|m| m.next_cursor) {
            Some(cursor) => request = request.with_cursor(cursor),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["m4", "m3", "m2", "m1"],
        "newest first, oldest exclusive"
    );

    fake.inject(Fault::ServerError {
        method: Some("conversations.history".into()),
        status: 503,
        times: 1,
    });
    let failed = session.conversations_history(&request).await;
    match failed {
        Err(SlackClientError::HttpError(e)) => assert_eq!(e.status_code.as_u16(), 503),
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    session.conversations_history(&request).await.unwrap();
    assert_eq!(fake.injected().server_errors, 1);
}

#[tokio::test]
async fn a_lost_answer_is_an_error_for_the_client_though_the_reply_was_posted() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let general = fake.ids().general_channel_id.clone();
    let parent = web.post(&general, "the session").await;
    fake.inject(Fault::LoseAnswer {
        method: Some("chat.postMessage".into()),
        with_arg: Some("thread_ts".into()),
        times: 1,
    });
    let reply = SlackApiChatPostMessageRequest::new(channel(&general), text("in the thread"))
        .with_thread_ts(parent.ts.clone());
    let failed = session.chat_post_message(&reply).await;
    assert!(
        !matches!(failed, Ok(_) | Err(SlackClientError::ApiError(_))),
        "the client cannot tell it was posted: {failed:?}"
    );
    let replies: Vec<_> = fake
        .messages(&general)
        .into_iter()
        .filter(|m| m.thread_ts.as_deref() == Some(parent.ts.0.as_str()) && m.ts != parent.ts.0)
        .collect();
    assert_eq!(replies.len(), 1, "Slack posted it");
    assert_eq!(fake.injected().lost_answers, 1);
    session.chat_post_message(&reply).await.unwrap();
}

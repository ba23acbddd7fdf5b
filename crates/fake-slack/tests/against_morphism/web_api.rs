//! The Web API through slack-morphism: identity, posting and reading history
//! with metadata, edits, paging, the errors Slack gives, 429s, files,
//! scheduled messages and reactions.

use std::collections::HashMap;
use std::time::Duration;

use fake_slack::{FakeSlack, FakeUser, Fault};
use serde_json::json;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use crate::harness::{bot_token, client, retrying_client};

fn api_code<T: std::fmt::Debug>(result: ClientResult<T>) -> String {
    match result {
        Err(SlackClientError::ApiError(e)) => e.code,
        other => panic!("expected a Slack API error, got {other:?}"),
    }
}

fn channel(id: &str) -> SlackChannelId {
    SlackChannelId::new(id.to_owned())
}

fn text(t: &str) -> SlackMessageContent {
    SlackMessageContent::new().with_text(t.to_owned())
}

#[tokio::test]
async fn auth_test_team_info_users_and_token_checks() {
    let fake = FakeSlack::start().await.unwrap();
    let client = client(&fake);
    let token = bot_token(&fake);
    let session = client.open_session(&token);
    let me = session.auth_test().await.unwrap();
    assert_eq!(me.team_id.0, fake.ids().team_id);
    assert_eq!(me.user_id.0, fake.ids().bot_user_id);
    let team = session
        .team_info(&SlackApiTeamInfoRequest::new())
        .await
        .unwrap();
    assert_eq!(team.team.id.0, fake.ids().team_id);

    let admin = session
        .users_info(&SlackApiUsersInfoRequest::new(SlackUserId::new(
            FakeUser::admin().id,
        )))
        .await
        .unwrap();
    assert_eq!(admin.user.flags.is_admin, Some(true));
    assert_eq!(admin.user.flags.is_owner, Some(false));
    assert_eq!(
        admin.user.team_id.map(|t| t.0),
        Some(fake.ids().team_id.clone())
    );
    let stranger = SlackUserId::new(FakeUser::stranger_owner().id);
    let missing = session
        .users_info(&SlackApiUsersInfoRequest::new(stranger))
        .await;
    assert_eq!(api_code(missing), "user_not_found");
    let group = session
        .usergroups_users_list(&SlackApiUserGroupsUsersListRequest::new(
            SlackUserGroupId::new(fake.ids().organisers_group_id.clone()),
        ))
        .await
        .unwrap();
    assert!(group.users.iter().any(|u| u.0 == FakeUser::admin().id));

    let wrong = SlackApiToken::new("xoxb-wrong".into());
    assert_eq!(
        api_code(client.open_session(&wrong).auth_test().await),
        "invalid_auth"
    );
    let app = SlackApiToken::new(fake.app_token().into());
    let refused = client.open_session(&app).auth_test().await;
    assert_eq!(api_code(refused), "not_allowed_token_type");
    fake.inject(Fault::InvalidAuth {
        token: fake.bot_token().to_owned(),
    });
    assert_eq!(api_code(session.auth_test().await), "invalid_auth");
    let calls = fake.calls_of("auth.test");
    assert_eq!(calls.len(), 4);
    assert!(
        !format!("{:?}", calls[0]).contains(fake.bot_token()),
        "token redacted"
    );
    assert_eq!(calls[0].token.as_deref(), Some(fake.bot_token()));
}

#[tokio::test]
async fn a_post_with_blocks_and_metadata_comes_back_in_history() {
    let fake = FakeSlack::start().await.unwrap();
    let client = client(&fake);
    let token = bot_token(&fake);
    let session = client.open_session(&token);
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
    let fake = FakeSlack::start().await.unwrap();
    let client = client(&fake);
    let token = bot_token(&fake);
    let session = client.open_session(&token);
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
    let fake = FakeSlack::start().await.unwrap();
    let client = client(&fake);
    let token = bot_token(&fake);
    let session = client.open_session(&token);
    let polls = fake.ids().polls_channel_id.clone();
    let posted = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel(&polls),
            text("Tea? 0 votes"),
        ))
        .await
        .unwrap();
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
}

#[tokio::test]
async fn conversations_list_pages_with_a_cursor_and_dms_open_once() {
    let fake = FakeSlack::start().await.unwrap();
    let client = client(&fake);
    let token = bot_token(&fake);
    let session = client.open_session(&token);
    let types = vec![
        SlackConversationType::Public,
        SlackConversationType::Private,
    ];
    let mut request = SlackApiConversationsListRequest::new()
        .with_limit(2)
        .with_types(types);
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let page = session.conversations_list(&request).await.unwrap();
        pages += 1;
        assert!(page.channels.len() <= 2);
        names.extend(page.channels.iter().filter_map(|c| c.name.clone()));
        match page.response_metadata.and_then(|m| m.next_cursor) {
            Some(cursor) => request = request.with_cursor(cursor),
            None => break,
        }
    }
    names.sort();
    assert_eq!(
        names,
        ["announcements", "general", "organisers", "polls", "random"]
    );
    assert_eq!(pages, 3);
    let public_only = session
        .conversations_list(&SlackApiConversationsListRequest::new())
        .await
        .unwrap();
    assert_eq!(public_only.channels.len(), 4);
    let bad = session
        .conversations_list(
            &SlackApiConversationsListRequest::new()
                .with_cursor(SlackCursorId::new("bogus".into())),
        )
        .await;
    assert_eq!(api_code(bad), "invalid_cursor");

    let user = SlackUserId::new(FakeUser::attendee(1).id);
    let open = SlackApiConversationsOpenRequest::new().with_users(vec![user]);
    let first = session.conversations_open(&open).await.unwrap();
    let again = session.conversations_open(&open).await.unwrap();
    assert!(first.channel.id.0.starts_with('D'));
    assert_eq!(first.channel.id, again.channel.id);
    assert_eq!(again.already_open, Some(true));
    session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            first.channel.id.clone(),
            text("Your talk starts in 5 minutes"),
        ))
        .await
        .unwrap();
    assert_eq!(fake.messages(&first.channel.id.0).len(), 1);
}

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
async fn a_file_uploads_in_three_steps_and_lands_in_the_channel() {
    let fake = FakeSlack::start().await.unwrap();
    let client = client(&fake);
    let token = bot_token(&fake);
    let session = client.open_session(&token);
    let polls = fake.ids().polls_channel_id.clone();
    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4];
    let url = session
        .get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
            "result.png".into(),
            png.len(),
        ))
        .await
        .unwrap();
    assert!(url.upload_url.0.as_str().starts_with(&fake.base_url()));
    session
        .files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
            url.upload_url.clone(),
            png.clone(),
            "image/png".into(),
        ))
        .await
        .unwrap();
    let done = session
        .files_complete_upload_external(
            &SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(
                url.file_id.clone(),
            )
            .with_title("Results".into())])
            .with_channel_id(channel(&polls))
            .with_initial_comment("Tea or coffee? Results".into()),
        )
        .await
        .unwrap();
    assert_eq!(done.files[0].id, url.file_id);
    assert_eq!(done.files[0].title.as_deref(), Some("Results"));
    let stored = fake.file(&url.file_id.0).unwrap();
    assert_eq!(stored.bytes.as_deref(), Some(png.as_slice()));
    assert_eq!(stored.content_type.as_deref(), Some("image/png"));
    let shared = fake.messages(&polls);
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].text, "Tea or coffee? Results");
    assert_eq!(shared[0].files, std::slice::from_ref(&url.file_id.0));
    let again = session
        .files_complete_upload_external(&SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(url.file_id.clone()),
        ]))
        .await;
    assert_eq!(api_code(again), "file_not_found");
}

#[tokio::test]
async fn a_scheduled_message_posts_when_the_clock_reaches_it() {
    let fake = FakeSlack::start_with(fake_slack::Config {
        start_at: Some(1_765_432_100),
        ..Default::default()
    })
    .await
    .unwrap();
    let client = client(&fake);
    let token = bot_token(&fake);
    let session = client.open_session(&token);
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

#[tokio::test]
async fn reactions_are_per_user_and_the_bot_removes_only_its_own() {
    let fake = FakeSlack::start().await.unwrap();
    let client = client(&fake);
    let token = bot_token(&fake);
    let session = client.open_session(&token);
    let polls = fake.ids().polls_channel_id.clone();
    let posted = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            channel(&polls),
            text("Tea or coffee?"),
        ))
        .await
        .unwrap();
    let add = SlackApiReactionsAddRequest::new(
        channel(&polls),
        SlackReactionName::new("tea".into()),
        posted.ts.clone(),
    );
    session.reactions_add(&add).await.unwrap();
    assert_eq!(
        api_code(session.reactions_add(&add).await),
        "already_reacted"
    );
    fake.react(&FakeUser::attendee(1), &polls, &posted.ts.0, "tea")
        .unwrap();
    fake.react(&FakeUser::attendee(2), &polls, &posted.ts.0, "coffee")
        .unwrap();
    let got = session
        .reactions_get(
            &SlackApiReactionsGetRequest::new()
                .with_channel(channel(&polls))
                .with_timestamp(posted.ts.clone())
                .with_full(true),
        )
        .await
        .unwrap();
    let SlackApiReactionsGetResponse::Message(got) = got else {
        panic!("a message");
    };
    let reactions = got.message.content.reactions.unwrap();
    let tea = reactions.iter().find(|r| r.name.0 == "tea").unwrap();
    assert_eq!(tea.count, 2);
    assert_eq!(tea.users[0].0, fake.ids().bot_user_id);
    let remove = SlackApiReactionsRemoveRequest::new(SlackReactionName::new("coffee".into()))
        .with_channel(channel(&polls))
        .with_timestamp(posted.ts.clone());
    assert_eq!(
        api_code(session.reactions_remove(&remove).await),
        "no_reaction"
    );
    let mine = SlackApiReactionsRemoveRequest::new(SlackReactionName::new("tea".into()))
        .with_channel(channel(&polls))
        .with_timestamp(posted.ts.clone());
    session.reactions_remove(&mine).await.unwrap();
    let left = fake.message(&polls, &posted.ts.0).unwrap();
    assert_eq!(left.reaction_users("tea"), [FakeUser::attendee(1).id]);
    assert_eq!(left.reaction_users("coffee"), [FakeUser::attendee(2).id]);
}

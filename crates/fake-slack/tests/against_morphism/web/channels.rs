//! Channels and private answers: listing with a cursor, DMs opened once,
//! ephemeral messages, permalinks, members and channel info.

use fake_slack::{Config, FakeUser};
use slack_morphism::prelude::*;

use super::{api_code, channel, text};
use crate::harness::Web;

#[tokio::test]
async fn conversations_list_pages_with_a_cursor_and_dms_open_once() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
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
async fn ephemerals_permalinks_members_and_channel_info_parse() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let ids = fake.ids().clone();
    let attendee = FakeUser::attendee(1).id;
    let ephemeral = SlackApiChatPostEphemeralRequest::new(
        channel(&ids.general_channel_id),
        SlackUserId::new(attendee.clone()),
        text("only you see this"),
    );
    session.chat_post_ephemeral(&ephemeral).await.unwrap();
    let shown = fake.ephemerals();
    assert_eq!(
        (shown[0].user.as_str(), shown[0].text.as_str()),
        (attendee.as_str(), "only you see this")
    );
    assert!(
        fake.messages(&ids.general_channel_id).is_empty(),
        "not in the channel's history"
    );
    let outsider = SlackApiChatPostEphemeralRequest::new(
        channel(&ids.general_channel_id),
        SlackUserId::new(FakeUser::attendee(99).id),
        text("?"),
    );
    assert_eq!(
        api_code(session.chat_post_ephemeral(&outsider).await),
        "user_not_in_channel"
    );

    let posted = web.post(&ids.general_channel_id, "Live now").await;
    let link = session
        .chat_get_permalink(&SlackApiChatGetPermalinkRequest::new(
            channel(&ids.general_channel_id),
            posted.ts.clone(),
        ))
        .await
        .unwrap();
    assert!(link.permalink.as_str().contains(&ids.general_channel_id));
    let members = session
        .conversations_members(
            &SlackApiConversationsMembersRequest::new()
                .with_channel(channel(&ids.general_channel_id)),
        )
        .await
        .unwrap();
    assert!(members.members.iter().any(|m| m.0 == ids.bot_user_id));
    let info = session
        .conversations_info(&SlackApiConversationsInfoRequest::new(channel(
            &ids.organisers_channel_id,
        )))
        .await
        .unwrap();
    assert_eq!(info.channel.flags.is_private, Some(true));
    assert_eq!(info.channel.flags.is_member, Some(true));
    let hidden = session
        .conversations_info(&SlackApiConversationsInfoRequest::new(channel(
            &ids.secret_channel_id,
        )))
        .await;
    assert_eq!(api_code(hidden), "channel_not_found");
}

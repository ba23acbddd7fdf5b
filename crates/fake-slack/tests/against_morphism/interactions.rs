//! Modals, select menus, DMs by user id and message events, through
//! slack-morphism: what `/emcee poll create` and the "did you mean" menus need.

use fake_slack::{Config, FakeSlack, FakeUser};
use serde_json::json;
use slack_morphism::prelude::*;

use crate::harness::{bot_token, Listener, Seen, WAIT};

fn modal() -> SlackView {
    serde_json::from_value(json!({
        "type": "modal",
        "callback_id": "poll_create",
        "title": { "type": "plain_text", "text": "New poll" },
        "submit": { "type": "plain_text", "text": "Create" },
        "blocks": [{
            "type": "input",
            "block_id": "question",
            "label": { "type": "plain_text", "text": "Question" },
            "element": { "type": "plain_text_input", "action_id": "text" },
        }],
    }))
    .unwrap()
}

fn api_code<T: std::fmt::Debug>(result: ClientResult<T>) -> String {
    match result {
        Err(slack_morphism::errors::SlackClientError::ApiError(e)) => e.code,
        other => panic!("expected a Slack API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_command_opens_a_modal_whose_submission_comes_back_and_closes_it() {
    let fake = FakeSlack::start().await.unwrap();
    let mut listener = Listener::start(&fake, 1).await;
    let admin = FakeUser::admin();
    let asked = fake.slash_command(&admin, &fake.ids().polls_channel_id, "poll create");
    listener.next().await;
    let token = bot_token(&fake);
    let client = listener.client.clone();
    let session = client.open_session(&token);
    let trigger = SlackTriggerId::new(asked.trigger_id.clone());
    let opened = session
        .views_open(&SlackApiViewsOpenRequest::new(trigger.clone(), modal()))
        .await
        .unwrap();
    let view_id = opened.view.state_params.id.clone();
    let again = session
        .views_open(&SlackApiViewsOpenRequest::new(trigger, modal()))
        .await;
    assert_eq!(api_code(again), "exchanged_trigger_id");
    let stale = session
        .views_update(
            &SlackApiViewsUpdateRequest::new(modal())
                .with_view_id(view_id.clone())
                .with_hash("stale".into()),
        )
        .await;
    assert_eq!(api_code(stale), "hash_conflict");
    let views = fake.views();
    assert_eq!(views.len(), 1);
    assert!(views[0].open);
    assert_eq!(views[0].callback_id(), Some("poll_create"));

    let values = json!({ "question": { "text": { "type": "plain_text_input", "value": "Tea or coffee?" } } });
    let submitted = fake.submit_view(&admin, &view_id.0, values);
    let Seen::Interaction(event) = listener.next().await else {
        panic!("expected an interaction");
    };
    let SlackInteractionEvent::ViewSubmission(submission) = *event else {
        panic!("expected view_submission");
    };
    assert_eq!(submission.user.id.0, admin.id);
    let state = submission.view.state_params.state.expect("state");
    let answer =
        &state.values[&SlackBlockId::new("question".into())][&SlackActionId::new("text".into())];
    assert_eq!(answer.value.as_deref(), Some("Tea or coffee?"));
    fake.wait_for_ack(&submitted, WAIT).await.unwrap();
    assert!(!fake.views()[0].open, "a bare ack closes the modal");
    listener.stop().await;
}

#[tokio::test]
async fn a_select_menu_pick_names_the_option_and_the_block_slack_assigned() {
    let fake = FakeSlack::start().await.unwrap();
    let mut listener = Listener::start(&fake, 1).await;
    let user = FakeUser::attendee(7);
    fake.add_user(&user);
    let menu = json!([{
        "type": "actions",
        "elements": [{
            "type": "static_select",
            "action_id": "pick_track",
            "placeholder": { "type": "plain_text", "text": "Which one?" },
            "options": [
                { "text": { "type": "plain_text", "text": "Observability" }, "value": "observability" },
                { "text": { "type": "plain_text", "text": "Operating systems" }, "value": "os" },
            ],
        }],
    }]);
    let posted = listener
        .post_blocks(&fake, &user.id, "Did you mean …", menu)
        .await;
    assert!(
        posted.channel.0.starts_with('D'),
        "a user id posts into the DM"
    );
    assert_eq!(fake.dm_channel(&user.id), Some(posted.channel.0.clone()));
    let stored = fake.message(&posted.channel.0, &posted.ts.0).unwrap();
    let block_id = stored.blocks[0]["block_id"].as_str().unwrap().to_owned();

    let picked_by = fake.select(&user, &posted.channel.0, &posted.ts.0, "pick_track", "os");
    let Seen::Interaction(event) = listener.next().await else {
        panic!("expected an interaction");
    };
    let SlackInteractionEvent::BlockActions(event) = *event else {
        panic!("expected block_actions");
    };
    let action = &event.actions.unwrap()[0];
    assert_eq!(
        action.block_id.as_ref().map(|b| b.0.clone()),
        Some(block_id)
    );
    let picked = action.selected_option.as_ref().expect("selected_option");
    assert_eq!(picked.value, "os");
    fake.wait_for_ack(&picked_by.envelope_id, WAIT)
        .await
        .unwrap();
    listener.stop().await;
}

#[tokio::test]
async fn the_bots_own_posts_and_reactions_come_back_as_events_when_subscribed() {
    let fake = FakeSlack::start_with(Config {
        events: vec!["message".into(), "reaction_added".into()],
        ..Config::default()
    })
    .await
    .unwrap();
    let mut listener = Listener::start(&fake, 1).await;
    let polls = SlackChannelId::new(fake.ids().polls_channel_id.clone());
    let token = bot_token(&fake);
    let client = listener.client.clone();
    let session = client.open_session(&token);
    let posted = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            polls.clone(),
            SlackMessageContent::new().with_text("Tea or coffee?".into()),
        ))
        .await
        .unwrap();
    let Seen::Event(callback) = listener.next().await else {
        panic!("expected an event");
    };
    let SlackEventCallbackBody::Message(message) = &callback.event else {
        panic!("expected a message event, got {:?}", callback.event);
    };
    assert_eq!(message.origin.ts, posted.ts);
    assert_eq!(
        message.sender.bot_id.as_ref().map(|b| b.0.clone()),
        Some(fake.ids().bot_id.clone())
    );
    session
        .reactions_add(&SlackApiReactionsAddRequest::new(
            polls,
            SlackReactionName::new("tea".into()),
            posted.ts.clone(),
        ))
        .await
        .unwrap();
    let Seen::Event(callback) = listener.next().await else {
        panic!("expected an event");
    };
    let SlackEventCallbackBody::ReactionAdded(added) = &callback.event else {
        panic!("expected reaction_added, got {:?}", callback.event);
    };
    assert_eq!(
        added.user.0,
        fake.ids().bot_user_id,
        "seed reactions are the bot's"
    );

    let user = FakeUser::attendee(9);
    let random = fake.ids().random_channel_id.clone();
    let unseen = fake
        .user_message(&user, &random, "the bot is not here")
        .unwrap();
    let outside = fake.react(&user, &random, &unseen, "eyes").unwrap();
    assert!(
        outside.is_none(),
        "no events from channels the bot is not in"
    );
    let dm = fake.open_dm(&user);
    let asked = fake.slash_command(&user, &dm, "mycal");
    let Seen::Command(command) = listener.next().await else {
        panic!("expected a command");
    };
    assert_eq!(command.channel_id.0, dm);
    assert_eq!(command.channel_name.as_deref(), Some("directmessage"));
    fake.wait_for_ack(&asked.envelope_id, WAIT).await.unwrap();
    listener.stop().await;
}

#[tokio::test]
async fn a_command_from_the_strangers_workspace_says_so_and_its_channels_are_out_of_reach() {
    let fake = FakeSlack::start_with(Config {
        stranger_workspace: true,
        ..Config::default()
    })
    .await
    .unwrap();
    let mut listener = Listener::start(&fake, 1).await;
    let stranger = FakeUser::stranger_owner();
    let theirs = fake.ids().stranger.announcements_channel_id.clone();
    let asked = fake.slash_command(&stranger, &theirs, "poll close");
    let Seen::Command(command) = listener.next().await else {
        panic!("expected a command");
    };
    assert_eq!(command.team_id.0, fake.ids().stranger.team_id);
    fake.wait_for_ack(&asked.envelope_id, WAIT).await.unwrap();
    let token = bot_token(&fake);
    let client = listener.client.clone();
    let posted = client
        .open_session(&token)
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            SlackChannelId::new(theirs),
            SlackMessageContent::new().with_text("closing".into()),
        ))
        .await;
    assert_eq!(api_code(posted), "channel_not_found");
    listener.stop().await;
}

//! Reactions: per user, the bot's own, and the full list `reactions.get` reads.

use fake_slack::{Config, FakeUser};
use slack_morphism::prelude::*;

use super::{api_code, channel};
use crate::harness::Web;

#[tokio::test]
async fn reactions_are_per_user_and_the_bot_removes_only_its_own() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
    let polls = fake.ids().polls_channel_id.clone();
    let posted = web.post(&polls, "Tea or coffee?").await;
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

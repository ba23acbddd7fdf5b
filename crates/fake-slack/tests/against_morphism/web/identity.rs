//! Who the bot is and how calls authenticate: `auth.test`, `team.info`,
//! users and user groups, token refusals, and form bodies as Slack takes them.

use fake_slack::{Config, FakeSlack, FakeUser, Fault};
use serde_json::json;
use slack_morphism::prelude::*;

use super::api_code;
use crate::harness::Web;

#[tokio::test]
async fn auth_test_team_info_users_and_token_checks() {
    let web = Web::start(Config::default()).await;
    let (fake, session) = (&web.fake, web.session());
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
        api_code(web.client.open_session(&wrong).auth_test().await),
        "invalid_auth"
    );
    let app = SlackApiToken::new(fake.app_token().into());
    let refused = web.client.open_session(&app).auth_test().await;
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

/// The JSON a raw request is answered with.
async fn answer(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn form_bodies_work_as_slack_takes_them_and_json_wants_the_header() {
    let fake = FakeSlack::start().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/chat.postMessage", fake.api_url());
    let blocks = r#"[{"type":"section","text":{"type":"mrkdwn","text":"*Now*"}}]"#;
    let general = fake.ids().general_channel_id.clone();
    let form = [
        ("token", fake.bot_token()),
        ("channel", general.as_str()),
        ("text", "Now: eBPF & friends"),
        ("blocks", blocks),
    ];
    let posted = answer(http.post(&url).form(&form)).await;
    assert_eq!(posted["ok"], true, "{posted}");
    let stored = fake.messages(&general);
    assert_eq!(stored[0].text, "Now: eBPF & friends");
    assert_eq!(stored[0].blocks[0]["text"]["text"], "*Now*");
    assert!(fake.bot_pings().is_empty());
    let hostile = [
        ("token", fake.bot_token()),
        ("channel", general.as_str()),
        ("text", "Talk by <!channel> &lt;!here&gt;"),
    ];
    http.post(&url).form(&hostile).send().await.unwrap();
    assert_eq!(fake.bot_pings().len(), 1, "{:?}", fake.bot_pings());
    assert!(fake.bot_pings()[0].ends_with("<!channel>"));

    let in_body = json!({ "token": fake.bot_token(), "channel": general, "text": "hi" });
    let refused = answer(http.post(&url).json(&in_body)).await;
    assert_eq!(refused["error"], "not_authed");
    let bad = answer(
        http.post(&url)
            .bearer_auth(fake.bot_token())
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(bad["error"], "invalid_json");
    let unknown = answer(
        http.post(format!("{}/chat.postMessageX", fake.api_url()))
            .bearer_auth(fake.bot_token()),
    )
    .await;
    assert_eq!(unknown["error"], "unknown_method");
}

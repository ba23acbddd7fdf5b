//! `/emcee mycal` on Slack: the same personal feed, through the fake Slack.

use super::{fetch, on, start_of, url_in};
use crate::slack::harness::{SlackOptions, SlackTestBot};
use emcee_core::scheduler::SchedulerOptions;
use fake_slack::FakeUser;

#[tokio::test]
async fn emcee_mycal_gives_the_feed_url_and_reset_ends_the_old_one() {
    let options = SlackOptions {
        scheduler: Some(SchedulerOptions {
            holder: "slack-feeds".into(),
            ..SchedulerOptions::default()
        }),
        ..SlackOptions::default()
    };
    let bot = SlackTestBot::start_at("2021-10-07T15:30:00Z", options).await;
    let app = bot.running.as_ref().unwrap().bot.app.clone();
    let dir = tempfile::tempdir().unwrap();
    let config = super::feed_config(dir.path());
    let addr = super::listen(&config, &app).await;
    let user = FakeUser::attendee(8);
    let general = bot.fake.ids().general_channel_id.clone();
    let ask = |text: &'static str| {
        let (bot, user, general) = (&bot, user.clone(), general.clone());
        async move { bot.ask_as(&user, &general, text).await.1.body.to_string() }
    };
    assert!(ask("remind morling-jfrunit 15")
        .await
        .contains("I'll DM you 15 min"));
    let answer = ask("mycal").await;
    assert!(answer.contains("1 session(s) in your calendar"), "{answer}");
    let url = url_in(&answer);
    let (status, ics) = fetch(&on(addr, &url)).await;
    assert_eq!(status, 200, "{ics}");
    assert!(start_of(&ics, "morling-jfrunit").is_some(), "{ics}");

    let reset = ask("mycal reset").await;
    let new_url = url_in(&reset);
    assert_ne!(new_url, url);
    assert_eq!(fetch(&on(addr, &url)).await.0, 404);
    assert_eq!(fetch(&on(addr, &new_url)).await.0, 200);
    bot.stop().await;
}

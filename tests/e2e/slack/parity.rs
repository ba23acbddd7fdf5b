//! The console, Discord and Slack show the same facts for the same question:
//! all three go through the one command layer; only the markup differs.

use super::harness::{SlackOptions, SlackTestBot};
use crate::harness::{embed, instant, TestBot};
use emcee::render::text::TextStyle;
use emcee_core::command::{self, Reply, Request};
use emcee_core::config::Config;
use fake_slack::FakeUser;
use serde_json::json;
use std::path::Path;

/// What a Slack reader sees of mrkdwn: the three entities decoded.
fn shown(mrkdwn: &str) -> String {
    mrkdwn
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn console_discord_and_slack_show_the_same_sessions_people_places_and_instants() {
    let at = "2021-10-07T15:55:00Z";
    let discord = TestBot::start_at(at).await;
    let slack = SlackTestBot::start_at(at, SlackOptions::default()).await;
    let config =
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml")).unwrap();
    let agenda = &config.programme.agenda;
    let general = slack.fake.ids().general_channel_id.clone();
    let cases = [
        (Request::Next { track: None }, "next", json!({}), "next"),
        (
            Request::Speaker("bryan".into()),
            "speaker",
            json!({ "name": "bryan" }),
            "speaker bryan",
        ),
        (
            Request::Track("Unikernels".into()),
            "track",
            json!({ "name": "Unikernels" }),
            "track Unikernels",
        ),
    ];
    for (n, (request, name, options, typed)) in (40..).zip(cases) {
        let reply = command::execute(agenda, &request, instant(at)).unwrap();
        let Reply::Sessions(answer) = &reply else {
            panic!("sessions expected")
        };
        let style = TextStyle {
            timezone: agenda.timezone(),
            conference: agenda.name().into(),
        };
        let console = style.reply(&reply);
        let on_discord = discord.ask(name, options).await;
        let on_discord = embed(&on_discord)["description"]
            .as_str()
            .unwrap()
            .replace('\\', "");
        let (_, on_slack) = slack.ask_as(&FakeUser::attendee(n), &general, typed).await;
        let on_slack = shown(on_slack.body["text"].as_str().unwrap());
        assert!(!answer.sessions.is_empty());
        for session in &answer.sessions {
            let mut facts = vec![session.title.clone()];
            facts.extend(session.speakers.iter().map(|s| s.name.clone()));
            facts.extend(session.track.iter().chain(session.room.iter()).cloned());
            for fact in &facts {
                for (platform, text) in [
                    ("console", &console),
                    ("Discord", &on_discord),
                    ("Slack", &on_slack),
                ] {
                    assert!(
                        text.contains(fact.as_str()),
                        "{platform} shows {fact}: {text}"
                    );
                }
            }
            let unix = session.start.timestamp();
            assert!(
                on_discord.contains(&format!("<t:{unix}:t>")),
                "Discord: the instant"
            );
            assert!(
                on_slack.contains(&format!("<!date^{unix}^{{time}}")),
                "Slack: the same instant"
            );
        }
    }
    slack.stop().await;
    discord.stop().await;
}

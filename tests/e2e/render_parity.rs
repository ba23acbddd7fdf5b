//! The console and Discord render the same facts for the same answer: both go
//! through the one command layer, and only the presentation differs.

use crate::harness::{embed, TestBot};
use chrono::{DateTime, Utc};
use emcee::render::text::TextStyle;
use emcee_core::command::{self, Reply, Request};
use emcee_core::config::Config;
use serde_json::json;
use std::path::Path;

#[tokio::test]
async fn console_and_discord_show_the_same_sessions_speakers_tracks_rooms_and_instants() {
    let at = "2021-10-07T15:55:00Z";
    let bot = TestBot::start_at(at).await;
    let config =
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml")).unwrap();
    let agenda = &config.programme.agenda;
    let now: DateTime<Utc> = crate::harness::instant(at);
    for (request, command, options) in [
        (Request::Next { track: None }, "next", json!({})),
        (
            Request::Speaker("bryan".into()),
            "speaker",
            json!({ "name": "bryan" }),
        ),
        (
            Request::Track("Unikernels".into()),
            "track",
            json!({ "name": "Unikernels" }),
        ),
    ] {
        let reply = command::execute(agenda, &request, now).unwrap();
        let Reply::Sessions(answer) = &reply else {
            panic!("sessions expected")
        };
        let style = TextStyle {
            timezone: agenda.timezone(),
            conference: agenda.name().into(),
        };
        let console = style.reply(&reply);
        let discord = bot.ask(command, options).await;
        let discord = embed(&discord)["description"]
            .as_str()
            .unwrap()
            .replace('\\', "");
        assert!(!answer.sessions.is_empty());
        for session in &answer.sessions {
            assert!(
                console.contains(&session.title) && discord.contains(&session.title),
                "{}",
                session.title
            );
            for speaker in &session.speakers {
                assert!(
                    console.contains(&speaker.name) && discord.contains(&speaker.name),
                    "{}",
                    speaker.name
                );
            }
            for place in session.track.iter().chain(session.room.iter()) {
                assert!(
                    console.contains(place.as_str()) && discord.contains(place.as_str()),
                    "{place}"
                );
            }
            let local = session
                .start
                .with_timezone(&agenda.timezone())
                .format("%H:%M")
                .to_string();
            assert!(console.contains(&local), "console shows {local}");
            assert!(
                discord.contains(&format!("<t:{}:t>", session.start.timestamp())),
                "discord shows the same instant"
            );
        }
    }
    bot.stop().await;
}

//! Slack shows the same facts as the console for the same question (and so
//! as Discord, which `render_parity` holds to the console): all go through
//! the one command layer; only the markup differs.

use super::harness::{SlackOptions, SlackTestBot};
use crate::harness::instant;
use emcee::render::text::TextStyle;
use emcee_core::command::{self, Reply, Request};
use emcee_core::config::Config;
use fake_slack::FakeUser;
use std::path::Path;

/// What a Slack reader sees of mrkdwn: the three entities decoded.
fn shown(mrkdwn: &str) -> String {
    mrkdwn
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn slack_shows_the_consoles_sessions_people_places_and_instants() {
    let at = "2021-10-07T15:55:00Z";
    let slack = SlackTestBot::start_at(at, SlackOptions::default()).await;
    let config =
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml")).unwrap();
    let agenda = &config.programme.agenda;
    let style = TextStyle {
        timezone: agenda.timezone(),
        conference: agenda.name().into(),
    };
    let general = slack.fake.ids().general_channel_id.clone();
    let cases = [
        (Request::Next { track: None }, "next"),
        (Request::Speaker("bryan".into()), "speaker bryan"),
        (Request::Track("Unikernels".into()), "track Unikernels"),
    ];
    for (n, (request, typed)) in (40..).zip(cases) {
        let reply = command::execute(agenda, &request, instant(at)).unwrap();
        let Reply::Sessions(answer) = &reply else {
            panic!("sessions expected")
        };
        let console = style.reply(&reply);
        let (_, on_slack) = slack.ask_as(&FakeUser::attendee(n), &general, typed).await;
        let on_slack = shown(on_slack.body["text"].as_str().unwrap());
        assert!(!answer.sessions.is_empty());
        for session in &answer.sessions {
            let mut facts = vec![session.title.clone()];
            facts.extend(session.speakers.iter().map(|s| s.name.clone()));
            facts.extend(session.track.iter().chain(session.room.iter()).cloned());
            for fact in &facts {
                assert!(console.contains(fact.as_str()), "the console shows {fact}");
                assert!(
                    on_slack.contains(fact.as_str()),
                    "Slack shows {fact}: {on_slack}"
                );
            }
            let local = session
                .start
                .with_timezone(&agenda.timezone())
                .format("%H:%M");
            assert!(
                console.contains(&local.to_string()),
                "console shows {local}"
            );
            let unix = session.start.timestamp();
            assert!(
                on_slack.contains(&format!("<!date^{unix}^{{time}}")),
                "Slack shows the same instant, in each reader's zone"
            );
        }
    }
    slack.stop().await;
}

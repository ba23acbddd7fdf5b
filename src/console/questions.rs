//! Session Q&A in the console, so organisers can rehearse it: the core's
//! Q&A service for the console's user (an organiser, so a host of every
//! session), with question posts and the board printed as they are made.
//!
//! - `/ask [anon] [SESSION |] QUESTION`: without a session, the one live
//!   (the lounge, or the only one); `anon` hides the name from the room
//! - `/questions [SESSION]`: the hosts' list, numbered, with question ids
//! - `:upvote ID [USER]`: a ▲ click by USER (default: you); again takes it back
//! - `:answered ID`, `:pin ID`, `:hide ID`: the hosts' controls (each toggles)

use super::reminders::USER;
use crate::scheduler::text;
use chrono_tz::Tz;
use emcee_core::app::App;
use emcee_core::questions::{posts, Action, Ask, Host};

/// The console's community and channel.
pub(super) const COMMUNITY: &str = "console";
const CHANNEL: &str = "console";

/// The reply to a Q&A line, or `None` when the line is not about questions.
pub async fn respond(app: &App, line: &str, timezone: Tz) -> Option<String> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let programme = app.programme();
    let agenda = &programme.agenda;
    let host = Host {
        community: COMMUNITY,
        user: USER,
        organiser: true,
    };
    let service = &app.questions;
    let now = app.clock.now();
    let render = |line: &emcee_core::chat::Text| text::text(line, timezone, now);
    let answer = match word {
        "/ask" => {
            let (anonymous, rest) = match rest.strip_prefix("anon ") {
                Some(rest) => (true, rest.trim()),
                None => (false, rest),
            };
            let (session, question) = match rest.split_once('|') {
                Some((session, question)) => (Some(session.trim()), question.trim()),
                None => (None, rest),
            };
            let ask = Ask {
                community: COMMUNITY,
                channel: CHANNEL,
                user: USER,
                user_name: USER,
                session,
                text: question,
                anonymous,
            };
            service
                .ask(agenda, ask)
                .await
                .map(|asked| format!("{} (question {})", asked.reply(), asked.question.id))
        }
        "/questions" => {
            let typed = Some(rest).filter(|r| !r.is_empty());
            service
                .host_list(agenda, host, CHANNEL, typed)
                .await
                .map(|(session, questions)| {
                    let mut lines = vec![format!("Questions for {}:", session.title)];
                    lines.extend(questions.iter().enumerate().map(|(n, q)| {
                        format!("{} [id {}]", render(&posts::host_line(n + 1, q)), q.id)
                    }));
                    lines.join("\n")
                })
        }
        ":upvote" => {
            let (id, voter) = rest.split_once(char::is_whitespace).unwrap_or((rest, USER));
            let Ok(id) = id.parse() else {
                return Some("Usage: :upvote ID [USER]\n".to_owned());
            };
            service
                .upvote(agenda, COMMUNITY, id, voter.trim())
                .await
                .map(|(question, voted)| {
                    let what = if voted { "counts" } else { "is taken back" };
                    format!("Your ▲ {what}: ▲ {}", question.votes)
                })
        }
        ":answered" | ":pin" | ":hide" => {
            let action = match word {
                ":answered" => Action::Answered,
                ":pin" => Action::Pin,
                _ => Action::Hide,
            };
            let Ok(id) = rest.parse() else {
                return Some(format!("Usage: {word} ID\n"));
            };
            service
                .moderate(agenda, host, action, id)
                .await
                .map(|q| render(&posts::host_line(1, &q)))
        }
        _ => return None,
    };
    Some(format!(
        "{}\n",
        answer.unwrap_or_else(|error| error.to_string())
    ))
}

#[cfg(test)]
mod tests {
    use super::respond;
    use emcee_core::app::App;
    use emcee_core::chat::{memory::MemoryPort, ChatPort};
    use emcee_core::clock::ManualClock;
    use std::sync::Arc;

    fn app() -> (App, Arc<MemoryPort>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml");
        let config = emcee_core::config::Config::load(&path).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2021-10-07T16:05:00Z").unwrap();
        let clock = Arc::new(ManualClock::new(at.to_utc()));
        let store = emcee_core::store::Store::in_memory().unwrap();
        let port = Arc::new(MemoryPort::default());
        let polls = emcee_core::polls::PollService::new(
            Arc::new(store.clone()),
            Arc::clone(&port) as Arc<dyn ChatPort>,
            clock.clone(),
        );
        (App::new(config.programme, clock, store, polls), port)
    }

    #[tokio::test]
    async fn the_console_rehearses_asking_voting_and_hosting() {
        let (app, port) = app();
        let tz = chrono_tz::UTC;
        let asked = respond(&app, "/ask anon morling-jfrunit | Is JFR cheap?", tz).await;
        assert!(asked.unwrap().contains("JfrUnit is up. (question 1)"));
        let posted = port.messages();
        assert!(posted[0].post.to_plain().contains("asked by anonymous"));
        let voted = respond(&app, ":upvote 1 alice", tz).await.unwrap();
        assert!(voted.contains("counts: ▲ 1"), "{voted}");
        let undone = respond(&app, ":upvote 1 alice", tz).await.unwrap();
        assert!(undone.contains("taken back: ▲ 0"), "{undone}");
        let pinned = respond(&app, ":pin 1", tz).await.unwrap();
        assert!(pinned.contains("📌"), "{pinned}");
        let listed = respond(&app, "/questions morling-jfrunit", tz)
            .await
            .unwrap();
        assert!(
            listed.contains("you (you, anonymous)") && listed.contains("[id 1]"),
            "{listed}"
        );
        let lounge = respond(&app, "/ask Where is everyone?", tz).await.unwrap();
        assert!(lounge.contains("Speakers Lounge"), "{lounge}");
        assert!(respond(&app, "/now", tz).await.is_none());
    }
}

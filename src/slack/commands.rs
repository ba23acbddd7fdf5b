//! `/emcee TEXT`: which command the text asks for.
//!
//! Slack gives a slash command one free-text argument, so the first word is
//! the subcommand. The agenda questions are read exactly as the console reads
//! them (`/next Observability`, `/agenda tomorrow Observability`), so the
//! same words answer the same way everywhere.

use super::stars::StarCommand;
use chrono::{DateTime, Utc};
use emcee_core::agenda::Agenda;
use emcee_core::command::Request;
use emcee_core::reminders::DEFAULT_MINUTES;

/// What `/emcee …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// An agenda question for the core's command layer.
    Ask(Request),
    Remind {
        session: String,
        minutes: u32,
    },
    Reminders {
        cancel: Option<String>,
    },
    /// `mycal [reset]`: the feed address (made anew with `reset`) and the file.
    MyCal {
        reset: bool,
    },
    /// `star`, `unstar`, `mytalks`.
    Stars(super::stars::StarCommand),
    Poll(PollCommand),
    /// `ask [SESSION |] QUESTION [anonymous:yes]`.
    Question(crate::slack::questions::TypedQuestion),
    /// `questions [SESSION]`: the hosts' panel.
    Questions {
        session: Option<String>,
    },
    Reload,
    /// `contest open CHANNEL MINUTES [template]`, `contest close`.
    Contest(crate::slack::contests::ContestCommand),
    /// Not a command; the text says why.
    Unknown(String),
}

/// `/emcee poll …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollCommand {
    /// The text after `create`: `Question? | A | B [minutes:10] [multi:yes] …`.
    Create(String),
    /// A poll's link or message ts; none: the latest open poll in the channel.
    Close(Option<String>),
    Cancel(Option<String>),
    Results(Option<String>),
}

/// Reads the text of `/emcee`. `agenda` and `now` help split `agenda [day] [track]`.
pub fn parse(text: &str, agenda: &Agenda, now: DateTime<Utc>) -> Command {
    let text = text.trim();
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    match word.to_lowercase().as_str() {
        "" | "help" => Command::Ask(Request::Help),
        "remind" => {
            let (session, minutes) = split_minutes(rest);
            Command::Remind {
                session: session.to_owned(),
                minutes,
            }
        }
        "reminders" => Command::Reminders {
            cancel: rest
                .strip_prefix("cancel")
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
        },
        "mycal" => Command::MyCal {
            reset: rest.eq_ignore_ascii_case("reset"),
        },
        "star" => Command::Stars(StarCommand::Star(rest.to_owned())),
        "unstar" => Command::Stars(StarCommand::Unstar(rest.to_owned())),
        "mytalks" => Command::Stars(StarCommand::MyTalks),
        "reload" => Command::Reload,
        "contest" => Command::Contest(crate::slack::contests::typed(rest)),
        "poll" => Command::Poll(poll(rest)),
        "ask" => Command::Question(crate::slack::questions::typed_question(rest)),
        "questions" => Command::Questions {
            session: Some(rest.to_owned()).filter(|s| !s.is_empty()),
        },
        "now" | "next" | "agenda" | "track" | "speaker" | "room" | "session" | "search" => {
            let line = format!("/{word} {rest}");
            match crate::console::parse::parse(&line, agenda, now) {
                crate::console::parse::Line::Command(request) => Command::Ask(request),
                _ => Command::Unknown(usage()),
            }
        }
        _ => Command::Unknown(format!(
            "I don't know `{}`. {}",
            word.chars().take(40).collect::<String>(),
            usage()
        )),
    }
}

fn usage() -> String {
    "Try `/emcee help` for the list.".to_owned()
}

fn poll(rest: &str) -> PollCommand {
    let (sub, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let target = Some(args.trim().to_owned()).filter(|a| !a.is_empty());
    match sub.to_lowercase().as_str() {
        "close" => PollCommand::Close(target),
        "cancel" => PollCommand::Cancel(target),
        "results" => PollCommand::Results(target),
        "create" => PollCommand::Create(args.trim().to_owned()),
        _ => PollCommand::Create(String::new()),
    }
}

/// "g1 15" as session "g1" and 15 minutes; no trailing number: the default.
fn split_minutes(rest: &str) -> (&str, u32) {
    rest.rsplit_once(char::is_whitespace)
        .and_then(|(session, minutes)| Some((session.trim(), minutes.parse().ok()?)))
        .unwrap_or((rest, DEFAULT_MINUTES))
}

/// A typed poll: `Question? | A | B` and trailing `key:value` options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypedPoll {
    pub question: String,
    pub options: String,
    pub minutes: Option<String>,
    pub multi: bool,
    pub hide: bool,
    pub reactions: bool,
}

/// Reads `Which language? | Rust | Go | Zig minutes:10 multi:yes hide:yes
/// style:reactions`: the settings are taken from the end of the last option.
pub fn typed_poll(text: &str) -> TypedPoll {
    let mut words: Vec<&str> = text.split(' ').collect();
    let mut poll = TypedPoll::default();
    while let Some(last) = words.last().copied() {
        let yes = |v: &str| matches!(v.to_lowercase().as_str(), "yes" | "true" | "on" | "1");
        match last.split_once(':') {
            Some(("minutes" | "duration", value)) => poll.minutes = Some(value.to_owned()),
            Some(("multi", value)) => poll.multi = yes(value),
            Some(("hide", value)) => poll.hide = yes(value),
            Some(("style", value)) => poll.reactions = value.eq_ignore_ascii_case("reactions"),
            _ if last.is_empty() => {}
            _ => break,
        }
        words.pop();
    }
    let rest = words.join(" ");
    let (question, options) = rest.split_once('|').unwrap_or((&rest, ""));
    poll.question = question.trim().to_owned();
    poll.options = options.trim().to_owned();
    poll
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn sample() -> Agenda {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml");
        emcee_core::config::Config::load(&path)
            .map(|c| c.programme.agenda)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn subcommands_read_as_the_console_reads_them() {
        let agenda = sample();
        let now = Utc::now();
        assert_eq!(parse("", &agenda, now), Command::Ask(Request::Help));
        assert_eq!(parse("now", &agenda, now), Command::Ask(Request::Now));
        assert_eq!(
            parse("next Observability", &agenda, now),
            Command::Ask(Request::Next {
                track: Some("Observability".into())
            })
        );
        assert_eq!(
            parse("speaker  cantrill ", &agenda, now),
            Command::Ask(Request::Speaker("cantrill".into()))
        );
        assert_eq!(
            parse("remind g1 15", &agenda, now),
            Command::Remind {
                session: "g1".into(),
                minutes: 15
            }
        );
        assert_eq!(
            parse("reminders cancel g1", &agenda, now),
            Command::Reminders {
                cancel: Some("g1".into())
            }
        );
        assert_eq!(
            parse(
                "poll close https://x.slack.com/archives/C1/p1",
                &agenda,
                now
            ),
            Command::Poll(PollCommand::Close(Some(
                "https://x.slack.com/archives/C1/p1".into()
            )))
        );
        assert!(matches!(parse("dance", &agenda, now), Command::Unknown(_)));
    }

    #[test]
    fn a_typed_poll_takes_its_settings_from_the_end() {
        let poll =
            typed_poll("Which language? | Rust | Go | Zig minutes:10 multi:yes style:reactions");
        assert_eq!(poll.question, "Which language?");
        assert_eq!(poll.options, "Rust | Go | Zig");
        assert_eq!(poll.minutes.as_deref(), Some("10"));
        assert!(poll.multi && poll.reactions && !poll.hide);
        let plain = typed_poll("Tea? | Yes | No");
        assert_eq!(
            (plain.question.as_str(), plain.options.as_str()),
            ("Tea?", "Yes | No")
        );
        assert_eq!(plain.minutes, None);
    }
}

//! Reading a console line as a command.
//!
//! Slash commands are the same as in chat (`/next Observability`); console-only
//! controls start with a colon (`:time`, `:quit`), like `:vote` will.

use chrono::{DateTime, Utc};
use emcee_core::agenda::Agenda;
use emcee_core::command::{parse_day, Request};

/// What one line of console input asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A chat command.
    Command(Request),
    /// Show the console clock.
    Time,
    Quit,
    Blank,
    /// Not a command; the text says why.
    Unknown(String),
}

/// Parses one line. `agenda` and `now` help split `/agenda [day] [track]`.
pub fn parse(line: &str, agenda: &Agenda, now: DateTime<Utc>) -> Line {
    let line = line.trim();
    if line.is_empty() {
        return Line::Blank;
    }
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let argument = || rest.to_owned();
    let optional = || Some(rest.to_owned()).filter(|r| !r.is_empty());
    let request = match word.to_lowercase().as_str() {
        ":quit" | ":q" | "/quit" | "/exit" => return Line::Quit,
        ":time" => return Line::Time,
        "/now" => Request::Now,
        "/next" => Request::Next { track: optional() },
        "/agenda" => agenda_request(rest, agenda, now),
        "/track" => Request::Track(argument()),
        "/speaker" => Request::Speaker(argument()),
        "/room" => Request::Room(argument()),
        "/session" => Request::Session(argument()),
        "/search" => Request::Search(argument()),
        "/help" | "?" => Request::Help,
        other if other.starts_with('/') => {
            return Line::Unknown(format!("Unknown command {word}; type /help for the list."))
        }
        _ => {
            return Line::Unknown(
                "Commands start with / (try /help); :time shows the clock, :quit leaves."
                    .to_owned(),
            )
        }
    };
    Line::Command(request)
}

/// `/agenda`, `/agenda tomorrow`, `/agenda Observability`, `/agenda day 2 Observability`.
fn agenda_request(rest: &str, agenda: &Agenda, now: DateTime<Utc>) -> Request {
    let days: Vec<_> = agenda.days().collect();
    let is_day = |text: &str| parse_day(text, &days, now, agenda.timezone()).is_some();
    if rest.is_empty() || is_day(rest) {
        return Request::Agenda {
            day: Some(rest.to_owned()).filter(|r| !r.is_empty()),
            track: None,
        };
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    for split in (1..words.len()).rev() {
        let (day, track) = words.split_at(split);
        if is_day(&day.join(" ")) {
            return Request::Agenda {
                day: Some(day.join(" ")),
                track: Some(track.join(" ")),
            };
        }
    }
    Request::Agenda {
        day: None,
        track: Some(rest.to_owned()),
    }
}

//! The command layer every adapter shares.
//!
//! An adapter turns what a user typed or clicked into a [`Request`], calls
//! [`execute`], and renders the [`Reply`]. Because the question is answered
//! here, the console, Discord and (later) Slack give the same facts; they only
//! differ in how they show them.

mod answer;
mod day;

pub use answer::{help_lines, Answer, HelpEntry, Notice, Reply, Surface, HELP};
pub use day::parse_day;

use crate::agenda::{text, Agenda, NameMatch, Session};
use chrono::{DateTime, Utc};

/// How many characters of a typed argument are looked at; longer input is refused.
pub const MAX_ARGUMENT_CHARS: usize = 200;

/// A question for the agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Now,
    Next {
        track: Option<String>,
    },
    Agenda {
        day: Option<String>,
        track: Option<String>,
    },
    Track(String),
    Speaker(String),
    Room(String),
    Session(String),
    Search(String),
    Help,
}

impl Request {
    /// The command's name, as users type it and metrics label it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Now => "now",
            Self::Next { .. } => "next",
            Self::Agenda { .. } => "agenda",
            Self::Track(_) => "track",
            Self::Speaker(_) => "speaker",
            Self::Room(_) => "room",
            Self::Session(_) => "session",
            Self::Search(_) => "search",
            Self::Help => "help",
        }
    }
}

/// A request that cannot be answered as asked; shown to the asker only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    NoMatch(NoMatch),
    #[error("please give {what}")]
    MissingArgument { what: &'static str },
    #[error("that {what} is too long ({chars} characters; at most {max})")]
    TooLong {
        what: &'static str,
        chars: usize,
        max: usize,
    },
}

/// "No track matches X; did you mean ...?"
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoMatch {
    /// "track", "speaker", "room", "session", "day".
    pub kind: &'static str,
    pub typed: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for NoMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "No {} matches “{}”", self.kind, self.typed)?;
        match self.suggestions.as_slice() {
            [] => f.write_str("."),
            [only] => write!(f, "; did you mean “{only}”?"),
            many => write!(
                f,
                "; did you mean {}?",
                many.iter()
                    .map(|s| format!("“{s}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Answers `request` from `agenda` as of `now`.
///
/// # Errors
/// [`CommandError`] for unknown names, missing or oversized arguments.
pub fn execute(
    agenda: &Agenda,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Reply, CommandError> {
    let answer = |heading: String, notice: Option<Notice>, sessions: Vec<&Session>| {
        Reply::Sessions(Answer {
            heading,
            notice,
            sessions: sessions.into_iter().cloned().collect(),
            detailed: false,
            asked_at: now,
        })
    };
    Ok(match request {
        Request::Help => Reply::Help(HELP.to_vec()),
        Request::Now => {
            let live = agenda.now(now);
            let notice = live.is_empty().then(|| frame_empty_now(agenda, now));
            answer("Live now".into(), notice, live)
        }
        Request::Next { track } => {
            let track = track
                .as_deref()
                .map(|t| resolve_track(agenda, t))
                .transpose()?;
            let next = agenda.next(now, 1, track.as_deref());
            let notice = next.is_empty().then(|| frame_empty_next(agenda, now));
            let heading = track.map_or_else(|| "Next up".to_owned(), |t| format!("Next up in {t}"));
            answer(heading, notice, next)
        }
        Request::Agenda { day, track } => day_view(agenda, day.as_deref(), track.as_deref(), now)?,
        Request::Track(typed) => {
            let track = resolve_track(agenda, checked(typed, "a track name")?)?;
            answer(
                format!("Track: {track}"),
                None,
                agenda.track_sessions(&track),
            )
        }
        Request::Room(typed) => {
            let room = match agenda.find_room(checked(typed, "a room name")?) {
                NameMatch::Found(room) => room,
                NameMatch::Unknown { suggestions } => {
                    return Err(no_match("room", typed, suggestions))
                }
            };
            answer(format!("Room: {room}"), None, agenda.room_sessions(&room))
        }
        Request::Speaker(typed) => speaker_view(agenda, checked(typed, "a speaker's name")?, now)?,
        Request::Session(typed) => {
            session_view(agenda, checked(typed, "a session title or id")?, now)?
        }
        Request::Search(typed) => {
            let typed = checked(typed, "something to search for")?;
            let found = agenda.search(typed);
            if found.is_empty() {
                return Err(no_match("session", typed, agenda.suggest_sessions(typed)));
            }
            answer(format!("Sessions matching “{typed}”"), None, found)
        }
    })
}

/// A trimmed, non-empty argument of sane length.
fn checked<'a>(typed: &'a str, what: &'static str) -> Result<&'a str, CommandError> {
    let typed = typed.trim();
    let chars = typed.chars().count();
    if chars == 0 {
        return Err(CommandError::MissingArgument { what });
    }
    if chars > MAX_ARGUMENT_CHARS {
        return Err(CommandError::TooLong {
            what,
            chars,
            max: MAX_ARGUMENT_CHARS,
        });
    }
    Ok(typed)
}

fn no_match(kind: &'static str, typed: &str, suggestions: Vec<String>) -> CommandError {
    CommandError::NoMatch(NoMatch {
        kind,
        typed: typed.trim().to_owned(),
        suggestions,
    })
}

fn resolve_track(agenda: &Agenda, typed: &str) -> Result<String, CommandError> {
    match agenda.find_track(checked(typed, "a track name")?) {
        NameMatch::Found(track) => Ok(track),
        NameMatch::Unknown { suggestions } => Err(no_match("track", typed, suggestions)),
    }
}

fn frame_empty_now(agenda: &Agenda, now: DateTime<Utc>) -> Notice {
    match (agenda.first_start(), agenda.last_end()) {
        (Some(first), _) if now < first => Notice::NotStarted { starts_at: first },
        (_, Some(last)) if now >= last => Notice::Over { ended_at: last },
        (Some(_), Some(_)) => agenda
            .next(now, 1, None)
            .first()
            .map_or(Notice::NoMoreSessions, |s| Notice::NothingLive {
                next_at: s.start,
            }),
        _ => Notice::EmptyAgenda,
    }
}

fn frame_empty_next(agenda: &Agenda, now: DateTime<Utc>) -> Notice {
    match agenda.last_end() {
        None => Notice::EmptyAgenda,
        Some(last) if now >= last => Notice::Over { ended_at: last },
        Some(_) => Notice::NoMoreSessions,
    }
}

fn day_view(
    agenda: &Agenda,
    day: Option<&str>,
    track: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Reply, CommandError> {
    let days: Vec<_> = agenda.days().collect();
    let typed = match day {
        Some(day) => checked(day, "a day")?,
        None => "today",
    };
    let date = parse_day(typed, &days, now, agenda.timezone())
        .ok_or_else(|| no_match("day", typed, days.iter().map(ToString::to_string).collect()))?;
    let track = track.map(|t| resolve_track(agenda, t)).transpose()?;
    let sessions: Vec<&Session> = agenda
        .day(date)
        .iter()
        .filter(|s| track.is_none() || s.track == track)
        .collect();
    let notice = match (sessions.is_empty(), agenda.first_start(), agenda.last_end()) {
        (true, Some(first), _) if now < first => Some(Notice::NotStarted { starts_at: first }),
        (true, _, Some(last)) if now >= last => Some(Notice::Over { ended_at: last }),
        (true, None, _) => Some(Notice::EmptyAgenda),
        (true, _, _) => Some(Notice::NoMoreSessions),
        _ => None,
    };
    let heading = match &track {
        Some(track) => format!("{} — {track}", date.format("%A %-d %B %Y")),
        None => date.format("%A %-d %B %Y").to_string(),
    };
    Ok(Reply::Sessions(Answer {
        heading,
        notice,
        sessions: sessions.into_iter().cloned().collect(),
        detailed: false,
        asked_at: now,
    }))
}

fn speaker_view(agenda: &Agenda, typed: &str, now: DateTime<Utc>) -> Result<Reply, CommandError> {
    let found = agenda.speaker(typed);
    let Some(first) = found.first() else {
        return Err(no_match("speaker", typed, agenda.suggest_speakers(typed)));
    };
    let heading = if found.len() == 1 {
        format!("Sessions by {}", first.name)
    } else {
        format!("Speakers matching “{typed}”")
    };
    let mut sessions: Vec<Session> = found
        .iter()
        .flat_map(|s| s.sessions.iter().map(|&s| s.clone()))
        .collect();
    sessions.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    sessions.dedup_by(|a, b| a.id == b.id);
    Ok(Reply::Sessions(Answer {
        heading,
        notice: None,
        sessions,
        detailed: false,
        asked_at: now,
    }))
}

fn session_view(agenda: &Agenda, typed: &str, now: DateTime<Utc>) -> Result<Reply, CommandError> {
    let mut found = agenda.find_sessions(typed);
    // An exact title (or id) beats titles that merely contain the typed words.
    let exact =
        |s: &Session| s.id.as_str() == typed || text::folded(&s.title) == text::folded(typed);
    if found.first().is_some_and(|s| exact(s)) && !found.get(1).is_some_and(|s| exact(s)) {
        found.truncate(1);
    }
    match found.as_slice() {
        [] => Err(no_match("session", typed, agenda.suggest_sessions(typed))),
        [only] => Ok(Reply::Sessions(Answer {
            heading: only.title.clone(),
            notice: None,
            sessions: vec![(*only).clone()],
            detailed: true,
            asked_at: now,
        })),
        many => Ok(Reply::Sessions(Answer {
            heading: format!("Sessions matching “{typed}”"),
            notice: None,
            sessions: many.iter().map(|&s| s.clone()).collect(),
            detailed: false,
            asked_at: now,
        })),
    }
}

#[cfg(test)]
mod tests;

//! "My day": a user's starred sessions by local day, the ones that overlap
//! flagged, and for each clash a way to still catch the other session.
//!
//! A clash is two starred sessions whose time ranges overlap (one ending
//! exactly when the other starts does not clash). Its suggestion is for the
//! session one is not in: its on-demand video when the agenda links one,
//! else a later repeat (a session with the same title that starts later and
//! does not overlap the one attended), else none. Both sessions of a clash
//! show it, each with the suggestion for the other, since the user picks.

use crate::agenda::text::folded;
use crate::agenda::{Agenda, Session, SessionId};
use crate::chat::{Span, Text, TimeStyle};
use chrono::NaiveDate;

/// A user's starred sessions, planned.
#[derive(Debug, Clone, PartialEq)]
pub struct MyDay {
    /// Local days in order, each with its starred sessions in start order.
    pub days: Vec<Day>,
    /// Starred sessions the agenda no longer has (cancelled by a reload).
    pub gone: Vec<SessionId>,
}

/// One local day of starred sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub date: NaiveDate,
    pub entries: Vec<Entry>,
}

/// A starred session and the starred sessions it overlaps.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub session: Session,
    pub clashes: Vec<Clash>,
}

/// Another starred session at the same time, and how to catch it anyway.
#[derive(Debug, Clone, PartialEq)]
pub struct Clash {
    pub other: Session,
    pub suggestion: Option<Suggestion>,
}

/// How to catch a session one cannot attend live.
#[derive(Debug, Clone, PartialEq)]
pub enum Suggestion {
    /// Its on-demand video.
    Video(String),
    /// A later session with the same title.
    Repeat(Session),
}

/// Plans the sessions `starred` (ids, any order) from `agenda`.
pub fn plan(agenda: &Agenda, starred: &[SessionId]) -> MyDay {
    let mut sessions: Vec<&Session> = Vec::new();
    let mut gone = Vec::new();
    for id in starred {
        match agenda.session(id) {
            Some(session) if !sessions.iter().any(|s| s.id == session.id) => {
                sessions.push(session);
            }
            Some(_) => {}
            None => gone.push(id.clone()),
        }
    }
    sessions.sort_by(|a, b| (a.start, a.end, &a.id).cmp(&(b.start, b.end, &b.id)));
    let zone = agenda.timezone();
    let mut days: Vec<Day> = Vec::new();
    for session in &sessions {
        let clashes = sessions
            .iter()
            .filter(|other| other.id != session.id && overlap(session, other))
            .map(|other| Clash {
                other: (*other).clone(),
                suggestion: suggestion(agenda, session, other),
            })
            .collect();
        let entry = Entry {
            session: (*session).clone(),
            clashes,
        };
        let date = session.start.with_timezone(&zone).date_naive();
        match days.last_mut() {
            Some(day) if day.date == date => day.entries.push(entry),
            _ => days.push(Day {
                date,
                entries: vec![entry],
            }),
        }
    }
    MyDay { days, gone }
}

/// Whether two sessions' time ranges overlap.
fn overlap(a: &Session, b: &Session) -> bool {
    a.start < b.end && b.start < a.end
}

/// How to catch `other` while attending `attended`.
fn suggestion(agenda: &Agenda, attended: &Session, other: &Session) -> Option<Suggestion> {
    if let Some(video) = other.video() {
        return Some(Suggestion::Video(video.url.clone()));
    }
    let title = folded(&other.title);
    agenda
        .sessions()
        .iter()
        .filter(|s| s.id != other.id && s.start > other.start && !overlap(s, attended))
        .find(|s| folded(&s.title) == title)
        .map(|s| Suggestion::Repeat(s.clone()))
}

impl MyDay {
    /// How many starred sessions the agenda still has.
    pub fn count(&self) -> usize {
        self.days.iter().map(|d| d.entries.len()).sum()
    }

    /// The answer to `/mytalks`, one line each: a heading per day, a line
    /// per session (⚠ when it clashes) and one per clash with its suggestion.
    pub fn lines(&self) -> Vec<Text> {
        if self.days.is_empty() && self.gone.is_empty() {
            return vec![Text::plain(
                "You have starred no sessions yet. Star one with /star, or with ☆ under /session.",
            )];
        }
        let mut lines = vec![Text::plain(format!("Your day ({} starred):", self.count()))];
        for day in &self.days {
            lines.push(Text::strong(day.date.format("%A %-d %B").to_string()));
            for entry in &day.entries {
                lines.push(entry_line(entry));
                lines.extend(entry.clashes.iter().map(clash_line));
            }
        }
        if !self.gone.is_empty() {
            let ids: Vec<&str> = self.gone.iter().map(SessionId::as_str).collect();
            lines.push(Text::plain(format!(
                "No longer in the agenda: {}.",
                ids.join(", ")
            )));
        }
        lines
    }
}

fn entry_line(entry: &Entry) -> Text {
    let session = &entry.session;
    let mark = if entry.clashes.is_empty() {
        "• "
    } else {
        "⚠ "
    };
    let mut line = Text::plain(mark)
        .with(Span::Time(session.start, TimeStyle::Time))
        .and("–")
        .with(Span::Time(session.end, TimeStyle::Time))
        .and(" ")
        .with(Span::Strong(session.title.clone()));
    if let Some(track) = session.track.as_ref().or(session.room.as_ref()) {
        line = line.and(format!(" ({track})"));
    }
    line
}

fn clash_line(clash: &Clash) -> Text {
    let line = Text::plain(format!("    overlaps “{}”", clash.other.title));
    match &clash.suggestion {
        Some(Suggestion::Video(url)) => line
            .and("; catch it later on demand: ")
            .with(Span::Link(url.clone())),
        Some(Suggestion::Repeat(again)) => line
            .and("; it repeats ")
            .with(Span::Time(again.start, TimeStyle::DateTime)),
        None => line.and("; it has no video or repeat listed."),
    }
}

//! Checks a conference before it is indexed: hard problems refuse the agenda,
//! soft ones (two sessions in one room at once) are reported and kept.
//!
//! Problems carry the session's position and the field at fault, so a loader
//! that knows where each session came from (a TOML line, an XML event) can
//! point the organiser at the exact spot.

use super::model::Conference;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Which part of a session a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Title,
    End,
    Track,
    Room,
}

impl Field {
    /// The field's key in agenda files.
    pub fn key(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Title => "title",
            Self::End => "end",
            Self::Track => "track",
            Self::Room => "room",
        }
    }
}

/// A reason to refuse an agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Position of the session in `Conference::sessions`.
    pub session: usize,
    pub field: Field,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sessions[{}].{}: {}",
            self.session,
            self.field.key(),
            self.message
        )
    }
}

/// Something odd but allowed, shown by `emcee check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every hard problem in `conference`, in session order, plus the warnings.
pub fn check(conference: &Conference) -> (Vec<Problem>, Vec<Warning>) {
    let mut problems = Vec::new();
    let tracks: HashSet<&str> = conference.tracks.iter().map(|t| t.name.as_str()).collect();
    let rooms: HashSet<&str> = conference.rooms.iter().map(|r| r.name.as_str()).collect();
    let mut first_with_id: HashMap<&str, usize> = HashMap::new();
    for (index, session) in conference.sessions.iter().enumerate() {
        let mut problem = |field, message: String| {
            problems.push(Problem {
                session: index,
                field,
                message,
            });
        };
        if session.id.as_str().trim().is_empty() {
            problem(Field::Id, "the id is empty".into());
        } else if let Some(first) = first_with_id.insert(session.id.as_str(), index) {
            first_with_id.insert(session.id.as_str(), first);
            problem(
                Field::Id,
                format!(
                    "duplicate id `{}` (already used by sessions[{first}])",
                    session.id
                ),
            );
        }
        if session.title.trim().is_empty() {
            problem(
                Field::Title,
                format!("session `{}` has an empty title", session.id),
            );
        }
        if session.end <= session.start {
            // In the conference's zone, as the organiser wrote them, not UTC.
            let local = |at: &chrono::DateTime<chrono::Utc>| at.with_timezone(&conference.timezone);
            problem(
                Field::End,
                format!(
                    "session `{}` ends at {} which is not after its start {}",
                    session.id,
                    local(&session.end),
                    local(&session.start)
                ),
            );
        }
        if let Some(track) = session.track.as_deref().filter(|t| !tracks.contains(t)) {
            problem(
                Field::Track,
                format!("unknown track `{track}` (declare it under [[tracks]])"),
            );
        }
        if let Some(room) = session.room.as_deref().filter(|r| !rooms.contains(r)) {
            problem(
                Field::Room,
                format!("unknown room `{room}` (declare it under [[rooms]])"),
            );
        }
    }
    (problems, room_overlaps(conference))
}

/// Sessions that share a room at the same time: allowed (a lightning-talk block and its
/// talks), but usually a typo, so the organiser hears about it.
fn room_overlaps(conference: &Conference) -> Vec<Warning> {
    let mut by_room: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, session) in conference.sessions.iter().enumerate() {
        if let Some(room) = &session.room {
            by_room.entry(room).or_default().push(index);
        }
    }
    let mut warnings = Vec::new();
    let mut rooms: Vec<_> = by_room.into_iter().collect();
    rooms.sort_by_key(|(room, _)| *room);
    for (room, mut indices) in rooms {
        indices.sort_by_key(|&i| conference.sessions[i].start);
        let mut latest_end: Option<usize> = None;
        for index in indices {
            let session = &conference.sessions[index];
            if let Some(previous) = latest_end.map(|i| &conference.sessions[i]) {
                if session.start < previous.end {
                    let at = session.start.with_timezone(&conference.timezone);
                    warnings.push(Warning {
                        message: format!(
                            "room `{room}`: `{}` (from {}) overlaps `{}` (until {})",
                            session.id,
                            at.format("%a %-d %b %H:%M %Z"),
                            previous.id,
                            previous
                                .end
                                .with_timezone(&conference.timezone)
                                .format("%H:%M")
                        ),
                    });
                }
            }
            if latest_end.is_none_or(|i| conference.sessions[i].end < session.end) {
                latest_end = Some(index);
            }
        }
    }
    warnings
}

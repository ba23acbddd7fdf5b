//! The agenda: a validated conference, indexed for the questions attendees ask.
//!
//! Sessions are kept sorted by start instant, and every query works from sorted
//! indexes (binary search, prefix ranges of a word index), never by scanning the
//! whole programme: the same code must answer within microseconds for a
//! 10,000-session festival and for a one-day online conference.

pub mod complete;
pub mod diff;
pub mod model;
mod names;
mod query;
pub mod text;
pub mod validate;

pub use complete::{Choice, NameKind};
pub use model::{
    Conference, Link, LinkKind, Room, Session, SessionId, SessionKind, Speaker, Track,
};
pub use names::NameMatch;
pub use query::SpeakerSessions;
pub use validate::{Field, Problem, Warning};

use chrono::{NaiveDate, TimeDelta};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

/// Why an agenda was refused.
#[derive(Debug, thiserror::Error)]
pub enum AgendaError {
    #[error("the agenda has {} problem(s); first: {}", .0.len(), .0[0])]
    Invalid(Vec<Problem>),
}

/// One speaker with the words of their name and the sessions they give.
#[derive(Debug, Clone)]
struct SpeakerEntry {
    name: String,
    words: Vec<String>,
    sessions: Vec<usize>,
}

/// A validated, indexed programme. Cheap to query, rebuilt whole when the source changes.
#[derive(Debug, Clone)]
pub struct Agenda {
    name: String,
    timezone: Tz,
    tracks: Vec<Track>,
    rooms: Vec<Room>,
    /// Sorted by (start, end, track, title, id).
    sessions: Vec<Session>,
    warnings: Vec<Warning>,
    /// How the source was read ("132 times had no offset; read as
    /// Europe/Brussels"), for `check` and the start-up log.
    notes: Vec<String>,
    by_id: HashMap<SessionId, usize>,
    /// The longest session: bounds how far back a "running now" search has to look.
    longest: TimeDelta,
    by_track: HashMap<String, Vec<usize>>,
    by_room: HashMap<String, Vec<usize>>,
    speakers: Vec<SpeakerEntry>,
    /// Word of a speaker's name -> speakers carrying it.
    speaker_words: BTreeMap<String, Vec<usize>>,
    /// Word of a title, abstract or speaker -> sessions carrying it, ascending.
    search_words: BTreeMap<String, Vec<usize>>,
    /// Local (conference timezone) days, each a contiguous range of `sessions`.
    days: Vec<(NaiveDate, Range<usize>)>,
}

impl Agenda {
    /// Validates and indexes `conference`.
    ///
    /// # Errors
    /// [`AgendaError::Invalid`] with every hard problem when the agenda cannot be used.
    pub fn new(conference: Conference) -> Result<Self, AgendaError> {
        let (problems, warnings) = validate::check(&conference);
        if !problems.is_empty() {
            return Err(AgendaError::Invalid(problems));
        }
        let Conference {
            name,
            timezone,
            tracks,
            rooms,
            mut sessions,
        } = conference;
        sessions.sort_by(|a, b| {
            (a.start, a.end, &a.track, &a.title, &a.id)
                .cmp(&(b.start, b.end, &b.track, &b.title, &b.id))
        });
        let mut agenda = Agenda {
            name,
            timezone,
            tracks,
            rooms,
            sessions,
            warnings,
            notes: Vec::new(),
            by_id: HashMap::new(),
            longest: TimeDelta::zero(),
            by_track: HashMap::new(),
            by_room: HashMap::new(),
            speakers: Vec::new(),
            speaker_words: BTreeMap::new(),
            search_words: BTreeMap::new(),
            days: Vec::new(),
        };
        agenda.build_indexes();
        Ok(agenda)
    }

    fn build_indexes(&mut self) {
        let mut speakers_by_name: HashMap<String, usize> = HashMap::new();
        for (index, session) in self.sessions.iter().enumerate() {
            self.by_id.insert(session.id.clone(), index);
            self.longest = self.longest.max(session.end - session.start);
            if let Some(track) = &session.track {
                self.by_track
                    .entry(text::folded(track))
                    .or_default()
                    .push(index);
            }
            if let Some(room) = &session.room {
                self.by_room
                    .entry(text::folded(room))
                    .or_default()
                    .push(index);
            }
            for speaker in &session.speakers {
                let key = text::folded(&speaker.name);
                let entry = *speakers_by_name.entry(key).or_insert_with(|| {
                    self.speakers.push(SpeakerEntry {
                        name: speaker.name.trim().to_owned(),
                        words: text::words(&speaker.name),
                        sessions: Vec::new(),
                    });
                    self.speakers.len() - 1
                });
                self.speakers[entry].sessions.push(index);
            }
            index_words(&mut self.search_words, index, session);
        }
        for (entry, speaker) in self.speakers.iter().enumerate() {
            for word in &speaker.words {
                let list = self.speaker_words.entry(word.clone()).or_default();
                if list.last() != Some(&entry) {
                    list.push(entry);
                }
            }
        }
        self.days = local_days(&self.sessions, self.timezone);
    }

    /// The conference's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The conference's timezone, used for local days and console times.
    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// All sessions in start order.
    pub fn sessions(&self) -> &[Session] {
        &self.sessions
    }

    /// Declared tracks, in declaration order.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// Declared rooms, in declaration order.
    pub fn rooms(&self) -> &[Room] {
        &self.rooms
    }

    /// Soft problems found at validation.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// This agenda with the importer's notes on how its source was read.
    #[must_use]
    pub fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes = notes;
        self
    }

    /// How the source was read: the zone offset-less times were read in, cuts.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The local days that have sessions, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.days.iter().map(|(day, _)| *day)
    }
}

/// Adds every word of the session's title, abstract and speakers to the search index.
fn index_words(index: &mut BTreeMap<String, Vec<usize>>, session_index: usize, session: &Session) {
    let speakers = session.speakers.iter().map(|s| s.name.as_str());
    let texts = [session.title.as_str(), session.abstract_text.as_str()]
        .into_iter()
        .chain(speakers);
    for text in texts {
        for word in text::search_words(text) {
            let list = index.entry(word).or_default();
            if list.last() != Some(&session_index) {
                list.push(session_index);
            }
        }
    }
}

/// Groups start-sorted sessions into local days; a session crossing midnight belongs
/// to the day it starts. Local dates never go backwards as instants go forward (DST
/// moves the clock by an hour, not the date), so each day is one contiguous range.
fn local_days(sessions: &[Session], timezone: Tz) -> Vec<(NaiveDate, Range<usize>)> {
    let mut days: Vec<(NaiveDate, Range<usize>)> = Vec::new();
    for (index, session) in sessions.iter().enumerate() {
        let day = session.start.with_timezone(&timezone).date_naive();
        match days.last_mut() {
            Some((last, range)) if *last == day => range.end = index + 1,
            _ => days.push((day, index..index + 1)),
        }
    }
    days
}

#[cfg(test)]
mod tests;

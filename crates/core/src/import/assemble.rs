//! The one place where every format's events meet the agenda's rules.
//!
//! Parsers only translate; they do not decide what the agenda accepts. Here each
//! event is normalised (trimmed title, track and room; an empty track or room
//! means none) and checked against what [`Agenda::new`](crate::agenda::Agenda::new)
//! refuses: a missing id or title, an end not after the start. Such events are
//! skipped with the reason rather than failing the whole file, and every track and
//! room a kept session names is declared, so the result validates.
//!
//! Session ids must be unique, but generators reuse them (a copied event, a merge
//! of two exports). Skipping the second made a real session silently vanish from
//! the bot, so a second session under a used id is kept under a derived id, the
//! id plus `-2` (`-3`, …; never an id the file uses itself), which the same file
//! gives again on every import. Only a true repeat (same title, times and room)
//! is merged into the first. The report names both sides either way.

use super::caps::{self, Cuts};
use super::limits::{Meter, MAX_EVENTS, MAX_PLACES};
use super::report::{ImportReport, Skipped};
use super::sniff::Format;
use crate::agenda::{Conference, Room, Session, Track};
use chrono_tz::Tz;
use std::collections::{HashMap, HashSet};

/// What a parser read, before the agenda's rules are applied.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub name: String,
    pub timezone: Tz,
    /// Tracks the file declares, in its order (used or not).
    pub tracks: Vec<Track>,
    /// Rooms the file declares, in its order (used or not).
    pub rooms: Vec<String>,
    /// Every event of the file, in file order: read, or skipped with a reason.
    pub events: Vec<Result<Session, Skipped>>,
    /// What the reader should know about how times were read.
    pub notes: Vec<String>,
    /// What the caps cut, for the report.
    cuts: Cuts,
    /// The import's budget, charged for every event kept.
    meter: Meter,
}

impl Parsed {
    pub fn new(name: String, timezone: Tz, meter: Meter) -> Self {
        Self {
            name: super::limits::clip(&name, super::limits::TITLE_CHARS),
            timezone,
            tracks: Vec::new(),
            rooms: Vec::new(),
            events: Vec::new(),
            notes: Vec::new(),
            cuts: Cuts::default(),
            meter,
        }
    }

    /// Reads one event of the file with `read`, cuts it to the caps and charges it
    /// to the budget. Past [`MAX_EVENTS`] events are only counted, not read.
    ///
    /// # Errors
    /// Why the import is over its budget; the parser stops and the file is refused.
    pub fn push_with(
        &mut self,
        read: impl FnOnce() -> Result<Session, Skipped>,
    ) -> Result<(), String> {
        if self.events.len() >= MAX_EVENTS {
            self.cuts.events += 1;
            return self.meter.check_time();
        }
        let event = read().map(|session| self.cuts.apply(session));
        let bytes = match &event {
            Ok(session) => caps::footprint(session),
            Err(skip) => skip.id.len() + skip.title.len() + skip.reason.len() + 64,
        };
        self.meter.charge(bytes, "the sessions")?;
        self.events.push(event);
        Ok(())
    }

    /// Checks the time budget between phases.
    ///
    /// # Errors
    /// Why the import is over its budget.
    pub fn check_time(&self) -> Result<(), String> {
        self.meter.check_time()
    }
}

/// Applies the agenda's rules to `parsed` and tallies the report.
pub(crate) fn assemble(format: Format, parsed: Parsed) -> (Conference, ImportReport) {
    let Parsed {
        name,
        timezone,
        tracks: declared_tracks,
        rooms: declared_rooms,
        events,
        mut notes,
        cuts,
        meter: _,
    } = parsed;
    notes.extend(cuts.notes());
    let (declared_tracks, declared_rooms) = (
        capped(declared_tracks, "tracks", &mut notes),
        capped(declared_rooms, "rooms", &mut notes),
    );
    let seen = events.len() + cuts.events;
    let mut skipped = Vec::new();
    let mut ids = Ids::new(&events);
    let mut sessions: Vec<Session> = Vec::new();
    for event in events {
        match event.and_then(|session| admit(normalised(session))) {
            Ok(session) => match ids.place(session, &sessions) {
                Ok(session) => sessions.push(session),
                Err(skip) => skipped.push(skip),
            },
            Err(skip) => skipped.push(skip),
        }
    }
    notes.extend(ids.note());
    let tracks = declared(
        declared_tracks,
        sessions.iter().filter_map(|s| s.track.clone()),
        |name| Track {
            name,
            description: None,
        },
    );
    let rooms = declared(
        declared_rooms
            .into_iter()
            .map(|name| Room { name })
            .collect(),
        sessions.iter().filter_map(|s| s.room.clone()),
        |name| Room { name },
    );
    let name = Some(name.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format.to_string());
    let conference = Conference {
        name,
        timezone,
        tracks,
        rooms,
        sessions,
    };
    let report = ImportReport::tally(format, &conference, seen, skipped, notes);
    (conference, report)
}

/// The first [`MAX_PLACES`] of the tracks or rooms a file declares, with a note
/// when there were more.
fn capped<T>(mut declared: Vec<T>, what: &str, notes: &mut Vec<String>) -> Vec<T> {
    if declared.len() > MAX_PLACES {
        notes.push(format!(
            "the file declares {} {what}; only the first {MAX_PLACES} and those sessions use were kept",
            declared.len()
        ));
        declared.truncate(MAX_PLACES);
    }
    declared
}

/// Trims what organisers' tools leave around names; empty optional fields become none.
fn normalised(mut session: Session) -> Session {
    let trimmed =
        |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    session.id.0 = session.id.0.trim().to_owned();
    session.title = session.title.trim().to_owned();
    session.track = trimmed(session.track);
    session.room = trimmed(session.room);
    session.abstract_text = session.abstract_text.trim().to_owned();
    for speaker in &mut session.speakers {
        speaker.name = speaker.name.trim().to_owned();
        speaker.affiliation = trimmed(speaker.affiliation.take());
    }
    session.speakers.retain(|speaker| !speaker.name.is_empty());
    let mut urls = HashSet::new();
    session
        .links
        .retain(|link| !link.url.trim().is_empty() && urls.insert(link.url.clone()));
    session
}

/// The session if the agenda would accept it, else why not.
fn admit(session: Session) -> Result<Session, Skipped> {
    let skip = |reason: String| Skipped::new(session.id.as_str(), &session.title, reason);
    if session.id.as_str().is_empty() {
        return Err(skip("the event has no id".into()));
    }
    if super::limits::exceeds(session.id.as_str(), super::limits::ID_CHARS) {
        return Err(skip(format!(
            "the id is over {} characters",
            super::limits::ID_CHARS
        )));
    }
    if let Some(reason) = caps::unwritable(&session) {
        return Err(skip(reason));
    }
    if session.title.is_empty() {
        return Err(skip("the event has no title".into()));
    }
    if session.end == session.start {
        return Err(skip(format!(
            "zero length: starts and ends at {}",
            session.start.to_rfc3339()
        )));
    }
    if session.end < session.start {
        return Err(skip(format!(
            "ends ({}) before it starts ({})",
            session.end.to_rfc3339(),
            session.start.to_rfc3339()
        )));
    }
    Ok(session)
}

/// Which ids are used, so a repeated one can be told apart and renamed.
struct Ids {
    /// Every id the file's readable events carry: a derived id never takes one.
    in_file: HashSet<String>,
    /// Index in the kept sessions of each id given out.
    kept: HashMap<String, usize>,
    /// The next suffix to try per repeated id, so 20,000 repeats stay linear.
    next_suffix: HashMap<String, usize>,
    /// (id, first title, derived id, second title) for the report.
    renamed: Vec<(String, String, String, String)>,
}

impl Ids {
    fn new(events: &[Result<Session, Skipped>]) -> Self {
        let in_file = events
            .iter()
            .filter_map(|event| event.as_ref().ok())
            .map(|session| session.id.as_str().trim().to_owned())
            .collect();
        Self {
            in_file,
            kept: HashMap::new(),
            next_suffix: HashMap::new(),
            renamed: Vec::new(),
        }
    }

    /// `session` under its own id, a derived one if that is taken, or merged
    /// (skipped) when it repeats the session already kept under that id.
    fn place(&mut self, mut session: Session, sessions: &[Session]) -> Result<Session, Skipped> {
        let id = session.id.as_str().to_owned();
        let Some(first) = self.kept.get(&id).and_then(|&at| sessions.get(at)) else {
            self.kept.insert(id, sessions.len());
            return Ok(session);
        };
        if (&first.title, first.start, first.end, &first.room)
            == (&session.title, session.start, session.end, &session.room)
        {
            return Err(Skipped::new(
                &id,
                &session.title,
                "listed twice (same id, title, times and room); merged into the first".into(),
            ));
        }
        let first_title = first.title.clone();
        let derived = self.derive(&id);
        self.renamed
            .push((id, first_title, derived.clone(), session.title.clone()));
        self.kept.insert(derived.clone(), sessions.len());
        session.id.0 = derived;
        Ok(session)
    }

    fn derive(&mut self, id: &str) -> String {
        let next = self.next_suffix.entry(id.to_owned()).or_insert(2);
        loop {
            let candidate = format!("{id}-{next}");
            *next += 1;
            if !self.in_file.contains(&candidate) && !self.kept.contains_key(&candidate) {
                return candidate;
            }
        }
    }

    fn note(&self) -> Option<String> {
        let count = self.renamed.len();
        let named: Vec<String> = self
            .renamed
            .iter()
            .take(super::limits::LISTED)
            .map(|(id, first, derived, second)| {
                format!("{id} \"{first}\" and {derived} \"{second}\"")
            })
            .collect();
        let more = match count.saturating_sub(super::limits::LISTED) {
            0 => String::new(),
            more => format!(" and {more} more"),
        };
        (count > 0).then(|| {
            format!(
                "{count} sessions reuse an id already given to a different session; \
                 kept each under a derived id: {}{more}",
                named.join(", ")
            )
        })
    }
}

/// Declared entries first, in file order, then any used name not declared; no duplicates.
fn declared<T, F>(declared: Vec<T>, used: impl Iterator<Item = String>, make: F) -> Vec<T>
where
    T: Named,
    F: Fn(String) -> T,
{
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for mut entry in declared {
        let name = entry.name_mut();
        *name = name.trim().to_owned();
        if !name.is_empty() && names.insert(name.clone()) {
            out.push(entry);
        }
    }
    for name in used {
        if names.insert(name.clone()) {
            out.push(make(name));
        }
    }
    out
}

/// Tracks and rooms are both declared by name.
trait Named {
    fn name_mut(&mut self) -> &mut String;
}

impl Named for Track {
    fn name_mut(&mut self) -> &mut String {
        &mut self.name
    }
}

impl Named for Room {
    fn name_mut(&mut self) -> &mut String {
        &mut self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{Agenda, SessionId, SessionKind};
    use chrono::{TimeZone, Utc};

    fn session(id: &str, title: &str, minutes: i64) -> Session {
        let start = Utc
            .with_ymd_and_hms(2025, 2, 1, 9, 0, 0)
            .single()
            .unwrap_or_default();
        Session {
            id: SessionId::new(id),
            title: title.into(),
            abstract_text: String::new(),
            kind: SessionKind::Talk,
            track: Some(" Rust ".into()),
            room: Some(String::new()),
            speakers: Vec::new(),
            start,
            end: start + chrono::TimeDelta::minutes(minutes),
            links: Vec::new(),
        }
    }

    #[test]
    fn skips_what_the_agenda_refuses_and_declares_the_rest() {
        let mut parsed = Parsed::new(
            "Conf".into(),
            chrono_tz::UTC,
            Meter::start(super::super::limits::Budget::default()),
        );
        parsed.events = vec![
            Ok(session("1", "Opening", 30)),
            Ok(session("1", "Again", 30)),
            Ok(session("2", "  ", 30)),
            Ok(session("3", "Nothing", 0)),
            Ok(session("4", "Backwards", -5)),
            Ok(session(" ", "No id", 5)),
            Err(Skipped::new("5", "Broken", "no start".into())),
        ];
        let (conference, report) = assemble(Format::ScheduleJson, parsed);
        assert_eq!(report.events_seen, 7);
        assert_eq!(report.imported, 2);
        assert_eq!(report.skipped.len(), 5);
        assert!(report.skipped[1].reason.contains("zero length"));
        assert_eq!(conference.tracks.len(), 1);
        assert_eq!(conference.sessions[0].room, None);
        assert!(Agenda::new(conference).is_ok());
    }

    fn assembled(events: Vec<Session>) -> (Conference, ImportReport) {
        let mut parsed = Parsed::new(
            "Conf".into(),
            chrono_tz::UTC,
            Meter::start(super::super::limits::Budget::default()),
        );
        parsed.events = events.into_iter().map(Ok).collect();
        assemble(Format::ScheduleJson, parsed)
    }

    #[test]
    fn a_reused_id_keeps_both_sessions_under_a_stable_derived_id() {
        // "1" twice with different titles: the second was skipped ("duplicate
        // id"), so a real session disappeared. The file's own "1-2" is not taken.
        let events = vec![
            session("1", "Opening", 30),
            session("1-2", "Lightning talks", 30),
            session("1", "Again", 45),
            session("1", "Opening", 30),
            session("1", "Third", 10),
        ];
        let (conference, report) = assembled(events.clone());
        let ids: Vec<(&str, &str)> = conference
            .sessions
            .iter()
            .map(|s| (s.id.as_str(), s.title.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("1", "Opening"),
                ("1-2", "Lightning talks"),
                ("1-3", "Again"),
                ("1-4", "Third")
            ]
        );
        // The exact repeat is merged, and said so.
        assert_eq!(report.skipped.len(), 1);
        assert!(report.skipped[0].reason.contains("merged"));
        let note = report.notes.join("\n");
        assert!(
            note.contains("2 sessions reuse an id")
                && note.contains("1 \"Opening\" and 1-3 \"Again\"")
                && note.contains("1 \"Opening\" and 1-4 \"Third\""),
            "{note}"
        );
        // The same file gives the same ids again.
        let (again, _) = assembled(events);
        assert_eq!(again.sessions, conference.sessions);
        assert!(Agenda::new(conference).is_ok());
    }

    #[test]
    fn thousands_of_repeats_of_one_id_stay_linear() {
        let events = (0..20_000)
            .map(|i| session("x", &format!("Talk {i}"), 30))
            .collect();
        let (conference, report) = assembled(events);
        assert_eq!(report.imported, 20_000);
        assert_eq!(conference.sessions[19_999].id.as_str(), "x-20000");
        assert!(
            report.notes[0].contains("and 19989 more"),
            "{}",
            report.notes[0]
        );
    }
}

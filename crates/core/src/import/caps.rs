//! The caps of [`limits`](super::limits) applied to one session, and the dates
//! emcee can write back out.
//!
//! Cutting happens as each event is kept ([`Parsed::push`](super::assemble::Parsed::push)),
//! so a hostile file never holds more than the caps allow; what was cut is
//! counted per field and reported once, not per session.

use super::limits::{
    clip, exceeds, ABSTRACT_CHARS, NAME_CHARS, PER_SESSION, TITLE_CHARS, URL_CHARS,
};
use crate::agenda::Session;
use chrono::{DateTime, NaiveDate, Utc};

/// How many of each field were cut.
#[derive(Debug, Default)]
pub(crate) struct Cuts {
    pub events: usize,
    titles: usize,
    abstracts: usize,
    names: usize,
    lists: usize,
    links: usize,
}

impl Cuts {
    /// `session` within the caps, counting what was cut.
    pub fn apply(&mut self, mut session: Session) -> Session {
        let cut = |text: &mut String, max: usize, count: &mut usize| {
            if exceeds(text, max) {
                *text = clip(text, max);
                *count += 1;
            }
        };
        cut(&mut session.title, TITLE_CHARS, &mut self.titles);
        cut(
            &mut session.abstract_text,
            ABSTRACT_CHARS,
            &mut self.abstracts,
        );
        for name in [&mut session.track, &mut session.room]
            .into_iter()
            .flatten()
        {
            cut(name, NAME_CHARS, &mut self.names);
        }
        if session.speakers.len() > PER_SESSION || session.links.len() > PER_SESSION {
            session.speakers.truncate(PER_SESSION);
            session.links.truncate(PER_SESSION);
            self.lists += 1;
        }
        for speaker in &mut session.speakers {
            cut(&mut speaker.name, NAME_CHARS, &mut self.names);
            if let Some(affiliation) = &mut speaker.affiliation {
                cut(affiliation, NAME_CHARS, &mut self.names);
            }
        }
        let before = session.links.len();
        session.links.retain(|link| !exceeds(&link.url, URL_CHARS));
        self.links += before - session.links.len();
        session
    }

    /// One report note per field that was cut.
    pub fn notes(&self) -> Vec<String> {
        let rows = [
            (
                self.events,
                format!(
                    "events past the first {} were not read",
                    super::limits::MAX_EVENTS
                ),
            ),
            (
                self.titles,
                format!("titles were cut to {TITLE_CHARS} characters"),
            ),
            (
                self.abstracts,
                format!("abstracts were cut to {ABSTRACT_CHARS} characters"),
            ),
            (
                self.names,
                format!("speaker, track or room names were cut to {NAME_CHARS} characters"),
            ),
            (
                self.lists,
                format!("sessions kept only their first {PER_SESSION} speakers and links"),
            ),
            (
                self.links,
                format!("links over {URL_CHARS} characters were dropped"),
            ),
        ];
        rows.into_iter()
            .filter(|(count, _)| *count > 0)
            .map(|(count, what)| format!("{count} {what}"))
            .collect()
    }
}

/// Roughly the heap bytes `session` holds, for the budget.
pub(crate) fn footprint(session: &Session) -> usize {
    let speakers: usize = session
        .speakers
        .iter()
        .map(|s| s.name.len() + s.affiliation.as_ref().map_or(0, String::len) + 56)
        .sum();
    let links: usize = session.links.iter().map(|l| l.url.len() + 40).sum();
    let names = session.track.as_ref().map_or(0, String::len)
        + session.room.as_ref().map_or(0, String::len);
    256 + session.id.as_str().len()
        + session.title.len()
        + session.abstract_text.len()
        + names
        + speakers
        + links
}

/// Why a session's times cannot be written back out, if they cannot.
///
/// iCalendar (`/mycal`, RFC 5545) and TOML datetimes (`import --out`) have
/// four-digit years, and agenda times are shown in zones up to a day from UTC, so
/// a session must lie between 0001-01-02 and 9999-12-30 UTC. Nothing real is
/// refused: a conference in year 9999 is a typo or an attack, and the report
/// says which session and why.
pub(crate) fn unwritable(session: &Session) -> Option<String> {
    let (earliest, latest) = writable_range();
    let outside = |at: DateTime<Utc>| at < earliest || at > latest;
    (outside(session.start) || outside(session.end)).then(|| {
        format!(
            "dated outside the years calendars and agenda files can hold (starts {}, ends {}; \
             emcee takes 0001-01-02 to 9999-12-30 UTC)",
            session.start.format("%Y-%m-%dT%H:%M:%SZ"),
            session.end.format("%Y-%m-%dT%H:%M:%SZ")
        )
    })
}

fn writable_range() -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |y, m, d| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .map(|naive| naive.and_utc())
    };
    (
        at(1, 1, 2).unwrap_or(DateTime::<Utc>::MIN_UTC),
        at(9999, 12, 30).unwrap_or(DateTime::<Utc>::MAX_UTC),
    )
}

//! What an import did, for the organiser who has to trust it: how many events the
//! file had, how many became sessions, which were skipped and why, how times were
//! read, and counts per day, room, track and kind to compare with the published
//! programme at a glance. Sessions that run past midnight or for over a day are
//! pointed out: in a real programme they are night events or a typo in a date,
//! and either way they sit on the day they start.

use super::limits;
use super::sniff::Format;
use crate::agenda::Conference;
use chrono::{NaiveDate, TimeDelta};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::fmt;

/// One event that did not become a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The event's id in the file, empty when it had none.
    pub id: String,
    /// The event's title in the file, empty when it had none.
    pub title: String,
    /// What was wrong, in words an organiser can act on.
    pub reason: String,
}

impl Skipped {
    pub(crate) fn new(id: &str, title: &str, reason: String) -> Self {
        // A hostile file's id, title or value quoted in the reason would otherwise
        // repeat megabytes into the report.
        Self {
            id: limits::clip(id.trim(), limits::NAME_CHARS),
            title: limits::clip(title.trim(), limits::TITLE_CHARS),
            reason: limits::clip(&reason, limits::REASON_CHARS),
        }
    }
}

/// An imported session the report points out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    pub id: String,
    pub title: String,
}

/// The outcome of one import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub format: Format,
    /// The conference timezone, in which days are counted.
    pub timezone: Tz,
    /// Events in the file (sessions imported plus skipped).
    pub events_seen: usize,
    pub imported: usize,
    pub skipped: Vec<Skipped>,
    /// How times were read and other things worth knowing ("times had no offset; read as Europe/London").
    pub notes: Vec<String>,
    /// Imported sessions per local day (in `timezone`) they start on.
    pub per_day: BTreeMap<NaiveDate, usize>,
    /// Imported sessions per room; "(no room)" for those without.
    pub per_room: BTreeMap<String, usize>,
    /// Imported sessions per track; "(no track)" for those without.
    pub per_track: BTreeMap<String, usize>,
    /// Imported sessions per kind.
    pub per_kind: BTreeMap<String, usize>,
    /// Sessions that end on a later day (in `timezone`) than they start; an end
    /// at exactly midnight is still the day before.
    pub crosses_midnight: Vec<Flagged>,
    /// Sessions longer than 24 hours.
    pub longer_than_a_day: Vec<Flagged>,
}

impl ImportReport {
    pub(crate) fn tally(
        format: Format,
        conference: &Conference,
        events_seen: usize,
        skipped: Vec<Skipped>,
        notes: Vec<String>,
    ) -> Self {
        let mut report = Self {
            format,
            timezone: conference.timezone,
            events_seen,
            imported: conference.sessions.len(),
            skipped,
            notes,
            per_day: BTreeMap::new(),
            per_room: BTreeMap::new(),
            per_track: BTreeMap::new(),
            per_kind: BTreeMap::new(),
            crosses_midnight: Vec::new(),
            longer_than_a_day: Vec::new(),
        };
        for session in &conference.sessions {
            let day = session
                .start
                .with_timezone(&conference.timezone)
                .date_naive();
            *report.per_day.entry(day).or_default() += 1;
            let room = session.room.clone().unwrap_or_else(|| "(no room)".into());
            *report.per_room.entry(room).or_default() += 1;
            let track = session.track.clone().unwrap_or_else(|| "(no track)".into());
            *report.per_track.entry(track).or_default() += 1;
            *report
                .per_kind
                .entry(session.kind.as_str().to_owned())
                .or_default() += 1;
            let flagged = || Flagged {
                id: session.id.as_str().to_owned(),
                title: session.title.clone(),
            };
            let last_moment = session.end - TimeDelta::seconds(1);
            if last_moment.with_timezone(&conference.timezone).date_naive() > day {
                report.crosses_midnight.push(flagged());
            }
            if session.end - session.start > TimeDelta::days(1) {
                report.longer_than_a_day.push(flagged());
            }
        }
        report
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} events, {} imported, {} skipped",
            self.format,
            self.events_seen,
            self.imported,
            self.skipped.len()
        )?;
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        let zone = self.timezone;
        flagged(
            f,
            &self.crosses_midnight,
            &format!("sessions ending on a later day than they start in {zone} (each is listed on the day it starts)"),
        )?;
        flagged(f, &self.longer_than_a_day, "sessions longer than a day")?;
        let days = self
            .per_day
            .iter()
            .map(|(day, n)| (day.format("%a %Y-%m-%d").to_string(), *n));
        counts(f, &format!("per day ({})", self.timezone), days)?;
        counts(
            f,
            "per room",
            self.per_room.iter().map(|(k, n)| (k.clone(), *n)),
        )?;
        counts(
            f,
            "per track",
            self.per_track.iter().map(|(k, n)| (k.clone(), *n)),
        )?;
        counts(
            f,
            "per kind",
            self.per_kind.iter().map(|(k, n)| (k.clone(), *n)),
        )?;
        if !self.skipped.is_empty() {
            writeln!(f, "skipped:")?;
            for skip in &self.skipped {
                let id = if skip.id.is_empty() {
                    "(no id)"
                } else {
                    &skip.id
                };
                writeln!(f, "  {id} \"{}\": {}", skip.title, skip.reason)?;
            }
        }
        Ok(())
    }
}

/// One note naming the first few `sessions`, when there are any.
fn flagged(f: &mut fmt::Formatter<'_>, sessions: &[Flagged], what: &str) -> fmt::Result {
    if sessions.is_empty() {
        return Ok(());
    }
    let named: Vec<String> = sessions
        .iter()
        .take(limits::LISTED)
        .map(|s| format!("{} \"{}\"", s.id, s.title))
        .collect();
    let more = match sessions.len().saturating_sub(limits::LISTED) {
        0 => String::new(),
        more => format!(" and {more} more"),
    };
    writeln!(
        f,
        "note: {what}: {}: {}{more}",
        sessions.len(),
        named.join(", ")
    )
}

fn counts(
    f: &mut fmt::Formatter<'_>,
    heading: &str,
    rows: impl Iterator<Item = (String, usize)>,
) -> fmt::Result {
    writeln!(f, "{heading}:")?;
    for (name, n) in rows {
        writeln!(f, "  {n:>5}  {name}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{Session, SessionId, SessionKind};
    use chrono::{TimeZone, Utc};

    #[test]
    fn display_counts_days_in_the_conference_timezone() {
        // 23:30 UTC on 1 February is already 2 February in Brussels.
        let start = Utc
            .with_ymd_and_hms(2025, 2, 1, 23, 30, 0)
            .single()
            .unwrap();
        let session = Session {
            id: SessionId::new("1"),
            title: "Late".into(),
            abstract_text: String::new(),
            kind: SessionKind::Social,
            track: None,
            room: Some("Bar".into()),
            speakers: Vec::new(),
            start,
            end: start + chrono::TimeDelta::hours(1),
            links: Vec::new(),
        };
        let conference = Conference {
            name: "C".into(),
            timezone: chrono_tz::Europe::Brussels,
            tracks: Vec::new(),
            rooms: Vec::new(),
            sessions: vec![session],
        };
        let skipped = vec![Skipped::new("9", "Broken", "no start".into())];
        let report = ImportReport::tally(
            Format::FrabXml,
            &conference,
            2,
            skipped,
            vec!["a note".into()],
        );
        let text = report.to_string();
        assert!(text.contains("2 events, 1 imported, 1 skipped"), "{text}");
        assert!(text.contains("Sun 2025-02-02"), "{text}");
        assert!(text.contains("(no track)"), "{text}");
        assert!(text.contains("9 \"Broken\": no start"), "{text}");
        assert!(text.contains("note: a note"), "{text}");
        assert!(!text.contains("later day"), "{text}");
    }

    #[test]
    fn flags_sessions_past_midnight_and_longer_than_a_day() {
        let at = |d, h, m| Utc.with_ymd_and_hms(2025, 2, d, h, m, 0).single().unwrap();
        let session = |id: &str, start, end| Session {
            id: SessionId::new(id),
            title: format!("Session {id}"),
            abstract_text: String::new(),
            kind: SessionKind::Talk,
            track: None,
            room: None,
            speakers: Vec::new(),
            start,
            end,
            links: Vec::new(),
        };
        // Brussels is UTC+1 in February.
        let conference = Conference {
            name: "C".into(),
            timezone: chrono_tz::Europe::Brussels,
            tracks: Vec::new(),
            rooms: Vec::new(),
            sessions: vec![
                session("late", at(1, 22, 0), at(1, 23, 30)),
                session("to-midnight", at(1, 21, 0), at(1, 23, 0)),
                session("night", at(1, 20, 0), at(2, 1, 0)),
                session("trip", at(1, 8, 0), at(2, 9, 0)),
            ],
        };
        let report = ImportReport::tally(Format::FrabXml, &conference, 4, Vec::new(), Vec::new());
        let ids = |list: &[Flagged]| list.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&report.crosses_midnight), ["late", "night", "trip"]);
        assert_eq!(ids(&report.longer_than_a_day), ["trip"]);
        let text = report.to_string();
        assert!(
            text.contains("note: sessions ending on a later day than they start in Europe/Brussels (each is listed on the day it starts): 3: late"),
            "{text}"
        );
        assert!(
            text.contains("note: sessions longer than a day: 1: trip \"Session trip\""),
            "{text}"
        );
    }
}

//! Calendars as iCalendar text (RFC 5545): a user's reminded sessions for
//! `/mycal`'s file, and the subscribable feeds (`crate::feeds`), from one
//! writer.
//!
//! Written by hand because the subset is small: UTC times, escaped text,
//! CRLF line ends, and lines folded at 75 octets without splitting a UTF-8
//! character. A session's UID is its id, so a calendar app that subscribes
//! updates the event it has (moved, retitled) instead of adding another; an
//! event with a reminder carries an alarm at the user's lead time.

use super::Reminder;
use crate::agenda::{Agenda, Session};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// One calendar, ready to write.
#[derive(Debug, Clone)]
pub struct Calendar<'a> {
    /// `X-WR-CALNAME`, the name calendar apps show.
    pub name: String,
    pub events: Vec<Event<'a>>,
    /// When it is written (`DTSTAMP`).
    pub now: DateTime<Utc>,
    /// How often a subscriber should fetch it again, in minutes; none for a
    /// one-off file.
    pub refresh_minutes: Option<u32>,
}

/// One session in a calendar.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub session: &'a Session,
    /// Minutes before the start to alert; none: no alarm.
    pub alarm_minutes: Option<u32>,
    /// How often the session changed (`SEQUENCE`) and when last
    /// (`LAST-MODIFIED`); none for a one-off file.
    pub revision: Option<Revision>,
}

/// A session's revision, so subscribers take a change as an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub sequence: u32,
    pub modified: DateTime<Utc>,
}

/// The calendar of `reminders` (sessions no longer in `agenda` are left out).
pub fn calendar(agenda: &Agenda, reminders: &[Reminder], now: DateTime<Utc>) -> String {
    let events = reminders
        .iter()
        .filter_map(|reminder| {
            agenda.session(&reminder.session).map(|session| Event {
                session,
                alarm_minutes: Some(reminder.minutes_before),
                revision: None,
            })
        })
        .collect();
    write(&Calendar {
        name: agenda.name().to_owned(),
        events,
        now,
        refresh_minutes: None,
    })
}

/// `calendar` as iCalendar text.
pub fn write(calendar: &Calendar<'_>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//emcee//conference reminders//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", escape(&calendar.name)),
    ];
    if let Some(minutes) = calendar.refresh_minutes {
        lines.push(format!("REFRESH-INTERVAL;VALUE=DURATION:PT{minutes}M"));
        lines.push(format!("X-PUBLISHED-TTL:PT{minutes}M"));
    }
    for event in &calendar.events {
        event_lines(event, calendar.now, &mut lines);
    }
    lines.push("END:VCALENDAR".to_owned());
    lines.iter().map(|line| fold(line)).collect()
}

fn event_lines(event: &Event<'_>, now: DateTime<Utc>, lines: &mut Vec<String>) {
    let session = event.session;
    lines.push("BEGIN:VEVENT".to_owned());
    lines.push(format!("UID:{}@emcee", escape(session.id.as_str())));
    lines.push(format!("DTSTAMP:{}", stamp(now)));
    if let Some(revision) = event.revision {
        lines.push(format!("SEQUENCE:{}", revision.sequence));
        lines.push(format!("LAST-MODIFIED:{}", stamp(revision.modified)));
    }
    lines.push(format!("DTSTART:{}", stamp(session.start)));
    lines.push(format!("DTEND:{}", stamp(session.end)));
    lines.push(format!("SUMMARY:{}", escape(&session.title)));
    let place = [session.track.as_deref(), session.room.as_deref()];
    let place: Vec<&str> = place.into_iter().flatten().collect();
    if !place.is_empty() {
        lines.push(format!("LOCATION:{}", escape(&place.join(" · "))));
    }
    let description = description(session);
    if !description.is_empty() {
        lines.push(format!("DESCRIPTION:{}", escape(&description)));
    }
    if let Some(minutes) = event.alarm_minutes {
        lines.push("BEGIN:VALARM".to_owned());
        lines.push("ACTION:DISPLAY".to_owned());
        lines.push(format!("DESCRIPTION:{}", escape(&session.title)));
        lines.push(format!("TRIGGER:-PT{minutes}M"));
        lines.push("END:VALARM".to_owned());
    }
    lines.push("END:VEVENT".to_owned());
}

/// The speakers and the video link, one per line.
pub(crate) fn description(session: &Session) -> String {
    let mut description = session.speaker_names();
    if let Some(video) = session.video() {
        let _ = write!(description, "\n{}", video.url);
    }
    description.trim().to_owned()
}

/// A UTC date-time in iCalendar's basic format.
fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping: backslash, semicolon, comma and newlines.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (continuations start with a space) and
/// ends it with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let folded = fold(&format!("SUMMARY:{}", "é".repeat(60)));
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets", line.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(60)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}

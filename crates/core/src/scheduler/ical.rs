//! A user's reminded sessions as an iCalendar file (RFC 5545), for `/mycal`.
//!
//! Written by hand because the subset is small: UTC times, escaped text,
//! CRLF line ends, and lines folded at 75 octets without splitting a UTF-8
//! character. Each event carries an alarm at the user's reminder lead time.

use super::Reminder;
use crate::agenda::Agenda;
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// The calendar of `reminders` (sessions no longer in `agenda` are left out).
pub fn calendar(agenda: &Agenda, reminders: &[Reminder], now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//emcee//conference reminders//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", escape(agenda.name())),
    ];
    for reminder in reminders {
        let Some(session) = agenda.session(&reminder.session) else {
            continue;
        };
        lines.push("BEGIN:VEVENT".to_owned());
        lines.push(format!("UID:{}@emcee", escape(session.id.as_str())));
        lines.push(format!("DTSTAMP:{}", stamp(now)));
        lines.push(format!("DTSTART:{}", stamp(session.start)));
        lines.push(format!("DTEND:{}", stamp(session.end)));
        lines.push(format!("SUMMARY:{}", escape(&session.title)));
        let place = [session.track.as_deref(), session.room.as_deref()];
        let place: Vec<&str> = place.into_iter().flatten().collect();
        if !place.is_empty() {
            lines.push(format!("LOCATION:{}", escape(&place.join(" · "))));
        }
        let mut description = session.speaker_names();
        if let Some(video) = session.video() {
            let _ = write!(description, "\n{}", video.url);
        }
        if !description.trim().is_empty() {
            lines.push(format!("DESCRIPTION:{}", escape(description.trim())));
        }
        lines.push("BEGIN:VALARM".to_owned());
        lines.push("ACTION:DISPLAY".to_owned());
        lines.push(format!("DESCRIPTION:{}", escape(&session.title)));
        lines.push(format!("TRIGGER:-PT{}M", reminder.minutes_before));
        lines.push("END:VALARM".to_owned());
        lines.push("END:VEVENT".to_owned());
    }
    lines.push("END:VCALENDAR".to_owned());
    lines.iter().map(|line| fold(line)).collect()
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

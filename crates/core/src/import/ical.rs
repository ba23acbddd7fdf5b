//! iCalendar (RFC 5545) `.ics`: each `VEVENT` becomes a session.
//!
//! Conference exports are rarely textbook calendars: linux.conf.au names
//! `TZID=Australia/Brisbane` with no `VTIMEZONE` block, JRES puts a TZID even on
//! `DTSTAMP` and folds lines mid-character. So a TZID is looked up as an IANA
//! name in chrono-tz's built-in database (an embedded `VTIMEZONE` is not
//! interpreted; real exporters name IANA zones), `DTSTAMP` is ignored, and
//! floating times are read in the conference zone with a note. The conference zone
//! is `X-WR-TIMEZONE` when valid, else the first TZID the events use, else the
//! caller's fallback. All-day and cancelled events are skipped with the reason.

use super::assemble::Parsed;
use super::ical_lines::{content_lines, count_lines, unescape, ContentLine, LINE_BYTES};
use super::limits::Meter;
use super::report::Skipped;
use super::timestamp::{self, LocalTimes, Stamp};
use super::{duration, kind, limits, text as plain_text, ImportOptions};
use crate::agenda::{Session, SessionId, Speaker};
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

/// What reading the events' times needed, for the report.
#[derive(Debug, Default)]
struct Zones {
    local: LocalTimes,
    /// TZIDs that are no IANA name, read in the conference zone instead.
    unknown: Vec<String>,
}

/// Reads an iCalendar file.
pub(crate) fn parse(
    bytes: &[u8],
    options: &ImportOptions,
    mut meter: Meter,
) -> Result<Parsed, String> {
    let held = count_lines(bytes).saturating_mul(LINE_BYTES);
    meter.charge(held.saturating_add(bytes.len()), "the calendar's lines")?;
    let lines = content_lines(bytes);
    let calendar_value = |name: &str| {
        lines
            .iter()
            .find(|line| line.name == name)
            .map(|line| unescape(&line.value))
            .filter(|v| !v.trim().is_empty())
    };
    let (timezone, zone_note) = conference_zone(
        &lines,
        calendar_value("X-WR-TIMEZONE"),
        options.fallback_timezone,
    );
    let name = calendar_value("X-WR-CALNAME").or_else(|| calendar_value("X-WR-CALDESC"));
    let mut parsed = Parsed::new(
        name.unwrap_or_else(|| options.fallback_name.clone()),
        timezone,
        meter,
    );
    parsed.notes.extend(zone_note);
    let mut zones = Zones::default();
    let mut recurring = 0;
    for event_lines in events(&lines) {
        recurring += usize::from(event_lines.iter().any(|line| line.name == "RRULE"));
        parsed.push_with(|| event(&event_lines, timezone, &mut zones))?;
    }
    parsed
        .notes
        .extend(zones.local.note(timezone, " (floating iCalendar times)"));
    if !zones.unknown.is_empty() {
        parsed.notes.push(format!(
            "unknown TZID {}; read as {timezone}",
            zones.unknown.join(", ")
        ));
    }
    if recurring > 0 {
        parsed.notes.push(format!(
            "{recurring} events repeat (RRULE); only their first occurrence was imported"
        ));
    }
    Ok(parsed)
}

/// `X-WR-TIMEZONE`, else the first IANA TZID on a DTSTART, else `fallback`.
fn conference_zone(
    lines: &[ContentLine],
    declared: Option<String>,
    fallback: Tz,
) -> (Tz, Option<String>) {
    if let Some(zone) = declared.as_deref().and_then(zone_named) {
        return (zone, None);
    }
    let first_tzid = lines
        .iter()
        .filter(|l| l.name == "DTSTART")
        .find_map(|l| l.param("TZID").and_then(zone_named));
    match first_tzid {
        Some(zone) => (
            zone,
            Some(format!(
                "the calendar declares no timezone; days are counted in {zone}, its events' TZID"
            )),
        ),
        None => (
            fallback,
            Some(format!(
                "the calendar declares no timezone; days are counted in {fallback}"
            )),
        ),
    }
}

/// An IANA zone from a TZID, also accepting the `/mozilla.org/20050126_1/Europe/Paris` style.
///
/// IANA names have at most three parts (`America/Argentina/Buenos_Aires`), so only
/// the whole TZID and its last three, two and one parts are tried, and only when
/// short: a TZID of 160 KB made of slashes costs one pass, not one lookup per slash.
fn zone_named(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_start_matches('/');
    let suffixes = tzid
        .rmatch_indices('/')
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|(at, _)| at + 1);
    std::iter::once(0)
        .chain(suffixes)
        .filter_map(|from| tzid.get(from..))
        .filter(|name| (1..=MAX_ZONE_NAME).contains(&name.len()))
        .find_map(|name| name.parse::<Tz>().ok())
}

/// The longest IANA zone name is 32 bytes; longer candidates are never looked up.
const MAX_ZONE_NAME: usize = 64;

/// The lines of each top-level `VEVENT`, without those of nested components (`VALARM`).
fn events(lines: &[ContentLine]) -> Vec<Vec<&ContentLine>> {
    let mut events = Vec::new();
    let mut current: Option<Vec<&ContentLine>> = None;
    let mut nested = 0usize;
    for line in lines {
        // Only BEGIN and END values are compared, so only they are upper-cased.
        let component = match line.name.as_str() {
            "BEGIN" | "END" => line.value.trim().to_ascii_uppercase(),
            _ => String::new(),
        };
        match (line.name.as_str(), component.as_str(), current.as_mut()) {
            ("BEGIN", "VEVENT", None) => current = Some(Vec::new()),
            ("BEGIN", _, Some(_)) => nested += 1,
            ("END", _, Some(_)) if nested > 0 => nested -= 1,
            ("END", "VEVENT", Some(_)) => events.extend(current.take()),
            (_, _, Some(event)) if nested == 0 => event.push(line),
            _ => {}
        }
    }
    // An event cut off by the end of the file is still an event; it is reported if incomplete.
    events.extend(current);
    events
}

fn event(lines: &[&ContentLine], timezone: Tz, zones: &mut Zones) -> Result<Session, Skipped> {
    let find = |name: &str| lines.iter().copied().find(|line| line.name == name);
    // Raw values are cut before unescaping: the caps cut every field far shorter,
    // and unescaping a 32 MiB SUMMARY only to cut it would cost most of the budget.
    let text = |name: &str| {
        find(name)
            .map(|line| {
                unescape(limits::prefix(&line.value, 4 * limits::ABSTRACT_CHARS))
                    .trim()
                    .to_owned()
            })
            .filter(|v| !v.is_empty())
    };
    let title = text("SUMMARY").unwrap_or_default();
    let uid =
        text("UID").or_else(|| find("DTSTART").map(|l| format!("{} {title}", l.value.trim())));
    let id = match (uid, find("RECURRENCE-ID")) {
        (Some(uid), Some(recurrence)) => format!("{uid}/{}", recurrence.value.trim()),
        (uid, _) => uid.unwrap_or_default(),
    };
    let skip = |reason: String| Skipped::new(&id, &title, reason);
    if text("STATUS").is_some_and(|status| status.eq_ignore_ascii_case("CANCELLED")) {
        return Err(skip("cancelled (STATUS:CANCELLED)".into()));
    }
    let start_line = find("DTSTART").ok_or_else(|| skip("no DTSTART".into()))?;
    let start = instant(start_line, timezone, zones).map_err(skip)?;
    let end = match (find("DTEND"), text("DURATION")) {
        (Some(line), _) => instant(line, timezone, zones).map_err(skip)?,
        (None, Some(length)) => {
            let length = duration::iso8601(&length).map_err(skip)?;
            timestamp::end_after(start, length).map_err(skip)?
        }
        (None, None) => return Err(skip("no DTEND or DURATION".into())),
    };
    let categories = text("CATEGORIES").unwrap_or_default();
    let description = text("DESCRIPTION").unwrap_or_default();
    let (speakers, description) = speakers_from(&description);
    Ok(Session {
        id: SessionId::new(id.clone()),
        kind: kind::classify(&title, &categories),
        abstract_text: plain_text::plain(&description),
        track: categories.split(',').next().map(str::to_owned),
        room: text("LOCATION"),
        speakers,
        start,
        end,
        links: text("URL")
            .map(|url| kind::page(&url))
            .into_iter()
            .collect(),
        title,
    })
}

/// A DTSTART or DTEND as UTC: `Z` is exact, a TZID names a zone, neither is floating.
fn instant(line: &ContentLine, timezone: Tz, zones: &mut Zones) -> Result<DateTime<Utc>, String> {
    let value = line.value.trim();
    let is_date = line
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
        || value.len() == 8;
    if is_date {
        return Err(format!(
            "all-day event ({} {value} has no time of day)",
            line.name
        ));
    }
    let (clock, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(clock) => (clock, true),
        None => (value, false),
    };
    let local = NaiveDateTime::parse_from_str(clock, "%Y%m%dT%H%M%S")
        .or_else(|_| NaiveDateTime::parse_from_str(clock, "%Y%m%dT%H%M"))
        .map_err(|_| format!("{} `{value}` is not an iCalendar date-time", line.name))?;
    if utc {
        return Ok(local.and_utc());
    }
    match line.param("TZID") {
        None => zones.local.resolve(Stamp::Local(local), timezone),
        Some(tzid) => match zone_named(tzid) {
            Some(zone) => Stamp::Local(local).resolve(zone),
            None => {
                let tzid = limits::clip(tzid, limits::NAME_CHARS);
                if zones.unknown.len() < limits::LISTED && !zones.unknown.contains(&tzid) {
                    zones.unknown.push(tzid);
                }
                Stamp::Local(local).resolve(timezone)
            }
        },
    }
}

/// Speakers named on a leading "Speaker: A" / "Speakers: A, B and C" line, which
/// calendars without ATTENDEE use; that line is removed from the description.
fn speakers_from(description: &str) -> (Vec<Speaker>, String) {
    let mut lines = description.splitn(2, '\n');
    let first = lines.next().unwrap_or_default().trim();
    let rest = lines.next().unwrap_or_default();
    let names = first
        .strip_prefix("Speakers:")
        .or_else(|| first.strip_prefix("Speaker:"));
    let Some(names) = names else {
        return (Vec::new(), description.to_owned());
    };
    let speakers = names
        .split([',', '&'])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| Speaker {
            name: name.to_owned(),
            affiliation: None,
            ..Speaker::default()
        })
        .collect();
    (speakers, rest.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::limits::test_meter;
    use chrono::TimeZone;

    fn parse_text(text: &str) -> Parsed {
        parse(
            text.as_bytes(),
            &ImportOptions::new(chrono_tz::Europe::London),
            test_meter(),
        )
        .unwrap()
    }

    #[test]
    fn tzid_without_vtimezone_is_an_iana_zone() {
        let parsed = parse_text(
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Talk\r\nDESCRIPTION:Speaker: Joel Addison\\nHello\r\n\
             DTSTART;TZID=Australia/Brisbane;VALUE=DATE-TIME:20200114T070000\r\nDURATION:PT2H\r\n\
             BEGIN:VALARM\r\nDESCRIPTION:ring\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        );
        assert_eq!(parsed.timezone, chrono_tz::Australia::Brisbane);
        let session = parsed.events[0].as_ref().unwrap();
        assert_eq!(
            session.start,
            Utc.with_ymd_and_hms(2020, 1, 13, 21, 0, 0)
                .single()
                .unwrap()
        );
        assert_eq!(
            session.end,
            Utc.with_ymd_and_hms(2020, 1, 13, 23, 0, 0)
                .single()
                .unwrap()
        );
        assert_eq!(session.speakers[0].name, "Joel Addison");
        assert_eq!(session.abstract_text, "Hello");
    }

    #[test]
    fn floating_all_day_cancelled_and_unknown_zones() {
        let parsed = parse_text(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:Float\nDTSTART:20260701T090000\nDTEND:20260701T100000\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:b\nSUMMARY:Day\nDTSTART;VALUE=DATE:20260701\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:c\nSUMMARY:Off\nSTATUS:CANCELLED\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:d\nSUMMARY:Odd\nDTSTART;TZID=Mars/Olympus:20260701T090000\nDTEND:20260701T083000Z\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:e\nSUMMARY:Cut",
        );
        let first = parsed.events[0].as_ref().unwrap();
        assert_eq!(
            first.start,
            Utc.with_ymd_and_hms(2026, 7, 1, 8, 0, 0).single().unwrap()
        );
        assert!(parsed.events[1]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("all-day"));
        assert!(parsed.events[2]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("cancelled"));
        assert!(parsed.events[3].is_ok());
        assert!(parsed.events[4]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("DTSTART"));
        assert!(
            parsed.notes.iter().any(|n| n.contains("Mars/Olympus")),
            "{:?}",
            parsed.notes
        );
        assert!(
            parsed.notes.iter().any(|n| n.contains("floating")),
            "{:?}",
            parsed.notes
        );
    }

    #[test]
    fn a_huge_duration_is_skipped_not_a_panic() {
        let parsed = parse_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:S\nDTSTART:99991231T000000Z\nDURATION:P99999999D\nEND:VEVENT\n");
        assert!(parsed.events[0]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("out of range"));
    }

    #[test]
    fn mozilla_style_tzids() {
        assert_eq!(
            zone_named("/mozilla.org/20050126_1/Europe/Paris"),
            Some(chrono_tz::Europe::Paris)
        );
        assert_eq!(zone_named("Nowhere"), None);
    }
}

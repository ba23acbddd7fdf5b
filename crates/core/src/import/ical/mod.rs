//! iCalendar (RFC 5545) `.ics`: each `VEVENT`, and each occurrence of a
//! repeating one, becomes a session.
//!
//! Conference exports are rarely textbook calendars: linux.conf.au names
//! `TZID=Australia/Brisbane` with no `VTIMEZONE` block, JRES puts a TZID even on
//! `DTSTAMP` and folds lines mid-character, Outlook names Windows zones and
//! repeats events with `RRULE`, hand-rolled generators give many events one
//! `UID`. So TZIDs are resolved as [`zones`] says, `DTSTAMP` is ignored,
//! floating times are read in the conference zone with a note, series are
//! expanded within the conference's days ([`recurrence`]), and all-day and
//! cancelled events are skipped with the reason. The conference zone is
//! `X-WR-TIMEZONE` when it names a zone, else the first TZID the events use that
//! does, else the caller's fallback.
//!
//! A session's id is its UID. When one UID names several sessions (the
//! occurrences of a series, a moved occurrence, or unrelated events that share
//! it), each is `UID/start` with the start in UTC (`…/20260302T080000Z`; for a
//! moved occurrence, the start it replaces), so every one is kept and keeps its
//! id on the next import.

mod event;
mod lines;
mod recurrence;
mod rule;
mod vtimezone;
mod zones;

use super::assemble::Parsed;
use super::limits::Meter;
use super::report::Skipped;
use super::ImportOptions;
use crate::agenda::Session;
use chrono_tz::Tz;
use event::{Origin, OriginKind};
use lines::{components, content_lines, count_lines, unescape, ContentLine, LINE_BYTES};
use std::collections::HashMap;
use zones::{windows_zone, zone_named, Zones};

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
    let steps = rule::Steps::new(recurrence::STEPS_PER_FILE);
    let mut zones = Zones::new(timezone, &components(&lines, "VTIMEZONE"), &steps);
    // One entry per entry of `parsed.events`: where each session came from.
    let mut origins: Vec<Option<Origin>> = Vec::new();
    for event in components(&lines, "VEVENT") {
        let before = parsed.events.len();
        let mut origin = None;
        parsed.push_with(|| {
            let (session, read) = event::read(&event, &mut zones)?;
            origin = Some(read);
            Ok(session)
        })?;
        if parsed.events.len() > before {
            origins.push(origin);
        }
    }
    recurrence::expand(&mut parsed, &mut origins, &mut zones, &steps)?;
    parsed
        .notes
        .extend(name_by_uid(&mut parsed.events, &origins));
    parsed
        .notes
        .extend(zones.local.note(timezone, " (floating iCalendar times)"));
    parsed.notes.extend(zones.notes());
    Ok(parsed)
}

/// Gives each session its id: the UID, or `UID/start` when the UID names several
/// sessions (see the module docs). Returns the report's note on events that
/// share a UID without being one series.
fn name_by_uid(
    events: &mut [Result<Session, Skipped>],
    origins: &[Option<Origin>],
) -> Option<String> {
    let mut named: HashMap<&str, usize> = HashMap::new();
    let mut singles: HashMap<&str, usize> = HashMap::new();
    for (event, origin) in events.iter().zip(origins) {
        let (Ok(_), Some(origin)) = (event, origin) else {
            continue;
        };
        if origin.uid.is_empty() {
            continue;
        }
        *named.entry(&origin.uid).or_default() += 1;
        if matches!(origin.kind, OriginKind::Single) {
            *singles.entry(&origin.uid).or_default() += 1;
        }
    }
    for (event, origin) in events.iter_mut().zip(origins) {
        let (Ok(session), Some(origin)) = (event, origin) else {
            continue;
        };
        if named.get(origin.uid.as_str()).is_some_and(|&n| n > 1) {
            session.id.0 = format!("{}/{}", origin.uid, origin.key.format("%Y%m%dT%H%M%SZ"));
        }
    }
    let shared: Vec<usize> = singles.into_values().filter(|&n| n > 1).collect();
    (!shared.is_empty()).then(|| {
        format!(
            "{} events share {} UIDs; kept all, each as UID/start (UTC)",
            shared.iter().sum::<usize>(),
            shared.len()
        )
    })
}

/// `X-WR-TIMEZONE`, else the first TZID on a DTSTART that names a zone (IANA or
/// Windows), else `fallback`.
fn conference_zone(
    lines: &[ContentLine],
    declared: Option<String>,
    fallback: Tz,
) -> (Tz, Option<String>) {
    let named = |tzid: &str| zone_named(tzid).or_else(|| windows_zone(tzid));
    if let Some(zone) = declared.as_deref().and_then(named) {
        return (zone, None);
    }
    let first_tzid = lines
        .iter()
        .filter(|l| l.name == "DTSTART")
        .find_map(|l| l.param("TZID").and_then(named));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::limits::test_meter;
    use chrono::{TimeZone, Utc};

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
}

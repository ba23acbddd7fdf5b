//! Every real schedule in tests/fixtures/schedules imports completely: events in the
//! file = imported + skipped (each with a reason), the result validates as an
//! agenda, and the instants the fixture READMEs call tricky come out exact.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use emcee_core::agenda::{Agenda, Session, SessionKind};
use emcee_core::import::{from_bytes, Format, ImportOptions, Imported};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/schedules"
);

fn import(path: &str, fallback: chrono_tz::Tz) -> Imported {
    let bytes = std::fs::read(format!("{FIXTURES}/{path}")).expect("fixture exists");
    let imported = from_bytes(&bytes, &ImportOptions::new(fallback)).expect("imports");
    println!("{path}\n{}", imported.report);
    imported
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn by_id<'a>(imported: &'a Imported, id: &str) -> &'a Session {
    imported
        .conference
        .sessions
        .iter()
        .find(|s| s.id.as_str() == id)
        .unwrap_or_else(|| panic!("no session {id}"))
}

fn by_title<'a>(imported: &'a Imported, title: &str) -> &'a Session {
    imported
        .conference
        .sessions
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no session {title:?}"))
}

fn assert_slot(session: &Session, start: &str, end: &str) {
    assert_eq!(
        (session.start, session.end),
        (utc(start), utc(end)),
        "{} {:?}",
        session.id,
        session.title
    );
}

/// Events in the file = imported + skipped, and the agenda accepts the result.
fn assert_complete(imported: &Imported, events_in_file: usize, skipped: usize) {
    let report = &imported.report;
    assert_eq!(report.events_seen, events_in_file);
    assert_eq!(report.imported + report.skipped.len(), events_in_file);
    assert_eq!(report.skipped.len(), skipped, "{:?}", report.skipped);
    assert_eq!(imported.conference.sessions.len(), report.imported);
    assert!(report.skipped.iter().all(|s| !s.reason.is_empty()));
    Agenda::new(imported.conference.clone()).expect("the agenda accepts every import");
}

fn local_day(imported: &Imported, session: &Session) -> String {
    session
        .start
        .with_timezone(&imported.conference.timezone)
        .format("%Y-%m-%d")
        .to_string()
}

#[test]
fn ccc_36c3_schedule_json() {
    let imported = import(
        "schedule_json/36c3-stages.schedule.json",
        chrono_tz::Europe::Berlin,
    );
    assert_eq!(imported.format, Format::ScheduleJson);
    // The one zero-length event (duration "00:00") cannot be a session: skipped, with the reason.
    assert_complete(&imported, 498, 1);
    let skipped = &imported.report.skipped[0];
    assert_eq!(
        (skipped.id.as_str(), skipped.reason.contains("zero length")),
        ("399", true)
    );
    // No time_zone_name in the file: the fallback groups days, and the report says so.
    assert!(imported
        .report
        .notes
        .iter()
        .any(|n| n.contains("no timezone") && n.contains("Europe/Berlin")));
    assert_slot(
        by_id(&imported, "11223"),
        "2019-12-27T10:00:00Z",
        "2019-12-27T10:30:00Z",
    );
    // Listed under day 2019-12-27, but starts at 00:50 on the 28th: its own instant and day.
    let jeopardy = by_id(&imported, "11177");
    assert_slot(jeopardy, "2019-12-27T23:50:00Z", "2019-12-28T01:50:00Z");
    assert_eq!(local_day(&imported, jeopardy), "2019-12-28");
    // 01:40 + 04:20 ends after the day's day_end.
    assert_slot(
        by_id(&imported, "763"),
        "2019-12-30T00:40:00Z",
        "2019-12-30T05:00:00Z",
    );
    // Sessions running past midnight Berlin time are flagged, on the day they start.
    let late: Vec<&str> = imported
        .report
        .crosses_midnight
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(late.len(), 19, "{late:?}");
    assert!(late.contains(&"10737"));
    assert!(imported.report.longer_than_a_day.is_empty());
    // Names with stray spaces are trimmed.
    let names: Vec<&str> = imported
        .conference
        .sessions
        .iter()
        .flat_map(|s| &s.speakers)
        .map(|p| p.name.as_str())
        .collect();
    assert!(
        names.contains(&"Naomi Colvin")
            && !names.iter().any(|n| n.starts_with(' ') || n.ends_with(' '))
    );
    assert_eq!(imported.conference.rooms.len(), 12);
}

#[test]
fn jev22_schedule_json() {
    let imported = import(
        "schedule_json/jev22-everything.schedule.json",
        chrono_tz::UTC,
    );
    assert_complete(&imported, 433, 0);
    assert_eq!(imported.conference.timezone, chrono_tz::Europe::Amsterdam);
    // The one event in New York, written with -05:00.
    let solar = by_title(&imported, "Intro to Solar Protocol");
    assert_slot(solar, "2022-12-27T15:30:00Z", "2022-12-27T16:30:00Z");
    // Listed under 2022-12-27, at 04:00 on the 28th; "1:00" duration.
    let pico = by_id(&imported, "1000");
    assert_slot(pico, "2022-12-28T03:00:00Z", "2022-12-28T04:00:00Z");
    assert_eq!(local_day(&imported, pico), "2022-12-28");
    // "0:30", and a title with a trailing TAB.
    assert_slot(
        by_id(&imported, "8583"),
        "2022-12-29T16:00:00Z",
        "2022-12-29T16:30:00Z",
    );
    assert_eq!(by_id(&imported, "8583").title, "Was ist FragDenStaat.de?");
    // Legacy "recording" becomes the video link.
    assert!(imported
        .conference
        .sessions
        .iter()
        .any(|s| s.video().is_some_and(|v| v.url.ends_with("KH22-NixOS.mp4"))));
    assert!(
        imported.report.notes.is_empty(),
        "{:?}",
        imported.report.notes
    );
}

#[test]
fn fosdem_2025_frab_xml() {
    let imported = import("frab_xml/fosdem-2025.schedule.xml", chrono_tz::UTC);
    assert_eq!(imported.format, Format::FrabXml);
    assert_complete(&imported, 943, 0);
    assert_eq!(imported.conference.timezone, chrono_tz::Europe::Brussels);
    let callee = by_id(&imported, "6210");
    assert_slot(callee, "2025-02-01T09:35:00Z", "2025-02-01T10:00:00Z");
    assert_eq!(callee.track.as_deref(), Some("LLVM"));
    assert_eq!(callee.speakers[0].name, "Mikhail Gudim");
    assert!(
        callee.abstract_text.starts_with("Currently LLVM saves")
            && !callee.abstract_text.contains("<p>")
    );
    let first = imported
        .conference
        .sessions
        .iter()
        .map(|s| s.start)
        .min()
        .unwrap();
    let last = imported
        .conference
        .sessions
        .iter()
        .map(|s| s.end)
        .max()
        .unwrap();
    assert_eq!(
        (first, last),
        (utc("2025-02-01T08:00:00Z"), utc("2025-02-02T16:15:00Z"))
    );
    assert_eq!(
        imported
            .report
            .per_day
            .values()
            .copied()
            .collect::<Vec<_>>(),
        [470, 473]
    );
    // Abstracts are HTML inside XML: every entity is decoded, numeric ones too
    // ("flang&#8209;new" stayed as written when only eight entities were known).
    let flang = by_id(&imported, "6623");
    assert!(
        flang
            .abstract_text
            .contains("flang\u{2011}new based Fortran tooling")
            && flang.abstract_text.contains("TU Darmstadt"),
        "{}",
        flang.abstract_text
    );
    assert!(imported
        .conference
        .sessions
        .iter()
        .all(|s| !s.abstract_text.contains("&#") && !s.abstract_text.contains("&nbsp;")));
    // Rooms without events are still declared (the Janson main hall has none yet).
    assert_eq!(imported.conference.rooms.len(), 40);
    assert!(imported.conference.sessions.iter().any(|s| s
        .links
        .iter()
        .any(|l| l.kind == emcee_core::agenda::LinkKind::Slides)));
}

#[test]
fn debconf23_wafer_utc_date_beside_local_start() {
    let imported = import("frab_xml/debconf23-wafer.schedule.xml", chrono_tz::UTC);
    assert_complete(&imported, 117, 0);
    assert_eq!(imported.conference.timezone, chrono_tz::Asia::Kolkata);
    // <date>05:00+00:00 with <start>10:30: one instant, 10:30 IST, on 10 September
    // (the <day> says 2023-09-09, its UTC date).
    let opening = by_id(&imported, "35");
    assert_slot(opening, "2023-09-10T05:00:00Z", "2023-09-10T05:20:00Z");
    assert_eq!(local_day(&imported, opening), "2023-09-10");
    assert_eq!(
        opening
            .start
            .with_timezone(&chrono_tz::Asia::Kolkata)
            .format("%H:%M")
            .to_string(),
        "10:30"
    );
    let trip = by_id(&imported, "73");
    assert_slot(trip, "2023-09-13T05:00:00Z", "2023-09-13T13:30:00Z");
    assert_eq!(trip.kind, SessionKind::Social);
    assert_eq!(imported.report.per_day.len(), 8);
    assert_eq!(imported.report.per_kind.get("break"), Some(&31));
    // <start> always agrees with <date> once seen in Asia/Kolkata: no note about it.
    assert!(
        imported.report.notes.is_empty(),
        "{:?}",
        imported.report.notes
    );
}

#[test]
fn scottish_summit_sessionize_local_times_in_bst() {
    let imported = import(
        "sessionize/scottish-summit-2026.all.json",
        chrono_tz::Europe::London,
    );
    assert_eq!(imported.format, Format::Sessionize);
    assert_complete(&imported, 61, 0);
    assert!(imported
        .report
        .notes
        .iter()
        .any(|n| n.contains("no offset") && n.contains("Europe/London")));
    // Wall-clock 09:00 in Glasgow in October is 08:00 UTC (BST).
    let workshop = by_id(&imported, "1252943");
    assert_slot(workshop, "2026-10-02T08:00:00Z", "2026-10-02T16:00:00Z");
    assert!(workshop.title.starts_with("Design and Build"));
    assert_eq!(workshop.speakers.len(), 3);
    let keynote = by_id(&imported, "1253880");
    assert_slot(keynote, "2026-10-03T08:00:00Z", "2026-10-03T08:10:00Z");
    assert_eq!(keynote.kind, SessionKind::Keynote);
    assert_eq!(keynote.room.as_deref(), Some("Presidents Suite 1 (150)"));
    let dlp = by_id(&imported, "1181352");
    assert_eq!(dlp.track.as_deref(), Some("Security"));
    assert_eq!(
        dlp.speakers
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Tatu Seppälä", "Laura Kokkarinen"]
    );
    assert_eq!(imported.conference.rooms.len(), 7);
}

#[test]
fn lca_2020_tzid_without_vtimezone() {
    let imported = import("ical/lca-2020.ics", chrono_tz::UTC);
    assert_eq!(imported.format, Format::ICalendar);
    assert_complete(&imported, 262, 0);
    assert_eq!(imported.conference.timezone, chrono_tz::Australia::Brisbane);
    assert_slot(
        by_id(&imported, "201@lca2020.linux.org.au"),
        "2020-01-13T21:00:00Z",
        "2020-01-13T23:00:00Z",
    );
    let welcome = by_id(&imported, "94@lca2020.linux.org.au");
    assert_slot(welcome, "2020-01-14T23:00:00Z", "2020-01-14T23:10:00Z");
    assert_eq!(welcome.speakers[0].name, "Joel Addison");
    assert_eq!(local_day(&imported, welcome), "2020-01-15");
    assert_eq!(imported.report.per_day.len(), 6);
    // 6 single rooms plus the escaped-comma plenary value.
    assert_eq!(imported.conference.rooms.len(), 7);
    assert!(imported
        .conference
        .rooms
        .iter()
        .any(|r| r.name == "Arena, Room 8, Room 5, Room 6, Room 7"));
    assert_eq!(imported.report.per_room.get("(no room)"), Some(&17));
}

#[test]
fn jres_2022_folded_utf8_and_cr_cr_lf() {
    let imported = import("ical/jres-2022.ics", chrono_tz::UTC);
    // One event starts and ends at 16:00: skipped, with the reason.
    assert_complete(&imported, 120, 1);
    assert_eq!(
        imported.report.skipped[0].id,
        "presentation_147@conf-ng.jres.org"
    );
    assert_eq!(imported.conference.timezone, chrono_tz::Europe::Paris);
    assert_slot(
        by_id(&imported, "presentation_94@conf-ng.jres.org"),
        "2022-05-17T09:00:00Z",
        "2022-05-17T10:30:00Z",
    );
    assert_slot(
        by_id(&imported, "presentation_129@conf-ng.jres.org"),
        "2022-05-17T12:00:00Z",
        "2022-05-17T14:00:00Z",
    );
    // The fold splits "’" (E2 | CRLF SP | 80 99): unfolded on bytes, it survives whole.
    let csan = by_id(&imported, "presentation_209@conf-ng.jres.org");
    assert!(
        csan.abstract_text.contains("systèmes d’exploitation."),
        "{}",
        csan.abstract_text
    );
    for session in &imported.conference.sessions {
        assert!(
            !session.abstract_text.contains(['\r', '\u{FFFD}']),
            "{}",
            session.id
        );
        assert!(!session.title.contains('\u{FFFD}'), "{}", session.id);
    }
    assert_eq!(imported.report.per_day.len(), 4);
    assert_eq!(imported.conference.rooms.len(), 15);
}

//! Hand-written schedules for what real generators get wrong (issue 13, item 5):
//! ids reused across events in every format, calendars whose events share UIDs,
//! Outlook's recurring events and Windows zone names. Each file is in
//! tests/fixtures/schedules (see its README.txt); every expected instant below was
//! worked out by hand from the file, not read back from the importer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use emcee_core::agenda::Agenda;
use emcee_core::import::{from_bytes, Format, ImportOptions, Imported};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/schedules"
);

fn import(path: &str, fallback: chrono_tz::Tz) -> Imported {
    let bytes = std::fs::read(format!("{FIXTURES}/{path}")).expect("fixture exists");
    let imported = from_bytes(&bytes, &ImportOptions::new(fallback)).expect("imports");
    println!("{path}\n{}", imported.report);
    Agenda::new(imported.conference.clone()).expect("the agenda accepts every import");
    imported
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// (id, title, start) of every session, in file order.
fn listing(imported: &Imported) -> Vec<(String, String, DateTime<Utc>)> {
    imported
        .conference
        .sessions
        .iter()
        .map(|s| (s.id.as_str().to_owned(), s.title.clone(), s.start))
        .collect()
}

fn row(id: &str, title: &str, start: &str) -> (String, String, DateTime<Utc>) {
    (id.to_owned(), title.to_owned(), utc(start))
}

fn notes(imported: &Imported) -> String {
    imported.report.notes.join("\n")
}

#[test]
fn frab_xml_reused_ids_keep_both_talks() {
    // Before: "101" "Rust in the kernel" was skipped as a duplicate id.
    let imported = import("duplicates/reused-ids.schedule.xml", chrono_tz::UTC);
    assert_eq!(imported.format, Format::FrabXml);
    assert_eq!(
        listing(&imported),
        [
            row("101", "Welcome to the devroom", "2026-02-07T08:00:00Z"),
            row("101-2", "Rust in the kernel", "2026-02-07T08:30:00Z"),
            row("102", "Closing", "2026-02-07T16:00:00Z"),
        ]
    );
    assert_eq!(imported.report.skipped.len(), 1);
    assert!(imported.report.skipped[0].reason.contains("merged"));
    assert!(
        notes(&imported)
            .contains("101 \"Welcome to the devroom\" and 101-2 \"Rust in the kernel\""),
        "{}",
        notes(&imported)
    );
}

#[test]
fn schedule_json_reused_ids_keep_every_talk() {
    let imported = import("duplicates/reused-ids.schedule.json", chrono_tz::UTC);
    assert_eq!(imported.format, Format::ScheduleJson);
    assert_eq!(
        listing(&imported),
        [
            row("7", "Soldering for beginners", "2026-07-04T08:00:00Z"),
            row("7-2", "Mesh networks", "2026-07-04T09:00:00Z"),
            row("7-3", "Lunch talk", "2026-07-04T10:00:00Z"),
            row("8", "Closing", "2026-07-04T11:00:00Z"),
        ]
    );
    assert_eq!(imported.report.events_seen, 5);
    assert!(notes(&imported).contains("2 sessions reuse an id"));
}

#[test]
fn sessionize_reused_ids_keep_both_talks() {
    let imported = import(
        "duplicates/reused-ids.sessionize.json",
        chrono_tz::Europe::London,
    );
    assert_eq!(imported.format, Format::Sessionize);
    assert_eq!(
        listing(&imported),
        [
            row("9001", "Keynote: the cloud in 2026", "2026-10-03T08:00:00Z"),
            row("9001-2", "Identity deep dive", "2026-10-03T09:00:00Z"),
        ]
    );
    // A second import of the same file gives the same ids.
    let again = import(
        "duplicates/reused-ids.sessionize.json",
        chrono_tz::Europe::London,
    );
    assert_eq!(listing(&again), listing(&imported));
}

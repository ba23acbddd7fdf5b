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

/// (title, start, end) of every session, by start.
fn slots(imported: &Imported) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
    let mut slots: Vec<_> = imported
        .conference
        .sessions
        .iter()
        .map(|s| (s.title.clone(), s.start, s.end))
        .collect();
    slots.sort_by_key(|(title, start, _)| (*start, title.clone()));
    slots
}

fn slot(title: &str, start: &str, end: &str) -> (String, DateTime<Utc>, DateTime<Utc>) {
    (title.to_owned(), utc(start), utc(end))
}

#[test]
fn outlook_recurring_events_import_every_occurrence_at_its_instant() {
    // Before: each series gave only its first occurrence, "W. Europe Standard
    // Time" and "Pacific Standard Time" were unknown TZIDs read in the fallback
    // zone (UTC here), and the override was a second event beside the series.
    let imported = import("ical/outlook-recurring.ics", chrono_tz::UTC);
    assert_eq!(imported.conference.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(imported.conference.name, "Contoso Dev Days 2026");
    // Europe changes to summer time on Sunday 29 March 2026 (UTC+1 to UTC+2);
    // the US already did on 8 March (UTC-7). The briefing is 09:00 Berlin time
    // every day but Saturday (EXDATE), Sunday's moved to 10:30 (RECURRENCE-ID),
    // until Monday 07:00 UTC; office hours are 08:00 Pacific, four times.
    assert_eq!(
        slots(&imported),
        [
            slot(
                "Morning briefing",
                "2026-03-27T08:00:00Z",
                "2026-03-27T08:30:00Z"
            ),
            slot(
                "Opening keynote",
                "2026-03-27T09:00:00Z",
                "2026-03-27T10:00:00Z"
            ),
            slot(
                "US office hours",
                "2026-03-27T15:00:00Z",
                "2026-03-27T16:00:00Z"
            ),
            slot(
                "Remote talk from Bengaluru",
                "2026-03-28T13:00:00Z",
                "2026-03-28T13:45:00Z"
            ),
            slot(
                "US office hours",
                "2026-03-28T15:00:00Z",
                "2026-03-28T16:00:00Z"
            ),
            slot(
                "Morning briefing (late start)",
                "2026-03-29T08:30:00Z",
                "2026-03-29T09:00:00Z"
            ),
            slot(
                "US office hours",
                "2026-03-29T15:00:00Z",
                "2026-03-29T16:00:00Z"
            ),
            slot(
                "Morning briefing",
                "2026-03-30T07:00:00Z",
                "2026-03-30T07:30:00Z"
            ),
            slot(
                "Closing panel",
                "2026-03-30T14:00:00Z",
                "2026-03-30T15:00:00Z"
            ),
            slot(
                "US office hours",
                "2026-03-30T15:00:00Z",
                "2026-03-30T16:00:00Z"
            ),
        ]
    );
    // The briefing's occurrences are named by UID and the start they stand for;
    // the override keeps the id of the 09:00 occurrence it moved.
    let briefing =
        "040000008200E00074C5B7101A82E0080000000000D1F3B2A19DDC0100000000000000001000000000000002";
    let ids: Vec<&str> = imported
        .conference
        .sessions
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| id.starts_with(briefing))
        .collect();
    let mut ids = ids;
    ids.sort_unstable();
    let expected: Vec<String> = ["20260327T080000Z", "20260329T070000Z", "20260330T070000Z"]
        .iter()
        .map(|at| format!("{briefing}/{at}"))
        .collect();
    assert_eq!(ids, expected);
    let notes = notes(&imported);
    for expected in [
        "\"W. Europe Standard Time\" as Europe/Berlin",
        "\"Pacific Standard Time\" as America/Los_Angeles",
        "VTIMEZONE: \"Customized Time Zone\" (+05:30)",
        "2 repeating events (RRULE/RDATE) became 6 sessions within the conference's days",
        "2026-03-27 to 2026-03-30",
        "1 occurrences were replaced by their RECURRENCE-ID event",
    ] {
        assert!(notes.contains(expected), "{expected:?} in {notes}");
    }
    assert!(!notes.contains("unknown TZID"), "{notes}");
    assert_eq!(imported.report.skipped, []);
}

#[test]
fn a_hundred_events_sharing_five_uids_are_all_imported() {
    // Before: keyed by UID alone, 95 were skipped as duplicate ids (and under
    // item 4's renaming they would be kept, but as uid-2 … uid-20 by file order).
    let imported = import("ical/shared-uids.ics", chrono_tz::UTC);
    assert_eq!(imported.report.events_seen, 100);
    assert_eq!(imported.report.imported, 100);
    assert_eq!(imported.report.skipped, []);
    let main_room: Vec<&str> = imported
        .conference
        .sessions
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| id.starts_with("room-main@"))
        .collect();
    assert_eq!(main_room.len(), 20);
    assert_eq!(main_room[0], "room-main@hackconf.example/20260612T070000Z");
    assert!(
        notes(&imported).contains("100 events share 5 UIDs; kept all"),
        "{}",
        notes(&imported)
    );
    assert_eq!(
        imported
            .report
            .per_day
            .values()
            .copied()
            .collect::<Vec<_>>(),
        [50, 50]
    );
}

#[test]
fn icalendar_reused_uids_at_one_start_keep_both_talks() {
    let imported = import("duplicates/reused-uids.ics", chrono_tz::UTC);
    assert_eq!(
        listing(&imported),
        [
            row(
                "talk@dup.example/20261104T100000Z",
                "Databases at scale",
                "2026-11-04T10:00:00Z"
            ),
            row(
                "talk@dup.example/20261104T100000Z-2",
                "Frontend performance",
                "2026-11-04T10:00:00Z"
            ),
            row(
                "talk@dup.example/20261104T110000Z",
                "Observability",
                "2026-11-04T11:00:00Z"
            ),
            row(
                "break@dup.example/20261104T103000Z",
                "Coffee",
                "2026-11-04T10:30:00Z"
            ),
        ]
    );
    assert_eq!(imported.report.skipped.len(), 1);
    assert!(imported.report.skipped[0].reason.contains("merged"));
}

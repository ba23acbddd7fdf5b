//! `emcee import --out agenda.toml`: every imported fixture, written as emcee's own
//! agenda file, loads back through the normal loader to the very same sessions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emcee_core::agenda::Agenda;
use emcee_core::config::agenda_file;
use emcee_core::config::Source;
use emcee_core::import::{from_bytes, to_agenda_file, ImportOptions};
use emcee_core::polls::PollLimits;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/schedules"
);

fn round_trip(path: &str, fallback: chrono_tz::Tz) {
    let bytes = std::fs::read(format!("{FIXTURES}/{path}")).unwrap();
    let imported = from_bytes(&bytes, &ImportOptions::new(fallback)).unwrap();
    let text = toml::to_string(&to_agenda_file(&imported.conference)).unwrap();
    let source = Source {
        file: "agenda.toml".into(),
        text,
    };
    // A different fallback proves the file carries its own timezone.
    let loaded =
        agenda_file::load(&source, chrono_tz::America::Lima, &PollLimits::default()).unwrap();
    let expected = Agenda::new(imported.conference.clone()).unwrap();
    assert_eq!(loaded.agenda.name(), expected.name());
    assert_eq!(loaded.agenda.timezone(), expected.timezone());
    assert_eq!(loaded.agenda.tracks(), expected.tracks());
    assert_eq!(loaded.agenda.rooms(), expected.rooms());
    assert_eq!(loaded.agenda.sessions(), expected.sessions(), "{path}");
}

#[test]
fn schedule_json_round_trips() {
    round_trip(
        "schedule_json/36c3-stages.schedule.json",
        chrono_tz::Europe::Berlin,
    );
    round_trip(
        "schedule_json/jev22-everything.schedule.json",
        chrono_tz::UTC,
    );
}

#[test]
fn frab_xml_round_trips() {
    round_trip("frab_xml/fosdem-2025.schedule.xml", chrono_tz::UTC);
    round_trip("frab_xml/debconf23-wafer.schedule.xml", chrono_tz::UTC);
}

#[test]
fn sessionize_round_trips() {
    round_trip(
        "sessionize/scottish-summit-2026.all.json",
        chrono_tz::Europe::London,
    );
}

#[test]
fn icalendar_round_trips() {
    round_trip("ical/lca-2020.ics", chrono_tz::UTC);
    round_trip("ical/jres-2022.ics", chrono_tz::UTC);
}

#[test]
fn written_times_show_the_local_offset() {
    let bytes = std::fs::read(format!(
        "{FIXTURES}/sessionize/scottish-summit-2026.all.json"
    ))
    .unwrap();
    let imported = from_bytes(&bytes, &ImportOptions::new(chrono_tz::Europe::London)).unwrap();
    let text = toml::to_string(&to_agenda_file(&imported.conference)).unwrap();
    assert!(
        text.contains("2026-10-02T09:00:00+01:00"),
        "{}",
        &text[..500.min(text.len())]
    );
    assert!(text.contains("timezone = \"Europe/London\""));
}

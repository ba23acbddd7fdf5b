//! The caps never cut a real programme: every fixture schedule (the same files as
//! /work/shared/schedules) imports the same sessions as before the caps, with no
//! cut and no event refused for its dates.

use emcee_core::import::{from_bytes, ImportOptions};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/schedules"
);

#[test]
fn no_real_file_is_cut_or_refused() {
    let files = [
        ("frab_xml/fosdem-2025.schedule.xml", 943),
        ("frab_xml/debconf23-wafer.schedule.xml", 117),
        ("schedule_json/36c3-stages.schedule.json", 497),
        ("schedule_json/jev22-everything.schedule.json", 433),
        ("sessionize/scottish-summit-2026.all.json", 61),
        ("ical/lca-2020.ics", 262),
        ("ical/jres-2022.ics", 119),
    ];
    for (file, expected) in files {
        let bytes = std::fs::read(format!("{FIXTURES}/{file}")).unwrap();
        let imported = from_bytes(&bytes, &ImportOptions::new(chrono_tz::UTC)).unwrap();
        let report = &imported.report;
        assert_eq!(report.imported, expected, "{file}");
        for note in &report.notes {
            for cut in ["were cut", "were not read", "kept only", "were dropped"] {
                assert!(!note.contains(cut), "{file}: {note}");
            }
        }
        for skip in &report.skipped {
            assert!(!skip.reason.contains("dated outside"), "{file}: {skip:?}");
            assert!(!skip.reason.contains("characters"), "{file}: {skip:?}");
        }
    }
}

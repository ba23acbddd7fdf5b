//! No input makes an importer panic: arbitrary bytes, arbitrary bytes behind each
//! format's signature (so they reach that parser), and real files with their
//! values replaced by arbitrary ones (so they reach event parsing with the
//! structure intact). Whatever imports must also be accepted by `Agenda::new`.
//!
//! Cases are bounded (256 per property, fewer for the larger documents) so this
//! runs in CI in debug builds in seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emcee_core::agenda::Agenda;
use emcee_core::import::{from_bytes, ImportOptions};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use std::sync::OnceLock;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/schedules"
);

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).unwrap()
}

/// Imports and, on success, checks the agenda accepts the result; panics are the failure.
fn check(bytes: &[u8]) {
    if let Ok(imported) = from_bytes(bytes, &ImportOptions::new(chrono_tz::Europe::London)) {
        assert_eq!(
            imported.report.imported + imported.report.skipped.len(),
            imported.report.events_seen
        );
        Agenda::new(imported.conference).expect("an import always validates");
    }
}

/// Values that parsers have to think about, plus arbitrary text.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("00:00".to_owned()),
        Just("99:99:99".to_owned()),
        Just("-1:00".to_owned()),
        Just("PT".to_owned()),
        Just("2025-02-01T09:00:00+01:00".to_owned()),
        Just("2025-03-30T02:30:00".to_owned()),
        Just("20250201T090000".to_owned()),
        Just("20250201".to_owned()),
        Just("9999-12-31T23:59:59-23:59".to_owned()),
        Just("Lunch".to_owned()),
        "\\PC{0,24}",
    ]
}

fn nasty_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        nasty_text().prop_map(Value::String),
        Just(Value::Array(Vec::new())),
        Just(serde_json::json!({})),
        Just(serde_json::json!([{"id": null}])),
    ]
}

/// A real document cut down to a few events per room, so each case is quick.
fn trimmed(path: &str) -> &'static Value {
    static SCHEDULE: OnceLock<Value> = OnceLock::new();
    static SESSIONIZE: OnceLock<Value> = OnceLock::new();
    let cell = if path.contains("sessionize") {
        &SESSIONIZE
    } else {
        &SCHEDULE
    };
    cell.get_or_init(|| {
        let mut value: Value = serde_json::from_slice(&fixture(path)).unwrap();
        trim_arrays(&mut value, 4);
        value
    })
}

fn trim_arrays(value: &mut Value, keep: usize) {
    match value {
        Value::Array(items) => {
            items.truncate(keep);
            items.iter_mut().for_each(|item| trim_arrays(item, keep));
        }
        Value::Object(map) => map.values_mut().for_each(|item| trim_arrays(item, keep)),
        _ => {}
    }
}

/// Every node of `value`, as JSON pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, item)| pointers(item, format!("{at}/{i}"), out)),
        Value::Object(map) => map.iter().for_each(|(key, item)| {
            pointers(
                item,
                format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                out,
            )
        }),
        _ => {}
    }
    out.push(at);
}

fn mutate_json(path: &str, edits: &[(Index, Value)]) -> Vec<u8> {
    let mut value = trimmed(path).clone();
    let mut all = Vec::new();
    pointers(&value, String::new(), &mut all);
    for (index, replacement) in edits {
        let pointer: &String = index.get(&all);
        if let Some(node) = value.pointer_mut(pointer) {
            *node = replacement.clone();
        }
    }
    serde_json::to_vec(&value).unwrap()
}

/// Replaces the values in `text` (XML text nodes or iCalendar property values) picked by `edits`.
fn mutate_values(text: &str, ical: bool, edits: &[(Index, String)]) -> Vec<u8> {
    let mut slots: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if ical {
            if let Some(colon) = line.find(':') {
                slots.push((offset + colon + 1, offset + line.trim_end().len()));
            }
        } else {
            let mut from = 0;
            while let (Some(open), true) = (line[from..].find('>'), from < line.len()) {
                let start = from + open + 1;
                let end = line[start..]
                    .find('<')
                    .map_or(line.len(), |close| start + close);
                slots.push((offset + start, offset + end));
                from = end.max(start);
            }
        }
        offset += line.len();
    }
    let mut chosen: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|(index, value)| {
            let (start, end) = *index.get(&slots);
            let value = if ical {
                value.replace(['\r', '\n'], " ")
            } else {
                value.replace(['<', '&'], "?")
            };
            (start, end.max(start), value)
        })
        .collect();
    chosen.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    chosen.dedup_by_key(|(start, _, _)| *start);
    let mut out = text.to_owned();
    for (start, end, value) in chosen {
        if out.is_char_boundary(start)
            && out.is_char_boundary(end)
            && start <= end
            && end <= out.len()
        {
            out.replace_range(start..end, &value);
        }
    }
    out.into_bytes()
}

fn text_fixture(path: &'static str) -> &'static str {
    static WAFER: OnceLock<String> = OnceLock::new();
    static LCA: OnceLock<String> = OnceLock::new();
    static JRES: OnceLock<String> = OnceLock::new();
    let cell = match path {
        "frab_xml/debconf23-wafer.schedule.xml" => &WAFER,
        "ical/lca-2020.ics" => &LCA,
        _ => &JRES,
    };
    cell.get_or_init(|| String::from_utf8_lossy(&fixture(path)).into_owned())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_each_signature(
        signature in prop_oneof![
            Just(&b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"[..]),
            Just(&b"<schedule><day><room name=\"r\"><event id=\"1\">"[..]),
            Just(&b"{\"schedule\":{\"conference\":{\"days\":["[..]),
            Just(&b"{\"sessions\":[{\"startsAt\":"[..]),
        ],
        tail in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        check(&[signature, &tail].concat());
    }

    #[test]
    fn ical_lines_with_arbitrary_values(text in "(BEGIN:VEVENT\r\n|END:VEVENT\r\n|DTSTART(;TZID=[A-Za-z/]{0,20})?:[0-9TZ]{0,16}\r\n|DTEND:[0-9TZ]{0,16}\r\n|DURATION:[-+PTWDHMS0-9]{0,8}\r\n|UID:[a-z0-9]{0,3}\r\n|SUMMARY:\\PC{0,10}\r\n| \\PC{0,5}\r\n){0,24}") {
        check(format!("BEGIN:VCALENDAR\r\n{text}").as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn schedule_json_with_values_replaced(edits in proptest::collection::vec((any::<Index>(), nasty_json()), 1..12)) {
        check(&mutate_json("schedule_json/36c3-stages.schedule.json", &edits));
    }

    #[test]
    fn sessionize_with_values_replaced(edits in proptest::collection::vec((any::<Index>(), nasty_json()), 1..12)) {
        check(&mutate_json("sessionize/scottish-summit-2026.all.json", &edits));
    }

    #[test]
    fn frab_xml_with_text_replaced(edits in proptest::collection::vec((any::<Index>(), nasty_text()), 1..24)) {
        check(&mutate_values(text_fixture("frab_xml/debconf23-wafer.schedule.xml"), false, &edits));
    }

    #[test]
    fn ical_with_values_replaced(
        lca in any::<bool>(),
        edits in proptest::collection::vec((any::<Index>(), nasty_text()), 1..24),
    ) {
        let path = if lca { "ical/lca-2020.ics" } else { "ical/jres-2022.ics" };
        check(&mutate_values(text_fixture(path), true, &edits));
    }
}

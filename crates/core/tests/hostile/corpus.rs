//! The hostile-input corpus, generated rather than committed: each function
//! builds one class of attack or accident from issue 12 at a given size, so the
//! tests use small sizes and the `hostile_import` bench the full 32 MiB.
//!
//! Shared by the `hostile` tests and `benches/hostile_import.rs` (`#[path]`).

#![allow(dead_code)]

/// One generated input: a name for the table and its bytes.
pub struct Case {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// A minimal frab XML around `events` (already XML) in one room.
pub fn frab(events: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<schedule><conference><title>Hostile</title>\
         <time_zone_name>Europe/Brussels</time_zone_name></conference>\
         <day date=\"2025-02-01\"><room name=\"K\">{events}</room></day></schedule>"
    )
}

/// One frab event.
pub fn frab_event(id: usize, title: &str, abstract_xml: &str) -> String {
    format!(
        "<event id=\"{id}\"><date>2025-02-01T10:00:00+01:00</date><start>10:00</start>\
         <duration>00:30</duration><title>{title}</title><abstract>{abstract_xml}</abstract></event>"
    )
}

/// A calendar of `events` (already iCalendar lines, CRLF-ended).
pub fn ics(events: &str) -> Vec<u8> {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/Brussels\r\n{events}END:VCALENDAR\r\n")
        .into_bytes()
}

/// One VEVENT starting at `start` (iCalendar basic UTC form) for 30 minutes.
pub fn vevent(uid: &str, summary: &str, start: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART:{start}\r\nDURATION:PT30M\r\nEND:VEVENT\r\n"
    )
}

/// frab XML nested `depth` elements deep inside an event's abstract.
pub fn deep_xml(depth: usize) -> Vec<u8> {
    let nested = "<p>".repeat(depth) + &"</p>".repeat(depth);
    frab(&frab_event(1, "Deep", &nested)).into_bytes()
}

/// An internal DTD entity of `entity_bytes` referenced `references` times.
pub fn dtd_entities(entity_bytes: usize, references: usize) -> Vec<u8> {
    let entity = "x".repeat(entity_bytes);
    let title = "&big;".repeat(references);
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE schedule [<!ENTITY big \"{entity}\">]>\n{}",
        frab(&frab_event(1, &title, "")).trim_start_matches("<?xml version=\"1.0\"?>\n")
    )
    .into_bytes()
}

/// JSON arrays nested `depth` deep under a schedule.json key.
pub fn deep_json(depth: usize) -> Vec<u8> {
    format!(
        "{{\"schedule\": {{\"conference\": {{\"title\": \"Deep\", \"days\": {}{}}}}}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    )
    .into_bytes()
}

/// Sessionize JSON: one speaker named with `name_bytes` bytes, named by `sessions` sessions.
pub fn sessionize_references(name_bytes: usize, sessions: usize) -> Vec<u8> {
    let name = "N".repeat(name_bytes);
    let list: Vec<String> = (0..sessions)
        .map(|i| {
            format!(
                "{{\"id\": \"{i}\", \"title\": \"Talk {i}\", \"startsAt\": \"2026-10-02T09:00:00\", \
                 \"endsAt\": \"2026-10-02T09:30:00\", \"roomId\": 1, \"speakers\": [\"s\", \"s\", \"s\"]}}"
            )
        })
        .collect();
    format!(
        "{{\"sessions\": [{}], \"speakers\": [{{\"id\": \"s\", \"fullName\": \"{name}\"}}], \
         \"rooms\": [{{\"id\": 1, \"name\": \"Hall\"}}]}}",
        list.join(",")
    )
    .into_bytes()
}

/// An abstract of `count` `<` then one `>` (XML-escaped, as FOSDEM's HTML is).
pub fn quadratic_text(count: usize) -> Vec<u8> {
    let text = "&lt;".repeat(count) + "&gt;";
    frab(&frab_event(1, "Angles", &text)).into_bytes()
}

/// One event whose TZID is `bytes` long and made of slashes and letters.
pub fn long_tzid(bytes: usize) -> Vec<u8> {
    let tzid = "a/".repeat(bytes / 2);
    ics(&format!(
        "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Zoned\r\nDTSTART;TZID={tzid}:20250201T100000\r\n\
         DURATION:PT30M\r\nEND:VEVENT\r\n"
    ))
}

/// One event whose title is a single line of `bytes` bytes.
pub fn huge_line(bytes: usize) -> Vec<u8> {
    ics(&vevent("1", &"T".repeat(bytes), "20250201T100000Z"))
}

/// `count` events, all distinct and valid.
pub fn many_events(count: usize) -> Vec<u8> {
    let events: String = (0..count)
        .map(|i| vevent(&format!("e{i}"), &format!("Talk {i}"), "20250201T100000Z"))
        .collect();
    ics(&events)
}

/// One element with `count` distinct attributes.
pub fn many_attributes(count: usize) -> Vec<u8> {
    let attributes: String = (0..count).map(|i| format!(" a{i}=\"\"")).collect();
    frab(&format!("<event id=\"1\"{attributes}/>")).into_bytes()
}

/// One day of `count` distinct, empty rooms.
pub fn many_rooms(count: usize) -> Vec<u8> {
    let rooms: String = (0..count)
        .map(|i| format!("<room name=\"r{i}\"/>"))
        .collect();
    format!(
        "<schedule><conference><title>Rooms</title></conference><day date=\"2025-02-01\">{rooms}</day></schedule>"
    )
    .into_bytes()
}

/// Two good events and events at the edges of time.
pub fn extreme_dates() -> Vec<u8> {
    let events = [
        vevent("ok-1", "Opening", "20250201T090000Z"),
        vevent("ok-2", "Closing", "20250201T170000Z"),
        vevent("y9999", "Far future", "99991231T230000Z"),
        vevent("y0000", "Year zero", "00000101T000000Z"),
        "BEGIN:VEVENT\r\nUID:long\r\nSUMMARY:Forever\r\nDTSTART:20250201T090000Z\r\n\
         DURATION:P99999999D\r\nEND:VEVENT\r\n"
            .to_owned(),
    ];
    ics(&events.concat())
}

/// One single event on 1 February 2025 (the conference's day), one series
/// repeating every second through it, and `series` that repeat every second
/// from 1970, never reaching it.
pub fn repeating_forever(series: usize) -> Vec<u8> {
    let mut events = vevent("day", "The conference", "20250201T090000Z");
    events.push_str(
        "BEGIN:VEVENT\r\nUID:now\r\nSUMMARY:Every second\r\nDTSTART:20250201T090000Z\r\n\
         DURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n",
    );
    for i in 0..series {
        events.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:old-{i}\r\nSUMMARY:Since 1970\r\nDTSTART:19700101T000000Z\r\n\
             DURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n"
        ));
    }
    ics(&events)
}

/// Titles carrying terminal escapes, BEL, NUL and C1 controls.
pub fn control_characters() -> Vec<u8> {
    let title = "Real\u{1b}]0;pwned\u{7}\u{1b}[2J\u{0}\u{9b}31m talk";
    ics(&vevent("ctl", title, "20250201T100000Z"))
}

/// Bytes that are not UTF-8 inside an iCalendar title and a frab XML title.
pub fn invalid_utf8() -> (Vec<u8>, Vec<u8>) {
    let calendar = ics(&vevent("bad", "Caf@@", "20250201T100000Z"));
    let xml = frab(&frab_event(1, "Caf@@", "")).into_bytes();
    (replace_marker(calendar), replace_marker(xml))
}

/// `@@` becomes the invalid sequence FF FE.
fn replace_marker(bytes: Vec<u8>) -> Vec<u8> {
    let at = bytes.windows(2).position(|w| w == b"@@").unwrap_or(0);
    let mut out = bytes;
    out.splice(at..at + 2, [0xff, 0xfe]);
    out
}

/// Every case at the size the bench uses: up to the 32 MiB fetch cap.
pub fn full_size() -> Vec<Case> {
    const MIB: usize = 1024 * 1024;
    let case = |name, bytes| Case { name, bytes };
    vec![
        case("deep XML (1,500 levels)", deep_xml(1_500)),
        case("deep XML (32 MiB)", deep_xml(32 * MIB / 7)),
        case(
            "DTD entities (100 KB x 3,000)",
            dtd_entities(100_000, 3_000),
        ),
        case("deep JSON (32 MiB)", deep_json(16 * MIB)),
        case(
            "Sessionize 1 MB name x 1,000",
            sessionize_references(MIB, 1_000),
        ),
        case(
            "Sessionize 30 MB name x 200",
            sessionize_references(30 * MIB, 200),
        ),
        case("80,000 '<' then '>'", quadratic_text(80_000)),
        case("32 MiB of '<'", quadratic_text(8 * MIB)),
        case("160 KB TZID", long_tzid(160_000)),
        case("32 MiB TZID", long_tzid(32 * MIB - 200)),
        case("32 MiB title line", huge_line(32 * MIB - 200)),
        case("many events (32 MiB)", many_events(32 * MIB / 100)),
        case("JSON of tiny values (32 MiB)", tiny_json_values(32 * MIB)),
        case("XML of tiny elements (32 MiB)", tiny_xml_elements(32 * MIB)),
        case("extreme dates", extreme_dates()),
        case(
            "RRULE:FREQ=SECONDLY x 100,000",
            repeating_forever(32 * MIB / 120),
        ),
        case("500,000 distinct rooms", many_rooms(500_000)),
        case(
            "one element, 32 MiB of attributes",
            many_attributes(32 * MIB / 12),
        ),
        case("32 MiB of \\u escapes", unicode_escapes(32 * MIB / 6)),
        case(
            "32 MiB frab title of words",
            frab(&frab_event(1, &"a ".repeat(16 * MIB), "")).into_bytes(),
        ),
        case("large real-shaped XML (32 MiB)", large_frab(32 * MIB)),
        case(
            "large real-shaped JSON (32 MiB)",
            large_schedule_json(32 * MIB),
        ),
    ]
}

/// An abstract of FOSDEM's shape: a few HTML paragraphs, about 1.5 KB escaped.
fn realistic_abstract(i: usize) -> String {
    let sentence = "The talk shows how we moved our build to a new toolchain and what it cost. ";
    format!(
        "&lt;p&gt;{}{i}&lt;/p&gt;&lt;p&gt;{}&lt;/p&gt;",
        sentence.repeat(10),
        sentence.repeat(8)
    )
}

/// A frab XML of ordinary events (title, persons, links, abstract) up to `bytes`.
pub fn large_frab(bytes: usize) -> Vec<u8> {
    let mut events = String::with_capacity(bytes);
    let mut i = 0;
    while events.len() < bytes.saturating_sub(2_000) {
        events.push_str(&format!(
            "<event id=\"{i}\"><date>2025-02-01T10:00:00+01:00</date><start>10:00</start>\
             <duration>00:30</duration><title>Talk number {i}</title><track>Track {}</track>\
             <type>talk</type><abstract>{}</abstract><persons><person id=\"{i}\">Speaker {i}</person>\
             </persons><links><link href=\"https://example.org/{i}\">Slides</link></links></event>",
            i % 40,
            realistic_abstract(i)
        ));
        i += 1;
    }
    frab(&events).into_bytes()
}

/// A schedule.json of ordinary events up to `bytes`.
pub fn large_schedule_json(bytes: usize) -> Vec<u8> {
    let mut events = Vec::new();
    let mut length = 0;
    let mut i = 0;
    while length < bytes.saturating_sub(2_000) {
        let event = format!(
            "{{\"id\": {i}, \"guid\": \"g-{i}\", \"title\": \"Talk number {i}\", \"date\": \"2019-12-27T11:00:00+01:00\", \
             \"duration\": \"00:30\", \"track\": \"Track {}\", \"type\": \"lecture\", \"abstract\": \"{}\", \
             \"persons\": [{{\"id\": {i}, \"public_name\": \"Speaker {i}\"}}], \"links\": []}}",
            i % 40,
            realistic_abstract(i).replace("&lt;", "<").replace("&gt;", ">")
        );
        length += event.len() + 1;
        events.push(event);
        i += 1;
    }
    format!(
        "{{\"schedule\": {{\"conference\": {{\"title\": \"Big\", \"time_zone_name\": \"Europe/Berlin\", \
         \"days\": [{{\"date\": \"2019-12-27\", \"rooms\": {{\"Ada\": [{}]}}}}]}}}}}}",
        events.join(",")
    )
    .into_bytes()
}

/// A Sessionize title made of `count` `\u0041` escapes.
pub fn unicode_escapes(count: usize) -> Vec<u8> {
    format!(
        "{{\"sessions\": [{{\"id\": \"1\", \"title\": \"{}\", \"startsAt\": \"2026-10-02T09:00:00\", \
         \"endsAt\": \"2026-10-02T09:30:00\"}}], \"rooms\": []}}",
        "\\u0041".repeat(count)
    )
    .into_bytes()
}

/// A schedule.json whose days hold `bytes` of `0,` values.
pub fn tiny_json_values(bytes: usize) -> Vec<u8> {
    format!(
        "{{\"schedule\": {{\"conference\": {{\"title\": \"T\", \"days\": [{}0]}}}}}}",
        "0,".repeat(bytes / 2)
    )
    .into_bytes()
}

/// A frab XML whose room holds `bytes` of empty elements.
pub fn tiny_xml_elements(bytes: usize) -> Vec<u8> {
    frab(&"<a/>".repeat(bytes / 4)).into_bytes()
}

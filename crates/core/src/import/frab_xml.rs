//! frab / pentabarf `schedule.xml`, as FOSDEM, pretalx and wafer publish it.
//!
//! Each `<event>` has `<date>` (an absolute timestamp, normally with offset) and
//! `<start>` (local wall-clock HH:MM). `<date>` wins. `<start>` is still read, to
//! catch generators that get the two out of step: wafer (DebConf) writes `<date>`
//! in UTC beside a local `<start>`, which agree once `<date>` is seen in the
//! conference zone; a generator that writes local wall-clock time labelled
//! `+00:00` is recognised because `<date>`'s own clock then equals `<start>`, and
//! is read in the conference zone instead, with a note. Days (`<day date>`) are
//! never used to place events: wafer's are UTC dates, FOSDEM's run 09:00 to 08:59.

use super::assemble::Parsed;
use super::limits::Meter;
use super::limits::MAX_PLACES;
use super::report::Skipped;
use super::timestamp::{self, LocalTimes, Stamp};
use super::{duration, kind, text as plain_text, ImportOptions};
use crate::agenda::{Link, Session, SessionId, Speaker, Track};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use roxmltree::{Document, Node, ParsingOptions};

/// How `<date>` and `<start>` related across the file, for the report.
#[derive(Debug, Default)]
struct Clocks {
    local: LocalTimes,
    /// `<date>` carried local time with a wrong `+00:00`; read in the conference zone.
    mislabelled: usize,
    /// `<date>` and `<start>` disagree in a way no reading explains; `<date>` kept.
    disagree: usize,
}

/// Reads a frab XML document.
pub(crate) fn parse(text: &str, options: &ImportOptions, meter: Meter) -> Result<Parsed, String> {
    // No real schedule needs a DTD, and internal entities are how a 10 KB file
    // grows to gigabytes; the node limit backs up the budget's estimate.
    let nodes_limit = meter.budget().memory_bytes / super::shape::XML_NODE_BYTES;
    let xml_options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: u32::try_from(nodes_limit).unwrap_or(u32::MAX),
        entity_resolver: None,
    };
    let document =
        Document::parse_with_options(text, xml_options).map_err(|e| format!("XML error: {e}"))?;
    let root = document.root_element();
    if !root.has_tag_name("schedule") {
        return Err(format!(
            "the root element is <{}>, not <schedule>",
            root.tag_name().name()
        ));
    }
    let conference = child(root, "conference");
    let zone_name = conference.and_then(|c| child_text(c, "time_zone_name"));
    let (timezone, zone_note) =
        timestamp::conference_zone(zone_name.as_deref(), options.fallback_timezone);
    let name = conference.and_then(|c| child_text(c, "title").or_else(|| child_text(c, "acronym")));
    let mut parsed = Parsed::new(
        name.unwrap_or_else(|| options.fallback_name.clone()),
        timezone,
        meter,
    );
    parsed.notes.extend(zone_note);
    parsed.tracks = children(child(root, "tracks"), "track")
        .filter_map(|track| {
            node_text(track).map(|name| Track {
                name,
                description: None,
            })
        })
        .collect();
    let mut clocks = Clocks::default();
    // A set, not a search of the list: a file of 500,000 distinct rooms was quadratic.
    let mut seen_rooms = std::collections::HashSet::new();
    for day in root.children().filter(|n| n.has_tag_name("day")) {
        for room in day.children().filter(|n| n.has_tag_name("room")) {
            parsed.check_time()?;
            let room_name = room.attribute("name").unwrap_or_default();
            if !room_name.trim().is_empty()
                && parsed.rooms.len() < MAX_PLACES
                && seen_rooms.insert(room_name)
            {
                parsed.rooms.push(room_name.to_owned());
            }
            for event_node in room.children().filter(|n| n.has_tag_name("event")) {
                parsed.push_with(|| event(event_node, room_name, day, timezone, &mut clocks))?;
            }
        }
    }
    parsed.notes.extend(clocks.notes(timezone));
    Ok(parsed)
}

impl Clocks {
    fn notes(&self, timezone: Tz) -> Vec<String> {
        let mut notes: Vec<String> = self.local.note(timezone, "").into_iter().collect();
        if self.mislabelled > 0 {
            notes.push(format!(
                "{} <date> values were local time labelled +00:00 (their clock equals <start>); read as {timezone}",
                self.mislabelled
            ));
        }
        if self.disagree > 0 {
            notes.push(format!(
                "{} events have a <start> that disagrees with <date>; <date> was used",
                self.disagree
            ));
        }
        notes
    }
}

fn event(
    node: Node<'_, '_>,
    room_name: &str,
    day: Node<'_, '_>,
    timezone: Tz,
    clocks: &mut Clocks,
) -> Result<Session, Skipped> {
    let id = node
        .attribute("id")
        .or_else(|| node.attribute("guid"))
        .unwrap_or_default()
        .to_owned();
    let title = child_text(node, "title").unwrap_or_default();
    let skip = |reason: String| Skipped::new(&id, &title, reason);
    let start = start(node, day, timezone, clocks).map_err(skip)?;
    let length = match child_text(node, "duration") {
        Some(text) => duration::clock(&text).map_err(skip)?,
        None => return Err(skip("no <duration>".into())),
    };
    let type_hint = child_text(node, "type").unwrap_or_default();
    let abstract_html = child_text(node, "abstract")
        .or_else(|| child_text(node, "description"))
        .unwrap_or_default();
    Ok(Session {
        id: SessionId::new(id.clone()),
        kind: kind::classify(&title, &type_hint),
        abstract_text: plain_text::plain(&abstract_html),
        track: child_text(node, "track"),
        room: child_text(node, "room").or_else(|| Some(room_name.to_owned())),
        speakers: children(child(node, "persons"), "person")
            .filter_map(|person| {
                node_text(person).map(|name| Speaker {
                    name,
                    affiliation: None,
                    ..Speaker::default()
                })
            })
            .collect(),
        start,
        end: timestamp::end_after(start, length).map_err(skip)?,
        links: links(node),
        title,
    })
}

/// The event's start instant from `<date>`, checked against `<start>` (see the module docs).
fn start(
    node: Node<'_, '_>,
    day: Node<'_, '_>,
    timezone: Tz,
    clocks: &mut Clocks,
) -> Result<DateTime<Utc>, String> {
    let start_clock = child_text(node, "start").and_then(|s| timestamp::time_of_day(&s));
    let Some(date) = child_text(node, "date") else {
        return local_start(day, start_clock, timezone, clocks);
    };
    let stamp = timestamp::parse(&date)?;
    let (Stamp::Exact(at), Some(clock)) = (stamp, start_clock) else {
        return clocks.local.resolve(stamp, timezone);
    };
    if at.with_timezone(&timezone).time() == clock {
        return Ok(at);
    }
    let written = DateTime::parse_from_rfc3339(date.trim()).ok();
    match written {
        Some(written) if written.offset().local_minus_utc() == 0 && written.time() == clock => {
            clocks.mislabelled += 1;
            Stamp::Local(written.naive_local()).resolve(timezone)
        }
        _ => {
            clocks.disagree += 1;
            Ok(at)
        }
    }
}

/// Without `<date>`: the day's date and `<start>`, the next morning when `<start>` is
/// before the day's own start (festival days run past midnight).
fn local_start(
    day: Node<'_, '_>,
    clock: Option<chrono::NaiveTime>,
    timezone: Tz,
    clocks: &mut Clocks,
) -> Result<DateTime<Utc>, String> {
    let clock = clock.ok_or("no <date> and no usable <start>")?;
    let date = day
        .attribute("date")
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .ok_or("no <date>, and its <day> has no date")?;
    let day_start = day
        .attribute("start")
        .and_then(|s| timestamp::parse(s).ok())
        .map(|stamp| match stamp {
            Stamp::Exact(at) => at.with_timezone(&timezone).time(),
            Stamp::Local(local) => local.time(),
        });
    let date = if day_start.is_some_and(|day_start| clock < day_start) {
        date.succ_opt().ok_or("the date is out of range")?
    } else {
        date
    };
    clocks
        .local
        .resolve(Stamp::Local(date.and_time(clock)), timezone)
}

fn links(node: Node<'_, '_>) -> Vec<Link> {
    let mut links: Vec<Link> = child_text(node, "url")
        .map(|url| kind::page(&url))
        .into_iter()
        .collect();
    for link in children(child(node, "links"), "link")
        .chain(children(child(node, "attachments"), "attachment"))
    {
        if let Some(href) = link.attribute("href").filter(|h| !h.trim().is_empty()) {
            let label = format!(
                "{} {}",
                link.attribute("type").unwrap_or_default(),
                link.text().unwrap_or_default()
            );
            links.push(kind::link(href, &label));
        }
    }
    let recording = child(node, "recording").and_then(|r| child_text(r, "url"));
    links.extend(
        recording
            .or_else(|| child_text(node, "video_download_url"))
            .map(|url| kind::video(&url)),
    );
    links
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|n| n.has_tag_name(name))
}

fn children<'a, 'input: 'a>(
    node: Option<Node<'a, 'input>>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.into_iter()
        .flat_map(move |n| n.children().filter(move |c| c.has_tag_name(name)))
}

/// The element's text (all text children, so CDATA split across nodes is whole), trimmed; `None` when blank.
fn node_text(node: Node<'_, '_>) -> Option<String> {
    let text: String = node
        .children()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).and_then(node_text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::limits::test_meter;
    use chrono::TimeZone;

    fn one_event(date: &str, start: &str) -> Parsed {
        let xml = format!(
            "<schedule><conference><title>C</title><time_zone_name>Asia/Kolkata</time_zone_name></conference>\
             <day date=\"2023-09-09\"><room name=\"R\"><event id=\"1\"><date>{date}</date><start>{start}</start>\
             <duration>00:20</duration><title>Lunch</title><type/></event></room></day></schedule>"
        );
        parse(&xml, &ImportOptions::new(chrono_tz::UTC), test_meter()).unwrap()
    }

    #[test]
    fn utc_date_beside_local_start_is_exact() {
        let parsed = one_event("2023-09-10T05:00:00+00:00", "10:30");
        let session = parsed.events[0].as_ref().unwrap();
        assert_eq!(
            session.start,
            Utc.with_ymd_and_hms(2023, 9, 10, 5, 0, 0).single().unwrap()
        );
        assert_eq!(session.room.as_deref(), Some("R"));
        assert_eq!(session.kind, crate::agenda::SessionKind::Break);
        assert!(parsed.notes.is_empty(), "{:?}", parsed.notes);
    }

    #[test]
    fn local_time_labelled_utc_is_read_in_the_conference_zone() {
        let parsed = one_event("2023-09-10T10:30:00+00:00", "10:30");
        let session = parsed.events[0].as_ref().unwrap();
        assert_eq!(
            session.start,
            Utc.with_ymd_and_hms(2023, 9, 10, 5, 0, 0).single().unwrap()
        );
        assert!(parsed.notes.iter().any(|n| n.contains("labelled +00:00")));
    }

    #[test]
    fn refuses_other_xml_and_reports_broken_events() {
        assert!(parse("<html/>", &ImportOptions::new(chrono_tz::UTC), test_meter()).is_err());
        assert!(parse(
            "<schedule><oops></schedule>",
            &ImportOptions::new(chrono_tz::UTC),
            test_meter()
        )
        .is_err());
        let parsed = one_event("", "");
        assert!(parsed.events[0].is_err());
    }
}

//! C3VOC / frab / pretalx `schedule.json`.
//!
//! Events live under `schedule.conference.days[].rooms{name: [event]}`. Each event's
//! `date` carries an offset and is the truth: days in these files are festival days
//! (11:00 to 04:00 next morning at 36C3), so an event at 00:50 is listed under the
//! previous day but happens at its own instant, and its local day is the one it
//! starts on. Day windows are not used at all (jev22's are empty: 09:00 to 09:00).
//! Only when `date` is missing is the day's date plus `start` read as wall-clock
//! time, and the report says so.
//!
//! Real files are merges of frab and pretalx exports and are rarely schema-clean:
//! nulls, missing keys, "1:00" durations and two person shapes are all expected.

use super::assemble::Parsed;
use super::lenient_json::{array, non_blank, scalar, text};
use super::limits::Meter;
use super::report::Skipped;
use super::timestamp::{self, LocalTimes, Stamp};
use super::{duration, kind, text as plain_text, ImportOptions};
use crate::agenda::{Link, Session, SessionId, Speaker, Track};
use chrono::{NaiveDate, NaiveTime};
use serde_json::Value;

/// What an event's day tells about wall-clock times, for events without `date`.
struct Day {
    date: Option<NaiveDate>,
    /// Wall-clock start of the festival day; earlier `start` times are the next morning.
    starts_at: Option<NaiveTime>,
}

/// Reads a parsed `schedule.json` document.
pub(crate) fn parse(root: &Value, options: &ImportOptions, meter: Meter) -> Result<Parsed, String> {
    let conference = root
        .get("schedule")
        .and_then(|s| s.get("conference"))
        .filter(|c| c.is_object())
        .ok_or("no `schedule.conference` object")?;
    let (timezone, zone_note) = timestamp::conference_zone(
        text(conference, "time_zone_name").as_deref(),
        options.fallback_timezone,
    );
    let name = non_blank(conference, "title").or_else(|| non_blank(conference, "acronym"));
    let mut parsed = Parsed::new(
        name.unwrap_or_else(|| options.fallback_name.clone()),
        timezone,
        meter,
    );
    parsed.notes.extend(zone_note);
    parsed.rooms = array(conference, "rooms")
        .iter()
        .filter_map(|room| text(room, "name"))
        .collect();
    parsed.tracks = array(conference, "tracks")
        .iter()
        .filter_map(track)
        .collect();
    let mut local = LocalTimes::default();
    for day_value in array(conference, "days") {
        let day = Day {
            date: text(day_value, "date")
                .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()),
            starts_at: text(day_value, "day_start")
                .and_then(|s| timestamp::parse(&s).ok())
                .map(|stamp| match stamp {
                    Stamp::Exact(at) => at.with_timezone(&timezone).time(),
                    Stamp::Local(local) => local.time(),
                }),
        };
        let Some(rooms) = day_value.get("rooms").and_then(Value::as_object) else {
            continue;
        };
        for (room_key, events) in rooms {
            for event_value in events.as_array().map(Vec::as_slice).unwrap_or_default() {
                parsed.push_with(|| event(event_value, room_key, &day, timezone, &mut local))?;
            }
        }
    }
    parsed.notes.extend(local.note(
        timezone,
        " (events without `date`, read from the day and `start`)",
    ));
    Ok(parsed)
}

fn track(value: &Value) -> Option<Track> {
    let name = scalar(value).or_else(|| text(value, "name"))?;
    Some(Track {
        name,
        description: None,
    })
}

fn event(
    value: &Value,
    room_key: &str,
    day: &Day,
    timezone: chrono_tz::Tz,
    local: &mut LocalTimes,
) -> Result<Session, Skipped> {
    let id = text(value, "id")
        .or_else(|| text(value, "guid"))
        .unwrap_or_default();
    let title = text(value, "title").unwrap_or_default();
    let skip = |reason: String| Skipped::new(&id, &title, reason);
    if !value.is_object() {
        return Err(skip("the event is not a JSON object".into()));
    }
    let stamp = start_stamp(value, day).map_err(skip)?;
    let start = local.resolve(stamp, timezone).map_err(skip)?;
    let length = match text(value, "duration") {
        Some(text) => duration::clock(&text).map_err(skip)?,
        None => return Err(skip("no `duration`".into())),
    };
    let type_hint = text(value, "type").unwrap_or_default();
    Ok(Session {
        id: SessionId::new(id.clone()),
        kind: kind::classify(&title, &type_hint),
        abstract_text: plain_text::plain(
            &non_blank(value, "abstract")
                .or_else(|| non_blank(value, "description"))
                .unwrap_or_default(),
        ),
        track: text(value, "track"),
        room: non_blank(value, "room").or_else(|| Some(room_key.to_owned())),
        speakers: array(value, "persons").iter().filter_map(person).collect(),
        start,
        end: timestamp::end_after(start, length).map_err(skip)?,
        links: links(value),
        title,
    })
}

/// The event's start: its `date` when present, else the day's date and `start`.
fn start_stamp(value: &Value, day: &Day) -> Result<Stamp, String> {
    if let Some(date) = non_blank(value, "date") {
        return timestamp::parse(&date);
    }
    let time = text(value, "start")
        .and_then(|s| timestamp::time_of_day(&s))
        .ok_or("no `date` and no usable `start`")?;
    let date = day.date.ok_or("no `date`, and its day has no date")?;
    // A festival day runs past midnight: 01:00 on day 1 is the morning of day 2.
    let next_morning = day.starts_at.is_some_and(|day_start| time < day_start);
    let date = if next_morning {
        date.succ_opt().ok_or("the date is out of range")?
    } else {
        date
    };
    Ok(Stamp::Local(date.and_time(time)))
}

/// frab writes `{id, public_name}`, pretalx adds `code`, `biography`, `answers`;
/// some merges have plain strings.
fn person(value: &Value) -> Option<Speaker> {
    let name = scalar(value).or_else(|| {
        ["public_name", "name", "full_public_name", "full_name"]
            .iter()
            .find_map(|key| non_blank(value, key))
    })?;
    let affiliation = ["organization", "organisation", "affiliation", "company"]
        .iter()
        .find_map(|key| non_blank(value, key));
    Some(Speaker {
        name,
        affiliation,
        ..Speaker::default()
    })
}

fn links(value: &Value) -> Vec<Link> {
    let mut links = Vec::new();
    links.extend(non_blank(value, "url").map(|url| kind::page(&url)));
    for entry in array(value, "links")
        .iter()
        .chain(array(value, "attachments"))
    {
        let Some(url) = non_blank(entry, "url")
            .or_else(|| non_blank(entry, "href"))
            .or_else(|| scalar(entry))
        else {
            continue;
        };
        let label = format!(
            "{} {}",
            text(entry, "title").unwrap_or_default(),
            text(entry, "type").unwrap_or_default()
        );
        links.push(kind::link(&url, &label));
    }
    let recording = value.get("recording").and_then(|r| non_blank(r, "url"));
    links.extend(
        recording
            .or_else(|| non_blank(value, "video_download_url"))
            .map(|url| kind::video(&url)),
    );
    links
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::limits::test_meter;
    use chrono::{TimeDelta, TimeZone, Utc};
    use serde_json::json;

    fn parse_events(events: Value, day_start: &str) -> Parsed {
        let root = json!({"schedule": {"conference": {"title": "T", "days": [
            {"date": "2019-12-27", "day_start": day_start, "rooms": {"Ada": events}}
        ]}}});
        parse(
            &root,
            &ImportOptions::new(chrono_tz::Europe::Berlin),
            test_meter(),
        )
        .unwrap()
    }

    #[test]
    fn reads_both_person_shapes_and_lenient_fields() {
        let parsed = parse_events(
            json!([{"id": 1, "title": "T", "date": "2019-12-28T00:50:00+01:00", "duration": "1:00",
                "track": null, "abstract": null, "description": "<p>Hi</p>",
                "persons": [{"id": 1, "public_name": " Ole "}, {"code": "X", "name": "B"}, "C"],
                "links": [{"url": "https://x/s.pdf", "title": "Slides"}], "recording": {"url": "https://x/v"}}]),
            "2019-12-27T11:00:00+01:00",
        );
        let session = parsed.events[0].as_ref().unwrap();
        assert_eq!(
            session.start,
            Utc.with_ymd_and_hms(2019, 12, 27, 23, 50, 0)
                .single()
                .unwrap()
        );
        assert_eq!(session.end - session.start, TimeDelta::hours(1));
        assert_eq!(session.speakers.len(), 3);
        assert_eq!(session.abstract_text, "Hi");
        assert_eq!(session.room.as_deref(), Some("Ada"));
        assert_eq!(session.links.len(), 2);
        assert!(parsed.notes.iter().any(|n| n.contains("no timezone")));
    }

    #[test]
    fn without_date_reads_start_after_midnight_as_next_morning() {
        let parsed = parse_events(
            json!([{"id": 2, "title": "Late", "start": "01:30", "duration": "00:30"}]),
            "2019-12-27T11:00:00+01:00",
        );
        let session = parsed.events[0].as_ref().unwrap();
        assert_eq!(
            session.start,
            Utc.with_ymd_and_hms(2019, 12, 28, 0, 30, 0)
                .single()
                .unwrap()
        );
        assert!(parsed
            .notes
            .iter()
            .any(|n| n.contains("read as Europe/Berlin")));
    }

    #[test]
    fn broken_events_are_skipped_with_reasons() {
        let parsed = parse_events(
            json!([{"id": 3, "title": "A", "date": "soon", "duration": "1:00"},
                   {"id": 4, "title": "B", "date": "2019-12-27T11:00:00+01:00"},
                   {"id": 5, "title": "C", "date": "2019-12-27T11:00:00+01:00", "duration": "long"}, 7]),
            "",
        );
        let reasons: Vec<String> = parsed
            .events
            .iter()
            .filter_map(|e| e.as_ref().err())
            .map(|s| s.reason.clone())
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons[1].contains("duration"));
    }
}

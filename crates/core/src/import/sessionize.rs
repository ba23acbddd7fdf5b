//! Sessionize API v2, "All" view (`/api/v2/{id}/view/All`).
//!
//! Sessions refer to rooms, speakers and category items by id only, and the ids
//! change type from place to place (a session id is `"1252943"` in `sessions[]`
//! but `1252943` in `speakers[].sessions`; room and category ids are integers,
//! speaker ids GUID strings), so every id is compared as text. `startsAt` and
//! `endsAt` are wall-clock times without offset: they are read in the caller's
//! fallback timezone, and the report says so. The track is the session category
//! whose question mentions "track"; Sessionize has no fixed field for it.
//!
//! Because sessions only refer to speakers, rooms and categories, one long name
//! can be copied into every session that names it (1 MB named 1,000 times is a
//! gigabyte), so the looked-up names are cut to the caps once, where they are
//! read, and a session takes at most the capped number of them.

use super::assemble::Parsed;
use super::lenient_json::{array, flag, non_blank, scalar, text};
use super::limits::Meter;
use super::limits::{clip, NAME_CHARS, PER_SESSION};
use super::report::Skipped;
use super::timestamp::{self, LocalTimes};
use super::{kind, text as plain_text, ImportOptions};
use crate::agenda::{Session, SessionId, SessionKind, Speaker};
use chrono_tz::Tz;
use serde_json::Value;
use std::collections::HashMap;

/// The id-keyed lookups sessions are joined with.
#[derive(Debug, Default)]
struct Lookups {
    rooms: HashMap<String, String>,
    speakers: HashMap<String, Speaker>,
    /// Category item id -> (the category's question, the item's name).
    items: HashMap<String, (String, String)>,
}

/// Reads a parsed Sessionize "All" document.
pub(crate) fn parse(root: &Value, options: &ImportOptions, meter: Meter) -> Result<Parsed, String> {
    let timezone = options.fallback_timezone;
    let mut parsed = Parsed::new(options.fallback_name.clone(), timezone, meter);
    let lookups = lookups(root);
    let mut rooms: Vec<(i64, String)> = array(root, "rooms")
        .iter()
        .filter_map(|room| {
            Some((
                room.get("sort").and_then(Value::as_i64).unwrap_or(0),
                non_blank(room, "name")?,
            ))
        })
        .collect();
    rooms.sort_by_key(|(sort, _)| *sort);
    parsed.rooms = rooms.into_iter().map(|(_, name)| name).collect();
    let mut local = LocalTimes::default();
    let mut unconfirmed = 0;
    for value in array(root, "sessions") {
        if value.get("isConfirmed").and_then(Value::as_bool) == Some(false) {
            unconfirmed += 1;
        }
        parsed.push_with(|| session(value, &lookups, timezone, &mut local))?;
    }
    parsed
        .notes
        .extend(local.note(timezone, " (Sessionize gives wall-clock times)"));
    if unconfirmed > 0 {
        parsed.notes.push(format!("{unconfirmed} sessions are not yet confirmed by their speakers (imported all the same)"));
    }
    Ok(parsed)
}

fn lookups(root: &Value) -> Lookups {
    let mut lookups = Lookups::default();
    for room in array(root, "rooms") {
        if let (Some(id), Some(name)) = (text(room, "id"), non_blank(room, "name")) {
            lookups.rooms.insert(id, clip(&name, NAME_CHARS));
        }
    }
    for speaker in array(root, "speakers") {
        let full = non_blank(speaker, "fullName").or_else(|| {
            let first = text(speaker, "firstName").unwrap_or_default();
            let last = text(speaker, "lastName").unwrap_or_default();
            Some(format!("{} {}", first.trim(), last.trim())).filter(|n| !n.trim().is_empty())
        });
        if let (Some(id), Some(name)) = (text(speaker, "id"), full) {
            lookups.speakers.insert(
                id,
                Speaker {
                    name: clip(&name, NAME_CHARS),
                    affiliation: None,
                    ..Speaker::default()
                },
            );
        }
    }
    for category in array(root, "categories") {
        let question = clip(&text(category, "title").unwrap_or_default(), NAME_CHARS);
        for item in array(category, "items") {
            if let (Some(id), Some(name)) = (text(item, "id"), non_blank(item, "name")) {
                lookups
                    .items
                    .insert(id, (question.clone(), clip(&name, NAME_CHARS)));
            }
        }
    }
    lookups
}

fn session(
    value: &Value,
    lookups: &Lookups,
    timezone: Tz,
    local: &mut LocalTimes,
) -> Result<Session, Skipped> {
    let id = text(value, "id").unwrap_or_default();
    let title = text(value, "title").unwrap_or_default();
    let skip = |reason: String| Skipped::new(&id, &title, reason);
    let instant = |key: &str, local: &mut LocalTimes| match non_blank(value, key) {
        None => Err(format!("not scheduled (no `{key}`)")),
        Some(text) => timestamp::parse(&text).and_then(|stamp| local.resolve(stamp, timezone)),
    };
    let start = instant("startsAt", local).map_err(skip)?;
    let end = instant("endsAt", local).map_err(skip)?;
    let items: Vec<&(String, String)> = array(value, "categoryItems")
        .iter()
        .take(PER_SESSION)
        .filter_map(scalar)
        .filter_map(|id| lookups.items.get(&id))
        .collect();
    let answers_to = |words: &[&str]| -> Vec<String> {
        let asks = |question: &str| {
            words
                .iter()
                .any(|word| question.to_lowercase().contains(word))
        };
        items
            .iter()
            .filter(|(question, _)| asks(question))
            .map(|(_, name)| name.clone())
            .collect()
    };
    let track = answers_to(&["track"]).into_iter().next();
    let type_hint = answers_to(&["type", "format"]).join(" ");
    let room = text(value, "roomId")
        .and_then(|id| lookups.rooms.get(&id).cloned())
        .or_else(|| non_blank(value, "room"));
    let speakers = array(value, "speakers")
        .iter()
        .take(PER_SESSION)
        .filter_map(|speaker| {
            scalar(speaker)
                .and_then(|id| lookups.speakers.get(&id).cloned())
                .or_else(|| inline_speaker(speaker))
        })
        .collect();
    let mut links = Vec::new();
    links.extend(non_blank(value, "recordingUrl").map(|url| kind::video(&url)));
    links.extend(non_blank(value, "liveUrl").map(|url| kind::link(&url, "live stream")));
    Ok(Session {
        id: SessionId::new(id.clone()),
        kind: session_kind(value, &title, &type_hint),
        abstract_text: plain_text::plain(&text(value, "description").unwrap_or_default()),
        track,
        room,
        speakers,
        start,
        end,
        links,
        title,
    })
}

/// Plenum sessions are keynotes; service sessions (registration, lunch) are breaks
/// unless their title says otherwise.
fn session_kind(value: &Value, title: &str, type_hint: &str) -> SessionKind {
    if flag(value, "isPlenumSession") {
        return SessionKind::Keynote;
    }
    match kind::classify(title, type_hint) {
        SessionKind::Talk if flag(value, "isServiceSession") => SessionKind::Break,
        other => other,
    }
}

/// Some exports embed `{id, name}` instead of an id.
fn inline_speaker(value: &Value) -> Option<Speaker> {
    Some(Speaker {
        name: non_blank(value, "name")?,
        affiliation: None,
        ..Speaker::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::limits::test_meter;
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    #[test]
    fn joins_by_id_whatever_the_id_type() {
        let root = json!({
            "sessions": [{"id": "7", "title": "Keynote-ish", "startsAt": "2026-10-03T09:00:00", "endsAt": "2026-10-03T09:45:00",
                "roomId": 1, "speakers": ["g-1"], "categoryItems": [10, "11"], "isPlenumSession": true}],
            "speakers": [{"id": "g-1", "firstName": "Ann", "lastName": "Sørensen", "sessions": [7]}],
            "rooms": [{"id": "1", "name": "Suite (150)", "sort": 0}],
            "categories": [{"title": "Which track?", "items": [{"id": 10, "name": "Azure"}]},
                           {"title": "Session type", "items": [{"id": 11, "name": "45 min theatre session"}]}]
        });
        let parsed = parse(
            &root,
            &ImportOptions::new(chrono_tz::Europe::London),
            test_meter(),
        )
        .unwrap();
        let session = parsed.events[0].as_ref().unwrap();
        assert_eq!(
            session.start,
            Utc.with_ymd_and_hms(2026, 10, 3, 8, 0, 0).single().unwrap()
        );
        assert_eq!(session.room.as_deref(), Some("Suite (150)"));
        assert_eq!(session.track.as_deref(), Some("Azure"));
        assert_eq!(session.speakers[0].name, "Ann Sørensen");
        assert_eq!(session.kind, SessionKind::Keynote);
        assert!(
            parsed
                .notes
                .iter()
                .any(|n| n.contains("read as Europe/London")),
            "{:?}",
            parsed.notes
        );
    }

    #[test]
    fn unscheduled_sessions_are_skipped() {
        let root = json!({"sessions": [{"id": 1, "title": "T", "startsAt": null}], "rooms": []});
        let parsed = parse(&root, &ImportOptions::new(chrono_tz::UTC), test_meter()).unwrap();
        let skipped = parsed.events[0].as_ref().unwrap_err();
        assert!(skipped.reason.contains("not scheduled"));
    }
}

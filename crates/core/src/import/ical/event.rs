//! One `VEVENT` read into a session, with what the file-wide passes need to know
//! about it: its UID, the instant that names it, and how it repeats.

use super::lines::{unescape, Component, ContentLine};
use super::zones::{Zone, Zones};
use crate::agenda::{Session, SessionId, Speaker};
use crate::import::report::Skipped;
use crate::import::{duration, kind, limits, text as plain_text, timestamp};
use chrono::{DateTime, NaiveDateTime, Utc};

/// Where a session came from in the file.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    /// The event's UID, empty when it has none.
    pub uid: String,
    /// The instant that names this occurrence: its `RECURRENCE-ID` for an
    /// override, else its start.
    pub key: DateTime<Utc>,
    pub kind: OriginKind,
}

#[derive(Debug, Clone)]
pub(crate) enum OriginKind {
    /// An event on its own.
    Single,
    /// An event with `RECURRENCE-ID`: it replaces that occurrence of its UID's series.
    Override,
    /// The first occurrence of a repeating event, until the series is expanded.
    Series(Box<Repeat>),
    /// A later occurrence of a series.
    Occurrence,
}

/// How an event repeats: its start on its own wall clock, and the properties
/// that say when else it happens.
#[derive(Debug, Clone)]
pub(crate) struct Repeat {
    pub start: NaiveDateTime,
    pub zone: Zone,
    pub rules: Vec<String>,
    pub rdates: Vec<ContentLine>,
    pub exdates: Vec<ContentLine>,
}

/// Reads one VEVENT; the session's id is its UID until the file-wide pass names it.
pub(crate) fn read(event: &Component<'_>, zones: &mut Zones) -> Result<(Session, Origin), Skipped> {
    // Raw values are cut before unescaping: the caps cut every field far shorter,
    // and unescaping a 32 MiB SUMMARY only to cut it would cost most of the budget.
    let text = |name: &str| {
        event
            .find(name)
            .map(|line| {
                unescape(limits::prefix(&line.value, 4 * limits::ABSTRACT_CHARS))
                    .trim()
                    .to_owned()
            })
            .filter(|v| !v.is_empty())
    };
    let title = text("SUMMARY").unwrap_or_default();
    let uid = text("UID").unwrap_or_default();
    let id = match (uid.is_empty(), event.find("DTSTART")) {
        (true, Some(start)) => format!("{} {title}", start.value.trim()),
        _ => uid.clone(),
    };
    let skip = |reason: String| Skipped::new(&id, &title, reason);
    if text("STATUS").is_some_and(|status| status.eq_ignore_ascii_case("CANCELLED")) {
        return Err(skip("cancelled (STATUS:CANCELLED)".into()));
    }
    let start_line = event
        .find("DTSTART")
        .ok_or_else(|| skip("no DTSTART".into()))?;
    let (start_wall, start_zone) = zones.wall(start_line).map_err(skip)?;
    let start = start_zone.to_utc(start_wall).map_err(skip)?;
    let end = match (event.find("DTEND"), text("DURATION")) {
        (Some(line), _) => zones.instant(line).map_err(skip)?,
        (None, Some(length)) => {
            let length = duration::iso8601(&length).map_err(skip)?;
            timestamp::end_after(start, length).map_err(skip)?
        }
        (None, None) => return Err(skip("no DTEND or DURATION".into())),
    };
    let categories = text("CATEGORIES").unwrap_or_default();
    let description = text("DESCRIPTION").unwrap_or_default();
    let (speakers, description) = speakers_from(&description);
    let session = Session {
        id: SessionId::new(id.clone()),
        kind: kind::classify(&title, &categories),
        abstract_text: plain_text::plain(&description),
        track: categories.split(',').next().map(str::to_owned),
        room: text("LOCATION"),
        speakers,
        start,
        end,
        links: text("URL")
            .map(|url| kind::page(&url))
            .into_iter()
            .collect(),
        title,
    };
    let recurrence_id = event
        .find("RECURRENCE-ID")
        .and_then(|line| zones.instant(line).ok());
    let repeats = event.find("RRULE").is_some() || event.find("RDATE").is_some();
    let kind = match recurrence_id {
        Some(_) => OriginKind::Override,
        None if repeats => OriginKind::Series(Box::new(Repeat {
            start: start_wall,
            zone: start_zone,
            rules: event.all("RRULE").map(|l| l.value.clone()).collect(),
            rdates: event.all("RDATE").cloned().collect(),
            exdates: event.all("EXDATE").cloned().collect(),
        })),
        None => OriginKind::Single,
    };
    let origin = Origin {
        uid,
        key: recurrence_id.unwrap_or(start),
        kind,
    };
    Ok((session, origin))
}

/// Speakers named on a leading "Speaker: A" / "Speakers: A, B and C" line, which
/// calendars without ATTENDEE use; that line is removed from the description.
fn speakers_from(description: &str) -> (Vec<Speaker>, String) {
    let mut lines = description.splitn(2, '\n');
    let first = lines.next().unwrap_or_default().trim();
    let rest = lines.next().unwrap_or_default();
    let names = first
        .strip_prefix("Speakers:")
        .or_else(|| first.strip_prefix("Speaker:"));
    let Some(names) = names else {
        return (Vec::new(), description.to_owned());
    };
    let speakers = names
        .split([',', '&'])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| Speaker {
            name: name.to_owned(),
            affiliation: None,
            ..Speaker::default()
        })
        .collect();
    (speakers, rest.to_owned())
}

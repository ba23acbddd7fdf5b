//! emcee's own agenda format, `agenda.toml`: the programme written by hand or
//! produced by `emcee import --out`.
//!
//! Times are TOML datetimes. With an offset (`2021-10-07T08:00:00-07:00`) they are
//! exact; without one (`2021-10-07T08:00:00`) they are wall-clock times in the
//! conference's timezone, and a time that DST makes ambiguous or skips is refused.

use super::location::{ConfigError, Source};
use crate::agenda::{
    Agenda, AgendaError, Conference, Link, Room, Session, SessionId, SessionKind, Speaker, Track,
};
use crate::polls::{FlashPoll, PollLimits, PollOption};
use crate::programme::Programme;
use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use toml::value::{Datetime, Offset};

/// The whole file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaFile {
    pub conference: ConferenceEntry,
    #[serde(default)]
    pub tracks: Vec<Track>,
    #[serde(default)]
    pub rooms: Vec<Room>,
    #[serde(default)]
    pub sessions: Vec<SessionEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub polls: Vec<PollEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contests: Vec<super::contest_entry::ContestEntry>,
}

/// `[conference]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConferenceEntry {
    pub name: String,
    /// The IANA timezone; when absent, emcee.toml's `[conference] timezone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Tz>,
}

/// One `[[sessions]]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SessionEntry {
    pub id: String,
    pub title: String,
    #[serde(default = "default_kind")]
    pub kind: SessionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    pub start: Datetime,
    /// Either `end` or `minutes` must be given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Datetime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speakers: Vec<Speaker>,
    #[serde(default, rename = "abstract", skip_serializing_if = "String::is_empty")]
    pub abstract_text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

fn default_kind() -> SessionKind {
    SessionKind::Talk
}

/// One `[[polls]]` table: a flash poll the scheduler opens on time.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PollEntry {
    pub id: String,
    pub question: String,
    /// "Rust" or "🦀 Rust" (an option may bring its own emoji).
    pub options: Vec<String>,
    pub opens: Datetime,
    pub minutes: u32,
    #[serde(default)]
    pub multi: bool,
    /// A channel key from emcee.toml (e.g. a track's channel); default: the polls channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// "reactions", "buttons" or "native"; default: `[polls] style`, else buttons where the platform has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<crate::polls::PollStyle>,
}

/// Reads and validates an agenda file.
///
/// # Errors
/// A [`ConfigError`] naming file, line, column and field for every problem found.
pub fn load(
    source: &Source,
    fallback_timezone: Tz,
    limits: &PollLimits,
) -> Result<Programme, ConfigError> {
    let file: AgendaFile = source.parse()?;
    let timezone = file.conference.timezone.unwrap_or(fallback_timezone);
    let mut problems = Vec::new();
    let sessions: Vec<Session> = file
        .sessions
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| {
            session(source, index, entry, timezone)
                .map_err(|e| problems.push(e))
                .ok()
        })
        .collect();
    let polls: Vec<FlashPoll> = file
        .polls
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| {
            poll(source, index, entry, timezone, limits)
                .map_err(|e| problems.push(e))
                .ok()
        })
        .collect();
    let contests = super::contest_entry::contests(source, &file.contests, timezone, &mut problems);
    // The agenda's own checks (end before start, duplicate ids) need every
    // session read; with some unreadable they would misreport the rest.
    ConfigError::collect(problems)?;
    let conference = Conference {
        name: file.conference.name,
        timezone,
        tracks: file.tracks,
        rooms: file.rooms,
        sessions,
    };
    let agenda = Agenda::new(conference).map_err(|AgendaError::Invalid(problems)| {
        let located = problems
            .iter()
            .map(|problem| {
                let index = problem.session.to_string();
                source.error_at(
                    &["sessions", &index, problem.field.key()],
                    problem.message.clone(),
                )
            })
            .collect();
        ConfigError::collect(located)
            .err()
            .unwrap_or_else(|| source.error_at(&["sessions"], "is not a valid agenda"))
    })?;
    Ok(Programme {
        agenda,
        polls,
        contests,
    })
}

fn session(
    source: &Source,
    index: usize,
    entry: &SessionEntry,
    timezone: Tz,
) -> Result<Session, ConfigError> {
    let at = index.to_string();
    let instant = |key: &str, value: &Datetime| {
        to_utc(value, timezone).map_err(|message| source.error_at(&["sessions", &at, key], message))
    };
    let start = instant("start", &entry.start)?;
    let end = match (&entry.end, entry.minutes) {
        (Some(end), None) => instant("end", end)?,
        (None, Some(minutes)) => start + TimeDelta::minutes(i64::from(minutes)),
        (Some(_), Some(_)) => {
            return Err(source.error_at(
                &["sessions", &at, "minutes"],
                "give `end` or `minutes`, not both",
            ))
        }
        (None, None) => {
            return Err(source.error_at(&["sessions", &at], "missing `end` (or `minutes`)"))
        }
    };
    let session = Session {
        id: SessionId::new(entry.id.clone()),
        title: entry.title.clone(),
        abstract_text: entry.abstract_text.clone(),
        kind: entry.kind,
        track: entry.track.clone(),
        room: entry.room.clone(),
        speakers: entry.speakers.clone(),
        start,
        end,
        links: entry.links.clone(),
    };
    // `/mycal` and agenda files hold four-digit years: refuse what they cannot.
    match crate::import::caps::unwritable(&session) {
        Some(why) => Err(source.error_at(&["sessions", &at, "start"], why)),
        None => Ok(session),
    }
}

fn poll(
    source: &Source,
    index: usize,
    entry: &PollEntry,
    timezone: Tz,
    limits: &PollLimits,
) -> Result<FlashPoll, ConfigError> {
    let at = index.to_string();
    let opens_at =
        to_utc(&entry.opens, timezone).map_err(|m| source.error_at(&["polls", &at, "opens"], m))?;
    let poll = FlashPoll {
        id: entry.id.clone(),
        question: entry.question.clone(),
        options: entry.options.iter().map(|o| PollOption::parse(o)).collect(),
        opens_at,
        closes_at: opens_at + TimeDelta::minutes(i64::from(entry.minutes)),
        multi: entry.multi,
        channel: entry.channel.clone(),
        style: entry.style,
    };
    poll.check(limits)
        .map_err(|e| source.error_at(&["polls", &at], e.to_string()))?;
    Ok(poll)
}

/// A TOML datetime as a UTC instant; offset-less values are local to `timezone`.
///
/// # Errors
/// A message when the value is only a date or a time, or names a local time that
/// does not exist or exists twice in `timezone`.
pub fn to_utc(value: &Datetime, timezone: Tz) -> Result<DateTime<Utc>, String> {
    let (Some(date), Some(time)) = (value.date, value.time) else {
        return Err(format!("`{value}` needs both a date and a time"));
    };
    let naive_date = NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    );
    let naive_time = NaiveTime::from_hms_nano_opt(
        u32::from(time.hour),
        u32::from(time.minute),
        u32::from(time.second.unwrap_or(0)),
        time.nanosecond.unwrap_or(0),
    );
    let (Some(naive_date), Some(naive_time)) = (naive_date, naive_time) else {
        return Err(format!("`{value}` is not a valid date and time"));
    };
    let local = NaiveDateTime::new(naive_date, naive_time);
    match value.offset {
        Some(Offset::Z) => Ok(local.and_utc()),
        Some(Offset::Custom { minutes }) => FixedOffset::east_opt(i32::from(minutes) * 60)
            .and_then(|offset| offset.from_local_datetime(&local).single())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("`{value}` has an impossible offset")),
        None => local_to_utc(local, timezone),
    }
}

/// Wall-clock time in `timezone` to UTC, refusing DST gaps and overlaps.
///
/// # Errors
/// A message naming the local time and the zone when it is ambiguous or skipped.
pub fn local_to_utc(local: NaiveDateTime, timezone: Tz) -> Result<DateTime<Utc>, String> {
    use chrono::LocalResult;
    match timezone.from_local_datetime(&local) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(..) => Err(format!(
            "{local} happens twice in {timezone} (DST ends); write it with an offset"
        )),
        LocalResult::None => Err(format!(
            "{local} does not exist in {timezone} (DST starts); write it with an offset"
        )),
    }
}

/// A UTC instant as a TOML datetime with the offset `timezone` has at that instant,
/// so written files read naturally ("08:00:00-07:00").
pub fn to_toml_datetime(at: DateTime<Utc>, timezone: Tz) -> Datetime {
    let local = at.with_timezone(&timezone).fixed_offset();
    let text = local.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    // A string chrono just formatted as RFC 3339 always parses as a TOML datetime.
    text.parse().unwrap_or(Datetime {
        date: None,
        time: None,
        offset: None,
    })
}

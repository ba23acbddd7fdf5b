//! Timestamps as schedules write them, kept apart by whether they are exact.
//!
//! A timestamp with an offset ("2019-12-27T11:00:00+01:00", "…Z") names one instant
//! and wins wherever a format has one. A wall-clock timestamp without offset only
//! means something in a timezone, so it is returned as such and the caller decides
//! which zone and reports that it had to.

use crate::config::agenda_file::local_to_utc;
use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

/// A parsed timestamp: exact, or wall-clock time awaiting a timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    Exact(DateTime<Utc>),
    Local(NaiveDateTime),
}

impl Stamp {
    /// The instant, reading a wall-clock time in `timezone` (DST gaps and overlaps refused).
    pub fn resolve(self, timezone: Tz) -> Result<DateTime<Utc>, String> {
        match self {
            Self::Exact(at) => Ok(at),
            Self::Local(local) => local_to_utc(local, timezone),
        }
    }

    pub fn is_local(self) -> bool {
        matches!(self, Self::Local(_))
    }
}

const WITH_OFFSET: [&str; 3] = [
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M%:z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
];
const WITHOUT_OFFSET: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
];

/// Reads an ISO 8601 / RFC 3339 date-time, with or without offset.
pub(crate) fn parse(text: &str) -> Result<Stamp, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Stamp::Exact(at.with_timezone(&Utc)));
    }
    for format in WITH_OFFSET {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Ok(Stamp::Exact(at.with_timezone(&Utc)));
        }
    }
    for format in WITHOUT_OFFSET {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Stamp::Local(local));
        }
    }
    Err(format!("`{text}` is not a date and time"))
}

/// `start + length`, refusing instants beyond what chrono represents instead of panicking.
pub(crate) fn end_after(
    start: DateTime<Utc>,
    length: chrono::TimeDelta,
) -> Result<DateTime<Utc>, String> {
    start
        .checked_add_signed(length)
        .ok_or_else(|| format!("the end ({start} plus {length}) is out of range"))
}

/// Reads a wall-clock time of day: "H:MM", "HH:MM" or "HH:MM:SS".
pub(crate) fn time_of_day(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .ok()
}

/// The conference timezone from the IANA name a file gives, else `fallback`, with a
/// report note saying which and why.
pub(crate) fn conference_zone(name: Option<&str>, fallback: Tz) -> (Tz, Option<String>) {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => (
            fallback,
            Some(format!(
                "the file names no timezone; days are counted in {fallback}"
            )),
        ),
        Some(name) => match name.parse::<Tz>() {
            Ok(zone) => (zone, None),
            Err(_) => (
                fallback,
                Some(format!(
                    "unknown timezone `{name}`; days are counted in {fallback}"
                )),
            ),
        },
    }
}

/// Counts the events whose times had to be read in a fallback timezone, for the report.
#[derive(Debug, Default)]
pub(crate) struct LocalTimes {
    pub count: usize,
}

impl LocalTimes {
    /// Resolves `stamp`, counting it when it needed `timezone`.
    pub fn resolve(&mut self, stamp: Stamp, timezone: Tz) -> Result<DateTime<Utc>, String> {
        if stamp.is_local() {
            self.count += 1;
        }
        stamp.resolve(timezone)
    }

    /// The report note, when any time was local.
    pub fn note(&self, timezone: Tz, why: &str) -> Option<String> {
        (self.count > 0).then(|| {
            format!(
                "{} times had no offset{why}; read as {timezone}",
                self.count
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn offsets_make_exact_instants() {
        let expected = Utc
            .with_ymd_and_hms(2019, 12, 27, 10, 0, 0)
            .single()
            .unwrap();
        assert_eq!(
            parse("2019-12-27T11:00:00+01:00"),
            Ok(Stamp::Exact(expected))
        );
        assert_eq!(parse("2019-12-27T11:00+01:00"), Ok(Stamp::Exact(expected)));
        assert_eq!(parse("2019-12-27T10:00:00Z"), Ok(Stamp::Exact(expected)));
    }

    #[test]
    fn wall_clock_times_wait_for_a_zone() {
        let stamp = parse("2026-10-02T09:00:00").unwrap();
        assert!(stamp.is_local());
        let at = stamp.resolve(chrono_tz::Europe::London).unwrap();
        assert_eq!(
            at,
            Utc.with_ymd_and_hms(2026, 10, 2, 8, 0, 0).single().unwrap()
        );
        // 02:30 does not exist in London on the last Sunday of March.
        assert!(parse("2026-03-29T01:30")
            .unwrap()
            .resolve(chrono_tz::Europe::London)
            .is_err());
        assert!(parse("tomorrow").is_err());
    }

    #[test]
    fn times_of_day() {
        assert_eq!(time_of_day("9:05"), NaiveTime::from_hms_opt(9, 5, 0));
        assert_eq!(time_of_day("10:30:15"), NaiveTime::from_hms_opt(10, 30, 15));
        assert_eq!(time_of_day("25:00"), None);
    }
}

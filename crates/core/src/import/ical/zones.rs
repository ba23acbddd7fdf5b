//! What a `TZID` means, and the instants of the date-times that name one.
//!
//! A TZID is only a label (RFC 5545); what it names is tried in this order:
//! an IANA name in chrono-tz's database (linux.conf.au names
//! `Australia/Brisbane` with no `VTIMEZONE` at all; Mozilla writes
//! `/mozilla.org/20050126_1/Europe/Paris`); a Windows zone name as Outlook and
//! Exchange write them ("W. Europe Standard Time"), through CLDR's
//! windowsZones mapping (the `windows-timezones` crate), whose IANA zone keeps
//! the history and future changes a VTIMEZONE block lacks; then the file's own
//! `VTIMEZONE` ([`vtimezone`](super::vtimezone)), for names nobody else knows
//! ("Customized Time Zone"). A TZID none of these explain is reported and its
//! times are read in the conference zone, never silently in UTC.

use super::lines::{Component, ContentLine};
use super::rule::Steps;
use super::vtimezone::Rules;
use crate::import::limits;
use crate::import::timestamp::{LocalTimes, Stamp};
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::rc::Rc;
use windows_timezones::WindowsTimezone;

/// The zone of one date-time.
#[derive(Debug, Clone)]
pub(crate) enum Zone {
    Utc,
    Iana(Tz),
    File(Rc<Rules>),
}

impl Zone {
    /// The instant `wall` names in this zone (DST gaps and overlaps refused).
    ///
    /// # Errors
    /// A time the clocks skip or repeat, or a file zone over its budget.
    pub fn to_utc(&self, wall: NaiveDateTime) -> Result<DateTime<Utc>, String> {
        match self {
            Self::Utc => Ok(wall.and_utc()),
            Self::Iana(zone) => Stamp::Local(wall).resolve(*zone),
            Self::File(rules) => rules.to_utc(wall),
        }
    }

    /// The wall-clock time in this zone at `at`.
    ///
    /// # Errors
    /// A file zone over its budget.
    pub fn to_local(&self, at: DateTime<Utc>) -> Result<NaiveDateTime, String> {
        match self {
            Self::Utc => Ok(at.naive_utc()),
            Self::Iana(zone) => Ok(at.with_timezone(zone).naive_local()),
            Self::File(rules) => rules.to_local(at),
        }
    }
}

/// TZIDs longer than this are no zone name; only the IANA suffix search reads them.
const MAX_TZID: usize = 256;
/// VTIMEZONE blocks read per file, and TZIDs remembered.
const MAX_ZONES: usize = 1_000;

/// Every TZID of one file, resolved once each, and what the report should say.
#[derive(Debug)]
pub(crate) struct Zones {
    conference: Tz,
    file: HashMap<String, Result<Rc<Rules>, String>>,
    resolved: HashMap<String, Option<Zone>>,
    pub local: LocalTimes,
    unknown: Vec<String>,
    windows: Vec<(String, Tz)>,
    from_file: Vec<String>,
}

impl Zones {
    pub fn new(conference: Tz, vtimezones: &[Component<'_>], steps: &Steps) -> Self {
        let mut file = HashMap::new();
        for vtimezone in vtimezones.iter().take(MAX_ZONES) {
            let Some(tzid) = vtimezone.find("TZID").map(|l| l.value.trim()) else {
                continue;
            };
            if tzid.len() <= MAX_TZID && !file.contains_key(tzid) {
                let rules = Rules::read(tzid, &vtimezone.parts, steps.clone()).map(Rc::new);
                file.insert(tzid.to_owned(), rules);
            }
        }
        Self {
            conference,
            file,
            resolved: HashMap::new(),
            local: LocalTimes::default(),
            unknown: Vec::new(),
            windows: Vec::new(),
            from_file: Vec::new(),
        }
    }

    /// A DATE-TIME property's wall-clock time and zone: `Z` is UTC, a TZID names
    /// a zone, neither is floating (the conference zone, counted for the report).
    ///
    /// # Errors
    /// A date without a time (all-day), or no iCalendar date-time.
    pub fn wall(&mut self, line: &ContentLine) -> Result<(NaiveDateTime, Zone), String> {
        let value = line.value.trim();
        let is_date = line
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || value.len() == 8;
        if is_date {
            return Err(format!(
                "all-day event ({} {value} has no time of day)",
                line.name
            ));
        }
        let (wall, utc) = date_time(value)
            .ok_or_else(|| format!("{} `{value}` is not an iCalendar date-time", line.name))?;
        if utc {
            return Ok((wall, Zone::Utc));
        }
        match line.param("TZID") {
            Some(tzid) => Ok((wall, self.zone(tzid))),
            None => {
                self.local.count += 1;
                Ok((wall, Zone::Iana(self.conference)))
            }
        }
    }

    /// The instant of a DATE-TIME property.
    ///
    /// # Errors
    /// As [`Zones::wall`], and a time its zone's clocks skip or repeat.
    pub fn instant(&mut self, line: &ContentLine) -> Result<DateTime<Utc>, String> {
        let (wall, zone) = self.wall(line)?;
        zone.to_utc(wall)
    }

    /// The zone a TZID names, else the conference zone (and the TZID is reported).
    pub fn zone(&mut self, tzid: &str) -> Zone {
        if let Some(known) = self.resolved.get(tzid) {
            return known.clone().unwrap_or(Zone::Iana(self.conference));
        }
        let found = self.resolve(tzid);
        if self.resolved.len() < MAX_ZONES && tzid.len() <= MAX_TZID {
            self.resolved.insert(tzid.to_owned(), found.clone());
        }
        found.unwrap_or(Zone::Iana(self.conference))
    }

    fn resolve(&mut self, tzid: &str) -> Option<Zone> {
        if let Some(zone) = zone_named(tzid) {
            return Some(Zone::Iana(zone));
        }
        if let Some(zone) = windows_zone(tzid) {
            remember(&mut self.windows, (tzid.trim().to_owned(), zone));
            return Some(Zone::Iana(zone));
        }
        let unknown =
            |why: &str| limits::clip(&format!("{}{why}", tzid.trim()), limits::NAME_CHARS);
        match self.file.get(tzid.trim()) {
            Some(Ok(rules)) => {
                let rules = Rc::clone(rules);
                remember(
                    &mut self.from_file,
                    format!("\"{}\" ({})", rules.tzid, rules.offsets()),
                );
                Some(Zone::File(rules))
            }
            Some(Err(why)) => {
                let named = unknown(&format!(" (its VTIMEZONE cannot be followed: {why})"));
                remember(&mut self.unknown, named);
                None
            }
            None => {
                remember(&mut self.unknown, unknown(""));
                None
            }
        }
    }

    /// How the file's TZIDs were read, for the report.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.windows.is_empty() {
            let read: Vec<String> = self
                .windows
                .iter()
                .map(|(name, zone)| format!("\"{name}\" as {zone}"))
                .collect();
            notes.push(format!(
                "Windows zone names read through CLDR's mapping: {}",
                read.join(", ")
            ));
        }
        if !self.from_file.is_empty() {
            notes.push(format!(
                "TZIDs read from the file's own VTIMEZONE: {}",
                self.from_file.join(", ")
            ));
        }
        if !self.unknown.is_empty() {
            notes.push(format!(
                "unknown TZID {}; read as {}",
                self.unknown.join(", "),
                self.conference
            ));
        }
        notes
    }
}

fn remember<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if list.len() < limits::LISTED && !list.contains(&item) {
        list.push(item);
    }
}

/// `YYYYMMDDTHHMMSS` (or without seconds), and whether it ends in `Z`.
pub(crate) fn date_time(value: &str) -> Option<(NaiveDateTime, bool)> {
    let value = value.trim();
    let (clock, utc) = match value.strip_suffix(['Z', 'z']) {
        Some(clock) => (clock, true),
        None => (value, false),
    };
    NaiveDateTime::parse_from_str(clock, "%Y%m%dT%H%M%S")
        .or_else(|_| NaiveDateTime::parse_from_str(clock, "%Y%m%dT%H%M"))
        .ok()
        .map(|wall| (wall, utc))
}

/// An IANA zone from a TZID, also accepting the `/mozilla.org/20050126_1/Europe/Paris` style.
///
/// IANA names have at most three parts (`America/Argentina/Buenos_Aires`), so only
/// the whole TZID and its last three, two and one parts are tried, and only when
/// short: a TZID of 160 KB made of slashes costs one pass, not one lookup per slash.
pub(crate) fn zone_named(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_start_matches('/');
    let suffixes = tzid
        .rmatch_indices('/')
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|(at, _)| at + 1);
    std::iter::once(0)
        .chain(suffixes)
        .filter_map(|from| tzid.get(from..))
        .filter(|name| (1..=MAX_ZONE_NAME).contains(&name.len()))
        .find_map(|name| name.parse::<Tz>().ok())
}

/// The longest IANA zone name is 32 bytes; longer candidates are never looked up.
const MAX_ZONE_NAME: usize = 64;

/// The IANA zone CLDR maps a Windows zone name to (its world-wide default, `001`).
pub(crate) fn windows_zone(tzid: &str) -> Option<Tz> {
    let name = tzid.trim();
    if name.len() > MAX_TZID {
        return None;
    }
    let windows: WindowsTimezone = name.parse().ok()?;
    windows.tzdb_id().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mozilla_style_and_windows_names() {
        assert_eq!(
            zone_named("/mozilla.org/20050126_1/Europe/Paris"),
            Some(chrono_tz::Europe::Paris)
        );
        assert_eq!(zone_named("Nowhere"), None);
        assert_eq!(
            windows_zone("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            windows_zone(" Pacific Standard Time "),
            Some(chrono_tz::America::Los_Angeles)
        );
        assert_eq!(
            windows_zone("AUS Eastern Standard Time"),
            Some(chrono_tz::Australia::Sydney)
        );
        assert_eq!(windows_zone("Mars Standard Time"), None);
    }

    #[test]
    fn unknown_tzids_are_reported_and_read_in_the_conference_zone() {
        let mut zones = Zones::new(chrono_tz::Europe::Brussels, &[], &Steps::new(10));
        assert!(matches!(
            zones.zone("Mars/Olympus"),
            Zone::Iana(chrono_tz::Europe::Brussels)
        ));
        assert!(matches!(
            zones.zone("Mars/Olympus"),
            Zone::Iana(chrono_tz::Europe::Brussels)
        ));
        assert!(matches!(
            zones.zone("Tokyo Standard Time"),
            Zone::Iana(chrono_tz::Asia::Tokyo)
        ));
        let notes = zones.notes().join("\n");
        assert!(
            notes.contains("unknown TZID Mars/Olympus; read as Europe/Brussels"),
            "{notes}"
        );
        assert!(
            notes.contains("\"Tokyo Standard Time\" as Asia/Tokyo"),
            "{notes}"
        );
    }
}

//! A zone defined by the file's own `VTIMEZONE`, for TZIDs no database knows
//! (Outlook's "Customized Time Zone", an exporter's private names).
//!
//! Each `STANDARD` or `DAYLIGHT` observance starts at its `DTSTART` (wall clock,
//! in the offset before it, `TZOFFSETFROM`), again at each `RDATE` and at each
//! occurrence of its `RRULE` (Outlook writes `FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3`),
//! and from then on the offset is its `TZOFFSETTO`. The onsets are worked out per
//! year of the times asked about (with the years around it) and kept, so a file of
//! a thousand events in one zone follows its rules a few times, not a thousand.
//! A wall-clock time the clocks skip or repeat is refused, as it is for IANA zones.

use super::lines::ContentLine;
use super::rule::{self, Steps, Until, Walked};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::rc::Rc;

/// Observances read per VTIMEZONE; real ones have two, historical ones a few dozen.
const MAX_OBSERVANCES: usize = 64;
/// Years of onsets kept per zone.
const YEARS_KEPT: usize = 64;

/// One `STANDARD` or `DAYLIGHT` block.
#[derive(Debug)]
struct Observance {
    start: NaiveDateTime,
    /// Seconds east of UTC before and after each onset.
    from: i32,
    to: i32,
    rule: Option<rule::Rule>,
    dates: Vec<NaiveDateTime>,
}

/// From `at` (UTC) on, the offset is `offset` seconds east of UTC.
#[derive(Debug, Clone, Copy)]
struct Transition {
    at: NaiveDateTime,
    offset: i32,
}

/// A zone as a VTIMEZONE defines it.
#[derive(Debug)]
pub(crate) struct Rules {
    pub tzid: String,
    observances: Vec<Observance>,
    /// The offset before the first onset of all.
    initial: i32,
    years: RefCell<HashMap<i32, Rc<[Transition]>>>,
    steps: Steps,
}

impl Rules {
    /// Reads a VTIMEZONE's observances (`parts` as [`Component`](super::lines::Component) gives them).
    ///
    /// # Errors
    /// Why the block cannot be followed: no observance, or one without a readable
    /// start, offset or rule.
    pub fn read(
        tzid: &str,
        parts: &[(String, Vec<&ContentLine>)],
        steps: Steps,
    ) -> Result<Self, String> {
        let mut observances = Vec::new();
        for (name, lines) in parts.iter().take(MAX_OBSERVANCES) {
            if name == "STANDARD" || name == "DAYLIGHT" {
                observances.push(observance(lines).map_err(|e| format!("{name}: {e}"))?);
            }
        }
        let initial = observances
            .iter()
            .min_by_key(|o| o.start)
            .map(|o| o.from)
            .ok_or("it has no STANDARD or DAYLIGHT part")?;
        Ok(Self {
            tzid: tzid.to_owned(),
            observances,
            initial,
            years: RefCell::default(),
            steps,
        })
    }

    /// The instant a wall-clock time in this zone names.
    ///
    /// # Errors
    /// A time the clocks skip or repeat, or rules over the file's budget.
    pub fn to_utc(&self, wall: NaiveDateTime) -> Result<DateTime<Utc>, String> {
        let transitions = self.transitions(wall.year())?;
        let mut offsets: Vec<i32> = transitions.iter().map(|t| t.offset).collect();
        offsets.push(self.initial);
        offsets.sort_unstable();
        offsets.dedup();
        let mut fits = Vec::new();
        for offset in offsets {
            let at = wall - TimeDelta::seconds(i64::from(offset));
            if self.offset_at(at)? == offset && !fits.contains(&at) {
                fits.push(at);
            }
        }
        match fits.as_slice() {
            [at] => Ok(at.and_utc()),
            [] => Err(format!(
                "{wall} does not exist in {} (its clocks skip it)",
                self.tzid
            )),
            _ => Err(format!(
                "{wall} happens twice in {} (its clocks go back)",
                self.tzid
            )),
        }
    }

    /// The wall-clock time in this zone at `at`.
    ///
    /// # Errors
    /// Rules over the file's budget.
    pub fn to_local(&self, at: DateTime<Utc>) -> Result<NaiveDateTime, String> {
        let offset = self.offset_at(at.naive_utc())?;
        Ok(at.naive_utc() + TimeDelta::seconds(i64::from(offset)))
    }

    /// The offsets the zone uses, for the report ("+01:00/+02:00").
    pub fn offsets(&self) -> String {
        let mut offsets: Vec<i32> = self.observances.iter().map(|o| o.to).collect();
        offsets.sort_unstable();
        offsets.dedup();
        let text: Vec<String> = offsets.into_iter().map(offset_text).collect();
        text.join("/")
    }

    fn offset_at(&self, at: NaiveDateTime) -> Result<i32, String> {
        let transitions = self.transitions(at.year())?;
        Ok(transitions
            .iter()
            .rev()
            .find(|t| t.at <= at)
            .map_or(self.initial, |t| t.offset))
    }

    /// Every onset from the start of `year - 1` to the end of `year + 1`, plus each
    /// observance's last one before, as UTC transitions in order.
    fn transitions(&self, year: i32) -> Result<Rc<[Transition]>, String> {
        if let Some(kept) = self.years.borrow().get(&year) {
            return Ok(Rc::clone(kept));
        }
        let day = |y| NaiveDate::from_ymd_opt(y, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        let (Some(from), Some(to)) = (day(year - 1), day(year + 2)) else {
            return Err(format!("the year {year} is out of range"));
        };
        let mut transitions = Vec::new();
        for observance in &self.observances {
            let mut before = None;
            let mut onsets = Vec::new();
            let mut consider = |wall: NaiveDateTime| {
                if wall < from {
                    before = Some(wall);
                } else if wall < to {
                    onsets.push(wall);
                } else {
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            };
            let _ = consider(observance.start);
            for &date in &observance.dates {
                let _ = consider(date);
            }
            if let Some(rule) = &observance.rule {
                let until = rule.until.map(|until| match until {
                    Until::Exact(at) => at.naive_utc() + TimeDelta::seconds(observance.from.into()),
                    Until::Wall(wall) => wall,
                });
                let walked = rule::walk(observance.start, rule, until, &self.steps, consider)?;
                if walked == Walked::OutOfSteps {
                    return Err("following its rules took more steps than an import allows".into());
                }
            }
            let change = TimeDelta::seconds(observance.from.into());
            transitions.extend(before.into_iter().chain(onsets).map(|wall| Transition {
                at: wall - change,
                offset: observance.to,
            }));
        }
        transitions.sort_by_key(|t| t.at);
        let transitions: Rc<[Transition]> = transitions.into();
        let mut years = self.years.borrow_mut();
        if years.len() < YEARS_KEPT {
            years.insert(year, Rc::clone(&transitions));
        }
        Ok(transitions)
    }
}

fn observance(lines: &[&ContentLine]) -> Result<Observance, String> {
    let find = |name: &str| {
        lines
            .iter()
            .find(|line| line.name == name)
            .map(|l| l.value.trim())
    };
    let start = find("DTSTART")
        .and_then(wall)
        .ok_or("no readable DTSTART")?;
    let to = find("TZOFFSETTO")
        .and_then(offset)
        .ok_or("no readable TZOFFSETTO")?;
    let from = find("TZOFFSETFROM").and_then(offset).unwrap_or(to);
    let rule = find("RRULE").map(rule::read).transpose()?;
    let dates = lines
        .iter()
        .filter(|line| line.name == "RDATE")
        .flat_map(|line| line.value.split(','))
        .take(MAX_OBSERVANCES)
        .filter_map(wall)
        .collect();
    Ok(Observance {
        start,
        from,
        to,
        rule,
        dates,
    })
}

fn wall(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim().trim_end_matches(['Z', 'z']);
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").ok()
}

/// `+0100`, `-0500`, `+053000` or `+01:00` as seconds east of UTC.
fn offset(text: &str) -> Option<i32> {
    let text = text.trim().replace(':', "");
    let (sign, digits) = match text.split_at_checked(1)? {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let part =
        |range: std::ops::Range<usize>| digits.get(range).and_then(|p| p.parse::<i32>().ok());
    let seconds = part(0..2)? * 3600 + part(2..4)? * 60 + part(4..6).unwrap_or(0);
    (seconds < 24 * 3600).then_some(sign * seconds)
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", seconds / 3600, seconds % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::super::lines::{components, content_lines};
    use super::*;
    use chrono::TimeZone;

    /// What Outlook writes for "W. Europe Standard Time".
    const W_EUROPE: &[u8] = b"BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n\
        BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n\
        TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n\
        TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

    fn rules(bytes: &[u8]) -> Rules {
        let lines = content_lines(bytes);
        let zone = &components(&lines, "VTIMEZONE")[0];
        Rules::read("W. Europe Standard Time", &zone.parts, Steps::new(100_000)).unwrap()
    }

    #[test]
    fn outlook_rules_agree_with_the_iana_zone_every_hour_of_a_year() {
        let rules = rules(W_EUROPE);
        let berlin = chrono_tz::Europe::Berlin;
        let mut wall = NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 30, 0))
            .unwrap();
        let mut checked = 0;
        while wall.year() == 2026 {
            match berlin.from_local_datetime(&wall).single() {
                Some(expected) => {
                    assert_eq!(
                        rules.to_utc(wall),
                        Ok(expected.with_timezone(&Utc)),
                        "{wall}"
                    );
                    assert_eq!(rules.to_local(expected.with_timezone(&Utc)), Ok(wall));
                    checked += 1;
                }
                // 29 March 02:30 is skipped, 25 October 02:30 repeated: refused too.
                None => assert!(rules.to_utc(wall).is_err(), "{wall}"),
            }
            wall += TimeDelta::hours(1);
        }
        assert_eq!(checked, 8_758);
        assert!(rules
            .to_utc(wall_at("20261025T023000"))
            .unwrap_err()
            .contains("twice"));
        assert!(rules
            .to_utc(wall_at("20260329T023000"))
            .unwrap_err()
            .contains("skip"));
        assert_eq!(rules.offsets(), "+01:00/+02:00");
    }

    fn wall_at(text: &str) -> NaiveDateTime {
        wall(text).unwrap()
    }

    #[test]
    fn a_zone_without_daylight_time_and_broken_blocks() {
        let fixed = b"BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:16010101T000000\n\
            TZOFFSETFROM:+0530\nTZOFFSETTO:+0530\nEND:STANDARD\nEND:VTIMEZONE\n";
        let rules = rules(fixed);
        assert_eq!(
            rules.to_utc(wall_at("20260302T100000")),
            Ok(Utc.with_ymd_and_hms(2026, 3, 2, 4, 30, 0).unwrap())
        );
        let lines = content_lines(b"BEGIN:VTIMEZONE\nTZID:Y\nBEGIN:STANDARD\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n");
        let zone = &components(&lines, "VTIMEZONE")[0];
        assert!(Rules::read("Y", &zone.parts, Steps::new(10))
            .unwrap_err()
            .contains("DTSTART"));
        assert!(Rules::read("Y", &[], Steps::new(10)).is_err());
        assert_eq!(offset("-0500"), Some(-5 * 3600));
        assert_eq!(offset("+053000"), Some(5 * 3600 + 1800));
        assert_eq!(offset("0100"), None);
    }

    #[test]
    fn rules_that_need_too_many_steps_are_refused() {
        let secondly = b"BEGIN:VTIMEZONE\nTZID:S\nBEGIN:STANDARD\nDTSTART:16010101T000000\n\
            RRULE:FREQ=SECONDLY\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n";
        let lines = content_lines(secondly);
        let zone = &components(&lines, "VTIMEZONE")[0];
        let rules = Rules::read("S", &zone.parts, Steps::new(10_000)).unwrap();
        assert!(rules
            .to_utc(wall_at("20260302T100000"))
            .unwrap_err()
            .contains("steps"));
    }
}

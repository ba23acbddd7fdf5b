//! Following one `RRULE` in wall-clock time, within a budget of steps.
//!
//! RFC 5545 repeats an event in its own local time (a weekly 09:00 stays 09:00
//! across a DST change), and a zone from the file's `VTIMEZONE` is nothing the
//! `rrule` crate can hold, so every rule is walked as floating wall-clock time
//! (the crate's UTC standing in for "no zone") and each occurrence is placed in
//! its zone afterwards. `UNTIL` is taken out of the rule and turned into that
//! same wall clock first: written in UTC (as RFC 5545 requires beside a TZID),
//! it would otherwise be an hour or more off, and without `Z` the crate would
//! read it in the machine's own zone.
//!
//! A rule is input from the internet: `FREQ=SECONDLY` for years, or a rule that
//! never matches, must cost no more than the import allows, so each walk takes
//! its steps from a [`Steps`] budget shared by the whole file and stops when it
//! runs out; the caller reports what was cut.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rrule::{RRule, RRuleSet, Unvalidated};
use std::cell::Cell;
use std::ops::ControlFlow;
use std::rc::Rc;

/// Occurrences the file's rules may still produce, shared by every walk.
#[derive(Debug, Clone)]
pub(crate) struct Steps(Rc<Cell<usize>>);

impl Steps {
    pub fn new(steps: usize) -> Self {
        Self(Rc::new(Cell::new(steps)))
    }

    /// Takes one step; false when none is left.
    fn take(&self) -> bool {
        let left = self.0.get();
        self.0.set(left.saturating_sub(1));
        left > 0
    }
}

/// `UNTIL` as written.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Until {
    Exact(DateTime<Utc>),
    Wall(NaiveDateTime),
}

/// An `RRULE` value, its `UNTIL` set apart.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    rule: RRule<Unvalidated>,
    pub until: Option<Until>,
}

/// Why a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walked {
    /// The rule ended, or the visitor had enough.
    Done,
    /// The file's budget of steps ran out first.
    OutOfSteps,
}

/// Reads an `RRULE` value such as `FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260331T235959Z`.
///
/// # Errors
/// What the rule gets wrong, in the `rrule` crate's words.
pub(crate) fn read(text: &str) -> Result<Rule, String> {
    let mut until = None;
    let mut rest = Vec::new();
    for part in text.trim().split(';').map(str::trim) {
        match part.split_once('=') {
            Some((key, value)) if key.trim().eq_ignore_ascii_case("UNTIL") => {
                until = Some(until_value(value)?);
            }
            _ if part.is_empty() => {}
            _ => rest.push(part),
        }
    }
    let rule = rest
        .join(";")
        .parse::<RRule<Unvalidated>>()
        .map_err(|error| error.to_string())?;
    Ok(Rule { rule, until })
}

fn until_value(value: &str) -> Result<Until, String> {
    let value = value.trim();
    let bad = || format!("UNTIL `{value}` is not an iCalendar date or date-time");
    if let Some(clock) = value.strip_suffix(['Z', 'z']) {
        let at = NaiveDateTime::parse_from_str(clock, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok(Until::Exact(at.and_utc()));
    }
    if value.len() == 8 {
        // A date: the whole of that day is still in.
        let date = NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| bad())?;
        let end = date.and_hms_opt(23, 59, 59).ok_or_else(bad)?;
        return Ok(Until::Wall(end));
    }
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
        .map(Until::Wall)
        .map_err(|_| bad())
}

/// Calls `visit` on each wall-clock occurrence of `rule` from `start`, in order,
/// until the rule ends, `visit` breaks, or `steps` run out. `until` is the rule's
/// `UNTIL` on the same wall clock as `start`.
///
/// # Errors
/// A rule the `rrule` crate refuses for this start (a BYMONTHDAY of 40, an UNTIL
/// before the start), or one it fails to follow.
pub(crate) fn walk(
    start: NaiveDateTime,
    rule: &Rule,
    until: Option<NaiveDateTime>,
    steps: &Steps,
    mut visit: impl FnMut(NaiveDateTime) -> ControlFlow<()>,
) -> Result<Walked, String> {
    let floating = |wall: NaiveDateTime| rrule::Tz::UTC.from_utc_datetime(&wall);
    let mut unvalidated = rule.rule.clone();
    if let Some(until) = until {
        unvalidated = unvalidated.until(floating(until));
    }
    let dt_start = floating(start);
    let validated = unvalidated
        .validate(dt_start)
        .map_err(|error| error.to_string())?;
    let set = RRuleSet::new(dt_start).rrule(validated).limit();
    // The crate asserts its own invariants with `expect`; one tripped by a
    // hostile rule must cost that event's repeats, not the whole import.
    let walked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for at in &set {
            if !steps.take() {
                return Walked::OutOfSteps;
            }
            if visit(at.naive_utc()).is_break() {
                break;
            }
        }
        Walked::Done
    }));
    walked.map_err(|_| "the rule could not be followed".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").unwrap()
    }

    fn all(start: &str, rule: &str, steps: usize) -> (Vec<NaiveDateTime>, Walked) {
        let rule = read(rule).unwrap();
        let until = rule.until.map(|until| match until {
            Until::Exact(at) => at.naive_utc(),
            Until::Wall(at) => at,
        });
        let mut seen = Vec::new();
        let walked = walk(wall(start), &rule, until, &Steps::new(steps), |at| {
            seen.push(at);
            ControlFlow::Continue(())
        })
        .unwrap();
        (seen, walked)
    }

    #[test]
    fn weekly_with_until_in_utc_and_as_a_date() {
        let (seen, walked) = all(
            "20260302T090000",
            "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260311T090000Z",
            100,
        );
        assert_eq!(walked, Walked::Done);
        let expected = [
            "20260302T090000",
            "20260304T090000",
            "20260309T090000",
            "20260311T090000",
        ];
        assert_eq!(seen, expected.map(wall));
        let (seen, _) = all("20260302T090000", "FREQ=DAILY;UNTIL=20260304", 100);
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn secondly_forever_stops_at_the_budget() {
        let (seen, walked) = all("20260302T090000", "FREQ=SECONDLY", 5_000);
        assert_eq!(walked, Walked::OutOfSteps);
        assert_eq!(seen.len(), 5_000);
        assert_eq!(seen[4_999], wall("20260302T102319"));
    }

    #[test]
    fn unreadable_rules_say_why() {
        assert!(read("FREQ=FORTNIGHTLY").is_err());
        assert!(read("FREQ=DAILY;UNTIL=soon").unwrap_err().contains("UNTIL"));
        assert!(read("FREQ=MONTHLY;BYMONTHDAY=40").is_err());
        // An UNTIL before the start is read, then refused for this start.
        let rule = read("FREQ=DAILY;UNTIL=20250101T000000Z").unwrap();
        let until = Some(wall("20250101T000000"));
        let walked = walk(
            wall("20260302T090000"),
            &rule,
            until,
            &Steps::new(10),
            |_| ControlFlow::Continue(()),
        );
        assert!(walked.is_err());
    }
}

//! Repeating events (`RRULE`, `RDATE`, `EXDATE`, `RECURRENCE-ID`) as one session
//! per occurrence, within the conference's days.
//!
//! A rule may repeat forever, so occurrences are kept only within a window: the
//! days the file's single events span in the conference zone (a daily "coffee"
//! series in a three-day conference is three coffees, not one a day for ever);
//! a file of nothing but series gets 31 days from its first event. The report
//! says which window and what fell outside it. `EXDATE` removes occurrences, an
//! event with `RECURRENCE-ID` replaces the one it names (it is imported as an
//! event of its own), and each series keeps at most [`MAX_OCCURRENCES`] within
//! the window, following its rules for at most [`STEPS_PER_SERIES`] occurrences
//! from `DTSTART` and the whole file for [`STEPS_PER_FILE`].

use super::event::{Origin, OriginKind, Repeat};
use super::rule::{self, Steps, Until, Walked};
use super::zones::{date_time, Zone, Zones};
use crate::agenda::Session;
use crate::import::assemble::Parsed;
use crate::import::limits::{self, clip};
use crate::import::report::Skipped;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeSet, HashSet};
use std::ops::ControlFlow;

/// Occurrences one series keeps within the window.
pub(crate) const MAX_OCCURRENCES: usize = 1_000;
/// Occurrences followed per series, inside the window or not (a weekly series
/// since 1990 takes 1,900 to reach 2026).
pub(crate) const STEPS_PER_SERIES: usize = 20_000;
/// Occurrences followed for the whole file, VTIMEZONE rules included.
pub(crate) const STEPS_PER_FILE: usize = 100_000;
/// Dates read per RDATE or EXDATE property list of one event.
const DATES_PER_EVENT: usize = 1_000;
/// Days of the window when the file has no single event to span the conference.
const DEFAULT_DAYS: i64 = 31;

/// Where occurrences are kept: from `start` (inclusive) to `end`.
#[derive(Debug)]
pub(crate) struct Window {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    why: String,
}

/// What expanding one series gave.
#[derive(Debug, Default)]
struct Expansion {
    starts: Vec<DateTime<Utc>>,
    earlier: usize,
    later: bool,
    capped: bool,
    out_of_steps: bool,
    unreadable: Option<String>,
    replaced: usize,
}

/// Expands every series of `parsed` in place: the series' own entry becomes its
/// first occurrence in the window (or is skipped, with the reason, when it has
/// none there) and the others are added, each with its [`Origin`].
///
/// # Errors
/// Why the import is over its budget.
pub(crate) fn expand(
    parsed: &mut Parsed,
    origins: &mut Vec<Option<Origin>>,
    zones: &mut Zones,
    steps: &Steps,
) -> Result<(), String> {
    let series: Vec<usize> = origins
        .iter()
        .enumerate()
        .filter(|(at, origin)| {
            matches!(
                origin,
                Some(Origin {
                    kind: OriginKind::Series(_),
                    ..
                })
            ) && matches!(parsed.events.get(*at), Some(Ok(_)))
        })
        .map(|(at, _)| at)
        .collect();
    let Some(window) = window(&parsed.events, origins, parsed.timezone) else {
        return Ok(());
    };
    let replaced: HashSet<(String, i64)> = origins
        .iter()
        .flatten()
        .filter(|origin| matches!(origin.kind, OriginKind::Override))
        .map(|origin| (origin.uid.clone(), origin.key.timestamp()))
        .collect();
    let mut report = Report::default();
    for at in series {
        let Some(Some(origin)) = origins.get_mut(at) else {
            continue;
        };
        let OriginKind::Series(repeat) =
            std::mem::replace(&mut origin.kind, OriginKind::Occurrence)
        else {
            continue;
        };
        let uid = origin.uid.clone();
        let Some(Ok(base)) = parsed.events.get(at).cloned() else {
            continue;
        };
        let check = || parsed.check_time();
        let found = occurrences(
            &repeat, &base, &uid, &window, &replaced, zones, steps, &check,
        )?;
        report.add(&base, &found);
        let length = base.end - base.start;
        let mut starts = found.starts.into_iter();
        let Some(first) = starts.next() else {
            let reason = format!("it repeats, but no occurrence falls within {}", window.why);
            parsed.events[at] = Err(Skipped::new(base.id.as_str(), &base.title, reason));
            continue;
        };
        origin.key = first;
        parsed.events[at] = Ok(moved(&base, first, length));
        for start in starts {
            let before = parsed.events.len();
            parsed.push_with(|| Ok(moved(&base, start, length)))?;
            if parsed.events.len() > before {
                origins.push(Some(Origin {
                    uid: uid.clone(),
                    key: start,
                    kind: OriginKind::Occurrence,
                }));
            }
        }
    }
    parsed.notes.extend(report.notes(&window));
    Ok(())
}

fn moved(base: &Session, start: DateTime<Utc>, length: TimeDelta) -> Session {
    Session {
        start,
        end: start.checked_add_signed(length).unwrap_or(start),
        ..base.clone()
    }
}

/// The conference's days as the file's single events span them, else 31 days
/// from the first series' start; `None` when nothing repeats.
fn window(
    events: &[Result<Session, Skipped>],
    origins: &[Option<Origin>],
    zone: Tz,
) -> Option<Window> {
    let sessions = || {
        events
            .iter()
            .zip(origins)
            .filter_map(|(event, origin)| Some((event.as_ref().ok()?, origin.as_ref()?)))
    };
    let first_series = sessions()
        .filter(|(_, origin)| matches!(origin.kind, OriginKind::Series(_)))
        .map(|(session, _)| session.start)
        .min()?;
    let singles = || sessions().filter(|(_, o)| matches!(o.kind, OriginKind::Single));
    let day = |at: DateTime<Utc>| at.with_timezone(&zone).date_naive();
    let first = singles().map(|(s, _)| s.start).min();
    let last = singles().map(|(s, _)| s.end - TimeDelta::seconds(1)).max();
    let (from, to, why) = match (first, last) {
        (Some(first), Some(last)) => {
            let (from, to) = (day(first), day(last).max(day(first)));
            let why = format!(
                "the conference's days as its single events span them, {from} to {to} ({zone})"
            );
            (from, to, why)
        }
        _ => {
            let from = day(first_series);
            let to = from + TimeDelta::days(DEFAULT_DAYS - 1);
            let why = format!(
                "{DEFAULT_DAYS} days from its first event, {from} to {to} ({zone}), as no single event shows the conference's days"
            );
            (from, to, why)
        }
    };
    Some(Window {
        start: midnight(zone, from),
        end: midnight(zone, to.succ_opt().unwrap_or(to)),
        why,
    })
}

fn midnight(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    let wall = date.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&wall)
        .earliest()
        .map_or_else(|| wall.and_utc(), |at| at.with_timezone(&Utc))
}

/// The starts of one series within `window`, with what was left out and why.
#[allow(clippy::too_many_arguments)]
fn occurrences(
    repeat: &Repeat,
    base: &Session,
    uid: &str,
    window: &Window,
    replaced: &HashSet<(String, i64)>,
    zones: &mut Zones,
    steps: &Steps,
    check: &dyn Fn() -> Result<(), String>,
) -> Result<Expansion, String> {
    let mut found = Expansion::default();
    let mut starts = BTreeSet::new();
    let mut consider = |at: DateTime<Utc>, found: &mut Expansion| {
        if at < window.start {
            found.earlier += 1;
        } else if at >= window.end {
            found.later = true;
            return ControlFlow::Break(());
        } else if starts.len() >= MAX_OCCURRENCES {
            found.capped = true;
            return ControlFlow::Break(());
        } else {
            starts.insert(at);
        }
        ControlFlow::Continue(())
    };
    let _ = consider(base.start, &mut found);
    for text in repeat.rules.iter().take(limits::LISTED) {
        let rule = match rule::read(text) {
            Ok(rule) => rule,
            Err(why) => {
                found.unreadable = Some(why);
                continue;
            }
        };
        let until = rule.until.and_then(|until| match until {
            Until::Exact(at) => repeat.zone.to_local(at).ok(),
            Until::Wall(wall) => Some(wall),
        });
        let mut followed = 0usize;
        let mut over_time = None;
        let walked = rule::walk(repeat.start, &rule, until, steps, |wall| {
            followed += 1;
            if followed > STEPS_PER_SERIES {
                found.out_of_steps = true;
                return ControlFlow::Break(());
            }
            if followed % 1024 == 0 {
                if let Err(why) = check() {
                    over_time = Some(why);
                    return ControlFlow::Break(());
                }
            }
            // An occurrence in a DST gap does not happen; one in an overlap is ambiguous.
            match repeat.zone.to_utc(wall) {
                Ok(at) => consider(at, &mut found),
                Err(_) => ControlFlow::Continue(()),
            }
        });
        if let Some(why) = over_time {
            return Err(why);
        }
        match walked {
            Ok(Walked::Done) => {}
            Ok(Walked::OutOfSteps) => found.out_of_steps = true,
            Err(why) => found.unreadable = Some(why),
        }
    }
    let time_of_day = repeat.start.time();
    for moment in moments(&repeat.rdates, zones, &repeat.zone) {
        let at = match moment {
            Moment::At(at) => Some(at),
            Moment::Day(day) => repeat.zone.to_utc(day.and_time(time_of_day)).ok(),
        };
        if let Some(at) = at {
            let _ = consider(at, &mut found);
        }
    }
    for moment in moments(&repeat.exdates, zones, &repeat.zone) {
        match moment {
            Moment::At(at) => {
                starts.remove(&at);
            }
            Moment::Day(day) => starts
                .retain(|at| repeat.zone.to_local(*at).map(|wall| wall.date()).ok() != Some(day)),
        }
    }
    let before = starts.len();
    starts.retain(|at| !replaced.contains(&(uid.to_owned(), at.timestamp())));
    found.replaced = before - starts.len();
    found.starts = starts.into_iter().collect();
    Ok(found)
}

/// A date in an RDATE or EXDATE list.
enum Moment {
    At(DateTime<Utc>),
    Day(NaiveDate),
}

/// The dates of RDATE or EXDATE `lines` (several per line, comma-separated; an
/// RDATE period's start), each in its own TZID, or the series' zone.
fn moments(lines: &[super::lines::ContentLine], zones: &mut Zones, series: &Zone) -> Vec<Moment> {
    let mut moments = Vec::new();
    for line in lines {
        let zone = line.param("TZID").map(|tzid| zones.zone(tzid));
        let dates_only = line
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
        for value in line
            .value
            .split(',')
            .take(DATES_PER_EVENT - moments.len().min(DATES_PER_EVENT))
        {
            let value = value.split('/').next().unwrap_or_default().trim();
            if dates_only || value.len() == 8 {
                moments.extend(
                    NaiveDate::parse_from_str(value, "%Y%m%d")
                        .ok()
                        .map(Moment::Day),
                );
                continue;
            }
            let at = date_time(value).and_then(|(wall, utc)| match utc {
                true => Some(wall.and_utc()),
                false => zone.as_ref().unwrap_or(series).to_utc(wall).ok(),
            });
            moments.extend(at.map(Moment::At));
        }
    }
    moments
}

/// What the series of one file gave, for the report.
#[derive(Debug, Default)]
struct Report {
    series: usize,
    sessions: usize,
    earlier: usize,
    later: usize,
    replaced: usize,
    capped: Vec<String>,
    out_of_steps: Vec<String>,
    unreadable: Vec<String>,
}

impl Report {
    fn add(&mut self, base: &Session, found: &Expansion) {
        let named = || {
            clip(
                &format!("{} \"{}\"", base.id.as_str(), base.title),
                limits::TITLE_CHARS,
            )
        };
        self.series += 1;
        self.sessions += found.starts.len();
        self.earlier += found.earlier;
        self.later += usize::from(found.later);
        self.replaced += found.replaced;
        let list = |list: &mut Vec<String>, item: String| {
            if list.len() < limits::LISTED {
                list.push(item);
            }
        };
        if found.capped {
            list(&mut self.capped, named());
        }
        if found.out_of_steps {
            list(&mut self.out_of_steps, named());
        }
        if let Some(why) = &found.unreadable {
            list(&mut self.unreadable, format!("{} ({why})", named()));
        }
    }

    fn notes(&self, window: &Window) -> Vec<String> {
        let mut notes = vec![format!(
            "{} repeating events (RRULE/RDATE) became {} sessions within {}",
            self.series, self.sessions, window.why
        )];
        if self.earlier > 0 || self.later > 0 {
            notes.push(format!(
                "occurrences outside those days were left out: {} before them; {} series repeat after them",
                self.earlier, self.later
            ));
        }
        if self.replaced > 0 {
            notes.push(format!(
                "{} occurrences were replaced by their RECURRENCE-ID event",
                self.replaced
            ));
        }
        if !self.capped.is_empty() {
            notes.push(format!(
                "series repeating over {MAX_OCCURRENCES} times in those days kept their first {MAX_OCCURRENCES}: {}",
                self.capped.join(", ")
            ));
        }
        if !self.out_of_steps.is_empty() {
            notes.push(format!(
                "series whose rules took over {STEPS_PER_SERIES} occurrences to follow (or the file's {STEPS_PER_FILE}) lost their later occurrences: {}",
                self.out_of_steps.join(", ")
            ));
        }
        if !self.unreadable.is_empty() {
            notes.push(format!(
                "RRULEs that cannot be read; only DTSTART and RDATE were used: {}",
                self.unreadable.join(", ")
            ));
        }
        notes
    }
}

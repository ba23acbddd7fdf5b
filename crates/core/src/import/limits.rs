//! What one schedule may cost: caps on sizes and a parse budget in time and memory.
//!
//! A schedule is input from the internet, and a running bot imports it again
//! every few minutes, so a hostile or broken file must cost no more than a large
//! real one. Two kinds of limit:
//!
//! - Caps cut what no real programme needs (a title of a megabyte, a speaker
//!   named on 100,000 sessions) and say so in the report; they never refuse a
//!   whole file. They sit far above the largest real files we hold (FOSDEM 2025's
//!   1,000-odd events, the longest abstracts of 36C3 and JEV22), which
//!   `tests/hostile` checks still import unchanged.
//! - The [`Budget`] refuses a whole file whose parse would take longer or hold
//!   more memory than allowed. Memory is estimated from the file's shape before
//!   the tree is built ([`shape`](super::shape)) and from what the sessions hold
//!   as they are read, so an over-budget file is refused before it is allocated.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// At most this many events are read from one file; the rest are reported as cut.
pub(crate) const MAX_EVENTS: usize = 20_000;
/// Rooms and tracks a file may declare (FOSDEM has about 60 rooms); used ones
/// past it are still declared by the sessions that name them.
pub(crate) const MAX_PLACES: usize = 2_000;
/// Characters kept of a title.
pub(crate) const TITLE_CHARS: usize = 500;
/// Characters kept of a speaker, track or room name (and of ids quoted in the report).
pub(crate) const NAME_CHARS: usize = 200;
/// Characters kept of an abstract.
pub(crate) const ABSTRACT_CHARS: usize = 20_000;
/// Characters kept of a link.
pub(crate) const URL_CHARS: usize = 2_000;
/// Speakers and links kept per session.
pub(crate) const PER_SESSION: usize = 50;
/// A session id longer than this is no id a person or a calendar would use: skipped.
pub(crate) const ID_CHARS: usize = 1_000;
/// Characters kept of a skip reason (which may quote the file).
pub(crate) const REASON_CHARS: usize = 500;
/// Items listed in a report note before "and N more".
pub(crate) const LISTED: usize = 10;
/// Nesting depth of XML elements and JSON arrays and objects. Real schedules nest
/// under 10 deep; the XML parser recurses per level, so this also keeps its stack small.
pub(crate) const MAX_DEPTH: usize = 64;

/// How much one import may cost before the whole file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Wall time for detecting, parsing and assembling one file.
    pub time: Duration,
    /// Memory the parse may hold at once: the parsed tree (estimated from the
    /// file's shape) plus the sessions read.
    pub memory_bytes: usize,
}

impl Default for Budget {
    /// 1.5 s and 160 MiB: a 32 MiB file stays within the bot's 2 s / 256 MB on a
    /// debug build, and FOSDEM's 2 MB XML needs a tenth of either.
    fn default() -> Self {
        Self {
            time: Duration::from_millis(1_500),
            memory_bytes: 160 * 1024 * 1024,
        }
    }
}

/// A running import's account against its [`Budget`].
#[derive(Debug)]
pub(crate) struct Meter {
    budget: Budget,
    started: Instant,
    held: usize,
    /// Set when a limit was hit, so the caller can tell a refusal from a broken file.
    tripped: Rc<Cell<bool>>,
}

impl Meter {
    pub fn start(budget: Budget) -> Self {
        Self {
            budget,
            started: Instant::now(),
            held: 0,
            tripped: Rc::default(),
        }
    }

    /// A handle that reads true once a limit was hit.
    pub fn tripped(&self) -> Rc<Cell<bool>> {
        Rc::clone(&self.tripped)
    }

    /// The budget this meter counts against.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Adds `bytes` to what the parse holds and checks both limits.
    ///
    /// # Errors
    /// Why the budget is exceeded, in words for the report.
    pub fn charge(&mut self, bytes: usize, what: &str) -> Result<(), String> {
        self.held = self.held.saturating_add(bytes);
        if self.held > self.budget.memory_bytes {
            self.tripped.set(true);
            return Err(format!(
                "{what} would need about {} MiB, over the import budget of {} MiB",
                self.held / (1024 * 1024),
                self.budget.memory_bytes / (1024 * 1024)
            ));
        }
        self.check_time()
    }

    /// Checks the time limit.
    ///
    /// # Errors
    /// Why the budget is exceeded.
    pub fn check_time(&self) -> Result<(), String> {
        let spent = self.started.elapsed();
        if spent > self.budget.time {
            self.tripped.set(true);
            return Err(format!(
                "reading it took over the import budget of {} ms",
                self.budget.time.as_millis()
            ));
        }
        Ok(())
    }
}

/// A meter with the default budget, for parser tests.
#[cfg(test)]
pub(crate) fn test_meter() -> Meter {
    Meter::start(Budget::default())
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    // Bytes bound characters from above: the common short case costs one comparison.
    if text.len() <= max {
        return text.to_owned();
    }
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((at, _)) => {
            let mut cut = text.get(..at).unwrap_or_default().to_owned();
            cut.push('…');
            cut
        }
    }
}

/// At most the first `bytes` bytes of `text`, cut on a character boundary.
pub(crate) fn prefix(text: &str, bytes: usize) -> &str {
    if text.len() <= bytes {
        return text;
    }
    let mut end = bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// True when `text` is longer than `max` characters (without counting past `max`).
pub(crate) fn exceeds(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().nth(max).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_on_characters_with_an_ellipsis() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("ééééé", 3), "ééé…");
        assert_eq!(clip("ééé", 3), "ééé");
        assert!(exceeds("abcd", 3));
        assert!(!exceeds("ééé", 3));
    }

    #[test]
    fn the_meter_refuses_past_either_limit() {
        let mut meter = Meter::start(Budget {
            time: Duration::from_secs(60),
            memory_bytes: 1024 * 1024,
        });
        assert!(meter.charge(1000, "the tree").is_ok());
        let error = meter.charge(2 * 1024 * 1024, "the tree").unwrap_err();
        assert!(error.contains("import budget of 1 MiB"), "{error}");
        let meter = Meter::start(Budget {
            time: Duration::ZERO,
            memory_bytes: usize::MAX,
        });
        std::thread::sleep(Duration::from_millis(2));
        assert!(meter.check_time().unwrap_err().contains("0 ms"));
    }
}

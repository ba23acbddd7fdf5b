//! Where "now" comes from.
//!
//! Every time-dependent decision asks a [`Clock`] instead of the system, so tests
//! can pin or step time, and organisers can rehearse a conference day by starting
//! the clock at any instant and running it faster than real time.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// A source of the current UTC instant.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(at)),
        }
    }

    /// Moves the clock to `at` (also backwards).
    pub fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: TimeDelta) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A rehearsal clock: starts at a chosen instant and runs `speed` times faster than real time.
#[derive(Debug, Clone, Copy)]
pub struct RehearsalClock {
    origin: DateTime<Utc>,
    started: Instant,
    speed: f64,
}

impl RehearsalClock {
    /// A clock that reads `origin` now and advances `speed` seconds per real second.
    pub fn new(origin: DateTime<Utc>, speed: f64) -> Self {
        Self {
            origin,
            started: Instant::now(),
            speed,
        }
    }
}

impl Clock for RehearsalClock {
    fn now(&self) -> DateTime<Utc> {
        let real = self.started.elapsed().as_secs_f64();
        // Rounded to microseconds: far below anything a schedule resolves.
        let scaled = TimeDelta::microseconds((real * self.speed * 1e6) as i64);
        self.origin + scaled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(TimeDelta::minutes(5));
        assert_eq!(clock.now(), start + TimeDelta::minutes(5));
        clock.set(start);
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn rehearsal_clock_starts_at_origin_and_runs_forward() {
        let start = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let clock = RehearsalClock::new(start, 60.0);
        let first = clock.now();
        assert!(first >= start && first - start < TimeDelta::seconds(30));
        assert!(clock.now() >= first);
    }
}

//! Where "now" comes from.
//!
//! Every time-dependent decision asks a [`Clock`] instead of the system, so tests
//! can pin or step time, and organisers can rehearse a conference day by starting
//! the clock at any instant and running it faster than real time. Waiting for an
//! instant goes through [`sleep_until`], which works for all three: it sleeps the
//! (scaled) real time, and wakes at once when a manual clock is moved.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long a wait on a clock that only moves by hand sleeps between checks.
const MANUAL_RECHECK: Duration = Duration::from_secs(3600);

/// A source of the current UTC instant.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Real time to sleep until the clock reads `at` (zero once it has passed).
    fn real_wait(&self, at: DateTime<Utc>) -> Duration {
        (at - self.now()).to_std().unwrap_or(Duration::ZERO)
    }

    /// Fired whenever the clock is moved by hand, so sleepers re-check; `None`
    /// for clocks that only run.
    fn moved(&self) -> Option<Arc<Notify>> {
        None
    }
}

/// Waits until `clock` reads `at` or later.
pub async fn sleep_until(clock: &dyn Clock, at: DateTime<Utc>) {
    let moved = clock.moved();
    loop {
        // Registered before reading the clock, so a move in between is not missed.
        let notified = moved.as_ref().map(|notify| notify.notified());
        let mut notified = std::pin::pin!(notified);
        if let Some(notified) = notified.as_mut().as_pin_mut() {
            notified.enable();
        }
        if clock.now() >= at {
            return;
        }
        let wait = clock.real_wait(at);
        match notified.as_mut().as_pin_mut() {
            Some(notified) => {
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = notified => {}
                }
            }
            None => tokio::time::sleep(wait).await,
        }
    }
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; for tests. Moving it wakes every
/// [`sleep_until`] on it.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
    moved: Arc<Notify>,
}

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(at)),
            moved: Arc::new(Notify::new()),
        }
    }

    /// Moves the clock to `at` (also backwards).
    pub fn set(&self, at: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = at;
        self.moved.notify_waiters();
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: TimeDelta) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) += by;
        self.moved.notify_waiters();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn real_wait(&self, _at: DateTime<Utc>) -> Duration {
        MANUAL_RECHECK
    }

    fn moved(&self) -> Option<Arc<Notify>> {
        Some(Arc::clone(&self.moved))
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

    fn real_wait(&self, at: DateTime<Utc>) -> Duration {
        let clock_time = (at - self.now()).to_std().unwrap_or(Duration::ZERO);
        clock_time.div_f64(self.speed)
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

    #[tokio::test]
    async fn sleepers_wake_when_a_manual_clock_reaches_their_instant() {
        let start = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let clock = ManualClock::new(start);
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { sleep_until(&clock, start + TimeDelta::minutes(10)).await })
        };
        tokio::task::yield_now().await;
        clock.advance(TimeDelta::minutes(5));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "five minutes short");
        clock.advance(TimeDelta::minutes(5));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .unwrap()
            .unwrap();
    }

    #[test]
    fn a_rehearsal_clock_sleeps_scaled_real_time() {
        let start = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let clock = RehearsalClock::new(start, 60.0);
        let wait = clock.real_wait(start + TimeDelta::minutes(10));
        assert!(
            wait <= Duration::from_secs(10) && wait > Duration::from_secs(9),
            "{wait:?}"
        );
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

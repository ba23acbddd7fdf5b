//! A per-user rate limit on commands, so one attendee spamming a command cannot
//! crowd out everyone else's answers or push the bot into the platform's
//! limits. Users are opaque platform ids; each adapter asks before it answers.
//!
//! Each user has a small token bucket: a burst of `burst` commands, refilled at
//! `per_minute`. A user over the limit gets a polite private reply instead of an
//! answer; nobody else is affected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many commands a user may send at once, and how fast the allowance refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub burst: u32,
    pub per_minute: u32,
}

impl Default for Allowance {
    /// Generous for people, tight for scripts: 8 at once, then 20 a minute.
    fn default() -> Self {
        Self {
            burst: 8,
            per_minute: 20,
        }
    }
}

impl Allowance {
    /// For autocomplete, which the platform asks for as the user types (a
    /// request every few keystrokes): 40 at once, then 4 a second. Kept apart
    /// from commands, so typing a name never costs the command itself.
    pub const COMPLETIONS: Self = Self {
        burst: 40,
        per_minute: 240,
    };

    fn burst(self) -> f64 {
        f64::from(self.burst.max(1))
    }

    fn per_second(self) -> f64 {
        f64::from(self.per_minute.max(1)) / 60.0
    }

    /// How long an unused bucket takes to fill up again: past that, it is
    /// the same as a new one and can be forgotten.
    fn refill_time(self) -> Duration {
        Duration::from_secs_f64(self.burst() / self.per_second())
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// One allowance's buckets, by user.
#[derive(Debug, Default)]
struct Buckets {
    by_user: HashMap<String, Bucket>,
    swept: Option<Instant>,
}

/// Buckets by user id, one set for commands and one for autocomplete.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct Throttle {
    commands: Allowance,
    completions: Allowance,
    buckets: Arc<Mutex<[Buckets; 2]>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(Allowance::default())
    }
}

/// Whose allowance a request takes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Command,
    /// An autocomplete request while the user types.
    Completion,
}

/// How often idle buckets are swept out.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

impl Throttle {
    /// A throttle with `allowance` per user for commands (and the default
    /// [`Allowance::COMPLETIONS`] for autocomplete).
    pub fn new(allowance: Allowance) -> Self {
        Self {
            commands: allowance,
            completions: Allowance::COMPLETIONS,
            buckets: Arc::default(),
        }
    }

    /// The words for a user who must wait `wait`: whole seconds, rounded up,
    /// so that a user who waits what they were told is served.
    pub fn slow_down_text(wait: Duration) -> String {
        let seconds = wait.as_secs_f64().ceil().max(1.0);
        format!("You're asking faster than I can answer everyone; please try again in {seconds} s.")
    }

    /// Takes one command from `user`'s allowance at `now`; `Err` says how long
    /// until the next one is allowed.
    pub fn admit(&self, user: &str, now: Instant) -> Result<(), Duration> {
        self.admit_request(user, Request::Command, now)
    }

    /// Takes one `request` from `user`'s allowance for its kind at `now`.
    pub fn admit_request(
        &self,
        user: &str,
        request: Request,
        now: Instant,
    ) -> Result<(), Duration> {
        let (index, allowance) = match request {
            Request::Command => (0, self.commands),
            Request::Completion => (1, self.completions),
        };
        let mut all = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let buckets = &mut all[index];
        // Idle buckets are full again: forget them, so the map holds only the
        // users of the last few minutes however many come and go.
        if buckets
            .swept
            .is_none_or(|at| now.saturating_duration_since(at) >= SWEEP_EVERY)
        {
            let idle = allowance.refill_time();
            buckets
                .by_user
                .retain(|_, b| now.saturating_duration_since(b.updated) < idle);
            buckets.swept = Some(now);
        }
        let (burst, per_second) = (allowance.burst(), allowance.per_second());
        let bucket = buckets.by_user.entry(user.to_owned()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let refilled = now.saturating_duration_since(bucket.updated).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refilled).min(burst);
        bucket.updated = now;
        // A hair of slack: a user who waited exactly the wait named is served
        // despite floating-point rounding.
        if bucket.tokens >= 1.0 - 1e-9 {
            bucket.tokens = (bucket.tokens - 1.0).max(0.0);
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }

    /// Users with a bucket kept now, commands and autocomplete (for tests
    /// and diagnostics).
    pub fn tracked(&self) -> usize {
        let all = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        all.iter().map(|b| b.by_user.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate_and_others_unaffected() {
        let throttle = Throttle::new(Allowance {
            burst: 3,
            per_minute: 60,
        });
        let start = Instant::now();
        for _ in 0..3 {
            assert!(throttle.admit("1", start).is_ok());
        }
        let wait = throttle.admit("1", start).unwrap_err();
        assert!(
            wait <= Duration::from_secs(1) && wait > Duration::from_millis(900),
            "{wait:?}"
        );
        assert!(
            throttle.admit("2", start).is_ok(),
            "another user has their own allowance"
        );
        assert!(
            throttle.admit("1", start + Duration::from_secs(1)).is_ok(),
            "one refilled after a second"
        );
        assert!(throttle.admit("1", start + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn a_user_who_waits_the_named_time_is_served() {
        let throttle = Throttle::default();
        let start = Instant::now();
        let mut now = start;
        // Commands every 0.7 s: the bucket runs dry and each refusal names a
        // fractional wait, which the text must round up.
        for _ in 0..200 {
            now += Duration::from_millis(700);
            if let Err(wait) = throttle.admit("1", now) {
                let text = Throttle::slow_down_text(wait);
                let seconds: u64 = text
                    .split("again in ")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap();
                now += Duration::from_secs(seconds);
                assert!(
                    throttle.admit("1", now).is_ok(),
                    "waited {seconds} s for {wait:?}"
                );
            }
        }
    }

    #[test]
    fn autocomplete_has_its_own_larger_allowance() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for _ in 0..40 {
            assert!(throttle
                .admit_request("1", Request::Completion, now)
                .is_ok());
        }
        assert!(throttle
            .admit_request("1", Request::Completion, now)
            .is_err());
        for _ in 0..8 {
            assert!(throttle.admit("1", now).is_ok(), "typing cost no command");
        }
        assert!(throttle.admit("1", now).is_err());
    }

    #[test]
    fn idle_users_are_forgotten() {
        let throttle = Throttle::default();
        let start = Instant::now();
        for user in 0..5_000 {
            throttle.admit(&user.to_string(), start).unwrap();
            throttle
                .admit_request(&user.to_string(), Request::Completion, start)
                .unwrap();
        }
        assert_eq!(throttle.tracked(), 10_000);
        let later = start + Duration::from_secs(120);
        throttle.admit("new", later).unwrap();
        throttle
            .admit_request("new", Request::Completion, later)
            .unwrap();
        assert_eq!(throttle.tracked(), 2, "only the new user is kept");
    }
}

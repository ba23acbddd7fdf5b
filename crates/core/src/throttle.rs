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

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets by user id. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Throttle {
    allowance: Allowance,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

/// Buckets idle this long are full again and can be forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(600);

impl Throttle {
    /// A throttle with `allowance` per user.
    pub fn new(allowance: Allowance) -> Self {
        Self {
            allowance,
            buckets: Arc::default(),
        }
    }

    /// The words for a user who must wait `wait`.
    pub fn slow_down_text(wait: Duration) -> String {
        let seconds = wait.as_secs().max(1);
        format!("You're asking faster than I can answer everyone; please try again in {seconds} s.")
    }

    /// Takes one command from `user`'s allowance at `now`; `Err` says how long
    /// until the next one is allowed.
    pub fn admit(&self, user: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| now.saturating_duration_since(b.updated) < FORGET_AFTER);
        }
        let burst = f64::from(self.allowance.burst.max(1));
        let per_second = f64::from(self.allowance.per_minute.max(1)) / 60.0;
        let bucket = buckets.entry(user.to_owned()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let refilled = now.saturating_duration_since(bucket.updated).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refilled).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
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
}

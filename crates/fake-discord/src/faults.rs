//! Failures a test asks for: rate limits, server errors, slow answers and DMs
//! that users have closed. Each fault matches requests by method and path pattern
//! and fires a set number of times, except [`Fault::Chaos`], which fails a share
//! of the matching requests at random (seeded) for as long as the fake runs.
//! The fake counts what it injected ([`Injected`]), so a test can report it.

use std::time::Duration;

/// Which requests a fault applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    /// HTTP method to match (case-insensitive), or `None` for any.
    pub method: Option<String>,
    /// Path pattern after `/api/v10`, split on `/`: `*` matches one segment, and a
    /// pattern shorter than the path matches it as a prefix. E.g.
    /// `/channels/*/messages` matches `/channels/1/messages/2` too.
    pub path: String,
}

impl Matcher {
    /// Matches `method` on paths starting with `pattern`.
    #[must_use]
    pub fn new(method: &str, pattern: &str) -> Self {
        Self {
            method: Some(method.to_ascii_uppercase()),
            path: pattern.to_owned(),
        }
    }

    /// Matches any method on paths starting with `pattern`.
    #[must_use]
    pub fn any_method(pattern: &str) -> Self {
        Self {
            method: None,
            path: pattern.to_owned(),
        }
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(wanted) = &self.method {
            if !wanted.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        let mut actual = path.split('/');
        self.path
            .trim_end_matches('/')
            .split('/')
            .all(|want| actual.next().is_some_and(|got| want == "*" || want == got))
    }
}

/// A failure to inject with [`crate::FakeDiscord::inject`].
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer 429 with `retry-after` (and `x-ratelimit-global` when `global`).
    RateLimited {
        /// Requests to limit.
        matcher: Matcher,
        /// The advertised wait.
        retry_after: Duration,
        /// Whether it is the global (per bot) limit rather than a route's.
        global: bool,
        /// How many requests get the 429.
        times: u32,
    },
    /// Answer with a 5xx status.
    ServerError {
        /// Requests to fail.
        matcher: Matcher,
        /// 500, 502 or 503.
        status: u16,
        /// How many requests fail.
        times: u32,
    },
    /// Answer normally, but only after `delay`.
    Delay {
        /// Requests to slow down.
        matcher: Matcher,
        /// Added latency.
        delay: Duration,
        /// How many requests are slowed.
        times: u32,
    },
    /// Fails a share of the matching requests at random, for as long as the fake
    /// runs: each is answered 429 (route scope, `retry_after`) with probability
    /// `rate_limited`, else 500 with probability `server_error`, else normally.
    /// The draws come from `seed`: the same requests in the same order get the
    /// same answers, so a test that prints its seed can replay a run.
    Chaos {
        /// Requests to disturb.
        matcher: Matcher,
        /// Share answered 429, from 0.0 to 1.0.
        rate_limited: f64,
        /// Share answered 500, from 0.0 to 1.0.
        server_error: f64,
        /// The advertised wait of the 429s.
        retry_after: Duration,
        /// Seeds the draws.
        seed: u64,
    },
    /// The user does not accept DMs: sending into their DM channel answers 403 with
    /// code 50007 "Cannot send messages to this user", for as long as the fake runs.
    DmClosed {
        /// The user's id.
        user_id: u64,
    },
}

/// What a matching fault does to one request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Effect {
    RateLimited { retry_after: Duration, global: bool },
    ServerError { status: u16 },
    Delay(Duration),
}

/// How many failures the fake injected so far, from every kind of fault.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Injected {
    /// Requests answered 429.
    pub rate_limited: u64,
    /// Requests answered 5xx.
    pub server_errors: u64,
    /// Requests slowed down.
    pub delayed: u64,
}

impl Injected {
    fn count(&mut self, effect: &Effect) {
        match effect {
            Effect::RateLimited { .. } => self.rate_limited += 1,
            Effect::ServerError { .. } => self.server_errors += 1,
            Effect::Delay(_) => self.delayed += 1,
        }
    }
}

/// The faults still armed, and what they did.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    armed: Vec<Fault>,
    pub(crate) injected: Injected,
}

impl Faults {
    pub(crate) fn add(&mut self, mut fault: Fault) {
        // xorshift never leaves 0: start a zero seed elsewhere, deterministically.
        if let Fault::Chaos { seed, .. } = &mut fault {
            if *seed == 0 {
                *seed = 0x9E37_79B9_7F4A_7C15;
            }
        }
        self.armed.push(fault);
    }

    /// Whether DMs to `user_id` are closed.
    pub(crate) fn dm_closed(&self, user_id: u64) -> bool {
        self.armed
            .iter()
            .any(|f| matches!(f, Fault::DmClosed { user_id: u } if *u == user_id))
    }

    /// Takes one shot of each fault matching the request, in injection order; a
    /// delay can combine with one failure.
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for fault in &mut self.armed {
            if let Some(effect) = fire(fault, method, path) {
                let failure = !matches!(effect, Effect::Delay(_));
                let have_failure = effects.iter().any(|e| !matches!(e, Effect::Delay(_)));
                if !(failure && have_failure) {
                    self.injected.count(&effect);
                    effects.push(effect);
                    decrement(fault);
                }
            }
        }
        self.armed.retain(|f| remaining(f) > 0);
        effects
    }
}

/// What `fault` does to this request, if it matches; a chaos fault draws (and
/// advances its generator) on every matching request, failing or not.
fn fire(fault: &mut Fault, method: &str, path: &str) -> Option<Effect> {
    match fault {
        Fault::Chaos {
            matcher,
            rate_limited,
            server_error,
            retry_after,
            seed,
        } if matcher.matches(method, path) => {
            let draw = next_unit(seed);
            if draw < *rate_limited {
                Some(Effect::RateLimited {
                    retry_after: *retry_after,
                    global: false,
                })
            } else if draw < *rate_limited + *server_error {
                Some(Effect::ServerError { status: 500 })
            } else {
                None
            }
        }
        Fault::RateLimited {
            matcher,
            retry_after,
            global,
            ..
        } if matcher.matches(method, path) => Some(Effect::RateLimited {
            retry_after: *retry_after,
            global: *global,
        }),
        Fault::ServerError {
            matcher, status, ..
        } if matcher.matches(method, path) => Some(Effect::ServerError { status: *status }),
        Fault::Delay { matcher, delay, .. } if matcher.matches(method, path) => {
            Some(Effect::Delay(*delay))
        }
        _ => None,
    }
}

fn decrement(fault: &mut Fault) {
    match fault {
        Fault::RateLimited { times, .. }
        | Fault::ServerError { times, .. }
        | Fault::Delay { times, .. } => *times = times.saturating_sub(1),
        Fault::Chaos { .. } | Fault::DmClosed { .. } => {}
    }
}

fn remaining(fault: &Fault) -> u32 {
    match fault {
        Fault::RateLimited { times, .. }
        | Fault::ServerError { times, .. }
        | Fault::Delay { times, .. } => *times,
        Fault::Chaos { .. } | Fault::DmClosed { .. } => 1,
    }
}

/// The next number in [0, 1) from the xorshift64* generator whose state is `state`.
fn next_unit(state: &mut u64) -> f64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_globs_segments_and_matches_prefixes() {
        let m = Matcher::new("post", "/channels/*/messages");
        assert!(m.matches("POST", "/channels/1/messages"));
        assert!(m.matches("POST", "/channels/1/messages/2/reactions"));
        assert!(!m.matches("GET", "/channels/1/messages"));
        assert!(!m.matches("POST", "/channels/1"));
        assert!(Matcher::any_method("/").matches("PUT", "/users/@me"));
    }

    #[test]
    fn faults_fire_the_given_number_of_times() {
        let mut faults = Faults::default();
        faults.add(Fault::ServerError {
            matcher: Matcher::any_method("/users"),
            status: 502,
            times: 2,
        });
        assert_eq!(faults.take("GET", "/users/@me").len(), 1);
        assert_eq!(faults.take("GET", "/users/@me").len(), 1);
        assert!(faults.take("GET", "/users/@me").is_empty());
        assert_eq!(faults.injected.server_errors, 2);
    }

    fn chaos(seed: u64) -> Fault {
        Fault::Chaos {
            matcher: Matcher::new("POST", "/channels"),
            rate_limited: 0.20,
            server_error: 0.05,
            retry_after: Duration::from_millis(50),
            seed,
        }
    }

    fn statuses(faults: &mut Faults, n: usize) -> Vec<u16> {
        (0..n)
            .map(
                |_| match faults.take("POST", "/channels/1/messages").first() {
                    Some(Effect::RateLimited { .. }) => 429,
                    Some(Effect::ServerError { status }) => *status,
                    _ => 200,
                },
            )
            .collect()
    }

    #[test]
    fn chaos_fails_its_share_at_random_replays_by_seed_and_counts() {
        let mut faults = Faults::default();
        faults.add(chaos(42));
        let first = statuses(&mut faults, 10_000);
        let limited = first.iter().filter(|&&s| s == 429).count();
        let failed = first.iter().filter(|&&s| s == 500).count();
        assert!((1_800..2_200).contains(&limited), "{limited} 429s");
        assert!((400..600).contains(&failed), "{failed} 500s");
        assert_eq!(faults.injected.rate_limited, limited as u64);
        assert_eq!(faults.injected.server_errors, failed as u64);
        assert!(faults.take("GET", "/channels/1/messages").is_empty());

        let mut again = Faults::default();
        again.add(chaos(42));
        assert_eq!(
            statuses(&mut again, 10_000),
            first,
            "same seed, same answers"
        );
        let mut other = Faults::default();
        other.add(chaos(0));
        assert_ne!(statuses(&mut other, 100), first[..100]);
    }
}

//! Failures a test asks for: rate limits, server errors, slow answers and DMs
//! that users have closed. Each fault matches requests by method and path pattern
//! and fires a set number of times.

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

/// The faults still armed.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    armed: Vec<Fault>,
}

impl Faults {
    pub(crate) fn add(&mut self, fault: Fault) {
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
                    effects.push(effect);
                    decrement(fault);
                }
            }
        }
        self.armed.retain(|f| remaining(f) > 0);
        effects
    }
}

fn fire(fault: &Fault, method: &str, path: &str) -> Option<Effect> {
    match fault {
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
        Fault::DmClosed { .. } => {}
    }
}

fn remaining(fault: &Fault) -> u32 {
    match fault {
        Fault::RateLimited { times, .. }
        | Fault::ServerError { times, .. }
        | Fault::Delay { times, .. } => *times,
        Fault::DmClosed { .. } => 1,
    }
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
    }
}

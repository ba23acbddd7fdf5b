//! Failures a test asks for: rate limits, server errors, slow answers, answers
//! lost after the call was carried out, revoked tokens and acks that never
//! arrive. Each Web API fault matches one method
//! (or all of them) and fires a set number of times; [`Injected`] counts what
//! the fake did, so a test can report it.

use std::time::Duration;

/// A failure to arm with [`crate::FakeSlack::inject`].
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer HTTP 429 `{"ok": false, "error": "ratelimited"}` with a
    /// `Retry-After` header in whole seconds (rounded up), as Slack does.
    RateLimited {
        /// The Web API method, e.g. `chat.postMessage` (`<upload>` for file
        /// uploads); `None` for every method.
        method: Option<String>,
        /// The advertised wait.
        retry_after: Duration,
        /// How many calls get the 429.
        times: u32,
    },
    /// Answer with an HTTP 5xx status and an HTML body, as Slack's edge does.
    ServerError {
        /// The method, or `None` for every method.
        method: Option<String>,
        /// 500, 502, 503 or 504.
        status: u16,
        /// How many calls fail.
        times: u32,
    },
    /// Answer normally, but only after `delay`.
    Delay {
        /// The method, or `None` for every method.
        method: Option<String>,
        /// Added latency.
        delay: Duration,
        /// How many calls are slowed.
        times: u32,
    },
    /// Carry the call out, then break the connection before its answer is
    /// through (the status line goes, the body fails): Slack did it and the
    /// client cannot know. A client that retries without looking first does
    /// it twice.
    LoseAnswer {
        /// The method, or `None` for every method.
        method: Option<String>,
        /// Only calls carrying this argument (`thread_ts`: replies in a
        /// thread); `None`: any call of the method.
        with_arg: Option<String>,
        /// How many answers are lost.
        times: u32,
    },
    /// Refuse this token with `invalid_auth` from now on, as if it were revoked.
    InvalidAuth {
        /// The token.
        token: String,
    },
    /// Throw away the next `times` Socket Mode acks, as if they were lost on the
    /// way: the envelopes are re-delivered when their ack timeout passes.
    DropAcks {
        /// How many acks to lose.
        times: u32,
    },
}

/// What a Web API fault does to one call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Effect {
    RateLimited(Duration),
    ServerError(u16),
    Delay(Duration),
}

/// How many failures the fake injected so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Injected {
    /// Calls answered 429.
    pub rate_limited: u64,
    /// Calls answered 5xx.
    pub server_errors: u64,
    /// Calls slowed down.
    pub delayed: u64,
    /// Calls carried out whose answer was lost.
    pub lost_answers: u64,
    /// Calls refused for a revoked token.
    pub refused_auth: u64,
    /// Socket Mode acks thrown away.
    pub dropped_acks: u64,
}

/// The faults still armed, and what they did.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    armed: Vec<Fault>,
    pub(crate) injected: Injected,
}

impl Faults {
    pub(crate) fn add(&mut self, fault: Fault) {
        self.armed.push(fault);
    }

    /// Whether `token` was revoked; counts the refusal.
    pub(crate) fn revoked(&mut self, token: &str) -> bool {
        let revoked = self
            .armed
            .iter()
            .any(|f| matches!(f, Fault::InvalidAuth { token: t } if t == token));
        if revoked {
            self.injected.refused_auth += 1;
        }
        revoked
    }

    /// Whether to lose this ack; uses up one shot.
    pub(crate) fn drop_ack(&mut self) -> bool {
        let fault = self
            .armed
            .iter_mut()
            .find(|f| matches!(f, Fault::DropAcks { times } if *times > 0));
        let Some(Fault::DropAcks { times }) = fault else {
            return false;
        };
        *times -= 1;
        self.injected.dropped_acks += 1;
        self.armed.retain(|f| remaining(f) > 0);
        true
    }

    /// Whether to lose the answer of a call of `method` that succeeded,
    /// `has` telling which arguments it carries; uses up one shot.
    pub(crate) fn lose_answer(&mut self, method: &str, has: impl Fn(&str) -> bool) -> bool {
        let fault = self.armed.iter_mut().find(|f| {
            matches!(f, Fault::LoseAnswer { method: m, with_arg, times }
                if *times > 0 && applies(m.as_ref(), method) && with_arg.as_deref().is_none_or(&has))
        });
        let Some(Fault::LoseAnswer { times, .. }) = fault else {
            return false;
        };
        *times -= 1;
        self.injected.lost_answers += 1;
        self.armed.retain(|f| remaining(f) > 0);
        true
    }

    /// Takes one shot of each fault matching `method`, in arming order; a delay
    /// can combine with one failure.
    pub(crate) fn take(&mut self, method: &str) -> Vec<Effect> {
        let mut effects: Vec<Effect> = Vec::new();
        for fault in &mut self.armed {
            let Some(effect) = fire(fault, method) else {
                continue;
            };
            let failure = !matches!(effect, Effect::Delay(_));
            if failure && effects.iter().any(|e| !matches!(e, Effect::Delay(_))) {
                continue;
            }
            match effect {
                Effect::RateLimited(_) => self.injected.rate_limited += 1,
                Effect::ServerError(_) => self.injected.server_errors += 1,
                Effect::Delay(_) => self.injected.delayed += 1,
            }
            effects.push(effect);
            if let Fault::RateLimited { times, .. }
            | Fault::ServerError { times, .. }
            | Fault::Delay { times, .. } = fault
            {
                *times = times.saturating_sub(1);
            }
        }
        self.armed.retain(|f| remaining(f) > 0);
        effects
    }
}

fn applies(wanted: Option<&String>, method: &str) -> bool {
    wanted.is_none_or(|m| m == method)
}

fn fire(fault: &Fault, method: &str) -> Option<Effect> {
    match fault {
        Fault::RateLimited {
            method: m,
            retry_after,
            ..
        } if applies(m.as_ref(), method) => Some(Effect::RateLimited(*retry_after)),
        Fault::ServerError {
            method: m, status, ..
        } if applies(m.as_ref(), method) => Some(Effect::ServerError(*status)),
        Fault::Delay {
            method: m, delay, ..
        } if applies(m.as_ref(), method) => Some(Effect::Delay(*delay)),
        _ => None,
    }
}

fn remaining(fault: &Fault) -> u32 {
    match fault {
        Fault::RateLimited { times, .. }
        | Fault::ServerError { times, .. }
        | Fault::Delay { times, .. }
        | Fault::LoseAnswer { times, .. }
        | Fault::DropAcks { times } => *times,
        Fault::InvalidAuth { .. } => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_fire_their_number_of_times_on_their_method_only() {
        let mut faults = Faults::default();
        faults.add(Fault::RateLimited {
            method: Some("chat.postMessage".to_owned()),
            retry_after: Duration::from_secs(1),
            times: 2,
        });
        faults.add(Fault::Delay {
            method: None,
            delay: Duration::from_millis(5),
            times: 1,
        });
        assert_eq!(
            faults.take("chat.update"),
            [Effect::Delay(Duration::from_millis(5))]
        );
        assert_eq!(faults.take("chat.postMessage").len(), 1);
        assert_eq!(faults.take("chat.postMessage").len(), 1);
        assert!(faults.take("chat.postMessage").is_empty());
        assert_eq!(faults.injected.rate_limited, 2);
        assert_eq!(faults.injected.delayed, 1);
    }

    #[test]
    fn answers_are_lost_only_for_their_method_and_argument() {
        let mut faults = Faults::default();
        faults.add(Fault::LoseAnswer {
            method: Some("chat.postMessage".to_owned()),
            with_arg: Some("thread_ts".to_owned()),
            times: 1,
        });
        assert!(!faults.lose_answer("chat.postMessage", |_| false));
        assert!(!faults.lose_answer("chat.update", |_| true));
        assert!(faults.take("chat.postMessage").is_empty());
        assert!(faults.lose_answer("chat.postMessage", |arg| arg == "thread_ts"));
        assert!(!faults.lose_answer("chat.postMessage", |_| true));
        assert_eq!(faults.injected.lost_answers, 1);
    }

    #[test]
    fn lost_acks_and_revoked_tokens() {
        let mut faults = Faults::default();
        faults.add(Fault::DropAcks { times: 1 });
        faults.add(Fault::InvalidAuth {
            token: "xoxb-old".to_owned(),
        });
        assert!(faults.drop_ack());
        assert!(!faults.drop_ack());
        assert!(faults.revoked("xoxb-old"));
        assert!(!faults.revoked("xoxb-new"));
        assert_eq!(faults.injected.dropped_acks, 1);
        assert_eq!(faults.injected.refused_auth, 1);
    }
}

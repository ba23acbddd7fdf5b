//! When the next call may go: Discord's limits, kept ahead of time.
//!
//! Three rules, all in one place: at most `global_per_second` calls in any
//! second; at most `channel_messages` new messages per channel in any
//! `channel_window`; and whatever the server said (`x-ratelimit-remaining: 0`
//! with `reset-after`, or a 429's `retry-after`) for that channel, or for
//! everything when the limit was global. Calls on one channel run one at a time,
//! in the order they were made.

use super::rest::{Outcome, RestResponse};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// The limits the sender keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    pub global_per_second: usize,
    pub channel_messages: usize,
    pub channel_window: Duration,
    /// Retries after 5xx answers or transport failures.
    pub max_retries: u32,
    /// The first retry's wait; it doubles each time.
    pub retry_backoff: Duration,
    /// 429s ridden out for one call before giving up.
    pub max_rate_limited: u32,
}

impl Default for Pacing {
    /// Discord's published limits, with a small margin.
    fn default() -> Self {
        Self {
            global_per_second: 45,
            channel_messages: 5,
            channel_window: Duration::from_secs(5),
            max_retries: 4,
            retry_backoff: Duration::from_millis(250),
            max_rate_limited: 20,
        }
    }
}

/// What to do after a response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Wait {
    Done,
    RetryAfter(Duration),
    Failed,
}

#[derive(Debug, Default)]
struct State {
    global_sends: VecDeque<Instant>,
    channel_sends: HashMap<u64, VecDeque<Instant>>,
    channel_blocked_until: HashMap<u64, Instant>,
    global_blocked_until: Option<Instant>,
}

/// Shared pacing state.
#[derive(Debug, Clone)]
pub struct Limiter {
    pacing: Pacing,
    state: Arc<Mutex<State>>,
    turns: Arc<Mutex<HashMap<u64, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Limiter {
    pub fn new(pacing: Pacing) -> Self {
        Self {
            pacing,
            state: Arc::default(),
            turns: Arc::default(),
        }
    }

    /// Waits for this channel's turn; calls on one channel keep their order
    /// (tokio's mutex is fair: first come, first served).
    pub async fn channel_turn(&self, channel: u64) -> tokio::sync::OwnedMutexGuard<()> {
        let turn = {
            let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(turns.entry(channel).or_default())
        };
        turn.lock_owned().await
    }

    /// Waits until a call on `channel` (a new message when `message`) is allowed,
    /// then counts it.
    pub async fn before_send(&self, channel: u64, message: bool) {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                let wait = self.wait_needed(&mut state, channel, message, now);
                if wait.is_zero() {
                    state.global_sends.push_back(now);
                    if message {
                        state
                            .channel_sends
                            .entry(channel)
                            .or_default()
                            .push_back(now);
                    }
                }
                wait
            };
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn wait_needed(
        &self,
        state: &mut State,
        channel: u64,
        message: bool,
        now: Instant,
    ) -> Duration {
        let second = Duration::from_secs(1);
        prune(&mut state.global_sends, now, second);
        let mut until = now;
        if state.global_sends.len() >= self.pacing.global_per_second {
            until = until.max(state.global_sends[0] + second);
        }
        if message {
            let sends = state.channel_sends.entry(channel).or_default();
            prune(sends, now, self.pacing.channel_window);
            if sends.len() >= self.pacing.channel_messages {
                until = until.max(sends[0] + self.pacing.channel_window);
            }
        }
        until = until.max(
            state
                .channel_blocked_until
                .get(&channel)
                .copied()
                .unwrap_or(now),
        );
        until = until.max(state.global_blocked_until.unwrap_or(now));
        until - now
    }

    /// Reads a response: remembers what the server said about limits, and says
    /// whether the call is done, must wait and retry, or failed.
    pub fn after_response(&self, channel: u64, response: &RestResponse) -> Wait {
        let Outcome::Answered { status, rate, .. } = &response.outcome else {
            return Wait::Failed;
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let seconds = |s: f64| Duration::from_secs_f64(s.clamp(0.0, 3600.0));
        match status {
            429 => {
                let delay = seconds(rate.retry_after.unwrap_or(1.0));
                if rate.global {
                    state.global_blocked_until = Some(now + delay);
                } else {
                    state.channel_blocked_until.insert(channel, now + delay);
                }
                Wait::RetryAfter(delay)
            }
            500..=599 => Wait::Failed,
            _ => {
                if let (Some(0), Some(reset)) = (rate.remaining, rate.reset_after) {
                    state
                        .channel_blocked_until
                        .insert(channel, now + seconds(reset));
                }
                Wait::Done
            }
        }
    }
}

fn prune(sends: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while sends
        .front()
        .is_some_and(|&at| now.duration_since(at) >= window)
    {
        sends.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::outbound::rest::RateHeaders;

    fn answered(status: u16, rate: RateHeaders) -> RestResponse {
        RestResponse {
            route: "POST /channels/1/messages".into(),
            outcome: Outcome::Answered {
                status,
                rate,
                body: serde_json::Value::Null,
            },
        }
    }

    #[tokio::test(start_paused = true)]
    async fn channel_messages_are_spread_over_the_window() {
        let limiter = Limiter::new(Pacing::default());
        let start = Instant::now();
        for _ in 0..5 {
            limiter.before_send(1, true).await;
        }
        assert_eq!(Instant::now(), start, "five go at once");
        limiter.before_send(1, true).await;
        assert_eq!(
            Instant::now() - start,
            Duration::from_secs(5),
            "the sixth waits for the window"
        );
        limiter.before_send(2, true).await;
        assert_eq!(
            Instant::now() - start,
            Duration::from_secs(5),
            "another channel is not held up"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_global_limit_holds_across_channels() {
        let pacing = Pacing {
            global_per_second: 3,
            ..Pacing::default()
        };
        let limiter = Limiter::new(pacing);
        let start = Instant::now();
        for channel in 0..4 {
            limiter.before_send(channel, false).await;
        }
        assert_eq!(Instant::now() - start, Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn server_limits_and_retry_after_are_honoured() {
        let limiter = Limiter::new(Pacing::default());
        let exhausted = RateHeaders {
            remaining: Some(0),
            reset_after: Some(0.75),
            ..RateHeaders::default()
        };
        assert_eq!(
            limiter.after_response(7, &answered(200, exhausted)),
            Wait::Done
        );
        let start = Instant::now();
        limiter.before_send(7, false).await;
        assert_eq!(Instant::now() - start, Duration::from_millis(750));

        let global = RateHeaders {
            retry_after: Some(2.0),
            global: true,
            ..RateHeaders::default()
        };
        assert_eq!(
            limiter.after_response(7, &answered(429, global)),
            Wait::RetryAfter(Duration::from_secs(2))
        );
        let start = Instant::now();
        limiter.before_send(8, false).await;
        assert_eq!(
            Instant::now() - start,
            Duration::from_secs(2),
            "a global 429 pauses every channel"
        );
        assert_eq!(
            limiter.after_response(7, &answered(502, RateHeaders::default())),
            Wait::Failed
        );
        assert_eq!(
            limiter.after_response(7, &answered(403, RateHeaders::default())),
            Wait::Done
        );
    }
}

//! When the next call may go: Discord's limits, kept ahead of time.
//!
//! Three rules, all in one place: at most `global_per_second` calls in any
//! second, shared between channel and personal traffic ([`super::gate`]); at
//! most `channel_messages` new messages per channel in any `channel_window`;
//! and whatever the server said (`x-ratelimit-remaining: 0` with
//! `reset-after`, or a 429's `retry-after`) for that scope, or for everything
//! when the limit was global. Calls on one channel run one at a time, in the
//! order they were made. Calls outside any channel (opening a DM, listing
//! servers) have no order to keep, so they run side by side, each paced by the
//! global budget and its route's bucket; queueing them one at a time made
//! 2,000 same-minute reminders arrive minutes late.
//!
//! The state is keyed by channel and by route (DM routes carry a user id), so
//! it is swept once a minute: windows with no send left, blocks that ended and
//! turns nobody holds or waits for are forgotten.

use super::gate::{Gate, Lane, Permit};
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
    /// How the sender paced before reminder bursts were measured (issue 16):
    /// every call outside a channel waits for the one before it, and the
    /// global budget goes out in arrival order, without lanes. Kept only so the
    /// `reminder_burst` bench can measure that floor in the same run. Off by
    /// default.
    pub one_queue_outside_channels: bool,
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
            one_queue_outside_channels: false,
        }
    }
}

/// What a call is about, for ordering and for the server's buckets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Calls on one channel: in order, one at a time, under its message window.
    Channel(u64),
    /// A call outside any channel, keyed by method and path (the route's bucket
    /// and major parameter): paced by the global budget and by what the server
    /// said about that route.
    Route(String),
}

/// How one call is paced: its scope, whether it posts a new message (the
/// channel's message window), and its lane of the global budget.
pub struct Call {
    pub scope: Scope,
    pub message: bool,
    pub lane: Lane,
    /// Retry 5xx answers and transport failures. Off for a call that may
    /// have taken effect unseen and has no nonce (opening a forum post):
    /// its caller looks before trying again.
    pub retry_failures: bool,
}

impl Call {
    /// A new message in `channel`.
    pub fn message(channel: u64, lane: Lane) -> Self {
        Self {
            scope: Scope::Channel(channel),
            message: true,
            lane,
            retry_failures: true,
        }
    }

    /// Any other call on `channel` (edits, reactions, reaction lists).
    pub fn on(channel: u64) -> Self {
        Self {
            scope: Scope::Channel(channel),
            message: false,
            lane: Lane::Channel,
            retry_failures: true,
        }
    }

    /// A call outside any channel, on `route` (method and path, ids included).
    pub fn route(route: impl Into<String>, lane: Lane) -> Self {
        Self {
            scope: Scope::Route(route.into()),
            message: false,
            lane,
            retry_failures: true,
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
    channel_sends: HashMap<u64, VecDeque<Instant>>,
    blocked_until: HashMap<Scope, Instant>,
    swept: Option<Instant>,
}

/// How often the pacing state is swept of what no longer holds anything.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Shared pacing state.
#[derive(Debug, Clone)]
pub struct Limiter {
    pacing: Pacing,
    gate: Gate,
    state: Arc<Mutex<State>>,
    turns: Arc<Mutex<HashMap<u64, Arc<tokio::sync::Mutex<()>>>>>,
}

impl Limiter {
    pub fn new(pacing: Pacing) -> Self {
        Self {
            pacing,
            gate: Gate::new(pacing.global_per_second, pacing.one_queue_outside_channels),
            state: Arc::default(),
            turns: Arc::default(),
        }
    }

    /// Waits for this scope's turn, if it keeps an order: calls on one channel
    /// keep theirs (tokio's mutex is fair: first come, first served). Calls
    /// outside channels share one turn only in the old one-queue mode.
    pub async fn turn(&self, scope: &Scope) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        let channel = match scope {
            Scope::Channel(channel) => *channel,
            Scope::Route(_) if self.pacing.one_queue_outside_channels => 0,
            Scope::Route(_) => return None,
        };
        let turn = {
            let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(turns.entry(channel).or_default())
        };
        Some(turn.lock_owned().await)
    }

    /// Waits until a call in `scope` (a new message when `message`) is allowed
    /// and has its slot of the global budget in `lane`, then counts it. Drop
    /// the permit when the answer is in.
    pub async fn before_send(&self, scope: &Scope, message: bool, lane: Lane) -> Permit {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                self.wait_needed(&mut state, scope, message, Instant::now())
            };
            if wait.is_zero() {
                break;
            }
            tokio::time::sleep(wait).await;
        }
        let permit = self.gate.slot(lane).await;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let (true, Scope::Channel(channel)) = (message, scope) {
            let sends = state.channel_sends.entry(*channel).or_default();
            sends.push_back(Instant::now());
        }
        self.sweep(&mut state, Instant::now());
        permit
    }

    /// Forgets, at most once a minute, the windows, blocks and turns that
    /// no longer hold any call.
    fn sweep(&self, state: &mut State, now: Instant) {
        if state
            .swept
            .is_some_and(|at| now.duration_since(at) < SWEEP_EVERY)
        {
            return;
        }
        state.swept = Some(now);
        let window = self.pacing.channel_window;
        state.channel_sends.retain(|_, sends| {
            prune(sends, now, window);
            !sends.is_empty()
        });
        state.blocked_until.retain(|_, until| *until > now);
        let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
        turns.retain(|_, turn| Arc::strong_count(turn) > 1);
    }

    /// Channels and routes with pacing state kept now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
        state.channel_sends.len() + state.blocked_until.len() + turns.len()
    }

    /// How long this scope's own limits hold the call (the global budget aside).
    fn wait_needed(
        &self,
        state: &mut State,
        scope: &Scope,
        message: bool,
        now: Instant,
    ) -> Duration {
        let mut until = now;
        if let (true, Scope::Channel(channel)) = (message, scope) {
            let sends = state.channel_sends.entry(*channel).or_default();
            prune(sends, now, self.pacing.channel_window);
            if sends.len() >= self.pacing.channel_messages {
                until = until.max(sends[0] + self.pacing.channel_window);
            }
        }
        until = until.max(state.blocked_until.get(scope).copied().unwrap_or(now));
        until - now
    }

    /// Reads a response: remembers what the server said about limits, and says
    /// whether the call is done, must wait and retry, or failed.
    pub fn after_response(&self, scope: &Scope, response: &RestResponse) -> Wait {
        let Outcome::Answered { status, rate, .. } = &response.outcome else {
            return Wait::Failed;
        };
        let now = Instant::now();
        let seconds = |s: f64| Duration::from_secs_f64(s.clamp(0.0, 3600.0));
        let block = |until: Instant| {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let at = state.blocked_until.entry(scope.clone()).or_insert(until);
            *at = (*at).max(until);
        };
        match status {
            429 => {
                let delay = seconds(rate.retry_after.unwrap_or(1.0));
                if rate.global {
                    self.gate.block_until(now + delay);
                } else {
                    block(now + delay);
                }
                Wait::RetryAfter(delay)
            }
            500..=599 => Wait::Failed,
            _ => {
                if let (Some(0), Some(reset)) = (rate.remaining, rate.reset_after) {
                    block(now + seconds(reset));
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
            limiter
                .before_send(&Scope::Channel(1), true, Lane::Channel)
                .await;
        }
        assert_eq!(Instant::now(), start, "five go at once");
        limiter
            .before_send(&Scope::Channel(1), true, Lane::Channel)
            .await;
        assert_eq!(
            Instant::now() - start,
            Duration::from_secs(5),
            "the sixth waits for the window"
        );
        limiter
            .before_send(&Scope::Channel(2), true, Lane::Channel)
            .await;
        assert_eq!(
            Instant::now() - start,
            Duration::from_secs(5),
            "another channel is not held up"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn state_for_channels_and_routes_no_longer_in_use_is_forgotten() {
        let limiter = Limiter::new(Pacing {
            global_per_second: 100_000,
            ..Pacing::default()
        });
        for n in 0..1_000 {
            let channel = Scope::Channel(n);
            let turn = limiter.turn(&channel).await;
            drop(limiter.before_send(&channel, true, Lane::Channel).await);
            drop(turn);
            let route = Scope::Route(format!("POST /users/{n}/channels"));
            limiter.after_response(
                &route,
                &answered(
                    429,
                    RateHeaders {
                        retry_after: Some(1.0),
                        ..RateHeaders::default()
                    },
                ),
            );
        }
        assert!(limiter.tracked() >= 2_000, "{}", limiter.tracked());
        tokio::time::advance(Duration::from_secs(61)).await;
        drop(
            limiter
                .before_send(&Scope::Channel(0), false, Lane::Channel)
                .await,
        );
        assert_eq!(limiter.tracked(), 0, "nothing left in use");
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
            limiter
                .before_send(&Scope::Channel(channel), false, Lane::Channel)
                .await;
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
            limiter.after_response(&Scope::Channel(7), &answered(200, exhausted)),
            Wait::Done
        );
        let start = Instant::now();
        limiter
            .before_send(&Scope::Channel(7), false, Lane::Channel)
            .await;
        assert_eq!(Instant::now() - start, Duration::from_millis(750));

        let global = RateHeaders {
            retry_after: Some(2.0),
            global: true,
            ..RateHeaders::default()
        };
        assert_eq!(
            limiter.after_response(&Scope::Channel(7), &answered(429, global)),
            Wait::RetryAfter(Duration::from_secs(2))
        );
        let start = Instant::now();
        limiter
            .before_send(&Scope::Channel(8), false, Lane::Direct)
            .await;
        assert_eq!(
            Instant::now() - start,
            Duration::from_secs(2),
            "a global 429 pauses every channel"
        );
        assert_eq!(
            limiter.after_response(&Scope::Channel(7), &answered(502, RateHeaders::default())),
            Wait::Failed
        );
        assert_eq!(
            limiter.after_response(&Scope::Channel(7), &answered(403, RateHeaders::default())),
            Wait::Done
        );
    }

    #[tokio::test(start_paused = true)]
    async fn calls_outside_channels_run_side_by_side_and_keep_their_routes_limits() {
        let limiter = Limiter::new(Pacing::default());
        let open = Scope::Route("POST /users/@me/channels".into());
        assert!(limiter.turn(&open).await.is_none(), "no queue to wait in");
        let exhausted = RateHeaders {
            remaining: Some(0),
            reset_after: Some(0.5),
            ..RateHeaders::default()
        };
        limiter.after_response(&open, &answered(200, exhausted));
        let start = Instant::now();
        limiter
            .before_send(
                &Scope::Route("GET /users/@me/guilds".into()),
                false,
                Lane::Channel,
            )
            .await;
        assert_eq!(Instant::now(), start, "another route is not held up");
        limiter.before_send(&open, false, Lane::Opening).await;
        assert_eq!(
            Instant::now() - start,
            Duration::from_millis(500),
            "the exhausted route waits for its reset"
        );

        let old = Limiter::new(Pacing {
            one_queue_outside_channels: true,
            ..Pacing::default()
        });
        let first = old.turn(&open).await;
        assert!(first.is_some());
        let guilds = Scope::Route("GET /users/@me/guilds".into());
        let second = tokio::time::timeout(Duration::from_secs(60), old.turn(&guilds));
        assert!(
            second.await.is_err(),
            "the old mode queues every call outside channels on one turn"
        );
    }
}

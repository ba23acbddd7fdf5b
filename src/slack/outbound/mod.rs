//! Everything emcee sends to Slack goes through this sender: slack-morphism's
//! Web API client over a connector that speaks https and plain http (the
//! loopback fake), paced by [`pacing`] and with Slack's failures sorted.
//!
//! slack-morphism's own rate control is left off: it holds `chat.postMessage`
//! to about one call a second across all channels together. Instead each
//! call waits for its tier's bucket, or its channel's for posting. A 429
//! waits its `Retry-After` and retries the same call; calls on one channel
//! run one at a time, so their order holds through a 429 storm. 5xx answers,
//! timeouts and transport failures are retried a bounded number of times;
//! Slack's `{ok: false, error}` refusals are returned at once.

pub mod pacing;

pub use pacing::{Pacing, Tier};

use pacing::Bucket;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

/// The HTTP connector: https for Slack, plain http for a loopback fake.
pub type Connector = SlackClientHyperHttpsConnector;
/// slack-morphism's client over [`Connector`].
pub type Client = SlackClient<Connector>;

/// A client for the Web API at `api_base` (`https://slack.com/api`, or
/// `EMCEE_SLACK_API`).
///
/// # Errors
/// When the system's root certificates cannot be read.
pub fn client(api_base: &str) -> std::io::Result<Client> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    let connector = SlackClientHyperConnector::with_connector(https).with_slack_api_url(api_base);
    Ok(SlackClient::new(connector))
}

/// Why a call did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Slack refused it (`ok: false`, or a 4xx): retrying would not help.
    #[error("Slack refused {method}: {code}")]
    Rejected { method: &'static str, code: String },
    /// Server errors, timeouts or 429s went on past the retry budget.
    #[error("gave up on {method} after {attempts} attempts: {last}")]
    GaveUp {
        method: &'static str,
        attempts: u32,
        last: String,
    },
}

impl SendError {
    /// Slack's error code (`not_in_channel`, `channel_not_found`, …), if it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Rejected { code, .. } => Some(code),
            Self::GaveUp { .. } => None,
        }
    }
}

type Shared = Arc<tokio::sync::Mutex<Bucket>>;

/// The paced Web API sender; cheap to clone.
#[derive(Clone)]
pub struct Sender {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    token: SlackApiToken,
    pacing: Pacing,
    channels: Mutex<HashMap<String, Shared>>,
    tiers: HashMap<Tier, Shared>,
}

impl Sender {
    /// A sender calling through `client` with the bot `token`.
    pub fn new(client: Client, token: SlackApiToken, pacing: Pacing) -> Self {
        let tiers = [Tier::Two, Tier::Three, Tier::Four, Tier::Posting]
            .into_iter()
            .map(|tier| {
                let bucket = Bucket::new(pacing.shape(tier));
                (tier, Arc::new(tokio::sync::Mutex::new(bucket)))
            })
            .collect();
        Self {
            inner: Arc::new(Inner {
                client,
                token,
                pacing,
                channels: Mutex::default(),
                tiers,
            }),
        }
    }

    /// A session with the bot token, for one call.
    pub fn session(&self) -> SlackClientSession<'_, Connector> {
        self.inner.client.open_session(&self.inner.token)
    }

    /// The limits in force.
    pub fn pacing(&self) -> &Pacing {
        &self.inner.pacing
    }

    /// Starts a call of `method`: waits for the call's turn in `channel`
    /// (when it has one) so calls on one channel keep their order.
    pub async fn begin(&self, method: &'static str, tier: Tier, channel: Option<&str>) -> Call {
        let lane = match (tier, channel) {
            (Tier::Posting, Some(channel)) => {
                let bucket = self.channel_bucket(channel);
                Some(bucket.lock_owned().await)
            }
            _ => None,
        };
        let shared = match lane {
            Some(_) => None,
            None => self.inner.tiers.get(&tier).cloned(),
        };
        Call {
            method,
            pacing: self.inner.pacing.clone(),
            lane,
            shared,
            attempts: 0,
            failures: 0,
            rate_limited: 0,
            hold_shared: None,
            not_before: None,
        }
    }

    fn channel_bucket(&self, channel: &str) -> Shared {
        let mut channels = self
            .inner
            .channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let shape = self.inner.pacing.shape(Tier::Posting);
        Arc::clone(
            channels
                .entry(channel.to_owned())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(Bucket::new(shape)))),
        )
    }
}

/// Runs one Web API call through the sender: `paced!(sender, "chat.update",
/// Tier::Three, None, |session| session.chat_update(&request))`. A macro
/// because each attempt needs a fresh session borrowed for the call.
#[macro_export]
macro_rules! paced {
    ($sender:expr, $method:expr, $tier:expr, $channel:expr, |$session:ident| $call:expr) => {{
        let sender = &$sender;
        let mut call = sender.begin($method, $tier, $channel).await;
        loop {
            call.wait().await;
            let $session = sender.session();
            // rustfmt writes a long call as a block; that is fine here.
            #[allow(unused_braces)]
            let pending = $call;
            let outcome = tokio::time::timeout(sender.pacing().timeout, pending).await;
            match call.judge(outcome) {
                ::std::ops::ControlFlow::Break(done) => break done,
                ::std::ops::ControlFlow::Continue(()) => {}
            }
        }
    }};
}

/// One call in progress: its turn in its channel, its budgets, its counts.
pub struct Call {
    method: &'static str,
    pacing: Pacing,
    /// The channel's bucket, held for the whole call (order).
    lane: Option<OwnedMutexGuard<Bucket>>,
    /// The tier's bucket, taken briefly before each attempt.
    shared: Option<Shared>,
    attempts: u32,
    failures: u32,
    rate_limited: u32,
    /// A 429's hold still to be put on the tier's bucket.
    hold_shared: Option<Instant>,
    /// A failure's backoff: this call waits until then.
    not_before: Option<Instant>,
}

impl Call {
    /// Attempts so far that failed without Slack's answer (5xx, timeouts,
    /// broken connections): the call may have been carried out all the
    /// same. 429s do not count; Slack did nothing then.
    pub fn unanswered(&self) -> u32 {
        self.failures
    }

    /// Waits until the next attempt may go.
    pub async fn wait(&mut self) {
        if let Some(until) = self.not_before.take() {
            tokio::time::sleep_until(until).await;
        }
        let now = Instant::now();
        let wait = match (&mut self.lane, &self.shared) {
            (Some(lane), _) => lane.take(now),
            (None, Some(shared)) => {
                let mut bucket = shared.lock().await;
                if let Some(until) = self.hold_shared.take() {
                    bucket.hold_until(until);
                }
                bucket.take(now)
            }
            (None, None) => Duration::ZERO,
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// What to do with an attempt's outcome: done (with the answer or a
    /// final error), or try again (after holding the bucket for a 429, or
    /// backing off after a failure).
    pub fn judge<T>(
        &mut self,
        outcome: Result<ClientResult<T>, tokio::time::error::Elapsed>,
    ) -> std::ops::ControlFlow<Result<T, SendError>> {
        use std::ops::ControlFlow::{Break, Continue};
        self.attempts += 1;
        let error = match outcome {
            Ok(Ok(answer)) => {
                count(self.method, "ok");
                return Break(Ok(answer));
            }
            Ok(Err(error)) => error,
            Err(_) => {
                count(self.method, "timeout");
                return self.backoff("timed out".to_owned());
            }
        };
        match error {
            SlackClientError::RateLimitError(limited) => {
                count(self.method, "429");
                metrics::counter!("emcee_rate_limited_total", "platform" => "slack").increment(1);
                self.rate_limited += 1;
                if self.rate_limited > self.pacing.max_rate_limited {
                    return Break(Err(self.gave_up("rate limited".to_owned())));
                }
                let wait = limited.retry_after.unwrap_or(Duration::from_secs(1));
                tracing::info!(
                    method = self.method,
                    ?wait,
                    "Slack rate limited a call; waiting"
                );
                self.hold(Instant::now() + wait);
                Continue(())
            }
            SlackClientError::ApiError(refused) => {
                count(self.method, "refused");
                Break(Err(SendError::Rejected {
                    method: self.method,
                    code: refused.code,
                }))
            }
            SlackClientError::HttpError(http) if http.status_code.is_server_error() => {
                count(self.method, "5xx");
                self.backoff(format!("HTTP {}", http.status_code))
            }
            SlackClientError::HttpError(http) => {
                count(self.method, "4xx");
                Break(Err(SendError::Rejected {
                    method: self.method,
                    code: format!("HTTP {}", http.status_code),
                }))
            }
            other => {
                count(self.method, "failed");
                self.backoff(other.to_string())
            }
        }
    }

    /// Retries after a failure, waiting longer each time, up to the budget.
    fn backoff<T>(&mut self, last: String) -> std::ops::ControlFlow<Result<T, SendError>> {
        self.failures += 1;
        if self.failures > self.pacing.max_retries {
            return std::ops::ControlFlow::Break(Err(self.gave_up(last)));
        }
        let wait = self.pacing.retry_backoff * 2u32.saturating_pow(self.failures - 1);
        tracing::warn!(method = self.method, failures = self.failures, %last, ?wait, "a Slack call failed; retrying");
        self.not_before = Some(Instant::now() + wait);
        std::ops::ControlFlow::Continue(())
    }

    /// Holds the call's bucket (its channel's, or its tier's for everyone).
    fn hold(&mut self, until: Instant) {
        match &mut self.lane {
            Some(lane) => lane.hold_until(until),
            None => self.hold_shared = Some(until),
        }
    }

    fn gave_up(&self, last: String) -> SendError {
        tracing::error!(method = self.method, attempts = self.attempts, %last, "gave up on a Slack call");
        SendError::GaveUp {
            method: self.method,
            attempts: self.attempts,
            last,
        }
    }
}

fn count(method: &'static str, status: &'static str) {
    metrics::counter!("emcee_slack_requests_total", "method" => method, "status" => status)
        .increment(1);
}

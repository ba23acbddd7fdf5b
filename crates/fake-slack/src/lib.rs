//! A fake Slack for emcee's end-to-end tests and benchmarks.
//!
//! The real `slack-morphism` client talks to it over loopback: the Web API at
//! `POST /api/{method}` (base URL [`FakeSlack::api_url`], in the form of
//! slack-morphism's default `https://slack.com/api`, no trailing slash), file
//! uploads at the URLs `files.getUploadURLExternal` hands out, `response_url`s
//! at `/response/{token}`, and Socket Mode at the `ws://` URL
//! `apps.connections.open` returns. Nothing of the bot is mocked; this is the
//! Slack side, speaking Slack's JSON, so the crate does not depend on
//! slack-morphism.
//!
//! A test plays the users ([`FakeUser`]): it runs slash commands, clicks buttons
//! and reacts ([`FakeSlack::slash_command`], [`FakeSlack::click`],
//! [`FakeSlack::react`]), each delivered as an envelope, then waits (never
//! sleeps) for the bot's calls ([`FakeSlack::wait_for_call`]), acks
//! ([`FakeSlack::wait_for_ack`]) and `response_url` posts, and reads the state the
//! bot left behind ([`FakeSlack::messages`], [`FakeSlack::ephemerals`]). Faults
//! ([`Fault`]) make Slack rate limited, failing, slow, or forgetful of acks;
//! [`FakeSlack::drop_sockets`] and [`FakeSlack::disconnect`] cut Socket Mode.
//! The clock stands still until [`FakeSlack::advance`], which also posts the
//! scheduled messages that came due. Whatever sends an envelope starts its ack
//! timer with `tokio::spawn`, so call it inside a Tokio runtime (any
//! `#[tokio::test]`).
//!
//! # A slack-morphism client against the fake
//!
//! `SlackClientHyperConnector::new()` speaks https only (and HTTP/2 only), so
//! build the connector from hyper-rustls with `https_or_http()` and HTTP/1
//! (hyper-rustls 0.27 with its `http1` feature as a direct dependency); the same
//! connector serves real Slack over https. The Socket Mode URL is taken from
//! `apps.connections.open`, and `ws://` is accepted.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use std::sync::Arc;
//! use slack_morphism::prelude::*;
//! use fake_slack::{FakeSlack, FakeUser};
//!
//! let fake = FakeSlack::start().await?;
//! let connector = hyper_rustls::HttpsConnectorBuilder::new()
//!     .with_native_roots()?
//!     .https_or_http()
//!     .enable_http1()
//!     .enable_http2()
//!     .build();
//! let client = Arc::new(SlackClient::new(
//!     SlackClientHyperConnector::with_connector(connector).with_slack_api_url(&fake.api_url()),
//! ));
//! let bot = SlackApiToken::new(fake.bot_token().into());
//! let me = client.open_session(&bot).auth_test().await?;
//! assert_eq!(me.team_id.0, fake.ids().team_id);
//!
//! async fn on_command(
//!     event: SlackCommandEvent,
//!     _client: Arc<SlackHyperClient>,
//!     _state: SlackClientEventsUserState,
//! ) -> UserCallbackResult<SlackCommandEventResponse> {
//!     // Return at once: the ack goes out only when this returns.
//!     Ok(SlackCommandEventResponse::new(
//!         SlackMessageContent::new().with_text(format!("got {:?}", event.text)),
//!     ))
//! }
//! let callbacks = SlackSocketModeListenerCallbacks::new().with_command_events(on_command);
//! let environment = Arc::new(SlackClientEventsListenerEnvironment::new(Arc::clone(&client)));
//! let config = SlackClientSocketModeConfig::new()
//!     .with_max_connections_count(1)
//!     .with_initial_backoff_in_seconds(0)
//!     .with_reconnect_timeout_in_seconds(1);
//! let listener = SlackClientSocketModeListener::new(&config, environment, callbacks);
//! listener.listen_for(&SlackApiToken::new(fake.app_token().into())).await?;
//! listener.start().await; // not `serve()`: that waits for SIGTERM
//!
//! let asked = fake.slash_command(&FakeUser::attendee(1), &fake.ids().general_channel_id, "now");
//! let ack = fake.wait_for_ack(&asked.envelope_id, std::time::Duration::from_secs(10)).await?;
//! assert!(ack.payload.is_some());
//! # Ok(()) }
//! ```
//!
//! slack-morphism 2.31 quirks met on the way, and what the fake does:
//! - the second and later Socket Mode connections start
//!   `initial_backoff_in_seconds` (5 s) apart, and a failed connect waits
//!   `reconnect_timeout_in_seconds` (30 s): tests set both low;
//! - the ack is sent when the callback returns, with its reply as the ack's
//!   `payload`, and a callback's `Err` sends no ack at all with the default
//!   error handler (the fake then re-delivers after [`Config::ack_timeout`]);
//! - on a `disconnect` frame the old connection is given up before the new
//!   one opens, but not closed: its socket stays open until another frame
//!   arrives on it. An ack queued on it just before the frame was seen never
//!   to be sent, so that envelope comes again after the ack timeout:
//!   deduplicate. (The fake, like Slack, sends a connection nothing more after
//!   its `disconnect` and closes it after [`Config::disconnect_grace`].)
//! - `retry_attempt` and `retry_reason` are not exposed: deduplicate on the
//!   event's `event_id`, which the fake keeps across re-deliveries;
//! - `chat_delete_scheduled_message` sends `scheduled_message`, but Slack's
//!   argument is `scheduled_message_id`: the fake refuses the former with
//!   `invalid_arguments`, so post that method raw, e.g.
//!   `session.http_session_api.http_post_uri(url, &json!({"channel": …,
//!   "scheduled_message_id": …}), None)`;
//! - `SlackApiPostWebhookMessageRequest` (what `respond_to_event` posts to a
//!   `response_url`) has no `response_type`, so `in_channel` needs a raw post;
//! - message metadata's `event_payload` is read as a map of strings: give it
//!   string values or history will not parse;
//! - `Retry-After` is read as whole seconds, which is what the fake sends;
//! - rate control (`with_rate_control`, needed for `with_max_retries`) holds
//!   `chat.postMessage` to about 1 call a second across all channels together;
//!   [`Config::enforce_rate_limits`] makes the fake hold the bot to Slack's
//!   own limits instead (per channel for posts), to test the adapter's pacing.
//!
//! Layout: `server` (listener, shared state, [`Config`]), `world` (what Slack
//! remembers), `api` (the Web API methods), `blocks` (Block Kit checks),
//! `response_url`, `socket` (Socket Mode), `inject` (the test's side), `faults`,
//! `record` (the call log), `observe` (reading back and waiting), `clock` (the
//! fake's time and `ts`) and `wait` (waiting without sleeping).

mod api;
mod blocks;
mod clock;
mod error;
mod faults;
mod ids;
mod inject;
mod measure;
mod record;
mod response_url;
mod server;
mod socket;
mod world;

pub use error::SlackError;
pub use fake_support::Timeout;
pub use faults::{Fault, Injected};
pub use ids::{FakeUser, Ids, StrangerIds};
pub use inject::{Click, Interaction, SentEvent, Shared, SharedFile};
pub use measure::Mark;
pub use record::RecordedCall;
pub use server::Config;
pub use socket::{Ack, Delivery, Envelope, EnvelopeKind};
pub use world::{
    ChannelKind, Ephemeral, Origin, ResponseEffect, ResponsePost, ScheduledMessage, StoredChannel,
    StoredFile, StoredMessage, StoredReaction, StoredView,
};

use std::sync::Arc;
use std::time::Duration;

use crate::server::ServerTask;
pub(crate) use crate::server::{lock, Inner};

/// A running fake Slack. Cheap to clone; the server stops when the last clone
/// is dropped.
#[derive(Clone, Debug)]
pub struct FakeSlack {
    inner: Arc<Inner>,
    _server: Arc<ServerTask>,
}

impl FakeSlack {
    /// Starts a fake on `127.0.0.1` (any free port) with the default [`Config`].
    ///
    /// # Errors
    /// Fails if no loopback port can be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(Config::default()).await
    }

    /// Starts a fake with the given [`Config`].
    ///
    /// # Errors
    /// Fails if no loopback port can be bound.
    pub async fn start_with(config: Config) -> std::io::Result<Self> {
        let (inner, server) = server::launch(config).await?;
        Ok(Self {
            inner,
            _server: server,
        })
    }

    /// `http://127.0.0.1:PORT/api`, for `with_slack_api_url` (`EMCEE_SLACK_API`).
    #[must_use]
    pub fn api_url(&self) -> String {
        format!("{}/api", self.inner.base_url())
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// The full `response_url` of a token from an [`Interaction`].
    #[must_use]
    pub fn response_url(&self, token: &str) -> String {
        format!("{}/response/{token}", self.inner.base_url())
    }

    /// The bot token the fake accepts (`SLACK_BOT_TOKEN`).
    #[must_use]
    pub fn bot_token(&self) -> &str {
        &self.inner.config.bot_token
    }

    /// The app-level token the fake accepts (`SLACK_APP_TOKEN`).
    #[must_use]
    pub fn app_token(&self) -> &str {
        &self.inner.config.app_token
    }

    /// The ids of the served workspace, its channels and users, and the
    /// stranger's workspace.
    #[must_use]
    pub fn ids(&self) -> &Ids {
        &self.inner.ids
    }

    /// The fake clock, unix seconds.
    #[must_use]
    pub fn now(&self) -> u64 {
        lock(&self.inner.world).clock.now()
    }

    /// Moves the clock forward and posts the scheduled messages that came due;
    /// returns them, in `post_at` order.
    pub fn advance(&self, by: Duration) -> Vec<StoredMessage> {
        let posted = {
            let mut world = lock(&self.inner.world);
            world.clock.advance(by);
            world.post_due()
        };
        self.inner.changes.bump();
        posted
    }

    /// Sets the clock to `unix_secs` and posts what came due.
    pub fn set_now(&self, unix_secs: u64) -> Vec<StoredMessage> {
        let posted = {
            let mut world = lock(&self.inner.world);
            world.clock.set(unix_secs);
            world.post_due()
        };
        self.inner.changes.bump();
        posted
    }

    /// Arms a fault.
    pub fn inject(&self, fault: Fault) {
        lock(&self.inner.faults).add(fault);
    }

    /// What the armed faults did so far.
    #[must_use]
    pub fn injected(&self) -> Injected {
        lock(&self.inner.faults).injected
    }

    /// Adds `user` to the workspace (users the test injects are added anyway).
    pub fn add_user(&self, user: &FakeUser) {
        lock(&self.inner.world).remember(user);
    }

    /// Makes `user` a member of `channel` (or, with `false`, not); the bot's
    /// membership included.
    ///
    /// # Errors
    /// `channel_not_found`.
    pub fn set_member(&self, channel: &str, user: &str, member: bool) -> Result<(), SlackError> {
        {
            let mut world = lock(&self.inner.world);
            let members = &mut world.channel_mut(channel)?.members;
            if member {
                members.insert(user.to_owned());
            } else {
                members.remove(user);
            }
        }
        self.inner.changes.bump();
        Ok(())
    }

    /// Archives `channel` (posts are then refused with `is_archived`).
    ///
    /// # Errors
    /// `channel_not_found`.
    pub fn archive(&self, channel: &str) -> Result<(), SlackError> {
        lock(&self.inner.world).channel_mut(channel)?.is_archived = true;
        Ok(())
    }

    /// A channel as stored, messages included.
    #[must_use]
    pub fn channel(&self, channel: &str) -> Option<StoredChannel> {
        lock(&self.inner.world).channels.get(channel).cloned()
    }

    /// The DM channel the bot has with `user`, if it opened one.
    #[must_use]
    pub fn dm_channel(&self, user: &str) -> Option<String> {
        lock(&self.inner.world).dms.get(user).cloned()
    }
}

mod observe;

//! A fake Discord for emcee's end-to-end tests and benchmarks.
//!
//! The real serenity client talks to it over loopback sockets: REST under
//! `/api/v10` (point `HttpBuilder::proxy` at [`FakeDiscord::base_url`] with the
//! ratelimiter disabled) and the gateway websocket at `/gateway`, which
//! `GET /gateway` hands out. Nothing of the bot is mocked; this is the Discord side,
//! speaking Discord's JSON, so the crate does not depend on serenity.
//!
//! A test plays the users ([`FakeUser`]): it injects messages, slash commands,
//! button clicks and reactions as gateway dispatches, then waits (never sleeps) for
//! the bot's REST calls ([`FakeDiscord::wait_for_request`]) and reads the state the
//! bot left behind ([`FakeDiscord::messages`]). Faults ([`Fault`]) make Discord
//! slow, rate limited or failing, a set number of times or at a seeded random
//! rate; [`FakeDiscord::injected`] counts what they did. With
//! [`Config::stranger_guild`] the bot is also in a second server, someone
//! else's, whose owner ([`FakeUser::stranger_owner`]) may manage it, for tests
//! of the community boundary. With [`Config::shards`] and
//! [`Config::extra_guilds`] it is a sharded Discord: each IDENTIFY's
//! `[shard, total]` opens that shard's session, which carries only its guilds
//! (`(guild_id >> 22) % total`, [`shard_of`]; DMs on shard 0), and
//! [`FakeDiscord::identify_log`] records when each IDENTIFY came.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use fake_discord::{FakeDiscord, FakeUser};
//!
//! let fake = FakeDiscord::start().await?;
//! // Start the bot with `HttpBuilder::new(token).proxy(fake.base_url())
//! // .ratelimiter_disabled(true)` and `ClientBuilder::new_with_http`, then:
//! fake.wait_ready(Duration::from_secs(10)).await?;
//! let asked = fake.slash_command(&FakeUser::attendee(1), "agenda", serde_json::json!({})).await;
//! let answer = fake.wait_for_interaction_response(&asked, Duration::from_secs(10)).await?;
//! assert_eq!(answer.body.as_ref().map(|b| b["type"].clone()), Some(4.into()));
//! # Ok(()) }
//! ```
//!
//! Layout: `server` (listeners and shared state), `state` (what Discord
//! remembers), `interactions` (callbacks and webhooks), `payloads` (JSON shapes),
//! `rest` (endpoints), `gateway` (websocket sessions), `record` (the request log),
//! `faults`, `inject` (the test's side), `wait` (waiting without sleeping) and
//! `tls` (REST as `https://discord.com`, for serenity's own ratelimiter).

mod error;
mod faults;
mod gateway;
mod ids;
mod inject;
mod interactions;
mod payloads;
mod record;
mod rest;
mod server;
mod state;
mod time;
mod tls;
mod uploads;

pub use error::ApiError;
pub use fake_support::Timeout;
pub use faults::{Fault, Injected, Matcher};
pub use gateway::{shard_of, Dispatch, Identify, Shard};
pub use ids::{
    FakeUser, GuildInfo, Ids, StrangerIds, BOT_ROLE_PERMISSIONS, EVERYONE_PERMISSIONS,
    ORGANISER_PERMISSIONS,
};
pub use inject::InteractionHandle;
pub use record::{RecordedAttachment, RecordedRequest};
pub use rest::{FakeAnswer, FakePoll, FakeScheduledEvent, FakeThread};
pub use server::Config;
pub use state::{Author, StoredAttachment, StoredMessage, StoredReaction};
pub use uploads::UserFile;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::server::ServerTask;
pub(crate) use crate::server::{lock, Inner};

/// A running fake Discord. Cheap to clone; the server stops when the last clone
/// is dropped.
#[derive(Clone, Debug)]
pub struct FakeDiscord {
    inner: Arc<Inner>,
    _server: Arc<ServerTask>,
}

impl FakeDiscord {
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
        let (inner, server) = server::launch(config, None).await?;
        Ok(Self {
            inner,
            _server: server,
        })
    }

    /// Starts a fake that also serves REST over TLS as `discord.com`, for running
    /// serenity's own ratelimiter: give [`Self::tls_client`] to
    /// `HttpBuilder::client` (no proxy, ratelimiter on). The gateway stays `ws://`.
    ///
    /// # Errors
    /// Fails if no loopback port can be bound or the certificate cannot be made.
    pub async fn start_tls() -> std::io::Result<Self> {
        Self::start_tls_with(Config::default()).await
    }

    /// [`Self::start_tls`] with the given [`Config`].
    ///
    /// # Errors
    /// As [`Self::start_tls`].
    pub async fn start_tls_with(config: Config) -> std::io::Result<Self> {
        let tls = tls::bind().await?;
        let (inner, server) = server::launch(config, Some(tls)).await?;
        Ok(Self {
            inner,
            _server: server,
        })
    }

    /// A reqwest client that reaches this fake as `https://discord.com` (DNS
    /// override plus trust in its self-signed certificate); `None` unless started
    /// with [`Self::start_tls`].
    #[must_use]
    pub fn tls_client(&self) -> Option<reqwest::Client> {
        self.inner.tls.as_ref().map(|tls| tls.client.clone())
    }

    /// Where the TLS listener is, if any.
    #[must_use]
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.inner.tls.as_ref().map(|tls| tls.addr)
    }

    /// `http://127.0.0.1:PORT`, for `HttpBuilder::proxy`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// `ws://127.0.0.1:PORT/gateway`, what `GET /gateway` answers.
    #[must_use]
    pub fn gateway_url(&self) -> String {
        self.inner.gateway_url()
    }

    /// The ids of the fake guild, its channels and roles, the bot, and the
    /// stranger's server (present only with [`Config::stranger_guild`]).
    #[must_use]
    pub fn ids(&self) -> &Ids {
        &self.inner.ids
    }

    /// The guilds the bot is in: the conference's first, then the stranger's
    /// when [`Config::stranger_guild`] is on.
    #[must_use]
    pub fn guilds(&self) -> &[GuildInfo] {
        &self.inner.guilds
    }

    /// Sends a hand-made gateway dispatch `t` with body `d`, for events no user
    /// could cause through the other methods (e.g. a reaction claiming another
    /// guild); returns its sequence number if a session was attached.
    pub fn dispatch_raw(&self, t: &str, d: &Value) -> Option<u64> {
        self.inner.dispatch(t, d)
    }

    /// Waits until a gateway connection carries a session that got READY or
    /// RESUMED. After [`Self::drop_gateway`], this waits for the resume.
    ///
    /// # Errors
    /// [`Timeout`] if no session is ready in time.
    pub async fn wait_ready(&self, timeout: Duration) -> Result<(), Timeout> {
        let inner = &self.inner;
        inner
            .changes
            .wait_until("a ready gateway session", timeout, || {
                lock(&inner.gateway).is_ready().then_some(())
            })
            .await
    }

    /// Every REST call so far, in arrival order.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.log).clone()
    }

    /// Waits for the first recorded request (past or future) that `pred` accepts.
    ///
    /// # Errors
    /// [`Timeout`] if none arrives in time.
    pub async fn wait_for_request(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Result<RecordedRequest, Timeout> {
        let inner = &self.inner;
        inner
            .changes
            .wait_until("a matching request", timeout, || {
                lock(&inner.log).iter().find(|r| pred(r)).cloned()
            })
            .await
    }

    /// Waits until `check` yields a value, re-checking after every change to the
    /// fake (a request, a dispatch, a connection coming or going). `what` names
    /// the condition in the [`Timeout`].
    ///
    /// # Errors
    /// [`Timeout`] if `check` yields nothing in time.
    pub async fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&FakeDiscord) -> Option<T>,
    ) -> Result<T, Timeout> {
        self.inner
            .changes
            .wait_until(what, timeout, || check(self))
            .await
    }

    /// Waits for the bot's callback to the interaction `handle`.
    ///
    /// # Errors
    /// [`Timeout`] if the bot does not answer in time.
    pub async fn wait_for_interaction_response(
        &self,
        handle: &InteractionHandle,
        timeout: Duration,
    ) -> Result<RecordedRequest, Timeout> {
        let path = format!("/interactions/{}/{}/callback", handle.id, handle.token);
        self.wait_for_request(|r| r.is("POST", &path), timeout)
            .await
    }

    /// Messages in `channel_id`, oldest first.
    #[must_use]
    pub fn messages(&self, channel_id: u64) -> Vec<StoredMessage> {
        let world = lock(&self.inner.world);
        world
            .messages
            .values()
            .filter(|m| m.channel_id == channel_id)
            .cloned()
            .collect()
    }

    /// One message by id, wherever it is.
    #[must_use]
    pub fn message(&self, message_id: u64) -> Option<StoredMessage> {
        lock(&self.inner.world).messages.get(&message_id).cloned()
    }

    /// Ids of the users who reacted to `message_id` with `emoji` (Unicode or
    /// `name:id`), ascending.
    #[must_use]
    pub fn reaction_users(&self, message_id: u64, emoji: &str) -> Vec<u64> {
        let world = lock(&self.inner.world);
        let message = world.messages.get(&message_id);
        let reaction = message.and_then(|m| m.reactions.iter().find(|r| r.emoji == emoji));
        reaction
            .map(|r| r.users.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The DM channel with `user` (opened if needed), for DM interactions and
    /// messages.
    #[must_use]
    pub fn dm_channel(&self, user: &FakeUser) -> u64 {
        let mut world = lock(&self.inner.world);
        world.remember(user);
        world.open_dm(user.id)
    }

    /// The IDENTIFY payloads (`d`) received, in order; e.g. to assert `intents`.
    #[must_use]
    pub fn identifies(&self) -> Vec<Value> {
        lock(&self.inner.gateway).identifies.clone()
    }

    /// Every IDENTIFY so far with its shard, instant and refusal, in order:
    /// what checks of sharding and IDENTIFY pacing read.
    #[must_use]
    pub fn identify_log(&self) -> Vec<Identify> {
        lock(&self.inner.gateway).identify_log.clone()
    }

    /// The shards whose sessions are connected now, by shard id.
    #[must_use]
    pub fn live_shards(&self) -> Vec<Shard> {
        lock(&self.inner.gateway).live_shards()
    }

    /// Waits until sessions of `shards` (by id) are all connected.
    ///
    /// # Errors
    /// [`Timeout`] if they are not in time.
    pub async fn wait_shards_ready(
        &self,
        shards: &[u32],
        timeout: Duration,
    ) -> Result<(), Timeout> {
        let inner = &self.inner;
        inner
            .changes
            .wait_until("sessions of every shard", timeout, || {
                let live = lock(&inner.gateway).live_shards();
                shards
                    .iter()
                    .all(|id| live.iter().any(|s| s.id == *id))
                    .then_some(())
            })
            .await
    }

    /// Every dispatch sent to the bot so far, across sessions, in order.
    #[must_use]
    pub fn dispatched(&self) -> Vec<Dispatch> {
        lock(&self.inner.gateway).history.clone()
    }

    /// How many heartbeats (op 1) the gateway acknowledged.
    #[must_use]
    pub fn heartbeats(&self) -> usize {
        lock(&self.inner.gateway).heartbeats
    }

    /// How many RESUMEs the gateway accepted.
    #[must_use]
    pub fn resumes(&self) -> usize {
        lock(&self.inner.gateway).resumes
    }

    /// Arms a fault for the requests it matches.
    pub fn inject(&self, fault: Fault) {
        lock(&self.inner.faults).add(fault);
    }

    /// How many 429s, 5xx and delays the armed faults injected so far.
    #[must_use]
    pub fn injected(&self) -> Injected {
        lock(&self.inner.faults).injected
    }

    /// Drops every gateway TCP connection without a close frame; serenity resumes.
    /// Dispatches injected meanwhile are replayed on RESUME. Returns whether a
    /// connection was attached.
    pub fn drop_gateway(&self) -> bool {
        let dropped = lock(&self.inner.gateway).command_live(|| gateway::Command::Drop);
        self.inner.changes.bump();
        dropped
    }

    /// Closes every gateway connection with `code` (1000/4000 resume; 4006/4009
    /// re-identify after ~5 s; 4004/4013/4014 make serenity give up).
    pub fn close_gateway(&self, code: u16) -> bool {
        let closed = lock(&self.inner.gateway).command_live(|| gateway::Command::Close(code));
        self.inner.changes.bump();
        closed
    }
}

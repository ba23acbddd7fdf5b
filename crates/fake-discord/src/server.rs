//! Starting and stopping the fake: the shared state every handler sees, and the
//! listeners (plain HTTP + websocket, and optionally TLS) serving one router.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::serve::ListenerExt;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults::Faults;
use crate::gateway::Gateway;
use crate::ids::{GuildInfo, Ids};
use crate::payloads;
use crate::record::RecordedRequest;
use crate::rest::{self, Buckets};
use crate::state::{StoredMessage, World};
use crate::tls::{Tls, TlsListener};
use fake_support::Changes;

/// Tunables of a fake server.
#[derive(Clone, Debug)]
pub struct Config {
    /// The heartbeat interval HELLO announces, in milliseconds (Discord: 41250).
    pub heartbeat_interval_ms: u64,
    /// Requests per bucket per window reported in `x-ratelimit-*` headers.
    pub rate_limit: u32,
    /// The window of `rate_limit`.
    pub rate_window: Duration,
    /// Enforce Discord's global limit: at most this many REST requests in any
    /// second (DM opens count; interaction callbacks and webhooks do not), the
    /// rest answered with a global 429 and its `retry-after`. Discord's is 50.
    /// `None` (the default): never refuse on its own.
    pub global_per_second: Option<u32>,
    /// Permission bits denied to `@everyone` per channel, as `(channel id,
    /// bits)`: the channel's permission overwrite, in GUILD_CREATE and in
    /// `GET /guilds/{id}/channels`, for preflight checks.
    pub denied: Vec<(u64, u64)>,
    /// Channels served as another type than text, as `(channel id, type)`:
    /// 15 makes a channel a forum (GUILD_FORUM), 16 a media channel, in
    /// GUILD_CREATE and the channel lists. Such a channel takes no plain
    /// message, only posts (`POST /channels/{id}/threads`), as on Discord.
    pub channel_types: Vec<(u64, u8)>,
    /// Also put the bot in a stranger's server ([`crate::StrangerIds`]), listed
    /// in READY, GUILD_CREATE and `GET /users/@me/guilds`. Off by default.
    pub stranger_guild: bool,
    /// Put the bot in this many more guilds (at most 8), each with one text
    /// channel: guild `i` lands on shard `i % total` for any total dividing 8
    /// ([`crate::Ids::extra_guilds`]).
    pub extra_guilds: usize,
    /// The shard count `GET /gateway/bot` recommends. 1 by default.
    pub shards: u32,
    /// `session_start_limit.max_concurrency` of `GET /gateway/bot`: how many
    /// IDENTIFY buckets (`shard % max_concurrency`) there are, each allowing
    /// one IDENTIFY per 5 s. The fake records each IDENTIFY's instant
    /// ([`crate::FakeDiscord::identify_log`]) rather than enforcing it.
    pub max_concurrency: u32,
    /// Close an IDENTIFY whose total is below [`Self::shards`] with 4011
    /// (sharding required), as Discord does when one session would carry too
    /// many guilds. Off by default.
    pub sharding_required: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            heartbeat_interval_ms: 41_250,
            rate_limit: 50,
            rate_window: Duration::from_secs(1),
            global_per_second: None,
            denied: Vec::new(),
            channel_types: Vec::new(),
            stranger_guild: false,
            extra_guilds: 0,
            shards: 1,
            max_concurrency: 1,
            sharding_required: false,
        }
    }
}

/// Aborts the server tasks on drop.
#[derive(Debug)]
pub(crate) struct ServerTask(Vec<JoinHandle<()>>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.iter().for_each(JoinHandle::abort);
    }
}

/// Shared by the handle, the REST handlers and the gateway connections.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) ids: Ids,
    /// The guilds the bot is in, the conference's first.
    pub(crate) guilds: Vec<GuildInfo>,
    pub(crate) config: Config,
    pub(crate) addr: SocketAddr,
    pub(crate) world: Mutex<World>,
    pub(crate) gateway: Mutex<Gateway>,
    pub(crate) log: Mutex<Vec<RecordedRequest>>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) buckets: Mutex<Buckets>,
    pub(crate) changes: Changes,
    pub(crate) next_conn: AtomicU64,
    pub(crate) tls: Option<Tls>,
}

/// Locks a mutex, recovering it if a panicking test thread poisoned it: the
/// fake's state stays usable for the assertions that follow.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Inner {
    fn new(config: Config, addr: SocketAddr, tls: Option<Tls>) -> Self {
        let ids = Ids::default();
        let mut guilds = ids.guilds(config.stranger_guild);
        guilds.extend(ids.extra_guilds(config.extra_guilds));
        for guild in &mut guilds {
            guild.denied = of_guild(guild, &config.denied);
            guild.kinds = of_guild(guild, &config.channel_types);
        }
        Self {
            world: Mutex::new(World::new(ids.clone(), guilds.clone())),
            guilds,
            buckets: Mutex::new(Buckets::new(
                config.rate_limit,
                config.rate_window,
                config.global_per_second,
            )),
            ids,
            config,
            addr,
            gateway: Mutex::new(Gateway::default()),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Faults::default()),
            changes: Changes::new(),
            next_conn: AtomicU64::new(1),
            tls,
        }
    }

    /// A guild the bot is in.
    pub(crate) fn guild(&self, id: u64) -> Option<&GuildInfo> {
        self.guilds.iter().find(|g| g.id == id)
    }

    pub(crate) fn gateway_url(&self) -> String {
        format!("ws://{}/gateway", self.addr)
    }

    /// Appends a finished request to the log and wakes waiters.
    pub(crate) fn record(&self, mut request: RecordedRequest) {
        {
            let mut log = lock(&self.log);
            request.index = log.len();
            log.push(request);
        }
        self.changes.bump();
    }

    /// Sends a dispatch on the gateway and wakes waiters.
    pub(crate) fn dispatch(&self, t: &str, d: &Value) -> Option<u64> {
        let seq = lock(&self.gateway).dispatch(t, d);
        self.changes.bump();
        seq
    }

    /// Dispatches a message event, except for ephemeral messages, which only their
    /// recipient's client ever sees.
    pub(crate) fn dispatch_message(&self, t: &str, message: &StoredMessage) {
        if message.flags & 64 == 0 {
            self.dispatch(t, &payloads::message(message, 0));
        } else {
            self.changes.bump();
        }
    }
}

/// The per-channel settings `(channel, value)` that concern `guild`'s channels.
fn of_guild<T: Copy>(guild: &GuildInfo, settings: &[(u64, T)]) -> Vec<(u64, T)> {
    settings
        .iter()
        .filter(|(channel, _)| guild.channels.iter().any(|(id, _)| id == channel))
        .copied()
        .collect()
}

/// Binds the plain listener (and serves the TLS one, if given) and spawns the
/// servers.
pub(crate) async fn launch(
    config: Config,
    tls: Option<(TlsListener, JoinHandle<()>, Tls)>,
) -> std::io::Result<(Arc<Inner>, Arc<ServerTask>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let (tls_listener, mut tasks, tls) = match tls {
        Some((listener, acceptor, tls)) => (Some(listener), vec![acceptor], Some(tls)),
        None => (None, Vec::new(), None),
    };
    let inner = Arc::new(Inner::new(config, listener.local_addr()?, tls));
    // Without TCP_NODELAY, Nagle plus delayed ACKs add ~40 ms to small frames.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "fake discord: could not set TCP_NODELAY");
        }
    });
    let app = rest::router(Arc::clone(&inner));
    if let Some(tls_listener) = tls_listener {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            if let Err(error) = axum::serve(tls_listener, app).await {
                tracing::error!(%error, "fake discord: tls server stopped");
            }
        }));
    }
    tasks.push(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "fake discord: server stopped");
        }
    }));
    Ok((inner, Arc::new(ServerTask(tasks))))
}

//! Starting and stopping the fake: the tunables, the shared state every handler
//! sees, and the one loopback listener serving the Web API, uploads,
//! `response_url`s and the Socket Mode websocket.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::faults::Faults;
use crate::ids::Ids;
use crate::record::RecordedCall;
use crate::socket::Sockets;
use crate::world::World;
use crate::{api, response_url, socket};
use fake_support::Changes;

/// Uploads up to 1 GB are allowed by Slack; the tests' files are small.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Tunables of a fake server.
#[derive(Clone, Debug)]
pub struct Config {
    /// The bot token (`xoxb-…`) every Web API method but
    /// `apps.connections.open` accepts.
    pub bot_token: String,
    /// The app-level token (`xapp-…`) `apps.connections.open` accepts.
    pub app_token: String,
    /// How long an envelope waits for its ack before it is re-delivered with
    /// `retry_attempt + 1` (Slack: 3 s; tests set it shorter).
    pub ack_timeout: Duration,
    /// How many times an unacked envelope is re-delivered (Slack: 3).
    pub max_redeliveries: u32,
    /// How long after a `disconnect` frame the fake closes that socket if the
    /// client has not (Slack warns about 10 s ahead).
    pub disconnect_grace: Duration,
    /// The fake clock's start, unix seconds; `None`: the wall clock at start.
    /// The clock then stands still until [`crate::FakeSlack::advance`].
    pub start_at: Option<u64>,
    /// The event types the app subscribes to; others are not sent. The bot's
    /// own reactions produce events too, as on Slack.
    pub events: Vec<String>,
    /// Enforce Slack's own rate limits (method tiers, `chat.postMessage` per
    /// channel); see the `api::limits` docs. Off by default.
    pub enforce_rate_limits: bool,
    /// `chat:write.public`: the bot may post in public channels it is not in.
    pub chat_write_public: bool,
    /// Also model a stranger's workspace ([`crate::StrangerIds`]). Off by default.
    pub stranger_workspace: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bot_token: "xoxb-fake-bot-token".to_owned(),
            app_token: "xapp-fake-app-token".to_owned(),
            ack_timeout: Duration::from_secs(3),
            max_redeliveries: 3,
            disconnect_grace: Duration::from_secs(10),
            start_at: None,
            events: vec!["reaction_added".to_owned(), "reaction_removed".to_owned()],
            enforce_rate_limits: false,
            chat_write_public: false,
            stranger_workspace: false,
        }
    }
}

/// Aborts the server task on drop.
#[derive(Debug)]
pub(crate) struct ServerTask(JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Shared by the handle, the HTTP handlers and the websocket connections.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) ids: Ids,
    pub(crate) config: Config,
    pub(crate) addr: SocketAddr,
    pub(crate) world: Mutex<World>,
    pub(crate) sockets: Mutex<Sockets>,
    pub(crate) log: Mutex<Vec<RecordedCall>>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) limits: Mutex<api::Limits>,
    pub(crate) changes: Changes,
}

/// Locks a mutex, recovering it if a panicking test thread poisoned it: the
/// fake's state stays usable for the assertions that follow.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Inner {
    /// `http://127.0.0.1:PORT`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Appends a call to the log and wakes the waiters.
    pub(crate) fn record(&self, mut call: RecordedCall) {
        {
            let mut log = lock(&self.log);
            call.index = log.len();
            log.push(call);
        }
        self.changes.bump();
    }
}

/// Binds the listener and spawns the server.
pub(crate) async fn launch(config: Config) -> std::io::Result<(Arc<Inner>, Arc<ServerTask>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let ids = Ids::default();
    let mut world = World::new(ids.clone(), config.start_at, config.stranger_workspace);
    world.chat_write_public = config.chat_write_public;
    let inner = Arc::new(Inner {
        ids,
        addr: listener.local_addr()?,
        world: Mutex::new(world),
        sockets: Mutex::new(Sockets::default()),
        log: Mutex::new(Vec::new()),
        faults: Mutex::new(Faults::default()),
        limits: Mutex::new(api::Limits::default()),
        changes: Changes::new(),
        config,
    });
    // Without TCP_NODELAY, Nagle plus delayed ACKs add ~40 ms to small frames.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "fake slack: could not set TCP_NODELAY");
        }
    });
    let app = Router::new()
        .route("/api/{method}", any(api::entry))
        .route("/upload/v1/{ticket}", post(api::upload))
        .route("/response/{token}", post(response_url::entry))
        .route("/socket/{ticket}", get(socket::upgrade))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(Arc::clone(&inner));
    let task = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "fake slack: server stopped");
        }
    });
    Ok((inner, Arc::new(ServerTask(task))))
}

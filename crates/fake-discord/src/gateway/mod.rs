//! The websocket gateway at `/gateway`: HELLO, IDENTIFY -> READY + GUILD_CREATE
//! (the guilds of the IDENTIFY's shard only), heartbeats, RESUME with replay,
//! the refusals of a bad shard (4010, 4011), and the drops and closes a test
//! asks for. Text JSON frames only; serenity reads them as they come.

mod session;

pub use session::{shard_of, Dispatch, Identify, Shard};
pub(crate) use session::{Command, Gateway, ShardRules};

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::{lock, payloads, Inner};

/// How long a closed connection waits for the client to hang up.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// Upgrades `GET /gateway?v=10` to a websocket.
pub(crate) async fn upgrade(State(inner): State<Arc<Inner>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| connection(inner, socket))
}

/// Whether the connection loop goes on after handling one event.
enum Flow {
    Continue,
    /// Drop the socket now.
    Drop,
    /// A close frame went out; drain until the client goes.
    Closing,
}

async fn connection(inner: Arc<Inner>, mut socket: WebSocket) {
    let conn_id = inner.next_conn.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hello =
        json!({ "op": 10, "d": { "heartbeat_interval": inner.config.heartbeat_interval_ms } });
    let mut flow = match socket.send(Message::Text(hello.to_string().into())).await {
        Ok(()) => Flow::Continue,
        Err(_) => Flow::Drop,
    };
    while matches!(flow, Flow::Continue) {
        flow = tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(message)) => on_frame(&inner, conn_id, &tx, message),
                _ => Flow::Drop,
            },
            Some(command) = rx.recv() => run(&mut socket, command).await,
        };
    }
    lock(&inner.gateway).disconnected(conn_id);
    inner.changes.bump();
    if matches!(flow, Flow::Closing) {
        // Keep reading after our close: serenity may still send its own close.
        let drain = async { while let Some(Ok(_)) = socket.recv().await {} };
        let _ = tokio::time::timeout(CLOSE_GRACE, drain).await;
    }
}

/// Carries out a command from the fake on the socket.
async fn run(socket: &mut WebSocket, command: Command) -> Flow {
    match command {
        Command::Send(frame) => match socket.send(Message::Text(frame.into())).await {
            Ok(()) => Flow::Continue,
            Err(_) => Flow::Drop,
        },
        Command::Drop => Flow::Drop,
        Command::Close(code) => {
            let frame = CloseFrame {
                code,
                reason: "fake-discord close".into(),
            };
            let _ = socket.send(Message::Close(Some(frame))).await;
            Flow::Closing
        }
    }
}

/// Handles one frame from the client. Answers go through `tx` so they stay in
/// order with dispatches the fake injects concurrently.
fn on_frame(
    inner: &Inner,
    conn_id: u64,
    tx: &mpsc::UnboundedSender<Command>,
    message: Message,
) -> Flow {
    let text = match message {
        Message::Text(text) => text,
        Message::Close(_) => return Flow::Closing,
        _ => return Flow::Continue,
    };
    let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else {
        tracing::warn!("fake gateway: undecodable frame");
        let _ = tx.send(Command::Close(4002));
        return Flow::Continue;
    };
    let d = frame.get("d").cloned().unwrap_or(Value::Null);
    match frame.get("op").and_then(Value::as_u64) {
        Some(1) => {
            lock(&inner.gateway).heartbeats += 1;
            send(tx, json!({ "op": 11 }));
            inner.changes.bump();
        }
        Some(2) => identify(inner, conn_id, tx, d),
        Some(6) => resume(inner, conn_id, tx, &d),
        Some(3 | 4 | 8) => {}
        other => tracing::warn!(?other, "fake gateway: unhandled opcode"),
    }
    Flow::Continue
}

fn send(tx: &mpsc::UnboundedSender<Command>, value: Value) {
    let _ = tx.send(Command::Send(value.to_string()));
}

fn identify(inner: &Inner, conn_id: u64, tx: &mpsc::UnboundedSender<Command>, d: Value) {
    let bot = lock(&inner.world).bot();
    let joined_at = crate::time::now_iso();
    let rules = ShardRules {
        shards: inner.config.shards,
        required: inner.config.sharding_required,
    };
    {
        let mut gateway = lock(&inner.gateway);
        match gateway.identify(conn_id, tx.clone(), d, rules) {
            Ok((session_id, shard)) => {
                let guilds: Vec<_> = inner
                    .guilds
                    .iter()
                    .filter(|g| shard.carries(Some(g.id)))
                    .collect();
                let ready = payloads::ready(
                    &inner.ids,
                    &guilds,
                    shard,
                    &bot,
                    &session_id,
                    &inner.gateway_url(),
                );
                gateway.dispatch_on(&session_id, "READY", &ready);
                for guild in guilds {
                    let created = payloads::guild_create(guild, &bot, &joined_at);
                    gateway.dispatch_on(&session_id, "GUILD_CREATE", &created);
                }
            }
            Err(code) => {
                let _ = tx.send(Command::Close(code));
            }
        }
    }
    inner.changes.bump();
}

fn resume(inner: &Inner, conn_id: u64, tx: &mpsc::UnboundedSender<Command>, d: &Value) {
    let session_id = d
        .get("session_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let seq = d.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let resumed = lock(&inner.gateway).resume(conn_id, tx.clone(), session_id, seq);
    if !resumed {
        // Not resumable: serenity waits and IDENTIFYs afresh.
        send(tx, json!({ "op": 9, "d": false }));
    }
    inner.changes.bump();
}

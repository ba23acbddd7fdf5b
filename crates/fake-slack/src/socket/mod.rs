//! Socket Mode: `apps.connections.open` hands out a one-time `ws://` URL; a
//! connection gets `hello`, then envelopes (each to one open connection, round
//! robin), and answers each with an ack. The fake records every delivery and
//! ack, re-delivers what is not acked in time, and on a test's word sends
//! `disconnect` frames or drops a connection without a close frame.

mod envelopes;

pub(crate) use envelopes::{enqueue, send_event};
pub use envelopes::{Ack, Delivery, Envelope, EnvelopeKind};

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::sync::mpsc::{self, UnboundedSender};

use crate::{lock, Inner};

/// What the fake tells a connection task to do.
#[derive(Debug)]
pub(crate) enum Command {
    /// Send this text frame.
    Send(String),
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Send a close frame and hang up.
    Close,
}

/// An open connection's handle.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) id: u64,
    pub(crate) tx: UnboundedSender<Command>,
    /// Told to disconnect: it gets no more envelopes.
    pub(crate) closing: bool,
}

/// Socket Mode's state: tickets, connections and every envelope with its
/// deliveries and acks.
#[derive(Debug, Default)]
pub(crate) struct Sockets {
    tickets: HashSet<String>,
    issued: u64,
    next_conn: u64,
    pub(crate) conns: Vec<Conn>,
    rr: usize,
    pub(crate) envelopes: Vec<Envelope>,
    /// Position in `envelopes` by envelope id.
    index: HashMap<String, usize>,
    pub(crate) pending: VecDeque<String>,
    pub(crate) deliveries: Vec<Delivery>,
    /// Position in `deliveries` of each envelope's latest sending.
    latest: HashMap<String, usize>,
    pub(crate) acks: Vec<Ack>,
    /// Connections opened so far.
    pub(crate) connects: usize,
}

impl Sockets {
    /// A ticket for one connection, the last segment of its URL.
    pub(crate) fn issue_ticket(&mut self) -> String {
        self.issued += 1;
        let ticket = format!("ticket-{:04}", self.issued);
        self.tickets.insert(ticket.clone());
        ticket
    }

    /// Tells connection `id` (or all, with `None`) to do `command`; returns how
    /// many were told. Dropped connections stop receiving envelopes at once.
    pub(crate) fn command(&mut self, id: Option<u64>, command: impl Fn() -> Command) -> usize {
        let targets: Vec<&Conn> = self
            .conns
            .iter()
            .filter(|c| id.is_none_or(|id| c.id == id))
            .collect();
        let told = targets
            .iter()
            .filter(|c| c.tx.send(command()).is_ok())
            .count();
        told
    }

    pub(crate) fn add_envelope(&mut self, envelope: Envelope) {
        self.index
            .insert(envelope.envelope_id.clone(), self.envelopes.len());
        self.envelopes.push(envelope);
    }

    pub(crate) fn envelope(&self, id: &str) -> Option<&Envelope> {
        self.envelopes.get(*self.index.get(id)?)
    }

    pub(crate) fn envelope_mut(&mut self, id: &str) -> Option<&mut Envelope> {
        self.envelopes.get_mut(*self.index.get(id)?)
    }

    pub(crate) fn add_delivery(&mut self, delivery: Delivery) {
        self.latest
            .insert(delivery.envelope_id.clone(), self.deliveries.len());
        self.deliveries.push(delivery);
    }

    /// The latest sending of an envelope.
    pub(crate) fn last_delivery(&self, id: &str) -> Option<&Delivery> {
        self.deliveries.get(*self.latest.get(id)?)
    }

    fn remove(&mut self, id: u64) {
        self.conns.retain(|c| c.id != id);
    }
}

/// `GET /socket/{ticket}`: a ticket is good for one connection.
pub(crate) async fn upgrade(
    State(inner): State<Arc<Inner>>,
    Path(ticket): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    if !lock(&inner.sockets).tickets.remove(&ticket) {
        return (StatusCode::UNAUTHORIZED, "invalid or used Socket Mode URL").into_response();
    }
    ws.on_upgrade(move |socket| connection(inner, socket))
}

async fn connection(inner: Arc<Inner>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = {
        let mut sockets = lock(&inner.sockets);
        sockets.next_conn += 1;
        sockets.connects += 1;
        let id = sockets.next_conn;
        let hello = json!({
            "type": "hello",
            "num_connections": sockets.conns.len() + 1,
            "debug_info": { "host": "applink-fake-slack", "build_number": 1, "approximate_connection_time": 18060 },
            "connection_info": { "app_id": inner.ids.app_id },
        });
        // The hello goes first: it is queued before the connection can get envelopes.
        let _ = tx.send(Command::Send(hello.to_string()));
        sockets.conns.push(Conn {
            id,
            tx,
            closing: false,
        });
        id
    };
    envelopes::flush(&inner);
    inner.changes.bump();
    loop {
        let go_on = tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    on_frame(&inner, id, text.as_str());
                    true
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => false,
                Some(Ok(_)) => true,
            },
            command = rx.recv() => match command {
                Some(Command::Send(frame)) => {
                    tracing::trace!(conn = id, frame, "fake slack: frame out");
                    socket.send(Message::Text(frame.into())).await.is_ok()
                }
                Some(Command::Close) => {
                    let _ = socket.send(Message::Close(None)).await;
                    false
                }
                Some(Command::Drop) | None => false,
            },
        };
        if !go_on {
            break;
        }
    }
    tracing::debug!(conn = id, "fake slack: a Socket Mode connection ended");
    lock(&inner.sockets).remove(id);
    inner.changes.bump();
}

/// A frame from the client: an ack (`{"envelope_id", "payload"?}`) or noise.
fn on_frame(inner: &Arc<Inner>, conn: u64, text: &str) {
    tracing::trace!(conn, text, "fake slack: frame in");
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        tracing::warn!("fake slack: undecodable Socket Mode frame");
        return;
    };
    match frame.get("envelope_id").and_then(Value::as_str) {
        Some(id) => envelopes::acked(
            inner,
            conn,
            id,
            frame.get("payload").cloned(),
            Instant::now(),
        ),
        None => tracing::warn!(%frame, "fake slack: a frame without envelope_id"),
    }
}

/// The `disconnect` frame Slack sends before it closes a connection.
pub(crate) fn disconnect_frame(reason: &str) -> String {
    json!({
        "type": "disconnect",
        "reason": reason,
        "debug_info": { "host": "applink-fake-slack" },
    })
    .to_string()
}

impl crate::FakeSlack {
    /// Drops every Socket Mode connection without a close frame; returns how
    /// many there were. Unacked envelopes are re-delivered when their ack
    /// timeout passes.
    pub fn drop_sockets(&self) -> usize {
        self.drop_socket(None)
    }

    /// Drops connection `id` (or all, with `None`) without a close frame.
    pub fn drop_socket(&self, id: Option<u64>) -> usize {
        let dropped = {
            let mut sockets = lock(&self.inner.sockets);
            let dropped = sockets.command(id, || Command::Drop);
            sockets.conns.retain(|c| id.is_some_and(|id| c.id != id));
            dropped
        };
        self.inner.changes.bump();
        dropped
    }

    /// Sends a `disconnect` frame with `reason` (`refresh_requested`,
    /// `warning`, `link_disabled`) to every connection, sends them no more
    /// envelopes (those wait for a new connection), and closes each after
    /// [`crate::Config::disconnect_grace`] if the client has not; returns how
    /// many were told.
    pub fn disconnect(&self, reason: &str) -> usize {
        let frame = disconnect_frame(reason);
        let (told, ids) = {
            let mut sockets = lock(&self.inner.sockets);
            let told = sockets.command(None, || Command::Send(frame.clone()));
            for conn in &mut sockets.conns {
                conn.closing = true;
            }
            (
                told,
                sockets.conns.iter().map(|c| c.id).collect::<Vec<u64>>(),
            )
        };
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            tokio::time::sleep(inner.config.disconnect_grace).await;
            let mut sockets = lock(&inner.sockets);
            for id in ids {
                sockets.command(Some(id), || Command::Close);
            }
        });
        told
    }
}

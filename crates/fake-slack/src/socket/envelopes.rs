//! Envelopes: delivery to one connection (round robin), the ack timer that
//! re-delivers an unacked envelope with `retry_attempt + 1` (to another
//! connection when there is one), and what an ack records. A slash command's
//! ack may carry the reply, which the user then sees, as on Slack.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::Command;
use crate::world::{content_of, Origin};
use crate::{lock, Inner};

/// The three kinds of envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// `events_api`: reactions, messages, …
    EventsApi,
    /// `slash_commands`.
    SlashCommands,
    /// `interactive`: button clicks, view submissions.
    Interactive,
}

impl EnvelopeKind {
    /// The envelope's `type`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EventsApi => "events_api",
            Self::SlashCommands => "slash_commands",
            Self::Interactive => "interactive",
        }
    }
}

/// An envelope the fake sent (or holds until a connection opens).
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// Its id, which the ack names.
    pub envelope_id: String,
    /// What it carries.
    pub kind: EnvelopeKind,
    /// The payload (a command, an interaction, an event callback).
    pub payload: Value,
    /// Whether the ack may carry a reply (slash commands and some interactions).
    pub accepts_response_payload: bool,
    /// 0 on the first delivery, then 1, 2, … per re-delivery.
    pub retry_attempt: u32,
    /// Whether an ack arrived (and was not lost to [`crate::Fault::DropAcks`]).
    pub acked: bool,
}

/// One sending of an envelope on a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The envelope.
    pub envelope_id: String,
    /// Its `retry_attempt` on this sending.
    pub retry_attempt: u32,
    /// The connection it went to.
    pub connection: u64,
    /// When it was sent.
    pub sent_at: Instant,
}

/// An ack the fake received.
#[derive(Clone, Debug, PartialEq)]
pub struct Ack {
    /// The envelope it names.
    pub envelope_id: String,
    /// Its `payload`, if any (a slash command's reply).
    pub payload: Option<Value>,
    /// The connection it came on.
    pub connection: u64,
    /// The `retry_attempt` of the delivery it answers (the latest).
    pub retry_attempt: u32,
    /// From that delivery's sending to this ack.
    pub latency: Duration,
    /// When it arrived.
    pub received_at: Instant,
    /// The envelope had been acked already.
    pub duplicate: bool,
    /// Lost on purpose ([`crate::Fault::DropAcks`]): it counts for nothing.
    pub dropped: bool,
    /// No such envelope was ever sent.
    pub unknown: bool,
}

/// Registers an envelope and delivers it; returns its id.
pub(crate) fn enqueue(
    inner: &Arc<Inner>,
    kind: EnvelopeKind,
    payload: Value,
    accepts_response_payload: bool,
) -> String {
    let envelope_id = lock(&inner.world).mint.uuid();
    lock(&inner.sockets).add_envelope(Envelope {
        envelope_id: envelope_id.clone(),
        kind,
        payload,
        accepts_response_payload,
        retry_attempt: 0,
        acked: false,
    });
    deliver(inner, &envelope_id, None);
    envelope_id
}

/// Wraps an `event` in an event callback from `team_id` and delivers it, if
/// the app subscribes to its type and the bot is in the event's channel;
/// returns `(envelope_id, event_id)`.
pub(crate) fn send_event(
    inner: &Arc<Inner>,
    team_id: &str,
    event: Value,
) -> Option<(String, String)> {
    let kind = event
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !inner.config.events.iter().any(|e| e == kind) {
        return None;
    }
    let channel = event
        .get("channel")
        .or_else(|| event.get("item").and_then(|i| i.get("channel")))
        .and_then(Value::as_str);
    let (event_id, event_time) = {
        let mut world = lock(&inner.world);
        // Slack sends channel events only from channels the bot is in.
        let bot = world.bot_user().to_owned();
        let outside = channel
            .and_then(|c| world.channels.get(c))
            .is_some_and(|c| !c.has_member(&bot));
        if outside {
            return None;
        }
        (world.mint.id("Ev"), world.clock.now())
    };
    let payload = json!({
        "token": "fake-verification-token",
        "team_id": team_id,
        "api_app_id": inner.ids.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [{
            "team_id": team_id,
            "user_id": inner.ids.bot_user_id,
            "is_bot": true,
            "is_enterprise_install": false,
        }],
        "is_ext_shared_channel": false,
        "event_context": format!("4-{event_id}"),
    });
    let envelope_id = enqueue(inner, EnvelopeKind::EventsApi, payload, false);
    Some((envelope_id, event_id))
}

/// Sends the envelope to an open connection other than `avoid` (if there is
/// another), or holds it until one opens; starts its ack timer.
pub(crate) fn deliver(inner: &Arc<Inner>, envelope_id: &str, avoid: Option<u64>) {
    let sent = {
        let mut sockets = lock(&inner.sockets);
        let Some(envelope) = sockets.envelope(envelope_id) else {
            return;
        };
        let frame = json!({
            "envelope_id": envelope.envelope_id,
            "type": envelope.kind.as_str(),
            "payload": envelope.payload,
            "accepts_response_payload": envelope.accepts_response_payload,
            "retry_attempt": envelope.retry_attempt,
            "retry_reason": if envelope.retry_attempt == 0 { "" } else { "timeout" },
        })
        .to_string();
        let attempt = envelope.retry_attempt;
        let open = |c: &&super::Conn| !c.closing && !c.tx.is_closed();
        let others = sockets
            .conns
            .iter()
            .filter(open)
            .filter(|c| Some(c.id) != avoid)
            .count();
        let live: Vec<u64> = sockets
            .conns
            .iter()
            .filter(open)
            .filter(|c| others == 0 || Some(c.id) != avoid)
            .map(|c| c.id)
            .collect();
        if live.is_empty() {
            sockets.pending.push_back(envelope_id.to_owned());
            None
        } else {
            let conn = live[sockets.rr % live.len()];
            sockets.rr += 1;
            sockets.command(Some(conn), || Command::Send(frame.clone()));
            sockets.add_delivery(Delivery {
                envelope_id: envelope_id.to_owned(),
                retry_attempt: attempt,
                connection: conn,
                sent_at: Instant::now(),
            });
            Some(attempt)
        }
    };
    inner.changes.bump();
    if let Some(attempt) = sent {
        let inner = Arc::clone(inner);
        let envelope_id = envelope_id.to_owned();
        tokio::spawn(async move { ack_timer(inner, envelope_id, attempt).await });
    }
}

/// Re-delivers the envelope if it is still unacked after the ack timeout.
async fn ack_timer(inner: Arc<Inner>, envelope_id: String, attempt: u32) {
    tokio::time::sleep(inner.config.ack_timeout).await;
    let last_conn = {
        let mut sockets = lock(&inner.sockets);
        let last_conn = sockets.last_delivery(&envelope_id).map(|d| d.connection);
        let max = inner.config.max_redeliveries;
        let Some(envelope) = sockets.envelope_mut(&envelope_id) else {
            return;
        };
        if envelope.acked || envelope.retry_attempt != attempt || attempt >= max {
            return;
        }
        envelope.retry_attempt += 1;
        last_conn
    };
    deliver(&inner, &envelope_id, last_conn);
}

/// Delivers what waited for a connection.
pub(crate) fn flush(inner: &Arc<Inner>) {
    let waiting: Vec<String> = lock(&inner.sockets).pending.drain(..).collect();
    for envelope_id in waiting {
        deliver(inner, &envelope_id, None);
    }
}

/// Records an ack. A slash command's reply in it is shown to the user; a
/// modal submission's `response_action` decides whether the modal closes.
pub(crate) fn acked(
    inner: &Arc<Inner>,
    conn: u64,
    envelope_id: &str,
    payload: Option<Value>,
    at: Instant,
) {
    let dropped = lock(&inner.faults).drop_ack();
    let reply = {
        let mut sockets = lock(&inner.sockets);
        let sent = sockets
            .last_delivery(envelope_id)
            .map(|d| (d.sent_at, d.retry_attempt));
        let envelope = sockets.envelope_mut(envelope_id);
        let unknown = envelope.is_none();
        let (duplicate, reply) = match envelope {
            Some(envelope) => {
                let duplicate = envelope.acked;
                envelope.acked |= !dropped;
                let first = !duplicate && !dropped;
                (
                    duplicate,
                    first.then(|| (envelope.kind, envelope.payload.clone())),
                )
            }
            None => (false, None),
        };
        let (sent_at, retry_attempt) = sent.unwrap_or((at, 0));
        sockets.acks.push(Ack {
            envelope_id: envelope_id.to_owned(),
            payload: payload.clone(),
            connection: conn,
            retry_attempt,
            latency: at.saturating_duration_since(sent_at),
            received_at: at,
            duplicate,
            dropped,
            unknown,
        });
        reply
    };
    match reply {
        Some((EnvelopeKind::SlashCommands, command)) => {
            if let Some(payload) = &payload {
                show_command_reply(inner, envelope_id, &command, payload);
            }
        }
        Some((EnvelopeKind::Interactive, interaction))
            if interaction.get("type").and_then(Value::as_str) == Some("view_submission") =>
        {
            let view_id = interaction["view"]["id"].as_str().unwrap_or_default();
            lock(&inner.world).submitted(view_id, payload.as_ref());
        }
        _ => {}
    }
    inner.changes.bump();
}

/// A slash command's reply from its ack: in the channel with
/// `response_type: in_channel`, else privately to the user.
fn show_command_reply(inner: &Inner, envelope_id: &str, command: &Value, reply: &Value) {
    let content = content_of(reply);
    if content.text.is_none() && content.blocks.is_none() {
        return;
    }
    let field = |key: &str| {
        command
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (channel, user) = (field("channel_id"), field("user_id"));
    let mut world = lock(&inner.world);
    if reply.get("response_type").and_then(Value::as_str) == Some("in_channel") {
        let bot = world.bot_user().to_owned();
        if let Err(error) = world.add_message(&channel, &bot, content, None) {
            tracing::warn!(%error, "fake slack: could not show a command's reply");
        }
        return;
    }
    world.add_ephemeral(
        &channel,
        &user,
        content,
        None,
        Origin::Ack(envelope_id.to_owned()),
    );
}

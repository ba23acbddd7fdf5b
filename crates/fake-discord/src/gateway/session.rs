//! Gateway sessions: sequence numbers, the log of dispatches a RESUME replays, and
//! which websocket connection (if any) currently carries the session.

use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedSender;

/// What the fake tells a connection task to do.
#[derive(Debug)]
pub(crate) enum Command {
    /// Send this text frame.
    Send(String),
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Send a close frame with this code, then wait for the client to go.
    Close(u16),
}

/// A websocket connection's handle.
#[derive(Debug)]
struct Live {
    conn_id: u64,
    tx: UnboundedSender<Command>,
}

/// One IDENTIFY'd session.
#[derive(Debug)]
struct Session {
    id: String,
    seq: u64,
    /// Every dispatch sent in this session with its sequence number, for RESUME.
    log: Vec<(u64, String)>,
    live: Option<Live>,
    /// The intents from IDENTIFY: Discord sends only the events they cover.
    intents: u64,
}

/// Sessions and connections of the fake gateway. Only the latest IDENTIFY'd
/// session receives dispatches; emcee runs one shard.
#[derive(Debug, Default)]
pub(crate) struct Gateway {
    session: Option<Session>,
    sessions_started: u64,
    /// IDENTIFY payloads (`d`), in order.
    pub(crate) identifies: Vec<Value>,
    /// RESUMEs that were accepted.
    pub(crate) resumes: usize,
    /// Heartbeats acknowledged.
    pub(crate) heartbeats: usize,
    /// Dispatches injected while no session existed (lost, as on Discord).
    pub(crate) dropped_dispatches: usize,
    /// Every dispatch sent, across sessions, in order (RESUME replays excluded).
    pub(crate) history: Vec<Dispatch>,
}

/// A dispatch (op 0) the fake sent to the bot.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatch {
    /// The event name (`t`), e.g. `MESSAGE_CREATE`.
    pub event: String,
    /// The sequence number (`s`) within its session.
    pub seq: u64,
    /// The event body (`d`).
    pub data: Value,
}

/// A dispatch frame: op 0 with event name and sequence number.
fn dispatch_frame(t: &str, seq: u64, d: &Value) -> String {
    json!({ "op": 0, "t": t, "s": seq, "d": d }).to_string()
}

impl Gateway {
    /// Starts a fresh session carried by `conn_id`; returns its id.
    pub(crate) fn identify(
        &mut self,
        conn_id: u64,
        tx: UnboundedSender<Command>,
        d: Value,
    ) -> String {
        self.sessions_started += 1;
        let intents = d.get("intents").and_then(Value::as_u64).unwrap_or(0);
        self.identifies.push(d);
        let id = format!("fake-session-{}", self.sessions_started);
        self.unbind_current();
        self.session = Some(Session {
            id: id.clone(),
            seq: 0,
            log: Vec::new(),
            live: Some(Live { conn_id, tx }),
            intents,
        });
        id
    }

    /// Re-attaches the session to `conn_id`, replays what came after `seq` and sends
    /// RESUMED. `false` if the session is unknown (the caller sends op 9).
    pub(crate) fn resume(
        &mut self,
        conn_id: u64,
        tx: UnboundedSender<Command>,
        session_id: &str,
        seq: u64,
    ) -> bool {
        let Some(session) = self.session.as_mut().filter(|s| s.id == session_id) else {
            return false;
        };
        for (_, frame) in session.log.iter().filter(|(s, _)| *s > seq) {
            let _ = tx.send(Command::Send(frame.clone()));
        }
        // RESUMED takes a sequence number but is not replayed by a later RESUME.
        session.seq += 1;
        let _ = tx.send(Command::Send(dispatch_frame(
            "RESUMED",
            session.seq,
            &json!({}),
        )));
        let resumed = Dispatch {
            event: "RESUMED".to_owned(),
            seq: session.seq,
            data: json!({}),
        };
        if let Some(old) = session.live.replace(Live { conn_id, tx }) {
            let _ = old.tx.send(Command::Drop);
        }
        self.resumes += 1;
        self.history.push(resumed);
        true
    }

    /// Sends a dispatch on the current session, logging it for RESUME. With no
    /// connection attached it is only logged and goes out on RESUME.
    /// Events the session's intents do not cover are not sent (`None`).
    pub(crate) fn dispatch(&mut self, t: &str, d: &Value) -> Option<u64> {
        let Some(session) = self.session.as_mut() else {
            self.dropped_dispatches += 1;
            tracing::warn!(event = t, "fake gateway: dispatch with no session; dropped");
            return None;
        };
        if let Some(intent) = required_intent(t, d) {
            if session.intents & intent == 0 {
                tracing::debug!(
                    event = t,
                    "fake gateway: not covered by the intents; not sent"
                );
                return None;
            }
        }
        session.seq += 1;
        let frame = dispatch_frame(t, session.seq, d);
        session.log.push((session.seq, frame.clone()));
        if let Some(live) = &session.live {
            let _ = live.tx.send(Command::Send(frame));
        }
        self.history.push(Dispatch {
            event: t.to_owned(),
            seq: session.seq,
            data: d.clone(),
        });
        Some(session.seq)
    }

    /// The intents of the current session (0 before IDENTIFY).
    pub(crate) fn intents(&self) -> u64 {
        self.session.as_ref().map_or(0, |s| s.intents)
    }

    /// Whether a connection currently carries an IDENTIFY'd or resumed session.
    pub(crate) fn is_ready(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.live.is_some())
    }

    /// Tells the current connection to do `command`, detaching it from the session
    /// so later dispatches wait for the RESUME.
    pub(crate) fn command_live(&mut self, command: Command) -> bool {
        let live = self.session.as_mut().and_then(|s| s.live.take());
        live.is_some_and(|live| live.tx.send(command).is_ok())
    }

    /// Forgets `conn_id` as the carrier of the session (it closed).
    pub(crate) fn disconnected(&mut self, conn_id: u64) {
        if let Some(session) = self.session.as_mut() {
            if session.live.as_ref().is_some_and(|l| l.conn_id == conn_id) {
                session.live = None;
            }
        }
    }

    /// Detaches the old session's connection without telling it: a client that
    /// re-IDENTIFYs has already given that connection up.
    fn unbind_current(&mut self) {
        if let Some(session) = self.session.as_mut() {
            session.live = None;
        }
    }
}

/// The gateway intent an event needs, by event name and guild or DM origin.
fn required_intent(t: &str, d: &Value) -> Option<u64> {
    let in_guild = d.get("guild_id").is_some_and(|g| !g.is_null());
    let (guild, direct) = match t {
        "GUILD_CREATE" => return Some(1 << 0),
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" | "MESSAGE_DELETE" => (1 << 9, 1 << 12),
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => (1 << 10, 1 << 13),
        _ => return None,
    };
    Some(if in_guild { guild } else { direct })
}

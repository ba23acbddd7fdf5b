//! Gateway sessions: one per shard, each with its sequence numbers, the log of
//! dispatches a RESUME replays, and the websocket connection (if any) that
//! currently carries it. A guild's events go to the session of its shard,
//! `(guild_id >> 22) % total`, and DMs to shard 0's, as on Discord.

use std::time::Instant;

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
    /// `[shard, total]` from IDENTIFY.
    shard: Shard,
    seq: u64,
    /// Every dispatch sent in this session with its sequence number, for RESUME.
    log: Vec<(u64, String)>,
    live: Option<Live>,
    /// The intents from IDENTIFY: Discord sends only the events they cover.
    intents: u64,
}

/// A shard as IDENTIFY names it: `[id, total]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// The shard's number, from 0.
    pub id: u32,
    /// How many shards the client says there are.
    pub total: u32,
}

impl Shard {
    /// Whether this shard carries the events of `guild` (`None`: a DM, shard 0's).
    #[must_use]
    pub fn carries(&self, guild: Option<u64>) -> bool {
        match guild {
            Some(guild) => shard_of(guild, self.total) == self.id,
            None => self.id == 0,
        }
    }
}

/// The shard that carries `guild` among `total`: `(guild_id >> 22) % total`.
#[must_use]
pub fn shard_of(guild: u64, total: u32) -> u32 {
    let total = u64::from(total.max(1));
    // The remainder is below `total`, itself a u32.
    u32::try_from((guild >> 22) % total).unwrap_or(0)
}

/// One IDENTIFY as the fake received it, for checks of sharding and pacing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identify {
    /// The shard it named (`[0, 1]` when it named none).
    pub shard: Shard,
    /// When it arrived.
    pub at: Instant,
    /// The close code it was refused with (4010 invalid shard, 4011 sharding
    /// required), if it was.
    pub refused: Option<u16>,
}

/// What the gateway requires of an IDENTIFY's shard.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ShardRules {
    /// The shard count `GET /gateway/bot` recommends.
    pub(crate) shards: u32,
    /// Refuse totals below `shards` with 4011.
    pub(crate) required: bool,
}

/// Sessions and connections of the fake gateway: at most one session per
/// shard number; a new IDENTIFY of a shard replaces its old session.
#[derive(Debug, Default)]
pub(crate) struct Gateway {
    sessions: Vec<Session>,
    sessions_started: u64,
    /// IDENTIFY payloads (`d`), in order.
    pub(crate) identifies: Vec<Value>,
    /// Each IDENTIFY's shard, instant and refusal, in order.
    pub(crate) identify_log: Vec<Identify>,
    /// RESUMEs that were accepted.
    pub(crate) resumes: usize,
    /// Heartbeats acknowledged.
    pub(crate) heartbeats: usize,
    /// Dispatches injected while no session carried them (lost, as on Discord).
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
    /// The shard whose session carried it.
    pub shard: u32,
}

/// A dispatch frame: op 0 with event name and sequence number.
fn dispatch_frame(t: &str, seq: u64, d: &Value) -> String {
    json!({ "op": 0, "t": t, "s": seq, "d": d }).to_string()
}

/// The shard an IDENTIFY names: `[0, 1]` when it names none.
fn shard_in(d: &Value) -> Shard {
    let part = |i: usize| {
        d.get("shard")
            .and_then(|s| s.get(i))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    match (part(0), part(1)) {
        (Some(id), Some(total)) => Shard { id, total },
        _ => Shard { id: 0, total: 1 },
    }
}

impl Gateway {
    /// Starts a fresh session for the shard IDENTIFY names, carried by
    /// `conn_id`; returns its id and shard. `Err(code)` when the shard is
    /// refused: 4010 for an id not below the total, 4011 for a total below
    /// the required count.
    pub(crate) fn identify(
        &mut self,
        conn_id: u64,
        tx: UnboundedSender<Command>,
        d: Value,
        rules: ShardRules,
    ) -> Result<(String, Shard), u16> {
        let shard = shard_in(&d);
        let refused = if shard.total == 0 || shard.id >= shard.total {
            Some(4010)
        } else if rules.required && shard.total < rules.shards {
            Some(4011)
        } else {
            None
        };
        let intents = d.get("intents").and_then(Value::as_u64).unwrap_or(0);
        self.identifies.push(d);
        self.identify_log.push(Identify {
            shard,
            at: Instant::now(),
            refused,
        });
        if let Some(code) = refused {
            return Err(code);
        }
        self.sessions_started += 1;
        let id = format!("fake-session-{}", self.sessions_started);
        // A client that re-IDENTIFYs a shard has given its old connection up.
        self.sessions.retain(|s| s.shard.id != shard.id);
        self.sessions.push(Session {
            id: id.clone(),
            shard,
            seq: 0,
            log: Vec::new(),
            live: Some(Live { conn_id, tx }),
            intents,
        });
        Ok((id, shard))
    }

    /// Re-attaches a session to `conn_id`, replays what came after `seq` and sends
    /// RESUMED. `false` if the session is unknown (the caller sends op 9).
    pub(crate) fn resume(
        &mut self,
        conn_id: u64,
        tx: UnboundedSender<Command>,
        session_id: &str,
        seq: u64,
    ) -> bool {
        let Some(session) = self.sessions.iter_mut().find(|s| s.id == session_id) else {
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
            shard: session.shard.id,
        };
        if let Some(old) = session.live.replace(Live { conn_id, tx }) {
            let _ = old.tx.send(Command::Drop);
        }
        self.resumes += 1;
        self.history.push(resumed);
        true
    }

    /// Sends a dispatch on the session of the shard that carries it (the
    /// guild's, or shard 0's for a DM), logging it for RESUME. With no
    /// connection attached it is only logged and goes out on RESUME. Events
    /// the session's intents do not cover are not sent. Returns the sequence
    /// number it got, `None` when no session took it.
    pub(crate) fn dispatch(&mut self, t: &str, d: &Value) -> Option<u64> {
        let guild = guild_of(t, d);
        let targets: Vec<String> = self
            .sessions
            .iter()
            .filter(|s| s.shard.carries(guild))
            .map(|s| s.id.clone())
            .collect();
        if targets.is_empty() {
            self.dropped_dispatches += 1;
            tracing::warn!(
                event = t,
                "fake gateway: no session carries this dispatch; dropped"
            );
            return None;
        }
        targets
            .iter()
            .filter_map(|id| self.dispatch_on(id, t, d))
            .min()
    }

    /// Sends a dispatch on session `session_id` only (READY and the guilds
    /// of a new session).
    pub(crate) fn dispatch_on(&mut self, session_id: &str, t: &str, d: &Value) -> Option<u64> {
        let session = self.sessions.iter_mut().find(|s| s.id == session_id)?;
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
            shard: session.shard.id,
        });
        Some(session.seq)
    }

    /// The intents of the sessions, combined (0 before IDENTIFY).
    pub(crate) fn intents(&self) -> u64 {
        self.sessions.iter().fold(0, |all, s| all | s.intents)
    }

    /// Whether a connection currently carries an IDENTIFY'd or resumed session.
    pub(crate) fn is_ready(&self) -> bool {
        self.sessions.iter().any(|s| s.live.is_some())
    }

    /// The shards whose sessions a connection currently carries, by id.
    pub(crate) fn live_shards(&self) -> Vec<Shard> {
        let mut shards: Vec<Shard> = self
            .sessions
            .iter()
            .filter(|s| s.live.is_some())
            .map(|s| s.shard)
            .collect();
        shards.sort_by_key(|s| s.id);
        shards
    }

    /// Tells every carrying connection to do `command`, detaching it from its
    /// session so later dispatches wait for the RESUME.
    pub(crate) fn command_live(&mut self, command: impl Fn() -> Command) -> bool {
        let mut told = false;
        for session in &mut self.sessions {
            if let Some(live) = session.live.take() {
                told |= live.tx.send(command()).is_ok();
            }
        }
        told
    }

    /// Forgets `conn_id` as the carrier of its session (it closed).
    pub(crate) fn disconnected(&mut self, conn_id: u64) {
        for session in &mut self.sessions {
            if session.live.as_ref().is_some_and(|l| l.conn_id == conn_id) {
                session.live = None;
            }
        }
    }
}

/// The guild a dispatch belongs to; `None` for a DM (or an event of no guild).
fn guild_of(t: &str, d: &Value) -> Option<u64> {
    let field = if t == "GUILD_CREATE" {
        "id"
    } else {
        "guild_id"
    };
    crate::state::snowflake(d.get(field))
}

/// The gateway intent an event needs, by event name and guild or DM origin.
fn required_intent(t: &str, d: &Value) -> Option<u64> {
    let in_guild = d.get("guild_id").is_some_and(|g| !g.is_null());
    let (guild, direct) = match t {
        "GUILD_CREATE" => return Some(1 << 0),
        "GUILD_SCHEDULED_EVENT_USER_ADD" | "GUILD_SCHEDULED_EVENT_USER_REMOVE" => {
            return Some(1 << 16)
        }
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" | "MESSAGE_DELETE" => (1 << 9, 1 << 12),
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => (1 << 10, 1 << 13),
        "MESSAGE_POLL_VOTE_ADD" | "MESSAGE_POLL_VOTE_REMOVE" => (1 << 24, 1 << 25),
        _ => return None,
    };
    Some(if in_guild { guild } else { direct })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guild_lives_on_its_shard_and_dms_on_shard_0() {
        // 1_100_000_006 % 4 == 2.
        let guild = (1_100_000_006_u64 << 22) | 100;
        assert_eq!(shard_of(guild, 4), 2);
        assert_eq!(shard_of(guild, 1), 0);
        assert!(Shard { id: 2, total: 4 }.carries(Some(guild)));
        assert!(!Shard { id: 0, total: 4 }.carries(Some(guild)));
        assert!(Shard { id: 0, total: 4 }.carries(None));
        assert!(!Shard { id: 1, total: 4 }.carries(None));
    }

    #[test]
    fn an_identify_beyond_the_total_or_below_the_required_count_is_refused() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let rules = ShardRules {
            shards: 4,
            required: true,
        };
        let mut gateway = Gateway::default();
        let shard = |id: u32, total: u32| json!({ "shard": [id, total], "intents": 1 });
        assert_eq!(
            gateway.identify(1, tx.clone(), shard(4, 4), rules),
            Err(4010)
        );
        assert_eq!(
            gateway.identify(2, tx.clone(), shard(0, 2), rules),
            Err(4011)
        );
        assert_eq!(gateway.identify(3, tx.clone(), json!({}), rules), Err(4011));
        let (_, accepted) = gateway.identify(4, tx, shard(3, 4), rules).unwrap();
        assert_eq!(accepted, Shard { id: 3, total: 4 });
        let refusals: Vec<Option<u16>> = gateway.identify_log.iter().map(|i| i.refused).collect();
        assert_eq!(refusals, [Some(4010), Some(4011), Some(4011), None]);
        assert_eq!(gateway.live_shards(), [accepted]);
    }
}

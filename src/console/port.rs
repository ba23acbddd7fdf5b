//! The chat port in a terminal: posts are printed as plain text, reactions
//! are the votes typed at the prompt, kept here per message as a platform
//! would keep them. Removing a user's reaction (a single-choice vote that
//! moved) comes back as a removal event, as Discord would send one.

use crate::scheduler::text;
use chrono_tz::Tz;
use emcee_core::chat::{ChatPort, Limits, MessageKey, PortError, PortFuture, Post};
use emcee_core::clock::Clock;
use emcee_core::polls::Reaction;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Where printed posts go (stdout; a buffer in tests).
pub type Sink = Arc<Mutex<dyn Write + Send>>;

/// The console as a chat platform.
pub struct ConsolePort {
    clock: Arc<dyn Clock>,
    timezone: Tz,
    sink: Sink,
    /// Removal events for reactions the core took away.
    removals: UnboundedSender<Reaction>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next_message: u64,
    /// Who reacted with which key, per message.
    reactions: HashMap<MessageKey, HashMap<String, BTreeSet<String>>>,
}

impl ConsolePort {
    /// A port printing to `sink` with times in `timezone`; reactions the core
    /// removes are sent back on `removals`.
    pub fn new(
        clock: Arc<dyn Clock>,
        timezone: Tz,
        sink: Sink,
        removals: UnboundedSender<Reaction>,
    ) -> Self {
        Self {
            clock,
            timezone,
            sink,
            removals,
            state: Mutex::default(),
        }
    }

    /// The zone times are shown in.
    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// Records a reaction typed at the prompt (`:vote`, `:unvote`).
    pub fn typed(&self, reaction: &Reaction) {
        let mut state = self.state();
        let users = state
            .reactions
            .entry(reaction.message.clone())
            .or_default()
            .entry(reaction.key.clone())
            .or_default();
        if reaction.added {
            users.insert(reaction.voter.clone());
        } else {
            users.remove(&reaction.voter);
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Prints `post` as sent `to` (a channel or a DM) and returns its key in
    /// `channel`.
    fn print(&self, to: &str, channel: &str, post: &Post) -> MessageKey {
        let number = {
            let mut state = self.state();
            state.next_message += 1;
            state.next_message
        };
        let now = self.clock.now();
        let at = now.with_timezone(&self.timezone);
        let body = text::post(post, self.timezone, now);
        let line = format!("[{}] {to}: {body}\n", at.format("%H:%M:%S"));
        let mut sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = sink.write_all(line.as_bytes());
        let _ = sink.flush();
        MessageKey::new(channel, format!("m{number}"))
    }
}

impl ChatPort for ConsolePort {
    fn limits(&self) -> Limits {
        Limits {
            reactions_per_message: 20,
            message_chars: usize::MAX,
            min_edit_gap: Duration::ZERO,
        }
    }

    fn post<'a>(&'a self, channel: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        let channel = channel.trim_start_matches('#');
        let key = self.print(&format!("#{channel}"), channel, post);
        Box::pin(async move { Ok(key) })
    }

    /// Edits (live tallies) are not printed: `:tally` shows the count.
    fn edit<'a>(&'a self, _message: &'a MessageKey, _post: &'a Post) -> PortFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    fn delete<'a>(&'a self, _message: &'a MessageKey) -> PortFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    fn react<'a>(&'a self, _message: &'a MessageKey, _key: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    fn unreact<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, ()> {
        let removal = Reaction {
            message: message.clone(),
            voter: user.to_owned(),
            key: key.to_owned(),
            added: false,
            by_self: false,
        };
        self.typed(&removal);
        let sent = self.removals.send(removal);
        Box::pin(
            async move { sent.map_err(|_| PortError::Refused("the console has closed".into())) },
        )
    }

    fn reactors<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
    ) -> PortFuture<'a, BTreeSet<String>> {
        let users = self
            .state()
            .reactions
            .get(message)
            .and_then(|keys| keys.get(key))
            .cloned()
            .unwrap_or_default();
        Box::pin(async move { Ok(users) })
    }

    fn has_reacted<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, bool> {
        let present = self
            .state()
            .reactions
            .get(message)
            .and_then(|keys| keys.get(key))
            .is_some_and(|users| users.contains(user));
        Box::pin(async move { Ok(present) })
    }

    fn direct<'a>(&'a self, user: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        let key = self.print(&format!("DM to {user}"), &format!("dm-{user}"), post);
        Box::pin(async move { Ok(key) })
    }

    fn resolve_channel<'a>(
        &'a self,
        _community: Option<&'a str>,
        name: &'a str,
    ) -> PortFuture<'a, String> {
        let name = name.trim().trim_start_matches('#').to_owned();
        Box::pin(async move { Ok(name) })
    }

    fn emoji_key(&self, typed: &str) -> Option<String> {
        Some(typed.trim().to_owned())
    }
}

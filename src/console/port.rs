//! The chat port in a terminal: the core's in-memory platform, with every
//! post and DM also printed as plain text. Reactions are the votes typed at
//! the prompt; a reaction the core removes (a single-choice vote that moved)
//! comes back as a removal event, as Discord would send one.

use crate::scheduler::text;
use chrono_tz::Tz;
use emcee_core::chat::memory::MemoryPort;
use emcee_core::chat::{ChatPort, Limits, MessageKey, PortFuture, Post};
use emcee_core::clock::Clock;
use emcee_core::polls::Reaction;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc::UnboundedSender;

/// Where printed posts go (stdout; a buffer in tests).
pub type Sink = Arc<Mutex<dyn Write + Send>>;

/// The console as a chat platform.
pub struct ConsolePort {
    clock: Arc<dyn Clock>,
    timezone: Tz,
    sink: Sink,
    memory: MemoryPort,
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
            memory: MemoryPort::new(Some(removals)),
        }
    }

    /// The zone times are shown in.
    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// Records a reaction typed at the prompt (`:vote`, `:unvote`).
    pub fn typed(&self, reaction: &Reaction) {
        self.memory.user_reacted(reaction);
    }

    /// Prints `post` as sent `to` (a channel or a DM).
    fn print(&self, to: &str, post: &Post) {
        let now = self.clock.now();
        let at = now.with_timezone(&self.timezone);
        let body = text::post(post, self.timezone, now);
        let line = format!("[{}] {to}: {body}\n", at.format("%H:%M:%S"));
        let mut sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = sink.write_all(line.as_bytes());
        let _ = sink.flush();
    }
}

impl ChatPort for ConsolePort {
    fn limits(&self) -> Limits {
        self.memory.limits()
    }

    fn post<'a>(&'a self, channel: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        self.print(&format!("#{}", channel.trim_start_matches('#')), post);
        self.memory.post(channel, post)
    }

    /// Edits (live tallies) are not printed: `:tally` shows the count.
    fn edit<'a>(&'a self, message: &'a MessageKey, post: &'a Post) -> PortFuture<'a, ()> {
        self.memory.edit(message, post)
    }

    fn delete<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        self.memory.delete(message)
    }

    fn react<'a>(&'a self, message: &'a MessageKey, key: &'a str) -> PortFuture<'a, ()> {
        self.memory.react(message, key)
    }

    fn unreact<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, ()> {
        self.memory.unreact(message, key, user)
    }

    fn reactors<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
    ) -> PortFuture<'a, BTreeSet<String>> {
        self.memory.reactors(message, key)
    }

    fn has_reacted<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, bool> {
        self.memory.has_reacted(message, key, user)
    }

    fn direct<'a>(&'a self, user: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        self.print(&format!("DM to {user}"), post);
        self.memory.direct(user, post)
    }

    fn resolve_channel<'a>(
        &'a self,
        community: Option<&'a str>,
        name: &'a str,
    ) -> PortFuture<'a, String> {
        self.memory.resolve_channel(community, name)
    }

    fn emoji_key(&self, typed: &str) -> Option<String> {
        self.memory.emoji_key(typed)
    }
}

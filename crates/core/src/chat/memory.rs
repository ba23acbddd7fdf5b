//! A chat platform that lives in memory: it keeps every post, edit, DM and
//! reaction the core made, as a platform would, so the whole core can run
//! without a network (the sample-day test, the console's rehearsals).
//!
//! Removing a user's reaction (a single-choice vote that moved) is reported
//! back on the removals channel, as Discord sends a removal event.

use super::{ChatPort, Limits, MessageKey, PortError, PortFuture, Post};
use crate::polls::Reaction;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc::UnboundedSender, watch};

/// One message as the platform holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub key: MessageKey,
    /// The channel it went to, or `dm:USER` for a direct message.
    pub to: String,
    /// As first posted.
    pub post: Post,
    /// Every edit since, in order.
    pub edits: Vec<Post>,
    pub deleted: bool,
}

/// An in-memory platform.
pub struct MemoryPort {
    state: Mutex<State>,
    removals: Option<UnboundedSender<Reaction>>,
    /// Bumped on every change, for waiting.
    changes: watch::Sender<u64>,
    limits: Limits,
}

#[derive(Default)]
struct State {
    messages: Vec<Posted>,
    /// Who reacted with which key, per message (the bot as `None`).
    reactions: HashMap<MessageKey, HashMap<String, BTreeSet<String>>>,
}

impl Default for MemoryPort {
    fn default() -> Self {
        Self::new(None)
    }
}

impl MemoryPort {
    /// A platform that reports removed reactions on `removals`, if given.
    pub fn new(removals: Option<UnboundedSender<Reaction>>) -> Self {
        Self {
            state: Mutex::default(),
            removals,
            changes: watch::channel(0).0,
            limits: Limits {
                reactions_per_message: 20,
                message_chars: usize::MAX,
                min_edit_gap: Duration::ZERO,
            },
        }
    }

    /// Records a user's reaction as the platform would show it.
    pub fn user_reacted(&self, reaction: &Reaction) {
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
        drop(state);
        self.changed();
    }

    /// Every message so far, in order.
    pub fn messages(&self) -> Vec<Posted> {
        self.state().messages.clone()
    }

    /// Waits until `check` yields a value, re-checking after every change.
    pub async fn wait_for<T>(&self, check: impl Fn(&[Posted]) -> Option<T>) -> T {
        let mut changes = self.changes.subscribe();
        loop {
            if let Some(found) = check(&self.state().messages) {
                return found;
            }
            // The sender lives as long as `self`: `changed` cannot fail here.
            let _ = changes.changed().await;
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n += 1);
    }

    fn keep(&self, to: String, channel: &str, post: &Post) -> MessageKey {
        let mut state = self.state();
        let key = MessageKey::new(channel, format!("m{}", state.messages.len() + 1));
        state.messages.push(Posted {
            key: key.clone(),
            to,
            post: post.clone(),
            edits: Vec::new(),
            deleted: false,
        });
        drop(state);
        self.changed();
        key
    }

    fn with_message(
        &self,
        key: &MessageKey,
        change: impl FnOnce(&mut Posted),
    ) -> Result<(), PortError> {
        let mut state = self.state();
        let found = state.messages.iter_mut().find(|m| &m.key == key);
        let result = match found {
            Some(message) => {
                change(message);
                Ok(())
            }
            None => Err(PortError::Refused(format!("no message {}", key.message))),
        };
        drop(state);
        self.changed();
        result
    }

    fn users(&self, message: &MessageKey, key: &str) -> BTreeSet<String> {
        let state = self.state();
        let users = state.reactions.get(message).and_then(|keys| keys.get(key));
        users.cloned().unwrap_or_default()
    }
}

fn ready<'a, T: Send + 'a>(value: Result<T, PortError>) -> PortFuture<'a, T> {
    Box::pin(async move { value })
}

impl ChatPort for MemoryPort {
    fn limits(&self) -> Limits {
        self.limits
    }

    fn post<'a>(&'a self, channel: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        let channel = channel.trim_start_matches('#');
        ready(Ok(self.keep(channel.to_owned(), channel, post)))
    }

    fn edit<'a>(&'a self, message: &'a MessageKey, post: &'a Post) -> PortFuture<'a, ()> {
        ready(self.with_message(message, |m| m.edits.push(post.clone())))
    }

    fn delete<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        ready(self.with_message(message, |m| m.deleted = true))
    }

    fn react<'a>(&'a self, _message: &'a MessageKey, _key: &'a str) -> PortFuture<'a, ()> {
        ready(Ok(()))
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
        let had = self.users(message, key).contains(user);
        self.user_reacted(&removal);
        if let (true, Some(removals)) = (had, &self.removals) {
            let _ = removals.send(removal);
        }
        ready(Ok(()))
    }

    fn reactors<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
    ) -> PortFuture<'a, BTreeSet<String>> {
        ready(Ok(self.users(message, key)))
    }

    fn has_reacted<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, bool> {
        ready(Ok(self.users(message, key).contains(user)))
    }

    fn direct<'a>(&'a self, user: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        ready(Ok(self.keep(
            format!("dm:{user}"),
            &format!("dm-{user}"),
            post,
        )))
    }

    fn resolve_channel<'a>(
        &'a self,
        _community: Option<&'a str>,
        name: &'a str,
    ) -> PortFuture<'a, String> {
        ready(Ok(name.trim().trim_start_matches('#').to_owned()))
    }

    /// A thread here is a channel named after the message it hangs off.
    fn open_thread<'a>(
        &'a self,
        message: &'a MessageKey,
        _name: &'a str,
    ) -> PortFuture<'a, Option<String>> {
        ready(Ok(Some(format!("thread-{}", message.message))))
    }

    fn emoji_key(&self, typed: &str) -> Option<String> {
        Some(typed.trim().to_owned())
    }
}

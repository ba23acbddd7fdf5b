//! The chat port: what the core needs from a chat platform, and nothing more.
//!
//! The poll, reminder and announcement services decide what to say, where and
//! when; a [`ChatPort`] carries it out on one platform (Discord, Slack, the
//! console). Everything crosses this boundary as opaque strings (a community,
//! a channel, a [`MessageKey`], a user) so a Discord snowflake and Slack's
//! `(channel, ts)` both fit, and messages cross as neutral [`Post`]s that each
//! adapter turns into its own markup (embeds and `<t:…>` on Discord, Block Kit
//! and `<!date^…>` on Slack, plain text in a terminal). What a platform can
//! hold (reactions per message, message length, edit rate) is a value it
//! reports in [`Limits`], never a constant in the core.
//!
//! - [`text`]: rich text as spans (plain, strong, times, option emoji).
//! - [`post`]: a message to post: text, an optional card, a ping, a dedupe key.
//! - [`dedupe`]: one stable hash for nonces and dedupe keys.
//! - [`memory`]: a platform in memory, for tests and rehearsals.
//! - [`direct`]: where each user's direct-message channel is kept.

pub mod dedupe;
pub mod direct;
pub mod memory;
pub mod post;
pub mod text;

pub use dedupe::dedupe_key;
pub use direct::{DirectChannels, KeptInMemory};
pub use post::{
    Accent, Attachment, Ballot, BallotOption, Button, Card, NativeAnswer, NativePoll, Post,
};
pub use text::{Span, Text, TimeStyle};

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// Where a message is: its channel and the platform's id for it within the
/// channel (a Discord message id; a Slack `ts`).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct MessageKey {
    pub channel: String,
    pub message: String,
}

impl MessageKey {
    /// A key from anything that prints as the platform's ids.
    pub fn new(channel: impl ToString, message: impl ToString) -> Self {
        Self {
            channel: channel.to_string(),
            message: message.to_string(),
        }
    }
}

/// Why the platform did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// The user does not accept direct messages; not worth retrying.
    #[error("the recipient does not accept direct messages")]
    Unreachable,
    /// Server errors or timeouts past the transport's own retries; retry later.
    #[error("temporarily failed: {0}")]
    Transient(String),
    /// Refused for good (unknown channel, missing permission, another community).
    #[error("refused: {0}")]
    Refused(String),
}

/// A call to the platform in progress.
pub type PortFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, PortError>> + Send + 'a>>;

/// What one platform can hold, as it reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Distinct reactions one message may carry (Discord: 20), which caps a
    /// reaction poll's options.
    pub reactions_per_message: usize,
    /// Characters of text one message may hold.
    pub message_chars: usize,
    /// The shortest gap between two edits of one message that the platform
    /// tolerates (live tallies are throttled to at least this).
    pub min_edit_gap: Duration,
}

impl Default for Limits {
    /// Discord's: 20 reactions, 2,000 characters, about one edit a second.
    fn default() -> Self {
        Self {
            reactions_per_message: 20,
            message_chars: 2000,
            min_edit_gap: Duration::from_secs(1),
        }
    }
}

/// What a platform's native polls can hold, as it reports it (Discord: a
/// 300-character question, 10 answers of 55 characters, 768 hours). A poll
/// past them is run with reactions instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeLimits {
    pub question_chars: usize,
    pub answers: usize,
    pub answer_chars: usize,
    pub max_hours: u32,
}

/// What the core needs from a chat platform. Every call is idempotent where
/// the platform allows it: a [`Post::dedupe`] key makes a retried post land
/// once. Reaction keys are the core's neutral option keys ("A", "B", … or an
/// organiser's own emoji as [`ChatPort::emoji_key`] spelled it); each adapter
/// maps them to its own reaction form.
pub trait ChatPort: Send + Sync + 'static {
    /// The platform's limits.
    fn limits(&self) -> Limits;

    /// Posts `post` in `channel` (a channel id); returns where it landed.
    fn post<'a>(&'a self, channel: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey>;

    /// Replaces the content of a message the bot posted.
    fn edit<'a>(&'a self, message: &'a MessageKey, post: &'a Post) -> PortFuture<'a, ()>;

    /// Deletes a message the bot posted.
    fn delete<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()>;

    /// Adds the bot's own reaction `key` to a message.
    fn react<'a>(&'a self, message: &'a MessageKey, key: &'a str) -> PortFuture<'a, ()>;

    /// Removes `user`'s reaction `key` from a message, where the platform
    /// allows a bot to (Slack does not: the call then succeeds doing nothing).
    fn unreact<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, ()>;

    /// Removes everyone's reaction `key` from a message (a stray emoji on a
    /// poll). Platforms with one call for it override this; by default each
    /// reactor's is removed in turn.
    fn unreact_everyone<'a>(&'a self, message: &'a MessageKey, key: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async move {
            for user in self.reactors(message, key).await? {
                self.unreact(message, key, &user).await?;
            }
            Ok(())
        })
    }

    /// Everyone but the bot who reacted to a message with `key`.
    fn reactors<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
    ) -> PortFuture<'a, BTreeSet<String>>;

    /// Everyone but the bot who reacted to a message with each of `keys`
    /// (every key is in the answer, an empty set where nobody reacted so).
    /// A platform that shows all of a message's reactions in one read (Slack's
    /// `reactions.get`, a tier-3 call) overrides this to read the message
    /// once; by default each key is read with [`ChatPort::reactors`], which
    /// is one call per emoji on Discord anyway.
    fn reactors_of<'a>(
        &'a self,
        message: &'a MessageKey,
        keys: &'a [String],
    ) -> PortFuture<'a, BTreeMap<String, BTreeSet<String>>> {
        Box::pin(async move {
            let mut all = BTreeMap::new();
            for key in keys {
                all.insert(key.clone(), self.reactors(message, key).await?);
            }
            Ok(all)
        })
    }

    /// Whether `user` has reacted to a message with `key` right now.
    fn has_reacted<'a>(
        &'a self,
        message: &'a MessageKey,
        key: &'a str,
        user: &'a str,
    ) -> PortFuture<'a, bool>;

    /// Sends `post` to `user` directly.
    fn direct<'a>(&'a self, user: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey>;

    /// The id of the channel called `name` (no `#`) in `community`; `None`:
    /// in whichever community this bot serves. A channel id is returned as is.
    fn resolve_channel<'a>(
        &'a self,
        community: Option<&'a str>,
        name: &'a str,
    ) -> PortFuture<'a, String>;

    /// Whether posts in `channel` can carry vote buttons ([`Post::ballot`]):
    /// then a poll votes by button unless it asks for reactions. Platforms
    /// without (Discord, the console) keep reaction polls.
    fn vote_buttons(&self, _channel: &str) -> bool {
        false
    }

    /// What native polls ([`Post::native_poll`]) in `channel` can hold;
    /// `None` (the default): this platform has none.
    fn native_polls(&self, _channel: &str) -> Option<NativeLimits> {
        None
    }

    /// Ends the native poll on `message` now: no more votes (the bot's
    /// close time comes before the platform's own end).
    fn end_poll<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        let _ = message;
        Box::pin(async { Ok(()) })
    }

    /// Everyone who voted for option `option` (its index) of the native poll
    /// on `message`, read from the platform (every page).
    fn poll_voters<'a>(
        &'a self,
        message: &'a MessageKey,
        option: usize,
    ) -> PortFuture<'a, BTreeSet<String>> {
        let _ = (message, option);
        Box::pin(async {
            Err(PortError::Refused(
                "this platform has no native polls".into(),
            ))
        })
    }

    /// Opens a thread named `name` on `message` (a session's start
    /// announcement); returns its id, a channel id where the platform's
    /// threads are channels. `Ok(None)`: this platform has no threads, and
    /// the conversation stays in the channel (the default). A message that
    /// already opened as a thread of its own (a Discord forum post) returns
    /// the channel it is in.
    fn open_thread<'a>(
        &'a self,
        message: &'a MessageKey,
        name: &'a str,
    ) -> PortFuture<'a, Option<String>> {
        let _ = (message, name);
        Box::pin(async { Ok(None) })
    }

    /// Pins a message the bot posted to its channel (a session's "next
    /// question"); a platform without pins does nothing (the default).
    fn pin<'a>(&'a self, message: &'a MessageKey) -> PortFuture<'a, ()> {
        let _ = message;
        Box::pin(async { Ok(()) })
    }

    /// Whether channels (or threads) `a` and `b` are on the same platform.
    /// One process may serve two (Discord and Slack) while a session has
    /// one thread, on the platform whose announcement opened it: a question
    /// asked on the other stays where it was asked. One platform: always.
    fn same_platform(&self, a: &str, b: &str) -> bool {
        let _ = (a, b);
        true
    }

    /// Archives thread `thread`; a platform without threads does nothing.
    fn archive_thread<'a>(&'a self, thread: &'a str) -> PortFuture<'a, ()> {
        let _ = thread;
        Box::pin(async { Ok(()) })
    }

    /// The neutral key for an option emoji as an organiser typed it (Discord:
    /// `<:ferris:123>` becomes `ferris:123`); `None` if it is no emoji here.
    fn emoji_key(&self, typed: &str) -> Option<String>;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::memory::MemoryPort;
    use super::{ChatPort, MessageKey};
    use crate::polls::Reaction;

    #[tokio::test]
    async fn the_default_reads_each_key_and_answers_for_every_key() {
        let port = MemoryPort::default();
        let message = MessageKey::new("C1", "m1");
        for (voter, key) in [("u1", "👍"), ("u2", "👍"), ("u2", "😂")] {
            port.user_reacted(&Reaction {
                message: message.clone(),
                voter: voter.into(),
                key: key.into(),
                added: true,
                by_self: false,
            });
        }
        let keys = ["👍", "😂", "🎉"].map(String::from);
        let read = port.reactors_of(&message, &keys).await.unwrap();
        let users = |key: &str| read[key].iter().cloned().collect::<Vec<_>>();
        assert_eq!(users("👍"), ["u1", "u2"]);
        assert_eq!(users("😂"), ["u2"]);
        assert!(users("🎉").is_empty(), "a key nobody used is there, empty");
        assert_eq!(read.len(), 3);
    }
}

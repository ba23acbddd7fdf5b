//! Forum and media channels take no plain message: each post there opens a
//! thread (`POST /channels/{forum}/threads`) whose starter message carries
//! the post. These are the calls the port needs to post there exactly once:
//! the channel's type, the server's active threads and a starter message,
//! so a post that may have landed unseen is found before it is tried again
//! (opening a post takes no nonce).

use super::pacing::Call;
use super::{snowflake, with_safe_mentions, Attachment, Lane, Outbound, OutboundError};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Discord's channel types that take posts, not messages: GUILD_FORUM and
/// GUILD_MEDIA.
const POST_ONLY: [u64; 2] = [15, 16];

/// A channel as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedChannel {
    pub id: u64,
    pub name: String,
    /// Its server, when Discord said.
    pub guild: Option<u64>,
    /// A forum or media channel: posts open threads.
    pub forum: bool,
}

impl ListedChannel {
    /// Reads a channel object; `guild` when the listing is a server's.
    pub(super) fn from_json(channel: &Value, guild: Option<u64>) -> Option<Self> {
        Some(Self {
            id: snowflake(&channel["id"])?,
            name: channel["name"].as_str().unwrap_or_default().to_owned(),
            guild: snowflake(&channel["guild_id"]).or(guild),
            forum: channel["type"]
                .as_u64()
                .is_some_and(|kind| POST_ONLY.contains(&kind)),
        })
    }
}

/// What the port knows of forums: which channels are forums (with their
/// server), and the post each topic (a session) opened in one, while it is
/// open, so later posts on that topic join it instead of opening more.
/// The posts are known to this process only: after a restart a topic's next
/// post opens a new one (the one it made itself is still found, see
/// [`Outbound::forum_post_once`]).
#[derive(Debug, Default)]
pub struct Forums {
    state: Mutex<ForumState>,
}

#[derive(Debug, Default)]
struct ForumState {
    servers: HashMap<u64, u64>,
    /// (forum, topic) -> the post (thread) it opened.
    posts: HashMap<(u64, String), u64>,
}

impl Forums {
    fn state(&self) -> MutexGuard<'_, ForumState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `forum` is a forum (or media channel) of server `server`.
    pub fn remember(&self, forum: u64, server: u64) {
        self.state().servers.insert(forum, server);
    }

    /// The server of `channel` if it is a known forum.
    pub fn server_of(&self, channel: u64) -> Option<u64> {
        self.state().servers.get(&channel).copied()
    }

    /// The open post `topic` opened in `forum`, if any.
    pub fn post_of(&self, forum: u64, topic: &str) -> Option<u64> {
        self.state().posts.get(&(forum, topic.to_owned())).copied()
    }

    /// `topic`'s post in `forum` is `thread`.
    pub fn opened(&self, forum: u64, topic: &str, thread: u64) {
        self.state().posts.insert((forum, topic.to_owned()), thread);
    }

    /// Whether `thread` is a forum post this process opened.
    pub fn is_post(&self, thread: u64) -> bool {
        self.state().posts.values().any(|post| *post == thread)
    }

    /// `thread` is archived or gone: its topic's next post opens another.
    pub fn closed(&self, thread: u64) {
        self.state().posts.retain(|_, post| *post != thread);
    }
}

/// An unarchived thread of a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveThread {
    pub id: u64,
    /// The channel (or forum) it is in.
    pub parent: u64,
    /// Who started it.
    pub owner: u64,
    pub name: String,
}

impl Outbound {
    /// One channel (`GET /channels/{id}`): its name, server and type.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn channel(&self, channel_id: u64) -> Result<ListedChannel, OutboundError> {
        let path = format!("/channels/{channel_id}");
        let channel = self
            .call(Call::on(channel_id), |rest| rest.get(&path))
            .await?;
        ListedChannel::from_json(&channel, None).ok_or_else(|| OutboundError::GaveUp {
            route: path.clone(),
            attempts: 1,
            last: "no channel id in the answer".into(),
        })
    }

    /// The unarchived threads of server `guild_id`, forum posts included.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn active_threads(&self, guild_id: u64) -> Result<Vec<ActiveThread>, OutboundError> {
        let path = format!("/guilds/{guild_id}/threads/active");
        let call = Call::route(format!("GET {path}"), Lane::Channel);
        let listed = self.call(call, |rest| rest.get(&path)).await?;
        let threads = listed["threads"]
            .as_array()
            .map_or_else(Vec::new, |threads| {
                threads
                    .iter()
                    .filter_map(|t| {
                        Some(ActiveThread {
                            id: snowflake(&t["id"])?,
                            parent: snowflake(&t["parent_id"])?,
                            owner: snowflake(&t["owner_id"]).unwrap_or_default(),
                            name: t["name"].as_str().unwrap_or_default().to_owned(),
                        })
                    })
                    .collect()
            });
        Ok(threads)
    }

    /// One message, as Discord shows it now.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn message(&self, channel_id: u64, message_id: u64) -> Result<Value, OutboundError> {
        let path = format!("/channels/{channel_id}/messages/{message_id}");
        self.call(Call::on(channel_id), |rest| rest.get(&path))
            .await
    }

    /// Opens a post named `name` in forum `forum_id` with `message` (a
    /// create-message body) as its starter; returns the thread's id (also
    /// its starter's). Tried once on a 5xx or a timeout, which may hide a
    /// post that was made: the caller looks for it before trying again.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or fails.
    pub async fn start_forum_post(
        &self,
        forum_id: u64,
        name: &str,
        mut message: Value,
        files: Vec<Attachment>,
    ) -> Result<u64, OutboundError> {
        with_safe_mentions(&mut message);
        if let Some(message) = message.as_object_mut() {
            // A starter message has no nonce; the post is found by its name.
            message.remove("nonce");
            message.remove("enforce_nonce");
        }
        let body = json!({ "name": name, "message": message, "auto_archive_duration": 1440 });
        let path = format!("/channels/{forum_id}/threads");
        let mut call = Call::message(forum_id, Lane::Channel);
        call.retry_failures = false;
        let post = self
            .call(call, |rest| rest.post(&path, &body, &files))
            .await?;
        snowflake(&post["id"]).ok_or_else(|| OutboundError::GaveUp {
            route: path.clone(),
            attempts: 1,
            last: "no thread id in the answer".into(),
        })
    }
}

impl Outbound {
    /// Opens a post in forum `forum_id` of server `guild_id` once: an
    /// active post there that `bot` opened under `name` with the same
    /// starter (text and cards) is the one a crash or a lost answer left
    /// behind, and is returned instead of opening another.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses a call or fails.
    pub async fn forum_post_once(
        &self,
        (forum_id, guild_id, bot): (u64, u64, u64),
        name: &str,
        message: Value,
        files: Vec<Attachment>,
    ) -> Result<u64, OutboundError> {
        let mine = self
            .active_threads(guild_id)
            .await?
            .into_iter()
            .filter(|t| t.parent == forum_id && t.owner == bot && t.name == name);
        for thread in mine {
            let starter = self.message(thread.id, thread.id).await;
            if starter.is_ok_and(|starter| same_starter(&starter, &message)) {
                tracing::info!(
                    forum = forum_id,
                    thread = thread.id,
                    "the forum post was already made; not posting it again"
                );
                return Ok(thread.id);
            }
        }
        self.start_forum_post(forum_id, name, message, files).await
    }
}

/// Whether a starter message Discord shows says what `body` would: the
/// same text and the same cards (titles and texts).
fn same_starter(shown: &Value, body: &Value) -> bool {
    let text = |m: &Value| m["content"].as_str().unwrap_or_default().to_owned();
    let cards = |m: &Value| -> Vec<(Value, Value)> {
        m["embeds"].as_array().map_or_else(Vec::new, |embeds| {
            embeds
                .iter()
                .map(|e| (e["title"].clone(), e["description"].clone()))
                .collect()
        })
    };
    text(shown) == text(body) && cards(shown) == cards(body)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_starter_is_the_same_post_by_its_text_and_cards_not_by_the_rest() {
        let body = json!({ "content": "**Starting now**", "nonce": "n1",
            "embeds": [{ "title": "A", "description": "B", "color": 1 }] });
        let shown = json!({ "id": "9", "content": "**Starting now**",
            "embeds": [{ "type": "rich", "title": "A", "description": "B" }] });
        assert!(super::same_starter(&shown, &body));
        let other = json!({ "content": "**Starting now**", "embeds": [] });
        assert!(!super::same_starter(&other, &body));
        assert!(!super::same_starter(
            &json!({ "content": "Starting soon" }),
            &body
        ));
    }
}

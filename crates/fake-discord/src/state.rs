//! What Discord would remember: channels, the messages in them with their
//! reactions, users seen, DM channels and registered commands. Tests read it back to
//! check the bot's visible effect, not just the calls it made.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::ApiError;
use crate::ids::{FakeUser, GuildInfo, Ids, Snowflakes};
use crate::interactions::InteractionState;

/// How long a `nonce` with `enforce_nonce` keeps deduplicating, as on Discord.
const NONCE_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Most distinct emoji one message may carry.
const MAX_REACTIONS: usize = 20;

/// The author of a message or the user behind a reaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    /// Snowflake.
    pub id: u64,
    /// Username.
    pub username: String,
    /// Whether this is a bot account (the bot under test is).
    pub bot: bool,
}

impl From<&FakeUser> for Author {
    fn from(user: &FakeUser) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            bot: false,
        }
    }
}

/// A message as the fake stores it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    /// Snowflake.
    pub id: u64,
    /// Channel it was posted in.
    pub channel_id: u64,
    /// The guild, `None` in a DM.
    pub guild_id: Option<u64>,
    /// Who posted it.
    pub author: Author,
    /// Text content.
    pub content: String,
    /// Embeds as sent.
    pub embeds: Vec<Value>,
    /// Component rows as sent.
    pub components: Vec<Value>,
    /// Uploaded files.
    pub attachments: Vec<StoredAttachment>,
    /// Message flags (64 = ephemeral, 128 = loading).
    pub flags: u64,
    /// The client's nonce, if one was sent.
    pub nonce: Option<String>,
    /// Discord's message type (0 default, 20 reply to a slash command).
    pub kind: u8,
    /// ISO 8601 creation time.
    pub timestamp: String,
    /// ISO 8601 time of the last edit.
    pub edited_timestamp: Option<String>,
    /// The webhook (application) that posted it, for interaction responses.
    pub webhook_id: Option<u64>,
    /// The interaction this message answers, if any.
    pub interaction_id: Option<u64>,
    /// Reactions in the order they were first added.
    pub reactions: Vec<StoredReaction>,
}

/// One emoji on a message and who reacted with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReaction {
    /// Unicode emoji, or `name:id` for a custom one.
    pub emoji: String,
    /// Reacting users' ids, ascending.
    pub users: BTreeSet<u64>,
}

/// A file attached to a stored message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAttachment {
    /// Snowflake.
    pub id: u64,
    /// File name.
    pub filename: String,
    /// MIME type, if known.
    pub content_type: Option<String>,
    /// Size in bytes.
    pub size: usize,
}

/// The fake Discord's memory. Lives behind a `std::sync::Mutex`; no method awaits.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) ids: Ids,
    guilds: Vec<GuildInfo>,
    pub(crate) snowflakes: Snowflakes,
    pub(crate) messages: BTreeMap<u64, StoredMessage>,
    pub(crate) users: HashMap<u64, Author>,
    /// DM channel id by recipient user id.
    pub(crate) dm_channels: HashMap<u64, u64>,
    pub(crate) interactions: HashMap<u64, InteractionState>,
    /// Registered commands, by guild (`None` = global).
    pub(crate) commands: HashMap<Option<u64>, Vec<Value>>,
    /// Threads the bot started, by id (see `rest/threads.rs`).
    pub(crate) threads: BTreeMap<u64, crate::rest::FakeThread>,
    /// Messages the bot pinned.
    pub(crate) pins: std::collections::BTreeSet<u64>,
    /// Native polls by message id (see `rest/polls.rs`).
    pub(crate) polls: BTreeMap<u64, crate::rest::FakePoll>,
    /// Guild scheduled events, by id (see `rest/scheduled_events.rs`).
    pub(crate) scheduled_events: BTreeMap<u64, crate::rest::FakeScheduledEvent>,
    nonces: HashMap<(u64, String), (u64, Instant)>,
}

impl World {
    pub(crate) fn new(ids: Ids, guilds: Vec<GuildInfo>) -> Self {
        let bot = Author {
            id: ids.bot_user_id,
            username: "emcee".to_owned(),
            bot: true,
        };
        Self {
            users: HashMap::from([(bot.id, bot)]),
            ids,
            guilds,
            snowflakes: Snowflakes::new(),
            messages: BTreeMap::new(),
            dm_channels: HashMap::new(),
            interactions: HashMap::new(),
            commands: HashMap::new(),
            threads: BTreeMap::new(),
            pins: std::collections::BTreeSet::new(),
            polls: BTreeMap::new(),
            scheduled_events: BTreeMap::new(),
            nonces: HashMap::new(),
        }
    }

    pub(crate) fn bot(&self) -> Author {
        self.author(self.ids.bot_user_id)
    }

    /// A known user, or a placeholder for an id never seen.
    pub(crate) fn author(&self, id: u64) -> Author {
        self.users.get(&id).cloned().unwrap_or_else(|| Author {
            id,
            username: format!("user{id}"),
            bot: false,
        })
    }

    pub(crate) fn remember(&mut self, user: &FakeUser) {
        self.users.insert(user.id, Author::from(user));
    }

    /// The guild a channel belongs to: `Ok(None)` for a DM channel.
    pub(crate) fn channel_guild(&self, channel_id: u64) -> Result<Option<u64>, ApiError> {
        let guild = self
            .guilds
            .iter()
            .find(|g| g.channels.iter().any(|(id, _)| *id == channel_id));
        if let Some(guild) = guild {
            Ok(Some(guild.id))
        } else if let Some(thread) = self.threads.get(&channel_id) {
            Ok(Some(thread.guild_id))
        } else if self.dm_channels.values().any(|id| *id == channel_id) {
            Ok(None)
        } else {
            Err(ApiError::unknown_channel())
        }
    }

    /// The Discord type of a guild channel (0 text, 15 forum, 16 media);
    /// `None` for a thread, a DM or an unknown channel.
    pub(crate) fn channel_kind(&self, channel_id: u64) -> Option<u8> {
        self.guilds
            .iter()
            .find(|g| g.channels.iter().any(|(id, _)| *id == channel_id))
            .map(|g| g.kind_of(channel_id))
    }

    /// The recipient of a DM channel.
    pub(crate) fn dm_recipient(&self, channel_id: u64) -> Option<u64> {
        self.dm_channels
            .iter()
            .find(|(_, c)| **c == channel_id)
            .map(|(user, _)| *user)
    }

    /// The DM channel with `user_id`, opened on first use.
    pub(crate) fn open_dm(&mut self, user_id: u64) -> u64 {
        if let Some(id) = self.dm_channels.get(&user_id) {
            return *id;
        }
        let id = self.snowflakes.next();
        self.dm_channels.insert(user_id, id);
        id
    }

    /// Posts a message from `author` built from a Discord message body. With
    /// `enforce_nonce`, a nonce this author used within the window returns the
    /// earlier message instead.
    pub(crate) fn create_message(
        &mut self,
        channel_id: u64,
        author: Author,
        body: &Value,
        files: Vec<StoredAttachment>,
    ) -> Result<StoredMessage, ApiError> {
        let guild_id = self.channel_guild(channel_id)?;
        if self
            .channel_kind(channel_id)
            .is_some_and(crate::payloads::is_forum)
        {
            return Err(ApiError::new(
                400,
                50008,
                "Cannot send messages in a non-text channel",
            ));
        }
        let nonce = body.get("nonce").and_then(nonce_string);
        let enforce = body
            .get("enforce_nonce")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let key = nonce.clone().map(|n| (author.id, n));
        if let (true, Some(key)) = (enforce, &key) {
            if let Some(earlier) = self.recent_nonce(key) {
                return Ok(earlier);
            }
        }
        let mut message = self.blank_message(channel_id, guild_id, author);
        message.nonce = nonce;
        apply_body(&mut message, body)?;
        message.attachments = files;
        if let Some(key) = key {
            self.nonces.insert(key, (message.id, Instant::now()));
        }
        self.messages.insert(message.id, message.clone());
        Ok(message)
    }

    /// Stores the starter message of forum post `thread` (its id is the
    /// thread's, as on Discord), built from the post's `message` body.
    pub(crate) fn start_post(
        &mut self,
        thread: u64,
        guild_id: u64,
        body: &Value,
        files: Vec<StoredAttachment>,
    ) -> Result<StoredMessage, ApiError> {
        let mut message = self.blank_message(thread, Some(guild_id), self.bot());
        message.id = thread;
        apply_body(&mut message, body)?;
        message.attachments = files;
        let empty = message.content.is_empty()
            && message.embeds.is_empty()
            && message.components.is_empty()
            && message.attachments.is_empty();
        if empty {
            return Err(ApiError::new(400, 50006, "Cannot send an empty message"));
        }
        self.messages.insert(message.id, message.clone());
        Ok(message)
    }

    fn recent_nonce(&self, key: &(u64, String)) -> Option<StoredMessage> {
        let (id, at) = self.nonces.get(key)?;
        (at.elapsed() < NONCE_WINDOW)
            .then(|| self.messages.get(id).cloned())
            .flatten()
    }

    /// An empty message with a fresh id, not yet stored.
    pub(crate) fn blank_message(
        &self,
        channel_id: u64,
        guild_id: Option<u64>,
        author: Author,
    ) -> StoredMessage {
        StoredMessage {
            id: self.snowflakes.next(),
            channel_id,
            guild_id,
            author,
            content: String::new(),
            embeds: Vec::new(),
            components: Vec::new(),
            attachments: Vec::new(),
            flags: 0,
            nonce: None,
            kind: 0,
            timestamp: crate::time::now_iso(),
            edited_timestamp: None,
            webhook_id: None,
            interaction_id: None,
            reactions: Vec::new(),
        }
    }

    /// A message in `channel_id`.
    pub(crate) fn message(&self, channel_id: u64, id: u64) -> Result<&StoredMessage, ApiError> {
        self.messages
            .get(&id)
            .filter(|m| m.channel_id == channel_id)
            .ok_or_else(ApiError::unknown_message)
    }

    fn message_mut(&mut self, channel_id: u64, id: u64) -> Result<&mut StoredMessage, ApiError> {
        self.messages
            .get_mut(&id)
            .filter(|m| m.channel_id == channel_id)
            .ok_or_else(ApiError::unknown_message)
    }

    /// Applies a PATCH body to a message; absent fields stay as they were.
    pub(crate) fn edit_message(
        &mut self,
        channel_id: u64,
        id: u64,
        body: &Value,
        files: Vec<StoredAttachment>,
    ) -> Result<StoredMessage, ApiError> {
        let message = self.message_mut(channel_id, id)?;
        apply_body(message, body)?;
        message.attachments.extend(files);
        message.edited_timestamp = Some(crate::time::now_iso());
        Ok(message.clone())
    }

    pub(crate) fn delete_message(&mut self, channel_id: u64, id: u64) -> Result<(), ApiError> {
        self.message(channel_id, id)?;
        self.messages.remove(&id);
        Ok(())
    }

    /// Adds `user_id`'s `emoji` reaction; `Ok(false)` if it was already there.
    pub(crate) fn add_reaction(
        &mut self,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
        user_id: u64,
    ) -> Result<bool, ApiError> {
        let message = self.message_mut(channel_id, message_id)?;
        if let Some(reaction) = message.reactions.iter_mut().find(|r| r.emoji == emoji) {
            return Ok(reaction.users.insert(user_id));
        }
        if message.reactions.len() >= MAX_REACTIONS {
            return Err(ApiError::new(
                400,
                30010,
                "Maximum number of reactions reached (20)",
            ));
        }
        message.reactions.push(StoredReaction {
            emoji: emoji.to_owned(),
            users: BTreeSet::from([user_id]),
        });
        Ok(true)
    }

    /// Removes `user_id`'s `emoji` reaction; `Ok(false)` if there was none.
    pub(crate) fn remove_reaction(
        &mut self,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
        user_id: u64,
    ) -> Result<bool, ApiError> {
        let message = self.message_mut(channel_id, message_id)?;
        let Some(reaction) = message.reactions.iter_mut().find(|r| r.emoji == emoji) else {
            return Ok(false);
        };
        let removed = reaction.users.remove(&user_id);
        message.reactions.retain(|r| !r.users.is_empty());
        Ok(removed)
    }

    /// Removes every user's reaction `emoji` from a message (Discord's
    /// "delete all reactions for emoji").
    pub(crate) fn clear_reaction(
        &mut self,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
    ) -> Result<(), ApiError> {
        let message = self.message_mut(channel_id, message_id)?;
        message.reactions.retain(|r| r.emoji != emoji);
        Ok(())
    }

    /// One page of the users who reacted with `emoji`: ids above `after`, ascending,
    /// at most `limit`.
    pub(crate) fn reaction_users(
        &self,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Author>, ApiError> {
        let message = self.message(channel_id, message_id)?;
        let Some(reaction) = message.reactions.iter().find(|r| r.emoji == emoji) else {
            return Ok(Vec::new());
        };
        let page = reaction.users.range(after.saturating_add(1)..).take(limit);
        Ok(page.map(|id| self.author(*id)).collect())
    }
}

/// Copies the message fields present in a create/edit body onto `message`.
fn apply_body(message: &mut StoredMessage, body: &Value) -> Result<(), ApiError> {
    if let Some(content) = body.get("content") {
        message.content = content.as_str().unwrap_or_default().to_owned();
    }
    if let Some(embeds) = body.get("embeds") {
        message.embeds = array(embeds, "embeds")?;
    }
    if let Some(components) = body.get("components") {
        message.components = array(components, "components")?;
    }
    if let Some(flags) = body.get("flags").and_then(Value::as_u64) {
        message.flags = flags;
    }
    if let Some(kept) = body.get("attachments").and_then(Value::as_array) {
        // On edit, `attachments` lists the existing files to keep (by id); new
        // uploads are added by the caller.
        let keep: BTreeSet<u64> = kept.iter().filter_map(|a| snowflake(a.get("id"))).collect();
        message.attachments.retain(|a| keep.contains(&a.id));
    }
    Ok(())
}

fn array(value: &Value, what: &str) -> Result<Vec<Value>, ApiError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => Ok(items.clone()),
        _ => Err(ApiError::bad_body(&format!("{what} must be an array"))),
    }
}

/// A nonce as Discord echoes it: strings stay strings, integers become strings.
fn nonce_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a snowflake sent as a string or a number.
pub(crate) fn snowflake(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

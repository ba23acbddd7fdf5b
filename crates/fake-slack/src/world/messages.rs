//! Messages in channels (with thread replies, reactions per user and files), and
//! ephemeral messages, which only their one recipient sees and no history lists.

use serde_json::{json, Map, Value};

use super::World;
use crate::error::SlackError;

/// Most distinct emoji on one message (Slack's `too_many_emoji`).
const MAX_EMOJI: usize = 23;

/// A message as the fake stores it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    /// The channel it is in.
    pub channel: String,
    /// Its timestamp, unique in the channel: `"1765432100.000100"`.
    pub ts: String,
    /// The thread's parent `ts`, for a reply.
    pub thread_ts: Option<String>,
    /// Who posted it (the bot's user id for the bot).
    pub user: String,
    /// The bot's `B…` id when the bot posted it.
    pub bot_id: Option<String>,
    /// The author's workspace.
    pub team: String,
    /// The text (the notification fallback when there are blocks).
    pub text: String,
    /// Block Kit blocks as sent.
    pub blocks: Vec<Value>,
    /// Legacy attachments as sent.
    pub attachments: Vec<Value>,
    /// Message metadata (`{event_type, event_payload}`) as sent.
    pub metadata: Option<Value>,
    /// Ids of files shared with it.
    pub files: Vec<String>,
    /// Reactions in the order first added.
    pub reactions: Vec<StoredReaction>,
    /// The `ts` of the last edit.
    pub edited: Option<String>,
    /// A thread reply also shown in the channel.
    pub reply_broadcast: bool,
    /// `unfurl_links` / `unfurl_media` as sent.
    pub unfurl: (Option<bool>, Option<bool>),
    /// The scheduled message that became this one, if any.
    pub scheduled_message_id: Option<String>,
}

/// One emoji on a message and who reacted with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReaction {
    /// Shortcode without colons, e.g. `thumbsup`.
    pub name: String,
    /// Reacting users in the order they reacted.
    pub users: Vec<String>,
}

/// How an ephemeral message came about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `chat.postEphemeral`.
    PostEphemeral,
    /// A post to a `response_url` (its token).
    ResponseUrl(String),
    /// The payload of a slash command's Socket Mode ack (its envelope id).
    Ack(String),
}

/// A message only `user` sees.
#[derive(Clone, Debug, PartialEq)]
pub struct Ephemeral {
    /// Where it shows.
    pub channel: String,
    /// The one user who sees it.
    pub user: String,
    /// Its timestamp (`message_ts`).
    pub ts: String,
    /// Text.
    pub text: String,
    /// Blocks as sent.
    pub blocks: Vec<Value>,
    /// The thread it shows in, if any.
    pub thread_ts: Option<String>,
    /// How it was sent.
    pub origin: Origin,
    /// Replaced or deleted through a `response_url` since.
    pub replaced: bool,
    /// Deleted through a `response_url` (`delete_original`).
    pub deleted: bool,
}

/// The content fields of a post or an update; `None` leaves a field as it is
/// on update.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Content {
    pub(crate) text: Option<String>,
    pub(crate) blocks: Option<Vec<Value>>,
    pub(crate) attachments: Option<Vec<Value>>,
    pub(crate) metadata: Option<Value>,
}

impl StoredMessage {
    /// Whether the bot posted it.
    #[must_use]
    pub fn by_bot(&self) -> bool {
        self.bot_id.is_some()
    }

    /// Users who reacted with `name`, in order.
    #[must_use]
    pub fn reaction_users(&self, name: &str) -> Vec<String> {
        self.reactions
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.users.clone())
            .unwrap_or_default()
    }

    /// The message as `conversations.history` and friends describe it;
    /// `metadata` only when asked for (`include_all_metadata`).
    pub(crate) fn json(&self, world: &World, with_metadata: bool) -> Value {
        let mut out = Map::new();
        out.insert("type".into(), json!("message"));
        out.insert("ts".into(), json!(self.ts));
        out.insert("user".into(), json!(self.user));
        out.insert("team".into(), json!(self.team));
        out.insert("text".into(), json!(self.text));
        if let Some(bot_id) = &self.bot_id {
            out.insert("bot_id".into(), json!(bot_id));
            out.insert("app_id".into(), json!(world.ids.app_id));
        }
        if !self.blocks.is_empty() {
            out.insert("blocks".into(), json!(self.blocks));
        }
        if !self.attachments.is_empty() {
            out.insert("attachments".into(), json!(self.attachments));
        }
        if let Some(thread_ts) = &self.thread_ts {
            out.insert("thread_ts".into(), json!(thread_ts));
        }
        self.thread_summary(world, &mut out);
        if !self.reactions.is_empty() {
            let reactions: Vec<Value> = self
                .reactions
                .iter()
                .map(|r| json!({ "name": r.name, "users": r.users, "count": r.users.len() }))
                .collect();
            out.insert("reactions".into(), json!(reactions));
        }
        if !self.files.is_empty() {
            let files: Vec<Value> = self
                .files
                .iter()
                .filter_map(|id| world.files.get(id))
                .map(|f| f.json(world))
                .collect();
            out.insert("files".into(), json!(files));
            out.insert("upload".into(), json!(true));
        }
        if let Some(edited) = &self.edited {
            out.insert("edited".into(), json!({ "user": self.user, "ts": edited }));
        }
        if let (true, Some(metadata)) = (with_metadata, &self.metadata) {
            out.insert("metadata".into(), metadata.clone());
        }
        Value::Object(out)
    }

    /// `reply_count` and friends on a thread's parent.
    fn thread_summary(&self, world: &World, out: &mut Map<String, Value>) {
        let Some(channel) = world.channels.get(&self.channel) else {
            return;
        };
        let replies: Vec<&StoredMessage> = channel
            .messages
            .values()
            .filter(|m| m.thread_ts.as_deref() == Some(&self.ts) && m.ts != self.ts)
            .collect();
        let Some(latest) = replies.last() else {
            return;
        };
        let mut users: Vec<&str> = replies.iter().map(|m| m.user.as_str()).collect();
        users.sort_unstable();
        users.dedup();
        out.insert("thread_ts".into(), json!(self.ts));
        out.insert("reply_count".into(), json!(replies.len()));
        out.insert("reply_users_count".into(), json!(users.len()));
        out.insert("reply_users".into(), json!(users));
        out.insert("latest_reply".into(), json!(latest.ts));
    }
}

impl World {
    /// Gives every block without a `block_id` one, as Slack does when it stores
    /// a message, so clicks and history name the same block.
    pub(crate) fn with_block_ids(&mut self, mut blocks: Vec<Value>) -> Vec<Value> {
        for block in &mut blocks {
            if let Some(fields) = block.as_object_mut() {
                if !fields.contains_key("block_id") {
                    fields.insert("block_id".into(), json!(self.mint.id("b")));
                }
            }
        }
        blocks
    }

    /// `https://DOMAIN.slack.com/archives/CHANNEL/pTS`, as `chat.getPermalink`.
    pub(crate) fn permalink(&self, channel: &str, ts: &str) -> String {
        let compact: String = ts.chars().filter(char::is_ascii_digit).collect();
        let domain = &self.ids.team_domain;
        format!("https://{domain}.slack.com/archives/{channel}/p{compact}")
    }

    /// Stores a new message from `user` in `channel` (already checked) and
    /// returns it.
    pub(crate) fn add_message(
        &mut self,
        channel: &str,
        user: &str,
        content: Content,
        thread_ts: Option<String>,
    ) -> Result<StoredMessage, SlackError> {
        let is_bot = user == self.ids.bot_user_id;
        let team = self
            .users
            .get(user)
            .map_or_else(|| self.ids.team_id.clone(), |u| u.team_id.clone());
        if let Some(parent) = &thread_ts {
            self.message(channel, parent)
                .map_err(|_| SlackError::new("thread_not_found"))?;
        }
        let blocks = self.with_block_ids(content.blocks.unwrap_or_default());
        let message = StoredMessage {
            channel: channel.to_owned(),
            ts: self.clock.next_ts(),
            thread_ts,
            user: user.to_owned(),
            bot_id: is_bot.then(|| self.ids.bot_id.clone()),
            team,
            text: content.text.unwrap_or_default(),
            blocks,
            attachments: content.attachments.unwrap_or_default(),
            metadata: content.metadata,
            files: Vec::new(),
            reactions: Vec::new(),
            edited: None,
            reply_broadcast: false,
            unfurl: (None, None),
            scheduled_message_id: None,
        };
        self.channel_mut(channel)?
            .messages
            .insert(message.ts.clone(), message.clone());
        Ok(message)
    }

    /// A message in `channel`.
    pub(crate) fn message(&self, channel: &str, ts: &str) -> Result<&StoredMessage, SlackError> {
        self.channels
            .get(channel)
            .and_then(|c| c.messages.get(ts))
            .ok_or_else(SlackError::message_not_found)
    }

    pub(crate) fn message_mut(
        &mut self,
        channel: &str,
        ts: &str,
    ) -> Result<&mut StoredMessage, SlackError> {
        self.channels
            .get_mut(channel)
            .and_then(|c| c.messages.get_mut(ts))
            .ok_or_else(SlackError::message_not_found)
    }

    /// Replaces the given content fields of the bot's own message.
    pub(crate) fn update_message(
        &mut self,
        channel: &str,
        ts: &str,
        content: Content,
    ) -> Result<StoredMessage, SlackError> {
        let edited = self.clock.next_ts();
        let blocks = content.blocks.map(|b| self.with_block_ids(b));
        let message = self.message_mut(channel, ts)?;
        if !message.by_bot() {
            return Err(SlackError::new("cant_update_message"));
        }
        if let Some(text) = content.text {
            message.text = text;
        }
        if let Some(blocks) = blocks {
            message.blocks = blocks;
        }
        if let Some(attachments) = content.attachments {
            message.attachments = attachments;
        }
        if content.metadata.is_some() {
            message.metadata = content.metadata;
        }
        message.edited = Some(edited);
        Ok(message.clone())
    }

    /// Deletes the bot's own message.
    pub(crate) fn delete_message(&mut self, channel: &str, ts: &str) -> Result<(), SlackError> {
        if !self.message(channel, ts)?.by_bot() {
            return Err(SlackError::new("cant_delete_message"));
        }
        self.channel_mut(channel)?.messages.remove(ts);
        Ok(())
    }

    /// `user` (remembered) adds or removes their `name` reaction.
    pub(crate) fn react_as(
        &mut self,
        user: &crate::ids::FakeUser,
        channel: &str,
        ts: &str,
        name: &str,
        added: bool,
    ) -> Result<(), SlackError> {
        self.remember(user);
        if added {
            self.add_reaction(channel, ts, name, &user.id)
        } else {
            self.remove_reaction(channel, ts, name, &user.id)
        }
    }

    /// Adds `user`'s `name` reaction; `already_reacted` if it is there.
    pub(crate) fn add_reaction(
        &mut self,
        channel: &str,
        ts: &str,
        name: &str,
        user: &str,
    ) -> Result<(), SlackError> {
        let message = self.message_mut(channel, ts)?;
        if let Some(reaction) = message.reactions.iter_mut().find(|r| r.name == name) {
            if reaction.users.iter().any(|u| u == user) {
                return Err(SlackError::new("already_reacted"));
            }
            reaction.users.push(user.to_owned());
            return Ok(());
        }
        if message.reactions.len() >= MAX_EMOJI {
            return Err(SlackError::new("too_many_emoji"));
        }
        message.reactions.push(StoredReaction {
            name: name.to_owned(),
            users: vec![user.to_owned()],
        });
        Ok(())
    }

    /// Removes `user`'s `name` reaction; `no_reaction` if there was none.
    pub(crate) fn remove_reaction(
        &mut self,
        channel: &str,
        ts: &str,
        name: &str,
        user: &str,
    ) -> Result<(), SlackError> {
        let message = self.message_mut(channel, ts)?;
        let reaction = message.reactions.iter_mut().find(|r| r.name == name);
        let Some(reaction) = reaction.filter(|r| r.users.iter().any(|u| u == user)) else {
            return Err(SlackError::new("no_reaction"));
        };
        reaction.users.retain(|u| u != user);
        message.reactions.retain(|r| !r.users.is_empty());
        Ok(())
    }

    /// Records an ephemeral message and returns its `ts`.
    pub(crate) fn add_ephemeral(
        &mut self,
        channel: &str,
        user: &str,
        content: Content,
        thread_ts: Option<String>,
        origin: Origin,
    ) -> String {
        let ts = self.clock.next_ts();
        let blocks = self.with_block_ids(content.blocks.unwrap_or_default());
        self.ephemerals.push(Ephemeral {
            channel: channel.to_owned(),
            user: user.to_owned(),
            ts: ts.clone(),
            text: content.text.unwrap_or_default(),
            blocks,
            thread_ts,
            origin,
            replaced: false,
            deleted: false,
        });
        ts
    }
}

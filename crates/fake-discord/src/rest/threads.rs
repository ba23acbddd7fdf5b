//! Threads: `POST /channels/{channel}/messages/{message}/threads` starts a
//! public thread on a message (the thread's id is the message's, as on
//! Discord), `POST /channels/{forum}/threads` opens a post in a forum or
//! media channel with its starter message (whose id is the thread's),
//! `GET /guilds/{guild}/threads/active` lists the unarchived ones, and
//! `PATCH /channels/{thread}` archives or renames one. A thread is a
//! channel of its parent's guild: messages and commands work in it.
//! Also pins (`PUT /channels/{channel}/pins/{message}`), kept per message.

use serde_json::{json, Value};

use super::channels::store_files;
use super::Reply;
use crate::error::ApiError;
use crate::payloads::{self, is_forum, sf};
use crate::record::RecordedRequest;
use crate::{lock, FakeDiscord, Inner};

/// Discord's longest thread name.
const NAME_CHARS: usize = 100;

/// A thread as the fake keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeThread {
    pub id: u64,
    pub parent_id: u64,
    pub guild_id: u64,
    /// Who started it (the bot, for every thread the fake has).
    pub owner_id: u64,
    pub name: String,
    pub archived: bool,
    /// Seconds of inactivity after which Discord would archive it.
    pub auto_archive_duration: u64,
}

/// Starts a thread on `message` in `channel`.
pub(crate) fn start(
    inner: &Inner,
    req: &RecordedRequest,
    channel: u64,
    message: u64,
) -> Result<Reply, ApiError> {
    let body = req.body.clone().unwrap_or(json!({}));
    let name = thread_name(&body)?;
    let mut world = lock(&inner.world);
    world.message(channel, message)?;
    let guild_id = match world.channel_guild(channel)? {
        // A thread has no threads of its own (a forum post's starter included).
        Some(guild) if !world.threads.contains_key(&channel) => guild,
        _ => return Err(wrong_channel_type()),
    };
    if world.threads.contains_key(&message) {
        return Err(ApiError::new(
            400,
            160004,
            "A thread has already been created for this message",
        ));
    }
    let thread = FakeThread {
        id: message,
        parent_id: channel,
        guild_id,
        owner_id: inner.ids.bot_user_id,
        name,
        archived: false,
        auto_archive_duration: archive_duration(&body),
    };
    world.threads.insert(message, thread.clone());
    drop(world);
    inner.changes.bump();
    Ok(Reply::Json(channel_json(&thread)))
}

/// Opens a post in forum (or media) channel `forum`: a thread named `name`
/// whose starter message is `message`, answered as the thread's channel
/// object with that message nested, as Discord does.
pub(crate) fn start_in_forum(
    inner: &Inner,
    req: &RecordedRequest,
    forum: u64,
) -> Result<Reply, ApiError> {
    let body = req.body.clone().unwrap_or(json!({}));
    let name = thread_name(&body)?;
    let Some(starter) = body.get("message").filter(|m| m.is_object()) else {
        return Err(ApiError::new(
            400,
            50035,
            "Invalid Form Body (message): required in a forum",
        ));
    };
    let (thread, message) = {
        let mut world = lock(&inner.world);
        let Some(guild_id) = world.channel_guild(forum)? else {
            return Err(wrong_channel_type());
        };
        if !world.channel_kind(forum).is_some_and(is_forum) {
            // Threads without a message in text channels: not a call emcee makes.
            return Err(wrong_channel_type());
        }
        let thread = FakeThread {
            id: world.snowflakes.next(),
            parent_id: forum,
            guild_id,
            owner_id: inner.ids.bot_user_id,
            name,
            archived: false,
            auto_archive_duration: archive_duration(&body),
        };
        let files = store_files(&world, &req.attachments);
        let message = world.start_post(thread.id, guild_id, starter, files)?;
        world.threads.insert(thread.id, thread.clone());
        (thread, message)
    };
    inner.dispatch_message("MESSAGE_CREATE", &message);
    let mut answer = channel_json(&thread);
    answer["message"] = payloads::message(&message, inner.ids.bot_user_id);
    Ok(Reply::Json(answer))
}

/// `GET /guilds/{guild}/threads/active`: every unarchived thread of the
/// guild, forum posts included, as `{ threads, members }`.
pub(crate) fn active(inner: &Inner, guild: u64) -> Result<Reply, ApiError> {
    if inner.guild(guild).is_none() {
        return Err(ApiError::new(404, 10004, "Unknown Guild"));
    }
    let world = lock(&inner.world);
    let threads: Vec<Value> = world
        .threads
        .values()
        .filter(|t| t.guild_id == guild && !t.archived)
        .map(channel_json)
        .collect();
    Ok(Reply::Json(json!({ "threads": threads, "members": [] })))
}

/// `GET /channels/{channel}`: a guild channel as listed, or a thread.
pub(crate) fn get(inner: &Inner, channel: u64) -> Result<Reply, ApiError> {
    let world = lock(&inner.world);
    if let Some(thread) = world.threads.get(&channel) {
        return Ok(Reply::Json(channel_json(thread)));
    }
    drop(world);
    inner
        .guilds
        .iter()
        .filter_map(|g| match payloads::guild_channels(g) {
            Value::Array(listed) => listed.into_iter().find(|c| c["id"] == sf(channel)),
            _ => None,
        })
        .next()
        .map(Reply::Json)
        .ok_or_else(ApiError::unknown_channel)
}

/// A thread's name from a start body: 1 to 100 characters.
fn thread_name(body: &Value) -> Result<String, ApiError> {
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.is_empty() || name.chars().count() > NAME_CHARS {
        return Err(ApiError::new(400, 50035, "Invalid Form Body (name)"));
    }
    Ok(name.to_owned())
}

fn archive_duration(body: &Value) -> u64 {
    body.get("auto_archive_duration")
        .and_then(Value::as_u64)
        .unwrap_or(1440)
}

fn wrong_channel_type() -> ApiError {
    ApiError::new(400, 50024, "Cannot execute action on this channel type")
}

/// `PATCH /channels/{thread}`: `archived`, `locked` and `name`.
pub(crate) fn edit(inner: &Inner, req: &RecordedRequest, channel: u64) -> Result<Reply, ApiError> {
    let body = req.body.clone().unwrap_or(json!({}));
    let mut world = lock(&inner.world);
    let Some(thread) = world.threads.get_mut(&channel) else {
        return Err(ApiError::unknown_channel());
    };
    if let Some(archived) = body.get("archived").and_then(Value::as_bool) {
        thread.archived = archived;
    }
    if let Some(name) = body.get("name").and_then(Value::as_str) {
        thread.name = name.to_owned();
    }
    let json = channel_json(thread);
    drop(world);
    inner.changes.bump();
    Ok(Reply::Json(json))
}

/// Pins a message to its channel.
pub(crate) fn pin(inner: &Inner, channel: u64, message: u64) -> Result<Reply, ApiError> {
    let mut world = lock(&inner.world);
    world.message(channel, message)?;
    world.pins.insert(message);
    drop(world);
    inner.changes.bump();
    Ok(Reply::NoContent)
}

fn channel_json(thread: &FakeThread) -> Value {
    json!({
        "id": sf(thread.id),
        "type": 11,
        "guild_id": sf(thread.guild_id),
        "parent_id": sf(thread.parent_id),
        "owner_id": sf(thread.owner_id),
        "name": thread.name,
        "message_count": 0,
        "member_count": 1,
        "applied_tags": [],
        "thread_metadata": {
            "archived": thread.archived,
            "auto_archive_duration": thread.auto_archive_duration,
            "archive_timestamp": "2021-10-07T00:00:00.000000+00:00",
            "locked": false,
        },
    })
}

impl FakeDiscord {
    /// Every thread the bot started, by id.
    #[must_use]
    pub fn threads(&self) -> Vec<FakeThread> {
        lock(&self.inner.world).threads.values().cloned().collect()
    }

    /// Whether the bot pinned message `message_id`.
    #[must_use]
    pub fn is_pinned(&self, message_id: u64) -> bool {
        lock(&self.inner.world).pins.contains(&message_id)
    }
}

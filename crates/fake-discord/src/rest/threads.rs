//! Threads: `POST /channels/{channel}/messages/{message}/threads` starts a
//! public thread on a message (the thread's id is the message's, as on
//! Discord), and `PATCH /channels/{thread}` archives or renames it. A thread
//! is a channel of its parent's guild: messages and commands work in it.
//! Also pins (`PUT /channels/{channel}/pins/{message}`), kept per message.

use serde_json::{json, Value};

use super::Reply;
use crate::error::ApiError;
use crate::payloads::sf;
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
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.is_empty() || name.chars().count() > NAME_CHARS {
        return Err(ApiError::new(400, 50035, "Invalid Form Body (name)"));
    }
    let mut world = lock(&inner.world);
    world.message(channel, message)?;
    let Some(guild_id) = world.channel_guild(channel)? else {
        return Err(ApiError::new(
            400,
            50024,
            "Cannot execute action on this channel type",
        ));
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
        name: name.to_owned(),
        archived: false,
        auto_archive_duration: body
            .get("auto_archive_duration")
            .and_then(Value::as_u64)
            .unwrap_or(1440),
    };
    world.threads.insert(message, thread.clone());
    drop(world);
    inner.changes.bump();
    Ok(Reply::Json(channel_json(&thread)))
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
        "name": thread.name,
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

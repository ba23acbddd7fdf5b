//! Messages and reactions in channels: what the bot posts, edits, deletes and
//! reacts with. Each change is also dispatched on the gateway, as Discord echoes
//! the bot's own actions back to it.

use serde_json::{json, Value};

use super::routes::id;
use super::Reply;
use crate::error::ApiError;
use crate::payloads::{self, sf};
use crate::record::{decode, RecordedAttachment, RecordedRequest};
use crate::state::{StoredAttachment, World};
use crate::{lock, Inner};

/// Default and maximum page sizes of `GET .../reactions/{emoji}`.
const REACTIONS_PAGE: (usize, usize) = (25, 100);

/// Routes `/channels/{channel}/messages/...`.
pub(crate) fn route(
    inner: &Inner,
    req: &RecordedRequest,
    channel: u64,
    rest: &[&str],
) -> Result<Reply, ApiError> {
    match (req.method.as_str(), rest) {
        ("POST", []) => create(inner, req, channel),
        ("GET", []) => list(inner, req, channel),
        ("GET", [message]) => {
            let world = lock(&inner.world);
            let stored = world.message(channel, id(message)?)?;
            Ok(Reply::Json(payloads::message(
                stored,
                inner.ids.bot_user_id,
            )))
        }
        ("PATCH", [message]) => edit(inner, req, channel, id(message)?),
        ("DELETE", [message]) => delete(inner, channel, id(message)?),
        ("PUT", [message, "reactions", emoji, "@me"]) => react(
            inner,
            channel,
            id(message)?,
            &decode(emoji),
            inner.ids.bot_user_id,
            true,
        ),
        ("DELETE", [message, "reactions", emoji, user]) => {
            let user = if *user == "@me" {
                inner.ids.bot_user_id
            } else {
                id(user)?
            };
            react(inner, channel, id(message)?, &decode(emoji), user, false)
        }
        ("DELETE", [message, "reactions", emoji]) => {
            let mut world = lock(&inner.world);
            world.clear_reaction(channel, id(message)?, &decode(emoji))?;
            drop(world);
            inner.changes.bump();
            Ok(Reply::NoContent)
        }
        ("GET", [message, "reactions", emoji]) => {
            reaction_users(inner, req, channel, id(message)?, &decode(emoji))
        }
        _ => Err(ApiError::not_found()),
    }
}

/// Gives uploaded files stored ids.
pub(crate) fn store_files(world: &World, files: &[RecordedAttachment]) -> Vec<StoredAttachment> {
    files
        .iter()
        .map(|f| StoredAttachment {
            id: world.snowflakes.next(),
            filename: f.filename.clone(),
            content_type: f.content_type.clone(),
            size: f.len,
        })
        .collect()
}

fn create(inner: &Inner, req: &RecordedRequest, channel: u64) -> Result<Reply, ApiError> {
    let body = req.body.clone().unwrap_or(json!({}));
    let poll = super::polls::parse(&body)?;
    let (message, fresh) = {
        let mut world = lock(&inner.world);
        let recipient = world.dm_recipient(channel);
        if recipient.is_some_and(|user| lock(&inner.faults).dm_closed(user)) {
            return Err(ApiError::new(
                403,
                50007,
                "Cannot send messages to this user",
            ));
        }
        let before = world.messages.len();
        let files = store_files(&world, &req.attachments);
        let bot = world.bot();
        let message = world.create_message(channel, bot, &body, files)?;
        let fresh = world.messages.len() > before;
        if let (true, Some(mut poll)) = (fresh, poll) {
            (poll.message_id, poll.channel_id, poll.guild_id) =
                (message.id, channel, message.guild_id);
            world.polls.insert(message.id, poll);
        }
        (message, fresh)
    };
    if fresh {
        inner.dispatch_message("MESSAGE_CREATE", &message);
    }
    Ok(Reply::Json(payloads::message(
        &message,
        inner.ids.bot_user_id,
    )))
}

fn list(inner: &Inner, req: &RecordedRequest, channel: u64) -> Result<Reply, ApiError> {
    let limit = req
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(50usize)
        .min(100);
    let world = lock(&inner.world);
    world.channel_guild(channel)?;
    let newest_first: Vec<Value> = world
        .messages
        .values()
        .rev()
        .filter(|m| m.channel_id == channel)
        .take(limit)
        .map(|m| payloads::message(m, inner.ids.bot_user_id))
        .collect();
    Ok(Reply::Json(Value::Array(newest_first)))
}

fn edit(
    inner: &Inner,
    req: &RecordedRequest,
    channel: u64,
    message_id: u64,
) -> Result<Reply, ApiError> {
    let body = req.body.clone().unwrap_or(json!({}));
    let message = {
        let mut world = lock(&inner.world);
        if world.message(channel, message_id)?.author.id != inner.ids.bot_user_id {
            return Err(ApiError::new(
                403,
                50005,
                "Cannot edit a message authored by another user",
            ));
        }
        let files = store_files(&world, &req.attachments);
        world.edit_message(channel, message_id, &body, files)?
    };
    inner.dispatch_message("MESSAGE_UPDATE", &message);
    Ok(Reply::Json(payloads::message(
        &message,
        inner.ids.bot_user_id,
    )))
}

fn delete(inner: &Inner, channel: u64, message_id: u64) -> Result<Reply, ApiError> {
    let guild = {
        let mut world = lock(&inner.world);
        let guild = world.message(channel, message_id)?.guild_id;
        world.delete_message(channel, message_id)?;
        guild
    };
    let mut event = json!({ "id": sf(message_id), "channel_id": sf(channel) });
    if let Some(guild) = guild {
        event["guild_id"] = sf(guild);
    }
    inner.dispatch("MESSAGE_DELETE", &event);
    Ok(Reply::NoContent)
}

/// Adds or removes one user's reaction and dispatches the change, if any.
pub(crate) fn react(
    inner: &Inner,
    channel: u64,
    message_id: u64,
    emoji: &str,
    user: u64,
    add: bool,
) -> Result<Reply, ApiError> {
    let changed = {
        let mut world = lock(&inner.world);
        let changed = if add {
            world.add_reaction(channel, message_id, emoji, user)?
        } else {
            world.remove_reaction(channel, message_id, emoji, user)?
        };
        changed
            .then(|| world.message(channel, message_id).cloned())
            .transpose()?
    };
    if let Some(message) = changed {
        let event = if add {
            "MESSAGE_REACTION_ADD"
        } else {
            "MESSAGE_REACTION_REMOVE"
        };
        inner.dispatch(event, &payloads::reaction_event(&message, user, emoji, add));
    } else {
        inner.changes.bump();
    }
    Ok(Reply::NoContent)
}

/// A page's `limit` (of at most `max`, `default` when absent) and the
/// `after` id (0 when absent) of a user list such as a reaction's.
pub(crate) fn page(
    req: &RecordedRequest,
    (default, max): (usize, usize),
) -> Result<(usize, u64), ApiError> {
    let limit = req
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(default);
    if limit == 0 || limit > max {
        return Err(ApiError::bad_body("limit must be between 1 and 100"));
    }
    let after = req.query("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    Ok((limit, after))
}

fn reaction_users(
    inner: &Inner,
    req: &RecordedRequest,
    channel: u64,
    message_id: u64,
    emoji: &str,
) -> Result<Reply, ApiError> {
    let (limit, after) = page(req, REACTIONS_PAGE)?;
    let world = lock(&inner.world);
    let users = world.reaction_users(channel, message_id, emoji, after, limit)?;
    Ok(Reply::Json(Value::Array(
        users.iter().map(payloads::user).collect(),
    )))
}

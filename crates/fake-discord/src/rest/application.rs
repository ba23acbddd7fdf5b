//! Who the bot is and where to connect: gateway discovery, the current user and
//! application, command registration, and opening DM channels.

use serde_json::{json, Value};

use super::routes::id;
use super::Reply;
use crate::error::ApiError;
use crate::payloads;
use crate::record::RecordedRequest;
use crate::state::snowflake;
use crate::{lock, Inner};

/// `GET /gateway`: serenity connects wherever this points.
pub(crate) fn gateway(inner: &Inner) -> Reply {
    Reply::Json(json!({ "url": inner.gateway_url() }))
}

/// `GET /gateway/bot`: the recommended shard count and how many IDENTIFYs
/// may start at once ([`crate::Config::shards`], `max_concurrency`).
pub(crate) fn gateway_bot(inner: &Inner) -> Reply {
    Reply::Json(json!({
        "url": inner.gateway_url(),
        "shards": inner.config.shards,
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14_400_000,
            "max_concurrency": inner.config.max_concurrency,
        },
    }))
}

/// `GET /users/@me`.
pub(crate) fn current_user(inner: &Inner) -> Reply {
    let bot = lock(&inner.world).bot();
    let mut user = payloads::user(&bot);
    user["verified"] = json!(true);
    user["mfa_enabled"] = json!(false);
    user["flags"] = json!(0);
    Reply::Json(user)
}

/// `GET /guilds/{id}/members/{bot}`: the bot as a member of `guild`, with its
/// own role where it has one.
pub(crate) fn bot_member(inner: &Inner, guild: &crate::GuildInfo) -> Value {
    let bot = lock(&inner.world).bot();
    payloads::member(&bot, guild.bot_role_id.as_slice(), &crate::time::now_iso())
}

/// `GET /oauth2/applications/@me` (poise asks for the owners at start).
pub(crate) fn application(inner: &Inner) -> Reply {
    let bot = lock(&inner.world).bot();
    Reply::Json(payloads::application_info(&inner.ids, &bot))
}

/// `POST /users/@me/channels {"recipient_id"}`.
pub(crate) fn open_dm(inner: &Inner, req: &RecordedRequest) -> Result<Reply, ApiError> {
    let recipient = snowflake(req.body.as_ref().and_then(|b| b.get("recipient_id")))
        .ok_or_else(|| ApiError::bad_body("recipient_id is required"))?;
    let mut world = lock(&inner.world);
    let channel_id = world.open_dm(recipient);
    Ok(Reply::Json(payloads::dm_channel(
        channel_id,
        &world.author(recipient),
    )))
}

/// `GET|PUT|POST /applications/{app}[/guilds/{g}]/commands`: lists, overwrites
/// (bulk) or upserts one command. A command keeps its id when re-registered under
/// the same name, as on Discord.
pub(crate) fn commands(
    inner: &Inner,
    req: &RecordedRequest,
    method: &str,
    app: &str,
    guild: Option<&str>,
) -> Result<Reply, ApiError> {
    if id(app)? != inner.ids.application_id {
        return Err(ApiError::new(404, 10002, "Unknown Application"));
    }
    let guild = guild.map(id).transpose()?;
    if guild.is_some_and(|g| inner.guild(g).is_none()) {
        return Err(ApiError::new(403, 50001, "Missing Access"));
    }
    let body = req.body.clone().unwrap_or(Value::Null);
    let mut world = lock(&inner.world);
    let existing = world.commands.get(&guild).cloned().unwrap_or_default();
    let store = |definition: &Value| {
        let name = definition.get("name").and_then(Value::as_str);
        let same = existing
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == name);
        let id =
            snowflake(same.and_then(|c| c.get("id"))).unwrap_or_else(|| world.snowflakes.next());
        payloads::stored_command(&inner.ids, guild, id, definition)
    };
    match (method, body) {
        ("GET", _) => Ok(Reply::Json(Value::Array(existing))),
        ("PUT", Value::Array(definitions)) => {
            let stored: Vec<Value> = definitions.iter().map(store).collect();
            world.commands.insert(guild, stored.clone());
            Ok(Reply::Json(Value::Array(stored)))
        }
        ("POST", definition @ Value::Object(_)) => {
            let command = store(&definition);
            let mut list = existing.clone();
            list.retain(|c| c.get("name") != command.get("name"));
            list.push(command.clone());
            world.commands.insert(guild, list);
            Ok(Reply::Json(command))
        }
        ("PUT" | "POST", _) => Err(ApiError::bad_body("expected command JSON")),
        _ => Err(ApiError::not_found()),
    }
}

/// A registered command's id by name, for building interactions.
pub(crate) fn command_id<'a>(
    commands: impl IntoIterator<Item = &'a Value>,
    name: &str,
) -> Option<u64> {
    let command = commands
        .into_iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))?;
    snowflake(command.get("id"))
}

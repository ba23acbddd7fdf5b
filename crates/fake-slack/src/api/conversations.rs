//! `conversations.*`: listing and describing the channels the bot sees, joining
//! public ones, opening DMs, and reading history, threads and members, with
//! Slack's cursor paging (`response_metadata.next_cursor`, empty at the end).

use serde_json::{json, Value};

use super::{Args, Ctx};
use crate::clock::ts_micros;
use crate::error::SlackError;
use crate::world::{ChannelKind, StoredMessage};

/// The largest page Slack serves.
const MAX_LIMIT: u64 = 1000;

pub(super) fn method(name: &str) -> Option<super::Method> {
    Some(match name {
        "conversations.list" => list,
        "conversations.info" => info,
        "conversations.join" => join,
        "conversations.open" => open,
        "conversations.history" => history,
        "conversations.replies" => replies,
        "conversations.members" => members,
        _ => return None,
    })
}

/// One page of `items` from the request's `cursor`, at most its `limit`
/// (`default` when absent or 0), and the cursor of the next page (`""` at the
/// end).
pub(super) fn page<T: Clone>(
    items: &[T],
    args: &Args,
    default: u64,
) -> Result<(Vec<T>, String), SlackError> {
    let start = match args.str("cursor") {
        None => 0,
        Some(cursor) => cursor
            .strip_prefix("ZmFrZTo")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| SlackError::new("invalid_cursor"))?,
    };
    let limit = match args.number("limit")? {
        None | Some(0) => default,
        Some(n) => n.min(MAX_LIMIT),
    };
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
        .min(items.len());
    let next = if end < items.len() {
        format!("ZmFrZTo{end}")
    } else {
        String::new()
    };
    Ok((items[start..end].to_vec(), next))
}

fn list(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let mut types = args.list("types");
    if types.is_empty() {
        types.push("public_channel".to_owned());
    }
    let exclude_archived = args.flag("exclude_archived");
    let world = &*ctx.world;
    let seen: Vec<Value> = world
        .channels
        .values()
        .filter(|c| types.iter().any(|t| t == c.kind.type_name()))
        .filter(|c| !(exclude_archived && c.is_archived))
        .filter(|c| world.visible(&c.id).is_ok())
        .map(|c| c.json(world.bot_user()))
        .collect();
    let (channels, next) = page(&seen, args, 100)?;
    Ok(json!({ "channels": channels, "response_metadata": { "next_cursor": next } }))
}

fn info(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let channel = ctx.world.visible(&ctx.args.required("channel")?)?;
    let mut json = channel.json(ctx.world.bot_user());
    if !ctx.args.flag("include_num_members") {
        if let Some(object) = json.as_object_mut() {
            object.remove("num_members");
        }
    }
    Ok(json!({ "channel": json }))
}

fn join(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let channel = ctx.world.visible(&ctx.args.required("channel")?)?;
    if channel.kind != ChannelKind::Public {
        return Err(SlackError::new("method_not_supported_for_channel_type"));
    }
    if channel.is_archived {
        return Err(SlackError::new("is_archived"));
    }
    let id = channel.id.clone();
    let bot = ctx.world.bot_user().to_owned();
    let joined = ctx.world.channel_mut(&id)?.members.insert(bot.clone());
    let json = ctx.world.channel_mut(&id)?.json(&bot);
    if joined {
        return Ok(json!({ "channel": json }));
    }
    Ok(json!({
        "channel": json,
        "warning": "already_in_channel",
        "response_metadata": { "warnings": ["already_in_channel"] },
    }))
}

fn open(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let users = ctx.args.list("users");
    let id = match (users.as_slice(), ctx.args.str("channel")) {
        ([user], _) => ctx.world.open_dm(user)?,
        ([], Some(channel)) => (ctx.world.visible(&channel)?.id.clone(), true),
        ([], None) => return Err(SlackError::new("users_list_not_supplied")),
        _ => return Err(SlackError::new("not_supported")),
    };
    let (id, already_open) = id;
    let channel = if ctx.args.flag("return_im") {
        ctx.world.visible(&id)?.json(ctx.world.bot_user())
    } else {
        json!({ "id": id })
    };
    if already_open {
        return Ok(json!({ "channel": channel, "already_open": true, "no_op": true }));
    }
    Ok(json!({ "channel": channel }))
}

/// Messages between `oldest` and `latest` (exclusive unless `inclusive`).
fn in_bounds(args: &Args, ts: &str) -> bool {
    let inclusive = args.flag("inclusive");
    let at = ts_micros(ts).unwrap_or_default();
    let bound = |key: &str| args.str(key).as_deref().and_then(ts_micros);
    let after = bound("oldest").is_none_or(|o| at > o || (inclusive && at == o));
    let before = bound("latest").is_none_or(|l| at < l || (inclusive && at == l));
    after && before
}

fn history(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let channel = ctx.world.readable(&args.required("channel")?)?;
    let metadata = args.flag("include_all_metadata");
    let newest_first: Vec<&StoredMessage> = channel
        .messages
        .values()
        .rev()
        .filter(|m| m.thread_ts.as_ref().is_none_or(|t| *t == m.ts) || m.reply_broadcast)
        .filter(|m| in_bounds(args, &m.ts))
        .collect();
    let (messages, next) = page(&newest_first, args, 100)?;
    let messages: Vec<Value> = messages
        .iter()
        .map(|m| m.json(ctx.world, metadata))
        .collect();
    Ok(json!({
        "messages": messages,
        "has_more": !next.is_empty(),
        "pin_count": 0,
        "response_metadata": { "next_cursor": next },
    }))
}

fn replies(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let channel = ctx.world.readable(&args.required("channel")?)?;
    let ts = args.required("ts")?;
    let parent = channel
        .messages
        .get(&ts)
        .ok_or_else(|| SlackError::new("thread_not_found"))?;
    let root = parent
        .thread_ts
        .clone()
        .unwrap_or_else(|| parent.ts.clone());
    let thread: Vec<&StoredMessage> = channel
        .messages
        .values()
        .filter(|m| m.ts == root || m.thread_ts.as_deref() == Some(&root))
        .filter(|m| m.ts == root || in_bounds(args, &m.ts))
        .collect();
    let (messages, next) = page(&thread, args, 100)?;
    let messages: Vec<Value> = messages
        .iter()
        .map(|m| m.json(ctx.world, args.flag("include_all_metadata")))
        .collect();
    Ok(json!({
        "messages": messages,
        "has_more": !next.is_empty(),
        "response_metadata": { "next_cursor": next },
    }))
}

fn members(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let channel = ctx.world.visible(&ctx.args.required("channel")?)?;
    let all: Vec<String> = channel.members.iter().cloned().collect();
    let (members, next) = page(&all, ctx.args, 100)?;
    Ok(json!({ "members": members, "response_metadata": { "next_cursor": next } }))
}

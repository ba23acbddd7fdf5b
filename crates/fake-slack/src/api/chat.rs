//! `chat.*`: posting, editing and deleting the bot's messages, ephemeral
//! messages, scheduled messages and permalinks, with Slack's checks on text
//! length, blocks and metadata.

use serde_json::{json, Value};

use super::Ctx;
use crate::blocks;
use crate::clock::ts_secs;
use crate::error::SlackError;
use crate::world::{Content, Origin, ScheduledMessage};

/// Slack's limit on a message's `text`.
const MAX_TEXT: usize = 40_000;
/// How far ahead `chat.scheduleMessage` may schedule, in seconds.
const MAX_SCHEDULE_AHEAD: u64 = 120 * 24 * 3600;
/// Scheduled messages allowed per channel within 5 minutes of `post_at`.
const MAX_SCHEDULED_PER_WINDOW: usize = 30;

pub(super) fn method(name: &str) -> Option<super::Method> {
    Some(match name {
        "chat.postMessage" => post_message,
        "chat.update" => update,
        "chat.delete" => delete,
        "chat.postEphemeral" => post_ephemeral,
        "chat.scheduleMessage" => schedule_message,
        "chat.deleteScheduledMessage" => delete_scheduled_message,
        "chat.scheduledMessages.list" => scheduled_messages_list,
        "chat.getPermalink" => get_permalink,
        _ => return None,
    })
}

/// The content of a new message, checked as Slack checks it: some text, blocks
/// or attachments; text at most 40,000 characters; valid blocks; metadata with
/// an `event_type` and an object `event_payload`.
pub(super) fn content(ctx: &Ctx<'_>, required: bool) -> Result<Content, SlackError> {
    let args = ctx.args;
    let text = args.str("text");
    let blocks = args.array("blocks", "invalid_blocks_format")?;
    let attachments = args.array("attachments", "invalid_attachments")?;
    let metadata = args.json("metadata", "invalid_metadata_format")?;
    let empty = text.is_none() && blocks.is_none() && attachments.is_none();
    if required && empty {
        return Err(SlackError::new("no_text"));
    }
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return Err(SlackError::new("msg_too_long"));
    }
    if let Some(blocks) = &blocks {
        blocks::validate(blocks)?;
    }
    if let Some(metadata) = &metadata {
        let typed = metadata.get("event_type").and_then(Value::as_str);
        let payload = metadata.get("event_payload");
        if typed.is_none_or(str::is_empty) || !payload.is_some_and(Value::is_object) {
            return Err(SlackError::new("invalid_metadata_format"));
        }
    }
    Ok(Content {
        text,
        blocks,
        attachments,
        metadata,
    })
}

fn post_message(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let target = args.required("channel")?;
    // A user id posts into that user's DM with the bot, opening it if need be.
    if target.starts_with('U') && ctx.world.users.contains_key(&target) {
        ctx.world.open_dm(&target)?;
    }
    let channel = ctx.world.postable(&target)?.id.clone();
    let content = content(ctx, true)?;
    let bot = ctx.world.bot_user().to_owned();
    let message = ctx
        .world
        .add_message(&channel, &bot, content, args.str("thread_ts"))?;
    let stored = ctx.world.message_mut(&channel, &message.ts)?;
    stored.reply_broadcast = args.flag("reply_broadcast");
    stored.unfurl = (args.opt_flag("unfurl_links"), args.opt_flag("unfurl_media"));
    let json = message.json(ctx.world, true);
    ctx.events.push(ctx.world.message_event(&message));
    Ok(json!({ "channel": channel, "ts": message.ts, "message": json }))
}

fn update(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let channel = ctx.world.postable(&args.required("channel")?)?.id.clone();
    let ts = args.required("ts")?;
    let content = content(ctx, false)?;
    let message = ctx.world.update_message(&channel, &ts, content)?;
    let mut json = message.json(ctx.world, true);
    for gone in [
        "ts",
        "thread_ts",
        "reply_count",
        "reply_users",
        "reply_users_count",
    ] {
        if let Some(object) = json.as_object_mut() {
            object.remove(gone);
        }
    }
    Ok(json!({
        "channel": channel,
        "ts": ts,
        "text": message.text,
        "message": json,
    }))
}

fn delete(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let channel = ctx
        .world
        .visible(&ctx.args.required("channel")?)?
        .id
        .clone();
    let ts = ctx.args.required("ts")?;
    ctx.world.delete_message(&channel, &ts)?;
    Ok(json!({ "channel": channel, "ts": ts }))
}

fn post_ephemeral(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let user = args.required("user")?;
    let channel = ctx.world.postable(&args.required("channel")?)?;
    if !channel.has_member(&user) {
        return Err(SlackError::new("user_not_in_channel"));
    }
    let channel = channel.id.clone();
    let content = content(ctx, true)?;
    let thread_ts = args.str("thread_ts");
    let ts = ctx
        .world
        .add_ephemeral(&channel, &user, content, thread_ts, Origin::PostEphemeral);
    Ok(json!({ "message_ts": ts }))
}

fn schedule_message(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let channel = ctx.world.postable(&args.required("channel")?)?.id.clone();
    let post_at = args.required("post_at")?;
    let post_at: u64 = post_at
        .parse()
        .map_err(|_| SlackError::new("invalid_time"))?;
    let now = ctx.world.clock.now();
    if post_at <= now {
        return Err(SlackError::new("time_in_past"));
    }
    if post_at > now + MAX_SCHEDULE_AHEAD {
        return Err(SlackError::new("time_too_far"));
    }
    let crowded = ctx
        .world
        .scheduled
        .iter()
        .filter(|s| s.channel == channel && s.post_at.abs_diff(post_at) < 300)
        .count();
    if crowded >= MAX_SCHEDULED_PER_WINDOW {
        return Err(SlackError::new("restricted_too_many"));
    }
    let content = content(ctx, true)?;
    let id = ctx.world.mint.id("Q");
    let scheduled = ScheduledMessage {
        id: id.clone(),
        channel: channel.clone(),
        post_at,
        date_created: now,
        text: content.text.unwrap_or_default(),
        blocks: content.blocks.unwrap_or_default(),
        metadata: content.metadata,
        thread_ts: args.str("thread_ts"),
    };
    let message = json!({
        "type": "message",
        "text": scheduled.text,
        "user": ctx.world.bot_user(),
        "bot_id": ctx.world.ids.bot_id,
        "team": ctx.world.ids.team_id,
        "blocks": scheduled.blocks,
    });
    ctx.world.scheduled.push(scheduled);
    Ok(json!({
        "channel": channel,
        "scheduled_message_id": id,
        "post_at": post_at,
        "message": message,
    }))
}

fn delete_scheduled_message(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let channel = ctx
        .world
        .visible(&ctx.args.required("channel")?)?
        .id
        .clone();
    let id = ctx.args.required("scheduled_message_id")?;
    let before = ctx.world.scheduled.len();
    ctx.world
        .scheduled
        .retain(|s| !(s.id == id && s.channel == channel));
    if ctx.world.scheduled.len() == before {
        return Err(SlackError::new("invalid_scheduled_message_id"));
    }
    Ok(json!({}))
}

fn scheduled_messages_list(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let channel = match args.str("channel") {
        Some(channel) => Some(ctx.world.visible(&channel)?.id.clone()),
        None => None,
    };
    let bound = |key: &str| args.str(key).as_deref().and_then(ts_secs);
    let (oldest, latest) = (bound("oldest"), bound("latest"));
    let mut listed: Vec<&ScheduledMessage> = ctx
        .world
        .scheduled
        .iter()
        .filter(|s| channel.as_ref().is_none_or(|c| *c == s.channel))
        .filter(|s| oldest.is_none_or(|o| s.post_at >= o) && latest.is_none_or(|l| s.post_at <= l))
        .collect();
    listed.sort_by_key(|s| s.post_at);
    let (page, next) = super::conversations::page(&listed, args, 100)?;
    let items: Vec<Value> = page
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "channel_id": s.channel,
                "post_at": s.post_at,
                "date_created": s.date_created,
                "text": s.text,
            })
        })
        .collect();
    Ok(json!({
        "scheduled_messages": items,
        "response_metadata": { "next_cursor": next },
    }))
}

fn get_permalink(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let channel = ctx
        .world
        .visible(&ctx.args.required("channel")?)?
        .id
        .clone();
    let ts = ctx.args.required("message_ts")?;
    ctx.world.message(&channel, &ts)?;
    let permalink = ctx.world.permalink(&channel, &ts);
    Ok(json!({ "channel": channel, "permalink": permalink }))
}

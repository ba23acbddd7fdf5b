//! `reactions.*`: the bot adds and removes its own reactions (Slack lets a bot
//! remove no one else's) and reads a message's full list. Each add or remove
//! also sends the `reaction_added`/`reaction_removed` event, as Slack does for
//! the bot's own reactions.

use serde_json::{json, Value};

use super::Ctx;
use crate::error::SlackError;

pub(super) fn method(name: &str) -> Option<super::Method> {
    Some(match name {
        "reactions.add" => add,
        "reactions.remove" => remove,
        "reactions.get" => get,
        _ => return None,
    })
}

/// A shortcode as Slack takes it: `:thumbsup:` and `thumbsup` alike.
fn name(ctx: &Ctx<'_>) -> Result<String, SlackError> {
    let raw = ctx.args.required("name")?;
    let name = raw.trim_matches(':');
    let valid = !name.is_empty()
        && name.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || "_+-'".contains(c) || c == ':'
        });
    if valid {
        Ok(name.to_owned())
    } else {
        Err(SlackError::new("invalid_name"))
    }
}

/// The message a reaction (or pin) call names, and its channel id.
pub(super) fn target(ctx: &Ctx<'_>) -> Result<(String, String), SlackError> {
    let channel = ctx
        .world
        .readable(&ctx.args.required("channel")?)?
        .id
        .clone();
    let ts = ctx.args.required("timestamp")?;
    ctx.world.message(&channel, &ts)?;
    Ok((channel, ts))
}

fn add(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let (channel, ts) = target(ctx)?;
    let name = name(ctx)?;
    let bot = ctx.world.bot_user().to_owned();
    ctx.world.add_reaction(&channel, &ts, &name, &bot)?;
    let event = ctx.world.reaction_event(true, &bot, &channel, &ts, &name)?;
    ctx.events.push(event);
    Ok(json!({}))
}

fn remove(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let (channel, ts) = target(ctx)?;
    let name = name(ctx)?;
    let bot = ctx.world.bot_user().to_owned();
    ctx.world.remove_reaction(&channel, &ts, &name, &bot)?;
    let event = ctx
        .world
        .reaction_event(false, &bot, &channel, &ts, &name)?;
    ctx.events.push(event);
    Ok(json!({}))
}

fn get(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let (channel, ts) = target(ctx)?;
    let message = ctx.world.message(&channel, &ts)?;
    Ok(json!({
        "type": "message",
        "channel": channel,
        "message": message.json(ctx.world, false),
        "permalink": ctx.world.permalink(&channel, &ts),
    }))
}

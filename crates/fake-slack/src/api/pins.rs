//! `pins.*`: the bot pins and unpins messages in channels it is in, as
//! Slack's `pins.add` / `pins.remove` / `pins.list` do, with their errors
//! (`already_pinned`, `no_pin`, `message_not_found`).

use serde_json::{json, Value};

use super::reactions::target;
use super::Ctx;
use crate::error::SlackError;

pub(super) fn method(name: &str) -> Option<super::Method> {
    Some(match name {
        "pins.add" => add,
        "pins.remove" => remove,
        "pins.list" => list,
        _ => return None,
    })
}

fn add(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let pin = target(ctx)?;
    if !ctx.world.pins.insert(pin) {
        return Err(SlackError::new("already_pinned"));
    }
    Ok(json!({}))
}

fn remove(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let pin = target(ctx)?;
    if !ctx.world.pins.remove(&pin) {
        return Err(SlackError::new("no_pin"));
    }
    Ok(json!({}))
}

fn list(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let channel = ctx
        .world
        .readable(&ctx.args.required("channel")?)?
        .id
        .clone();
    let items: Vec<Value> = ctx
        .world
        .pins
        .iter()
        .filter(|(c, _)| *c == channel)
        .filter_map(|(c, ts)| ctx.world.message(c, ts).ok())
        .map(|m| json!({ "type": "message", "channel": channel, "message": m.json(ctx.world, false) }))
        .collect();
    Ok(json!({ "items": items }))
}

//! `views.open`, `views.push` and `views.update`: modals, such as the one
//! `/emcee poll create` opens. A `trigger_id` is good once and for 3 seconds,
//! as on Slack; submissions come back through [`crate::FakeSlack::submit_view`].

use serde_json::{json, Value};

use super::Ctx;
use crate::blocks;
use crate::error::SlackError;

pub(super) fn method(name: &str) -> Option<super::Method> {
    Some(match name {
        "views.open" => open,
        "views.push" => push,
        "views.update" => update,
        _ => return None,
    })
}

fn view(ctx: &Ctx<'_>) -> Result<Value, SlackError> {
    let view = ctx
        .args
        .json("view", "invalid_arguments")?
        .ok_or_else(|| SlackError::missing("view"))?;
    blocks::validate_view(&view)?;
    Ok(view)
}

fn open(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let trigger = ctx.args.required("trigger_id")?;
    let view = view(ctx)?;
    Ok(json!({ "view": ctx.world.open_view(&trigger, view, false)? }))
}

fn push(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let trigger = ctx.args.required("trigger_id")?;
    let view = view(ctx)?;
    Ok(json!({ "view": ctx.world.open_view(&trigger, view, true)? }))
}

fn update(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let args = ctx.args;
    let (view_id, external_id) = (args.str("view_id"), args.str("external_id"));
    if view_id.is_none() && external_id.is_none() {
        return Err(SlackError::missing("view_id"));
    }
    let view = view(ctx)?;
    let hash = args.str("hash");
    let updated = ctx.world.update_view(
        view_id.as_deref(),
        external_id.as_deref(),
        hash.as_deref(),
        view,
    )?;
    Ok(json!({ "view": updated }))
}

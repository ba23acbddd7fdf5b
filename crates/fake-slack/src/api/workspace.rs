//! Who is who: `auth.test`, `team.info`, `users.info` (with `is_admin`,
//! `is_owner`) and `usergroups.users.list`.

use serde_json::{json, Value};

use super::Ctx;
use crate::error::SlackError;

pub(super) fn method(name: &str) -> Option<super::Method> {
    Some(match name {
        "auth.test" => auth_test,
        "team.info" => team_info,
        "users.info" => users_info,
        "usergroups.users.list" => usergroup_users,
        _ => return None,
    })
}

fn auth_test(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let ids = &ctx.world.ids;
    Ok(json!({
        "url": format!("https://{}.slack.com/", ids.team_domain),
        "team": "emcee conf",
        "user": "emcee",
        "team_id": ids.team_id,
        "user_id": ids.bot_user_id,
        "bot_id": ids.bot_id,
        "is_enterprise_install": false,
    }))
}

fn team_info(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let ids = &ctx.world.ids;
    if ctx.args.str("team").is_some_and(|t| t != ids.team_id) {
        return Err(SlackError::new("team_not_found"));
    }
    Ok(json!({
        "team": {
            "id": ids.team_id,
            "name": "emcee conf",
            "domain": ids.team_domain,
            "email_domain": "",
            "icon": { "image_default": true },
        }
    }))
}

fn users_info(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let id = ctx.args.required("user")?;
    let user = ctx.world.user(&id)?;
    Ok(json!({ "user": ctx.world.user_json(user) }))
}

fn usergroup_users(ctx: &mut Ctx<'_>) -> Result<Value, SlackError> {
    let id = ctx.args.required("usergroup")?;
    let users = ctx
        .world
        .usergroups
        .get(&id)
        .ok_or_else(|| SlackError::new("no_such_subteam"))?;
    Ok(json!({ "users": users }))
}

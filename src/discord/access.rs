//! Who may run organiser commands, as Discord tells it: the member's
//! permissions and roles go to the core's one rule
//! ([`emcee_core::access::is_organiser`]).

use super::Context;

/// Whether the member who invoked `ctx` is an organiser. Outside a server
/// (a DM) nobody is.
pub fn is_organiser(ctx: Context<'_>) -> bool {
    let poise::Context::Application(app) = ctx else {
        return false;
    };
    let roles = ctx.data().polls.config().organiser_roles;
    member_is_organiser(app.interaction.member.as_deref(), &roles)
}

/// Whether `member` (of an interaction: a command or a click) is an
/// organiser under the configured `roles`; no member (a DM) is not.
pub fn member_is_organiser(
    member: Option<&poise::serenity_prelude::Member>,
    roles: &[String],
) -> bool {
    let Some(member) = member else {
        return false;
    };
    let permissions = member.permissions.unwrap_or_default();
    permissions.manage_guild()
        || permissions.administrator()
        || member
            .roles
            .iter()
            .any(|role| roles.contains(&role.to_string()))
}

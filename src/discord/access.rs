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
    let Some(member) = &app.interaction.member else {
        return false;
    };
    let roles = ctx.data().polls.config().organiser_roles;
    let permissions = member.permissions.unwrap_or_default();
    permissions.manage_guild()
        || permissions.administrator()
        || member
            .roles
            .iter()
            .any(|role| roles.contains(&role.to_string()))
}

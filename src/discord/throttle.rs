//! The per-user allowance on Discord: poise's command check asks the core's
//! [`emcee_core::throttle::Throttle`] and, when the user must wait, tells them
//! so privately and skips the command. Autocomplete requests (sent as the user
//! types) take from their own, larger allowance and are refused silently: an
//! autocomplete cannot carry a message, and typing a name must never cost the
//! command it is for.

use emcee_core::throttle::{Request, Throttle};
use std::time::Instant;

/// Whether `ctx` is an autocomplete request rather than a command.
pub fn is_autocomplete(ctx: super::Context<'_>) -> bool {
    matches!(ctx, poise::Context::Application(app)
        if app.interaction_type == poise::CommandInteractionType::Autocomplete)
}

/// poise's command check: admits the command, or tells the user privately to
/// slow down and skips it.
///
/// # Errors
/// Never: a failed reply is logged.
pub async fn check(ctx: super::Context<'_>) -> Result<bool, super::Error> {
    let user = ctx.author().id.to_string();
    let request = if is_autocomplete(ctx) {
        Request::Completion
    } else {
        Request::Command
    };
    let throttle = &ctx.data().throttle;
    let Err(wait) = throttle.admit_request(&user, request, Instant::now()) else {
        return Ok(true);
    };
    if request == Request::Command {
        let text = Throttle::slow_down_text(wait);
        if let Err(error) = super::replies::send(ctx, super::embeds::private_reply(text)).await {
            tracing::warn!(%error, "could not send a slow-down reply");
        }
    }
    tracing::info!(%user, ?request, "throttled");
    Ok(false)
}

//! The per-user command allowance on Discord: poise's command check asks the
//! core's [`emcee_core::throttle::Throttle`] and, when the user must wait,
//! tells them so privately and skips the command.

use emcee_core::throttle::Throttle;
use std::time::Instant;

/// poise's command check: admits the command, or tells the user privately to
/// slow down and skips it.
///
/// # Errors
/// Never: a failed reply is logged.
pub async fn check(ctx: super::Context<'_>) -> Result<bool, super::Error> {
    let user = ctx.author().id.to_string();
    let Err(wait) = ctx.data().throttle.admit(&user, Instant::now()) else {
        return Ok(true);
    };
    let text = Throttle::slow_down_text(wait);
    if let Err(error) = super::replies::send(ctx, super::embeds::private_reply(text)).await {
        tracing::warn!(%error, "could not send a slow-down reply");
    }
    tracing::info!(%user, "command throttled");
    Ok(false)
}

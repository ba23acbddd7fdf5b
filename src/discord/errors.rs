//! One place where handler errors become replies: user mistakes get a short
//! answer only the asker sees; anything else is logged in full and the user
//! gets a generic apology.

use super::embeds::private_reply;
use super::{Data, Error};
use emcee_core::command::CommandError;
use poise::FrameworkError;

/// poise's error hook.
pub async fn on_error(error: FrameworkError<'_, Data, Error>) {
    match error {
        FrameworkError::Command { error, ctx, .. } => {
            let outcome = if error.is::<CommandError>() {
                "user_error"
            } else {
                "error"
            };
            count_command(ctx, outcome);
            let text = match error.downcast_ref::<CommandError>() {
                // The message quotes what the user typed: shown inert, like all user text.
                Some(user_error) => super::markdown::escape(&user_error.to_string()),
                None => {
                    tracing::error!(command = %ctx.command().name, error = ?error, "command failed");
                    "Sorry, something went wrong answering that. The organisers can find the details in the bot's log.".to_owned()
                }
            };
            reply_privately(ctx, text).await;
        }
        FrameworkError::ArgumentParse {
            error, input, ctx, ..
        } => {
            let text = match input {
                Some(input) => format!(
                    "I could not read “{}”: {error}",
                    super::markdown::escape(&input)
                ),
                None => format!("I could not read that: {error}"),
            };
            reply_privately(ctx, text).await;
        }
        // The check already told the user (see throttle::check).
        FrameworkError::CommandCheckFailed { error: None, .. } => {}
        FrameworkError::Setup { error, .. } => {
            tracing::error!(error = ?error, "could not register the commands");
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "could not report an error");
            }
        }
    }
}

/// Discord's limit on message content, in characters.
const CONTENT_LIMIT: usize = 2_000;

/// An ephemeral reply, cut to Discord's content limit with a visible ellipsis;
/// a failure to send it is logged, never escalated.
async fn reply_privately(ctx: poise::Context<'_, Data, Error>, text: String) {
    let text = if text.chars().count() > CONTENT_LIMIT {
        text.chars().take(CONTENT_LIMIT - 1).chain(['…']).collect()
    } else {
        text
    };
    if let Err(e) = ctx.send(private_reply(text)).await {
        tracing::warn!(error = %e, "could not send an error reply");
    }
}

/// Counts a finished command by name and outcome, timed from the interaction's
/// creation (its snowflake's timestamp) to now.
pub fn count_command(ctx: poise::Context<'_, Data, Error>, outcome: &'static str) {
    let created =
        ctx.created_at().unix_timestamp() as f64 + f64::from(ctx.created_at().nanosecond()) / 1e9;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let took = std::time::Duration::from_secs_f64((now - created).max(0.0));
    crate::telemetry::command_finished(&ctx.command().qualified_name, outcome, took);
}

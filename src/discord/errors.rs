//! One place where handler errors become replies: user mistakes get a short
//! answer only the asker sees; a database that refuses writes (full disk) gets
//! a short "storage is failing" answer; anything else is logged in full and the
//! user gets a generic apology.

use super::embeds::private_reply;
use super::{Data, Error};
use emcee_core::command::CommandError;
use emcee_core::polls::{RecordError, ServiceError};
use emcee_core::scheduler::SchedulerError;
use emcee_core::store::StoreError;
use poise::FrameworkError;

/// The answer to a command whose change could not be saved because the
/// database refuses writes; the store has told the operators in the log.
pub(crate) const STORAGE_FAILING: &str = "I can't save that right now: the bot's storage is \
     failing, and the organisers have been alerted. Schedule commands such as /now, /next and \
     /agenda still work.";

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
                // The store logged that writes fail (once, not per command).
                None if storage_failed(&error, ctx.data()) => {
                    tracing::debug!(command = %ctx.command().name, error = ?error, "command could not save");
                    STORAGE_FAILING.to_owned()
                }
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
        // A vote that could not be stored while the database refuses writes: the
        // store logged that once; one line per reaction would drown it. The
        // reaction stays on Discord for reconciliation to pick up.
        FrameworkError::EventHandler {
            error, framework, ..
        } if storage_failed(&error, framework.user_data) => {
            tracing::debug!(error = ?error, "an event's change could not be saved");
        }
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

/// Whether `error` comes from the database refusing writes (full disk, size
/// cap, read-only file) rather than from this one request.
pub(crate) fn storage_failed(error: &Error, data: &Data) -> bool {
    error.chain().any(|cause| {
        if let Some(store) = cause.downcast_ref::<StoreError>() {
            return store.is_storage_failure();
        }
        if let Some(SchedulerError::Store(store)) = cause.downcast_ref::<SchedulerError>() {
            return store.is_storage_failure();
        }
        // The recorder passes store errors on as text; the store's own state says why.
        let recorded = match cause.downcast_ref::<ServiceError>() {
            Some(ServiceError::Record(record)) => Some(record),
            _ => cause.downcast_ref::<RecordError>(),
        };
        matches!(recorded, Some(RecordError::Store(_))) && data.store.writes_failing().is_some()
    })
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
    if let Err(e) = super::replies::send(ctx, private_reply(text)).await {
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

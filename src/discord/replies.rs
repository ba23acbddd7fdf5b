//! Replies to commands that ride out Discord's passing failures.
//!
//! poise replies through serenity's `Http`, which retries a 429 only when its
//! own ratelimiter runs (not behind a proxy such as the test fake) and never
//! retries a 5xx, so one failed callback left the asker without an answer. An
//! interaction must be answered within three seconds: a reply that failed for a
//! passing reason is sent again a few times, quickly. That is safe for the
//! first response, because Discord takes one per interaction and refuses
//! another with 40060, which here means an earlier attempt did go through.
//! Followups are retried after a 429 only: a 5xx may hide a posted message.

use super::{Context, Error};
use poise::serenity_prelude as serenity;
use poise::CreateReply;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Sends per reply, the first included: with the waits below, about two
/// seconds in all, inside Discord's three-second window for the first response.
const ATTEMPTS: u32 = 8;
/// The first retry's wait; it doubles up to [`MAX_BACKOFF`].
const BACKOFF: Duration = Duration::from_millis(50);
/// The longest wait between two sends.
const MAX_BACKOFF: Duration = Duration::from_millis(400);
/// "Interaction has already been acknowledged."
const ALREADY_ACKNOWLEDGED: isize = 40060;

/// What a failed send means for the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// A 429, a 5xx or no answer: worth another try.
    Passing,
    /// The first response already went through on an earlier attempt.
    AlreadyAnswered,
    /// Anything else: retrying would not help.
    Final,
}

/// Sends `reply` like `ctx.send`, retrying passing failures (see the module).
///
/// # Errors
/// When Discord refuses the reply or keeps failing.
pub async fn send(ctx: Context<'_>, reply: CreateReply) -> Result<(), Error> {
    let initial = !answered(ctx);
    let mut attempt = 1;
    loop {
        let error = match ctx.send(reply.clone()).await {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        match classify(&error, initial, attempt > 1) {
            Failure::AlreadyAnswered => {
                mark_answered(ctx);
                return Ok(());
            }
            Failure::Passing if attempt < ATTEMPTS => {
                tracing::warn!(%error, attempt, "a reply failed; sending it again");
                tokio::time::sleep((BACKOFF * 2u32.pow(attempt - 1)).min(MAX_BACKOFF)).await;
                attempt += 1;
            }
            _ => return Err(error.into()),
        }
    }
}

fn classify(error: &serenity::Error, initial: bool, retried: bool) -> Failure {
    match error {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) => verdict(
            response.status_code.as_u16(),
            response.error.code,
            initial,
            retried,
        ),
        serenity::Error::Http(serenity::HttpError::Request(_)) if initial => Failure::Passing,
        _ => Failure::Final,
    }
}

/// The verdict on Discord's answer `status` with error `code`.
fn verdict(status: u16, code: isize, initial: bool, retried: bool) -> Failure {
    if status == 429 || (initial && status >= 500) {
        Failure::Passing
    } else if initial && retried && code == ALREADY_ACKNOWLEDGED {
        Failure::AlreadyAnswered
    } else {
        Failure::Final
    }
}

/// Whether the interaction has its first response (prefix commands: always).
fn answered(ctx: Context<'_>) -> bool {
    match ctx {
        poise::Context::Application(app) => app.has_sent_initial_response.load(Ordering::SeqCst),
        poise::Context::Prefix(_) => true,
    }
}

/// Records that the first response went out, so later replies are followups.
fn mark_answered(ctx: Context<'_>) {
    if let poise::Context::Application(app) = ctx {
        app.has_sent_initial_response.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_responses_retry_429s_and_5xx_followups_only_429s() {
        assert_eq!(verdict(429, 0, true, false), Failure::Passing);
        assert_eq!(verdict(500, 0, true, false), Failure::Passing);
        assert_eq!(verdict(429, 0, false, false), Failure::Passing);
        assert_eq!(verdict(502, 0, false, false), Failure::Final);
        assert_eq!(verdict(403, 50013, true, false), Failure::Final);
    }

    #[test]
    fn a_second_acknowledgement_refused_means_the_first_went_through() {
        let twice = |retried| verdict(400, ALREADY_ACKNOWLEDGED, true, retried);
        assert_eq!(twice(true), Failure::AlreadyAnswered);
        assert_eq!(twice(false), Failure::Final);
    }
}

//! Reaction events from the gateway, as votes.
//!
//! The raw MESSAGE_REACTION_ADD/REMOVE events are used, not the cache, so
//! reactions on messages from before a restart count too. Each event goes to
//! the recorder as it is; the recorder's verdict says what to tidy up.

use super::PollService;
use emcee_core::polls::{MessageKey, Reaction, Verdict};
use poise::serenity_prelude as serenity;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// A reaction was added (`added`) or removed on some message.
///
/// # Errors
/// When the vote could not be stored.
pub async fn on_reaction(
    service: &PollService,
    reaction: &serenity::Reaction,
    added: bool,
) -> anyhow::Result<()> {
    let received = Instant::now();
    let Some(user) = reaction.user_id else {
        return Ok(());
    };
    let event = Reaction {
        message: MessageKey::new(reaction.channel_id, reaction.message_id),
        voter: user.to_string(),
        key: emoji_key(&reaction.emoji),
        added,
        by_self: user.get() == service.bot_user(),
    };
    let verdict = match service.recorder().react(event.clone(), received).await {
        Ok(verdict) => verdict,
        Err(error) => {
            // The reaction stays on Discord: the poll is reconciled before it closes.
            service.mark_unsure(&event.message);
            return Err(error.into());
        }
    };
    match verdict {
        Verdict::Foreign if added => {
            service
                .remove_reaction(&event.message, &event.key, user.get())
                .await;
        }
        Verdict::Counted { displaced, suspect } => {
            if suspect {
                let (service, event) = (service.clone(), event.clone());
                tokio::spawn(async move {
                    service
                        .check_mark(&event.message, &event.key, user.get())
                        .await
                });
            }
            for key in displaced {
                service
                    .remove_reaction(&event.message, &key, user.get())
                    .await;
            }
        }
        _ => {}
    }
    Ok(())
}

/// READY (a new gateway session): remembers the bot's id; the first time
/// resumes open polls, later catches up on the reactions of the gap.
pub async fn on_ready(service: &PollService, ready: &serenity::Ready) {
    service
        .inner
        .bot_user
        .store(ready.user.id.get(), Ordering::Relaxed);
    let first = !service.inner.recovered.swap(true, Ordering::SeqCst);
    let service = service.clone();
    tokio::spawn(async move {
        let done = if first {
            service.recover().await
        } else {
            service.catch_up().await
        };
        if let Err(error) = done {
            tracing::error!(error = ?error, "could not resume the open polls");
        }
    });
}

/// The reaction key the core compares: Unicode as is, custom emoji as `name:id`.
pub fn emoji_key(emoji: &serenity::ReactionType) -> String {
    match emoji {
        serenity::ReactionType::Unicode(text) => text.clone(),
        serenity::ReactionType::Custom { id, name, .. } => {
            format!("{}:{id}", name.as_deref().unwrap_or("_"))
        }
        other => other.to_string(),
    }
}

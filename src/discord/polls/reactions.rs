//! Reaction events from the gateway, as votes.
//!
//! The raw MESSAGE_REACTION_ADD/REMOVE events are used, not the cache, so
//! reactions on messages from before a restart count too. Each becomes a
//! core [`Reaction`] with the option's neutral key (🇦 is "A").

use crate::discord::markup::key_of_reaction;
use crate::discord::Data;
use emcee_core::polls::{MessageKey, Reaction};
use poise::serenity_prelude as serenity;
use std::time::Instant;

/// A reaction was added (`added`) or removed on some message.
///
/// # Errors
/// When the vote could not be stored.
pub async fn on_reaction(
    data: &Data,
    reaction: &serenity::Reaction,
    added: bool,
) -> anyhow::Result<()> {
    let received = Instant::now();
    let Some(event) = neutral(data, reaction, added) else {
        return Ok(());
    };
    data.polls.on_reaction(event, received).await?;
    Ok(())
}

/// A gateway reaction as the core's [`Reaction`] (the option's neutral key,
/// whether it is the bot's own); `None` without a user. Contests take the same.
pub fn neutral(data: &Data, reaction: &serenity::Reaction, added: bool) -> Option<Reaction> {
    let user = reaction.user_id?;
    Some(Reaction {
        message: MessageKey::new(reaction.channel_id, reaction.message_id),
        voter: user.to_string(),
        key: key_of_reaction(&emoji_key(&reaction.emoji)),
        added,
        by_self: user.get() == data.port.bot_user(),
    })
}

/// READY (a new gateway session): remembers the bot's id, then lets the poll
/// service resume open polls (first time) or catch up on the gap.
pub async fn on_ready(data: &Data, ready: &serenity::Ready) {
    data.port.set_bot_user(ready.user.id.get());
    data.polls.session_started();
}

/// Discord's spelling of a reaction: Unicode as is, custom emoji as `name:id`.
pub fn emoji_key(emoji: &serenity::ReactionType) -> String {
    match emoji {
        serenity::ReactionType::Unicode(text) => text.clone(),
        serenity::ReactionType::Custom { id, name, .. } => {
            format!("{}:{id}", name.as_deref().unwrap_or("_"))
        }
        other => other.to_string(),
    }
}

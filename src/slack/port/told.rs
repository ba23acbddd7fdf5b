//! Telling a voter, privately, what Slack will not let the bot do for them.
//!
//! On Discord the bot removes a reaction that no longer counts (a moved
//! single-choice vote, an emoji that is no option). Slack lets a bot remove
//! only its own reactions, so the reaction stays and the voter is told once
//! per poll, with `chat.postEphemeral` (tier 4: one call per such voter, not
//! per reaction), that only their latest option reaction counts.

use super::SlackPort;
use crate::paced;
use crate::slack::outbound::Tier;
use crate::slack::render;
use emcee_core::chat::{MessageKey, Text};
use slack_morphism::prelude::*;
use std::sync::PoisonError;

/// What the voter reads.
pub const NOTICE: &str = "On this poll only your latest option reaction counts as your vote \
     (in a single-choice poll a new one moves it). Slack does not let me remove your other \
     reactions, so they stay on the message but are not counted.";

impl SlackPort {
    /// Tells `user` once per poll message that a reaction of theirs no longer counts.
    pub(super) async fn tell_not_counted(&self, message: &MessageKey, user: &str) {
        let first = {
            let mut told = self.told.lock().unwrap_or_else(PoisonError::into_inner);
            told.insert((message.clone(), user.to_owned()))
        };
        if !first {
            return;
        }
        let request = SlackApiChatPostEphemeralRequest::new(
            message.channel.as_str().into(),
            user.into(),
            render::line(&Text::plain(NOTICE)),
        );
        if let Err(error) = paced!(
            self.sender,
            "chat.postEphemeral",
            Tier::Four,
            None,
            |session| { session.chat_post_ephemeral(&request) }
        ) {
            tracing::warn!(%error, "could not tell a voter that a reaction does not count");
        }
    }
}

//! Direct messages on Slack: a user's DM channel is opened once
//! (`conversations.open`) and kept, and a file is shared there (`/emcee mycal`).

use super::{SlackPort, PLATFORM};
use crate::paced;
use crate::slack::outbound::{SendError, Tier};
use emcee_core::chat::PortError;
use slack_morphism::prelude::*;

/// Slack's errors for a DM that cannot be delivered, whatever is retried.
const UNREACHABLE: [&str; 4] = [
    "cannot_dm_bot",
    "user_disabled",
    "user_not_found",
    "user_not_visible",
];

impl SlackPort {
    /// Shares `file` with `user` in their DM channel, `comment` above it.
    ///
    /// # Errors
    /// The DM channel cannot be opened, or Slack refuses the file.
    pub async fn share_with(
        &self,
        user: &str,
        file: &emcee_core::chat::Attachment,
        comment: &str,
    ) -> Result<(), PortError> {
        let (channel, _) = self.dm_channel(user).await?;
        crate::slack::files::share(&self.sender, &channel, file, Some(comment.to_owned()))
            .await
            .map_err(|e| classify_direct(&e))
    }

    /// `user`'s DM channel: the kept one (true), or a newly opened one.
    pub(super) async fn dm_channel(&self, user: &str) -> Result<(String, bool), PortError> {
        match self.direct.channel_of(PLATFORM, user).await {
            Ok(Some(kept)) => return Ok((kept, true)),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not read a kept DM channel"),
        }
        Ok((self.open_dm(user).await?, false))
    }

    pub(super) async fn open_dm(&self, user: &str) -> Result<String, PortError> {
        let request = SlackApiConversationsOpenRequest::new().with_users(vec![user.into()]);
        let opened = paced!(
            self.sender,
            "conversations.open",
            Tier::Three,
            None,
            |session| { session.conversations_open(&request) }
        )
        .map_err(|e| classify_direct(&e))?;
        let channel = opened.channel.id.to_string();
        let now = chrono::Utc::now();
        if let Err(error) = self
            .direct
            .keep_channel(PLATFORM, user, &channel, now)
            .await
        {
            tracing::warn!(%error, "could not keep a DM channel; it will be opened again");
        }
        Ok(channel)
    }
}

/// The same, for direct messages: a user Slack cannot DM is unreachable.
pub(super) fn classify_direct(error: &SendError) -> PortError {
    match error.code() {
        Some(code) if UNREACHABLE.contains(&code) => PortError::Unreachable,
        _ => super::classify(error),
    }
}

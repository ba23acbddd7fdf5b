//! Posting once without a nonce: a post's dedupe key is looked for in the
//! metadata of the channel's recent history before it is posted (see the
//! module above for why this way).

use super::{classify, SlackPort};
use crate::paced;
use crate::slack::blocks;
use crate::slack::outbound::Tier;
use emcee_core::chat::{MessageKey, PortError, Post};
use slack_morphism::prelude::*;
use std::time::Duration;

/// How far back a retried post looks for itself.
const DEDUPE_LOOKBACK: Duration = Duration::from_secs(2 * 3600);
/// Messages of history read for that.
const DEDUPE_HISTORY: u16 = 100;
impl SlackPort {
    /// The message already posted in `channel` with dedupe key `key`, if any.
    async fn find_posted(&self, channel: &str, key: &str) -> Result<Option<MessageKey>, PortError> {
        let oldest = chrono::Utc::now() - DEDUPE_LOOKBACK;
        let request = SlackApiConversationsHistoryRequest::new()
            .with_channel(channel.into())
            .with_limit(DEDUPE_HISTORY)
            .with_oldest(SlackTs::new(format!("{}.000000", oldest.timestamp())))
            .with_include_all_metadata(true);
        let history = paced!(
            self.sender,
            "conversations.history",
            Tier::Three,
            None,
            |session| { session.conversations_history(&request) }
        )
        .map_err(|e| classify(&e))?;
        Ok(history
            .messages
            .iter()
            .find(|m| blocks::dedupe_of(m.content.metadata.as_ref()) == Some(key))
            .map(|m| MessageKey::new(channel, &m.origin.ts)))
    }

    /// Posts `post`, unless a post with its dedupe key is already there.
    pub(super) async fn post_once(
        &self,
        channel: &str,
        post: &Post,
    ) -> Result<MessageKey, PortError> {
        if let Some(key) = &post.dedupe {
            if let Some(found) = self.find_posted(channel, key).await? {
                tracing::info!(
                    channel,
                    key,
                    "a post was already made; not posting it again"
                );
                return Ok(found);
            }
        }
        self.send(channel, post).await.map_err(|e| classify(&e))
    }
}

//! Posting once without a nonce. A post's dedupe key travels as message
//! metadata and is looked for where the post would be, before posting: in
//! the channel's recent history (`conversations.history`) for a channel
//! post, among the thread's replies (`conversations.replies`, every page)
//! for a reply, since replies are not in the channel's history. It is
//! looked for again before retrying a post whose answer never came (a 5xx,
//! a timeout, a broken connection): Slack may have made it all the same,
//! and a blind retry would post it twice. See the module above for why
//! this way.

use super::{classify, SlackPort};
use crate::paced;
use crate::slack::blocks;
use crate::slack::outbound::{SendError, Tier};
use emcee_core::chat::{MessageKey, PortError, Post};
use slack_morphism::prelude::*;
use std::ops::ControlFlow;
use std::time::Duration;

/// How far back a retried channel post looks for itself.
const DEDUPE_LOOKBACK: Duration = Duration::from_secs(2 * 3600);
/// Messages of history read for that.
const DEDUPE_HISTORY: u16 = 100;
/// Replies read per page of a thread (Slack advises at most 200).
const REPLIES_PAGE: u16 = 200;

/// Where a post goes, and so where its dedupe key is looked for.
#[derive(Debug, Clone, Copy)]
pub(super) enum Place<'a> {
    /// A channel (an id).
    Channel(&'a str),
    /// The thread of message `parent` in `channel`.
    Thread { channel: &'a str, parent: &'a str },
}

impl Place<'_> {
    fn channel(&self) -> &str {
        match self {
            Place::Channel(channel) | Place::Thread { channel, .. } => channel,
        }
    }
}

impl SlackPort {
    /// The `ts` of the message already posted at `place` with dedupe key
    /// `key`, if any.
    async fn find_posted(&self, place: Place<'_>, key: &str) -> Result<Option<String>, SendError> {
        match place {
            Place::Channel(channel) => self.find_in_history(channel, key).await,
            Place::Thread { channel, parent } => self.find_reply((channel, parent), key).await,
        }
    }

    async fn find_in_history(&self, channel: &str, key: &str) -> Result<Option<String>, SendError> {
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
        )?;
        Ok(history
            .messages
            .iter()
            .find(|m| blocks::dedupe_of(m.content.metadata.as_ref()) == Some(key))
            .map(|m| m.origin.ts.to_string()))
    }

    /// The `ts` of the reply in the thread `(channel, parent)` keyed `key`,
    /// reading every page of the thread. slack-morphism's request has no
    /// `include_all_metadata`, without which Slack leaves the metadata out,
    /// so the call is made with its generic GET.
    async fn find_reply(
        &self,
        (channel, parent): (&str, &str),
        key: &str,
    ) -> Result<Option<String>, SendError> {
        let limit = REPLIES_PAGE.to_string();
        let mut cursor: Option<String> = None;
        loop {
            let params = [
                ("channel", Some(channel)),
                ("ts", Some(parent)),
                ("limit", Some(limit.as_str())),
                ("include_all_metadata", Some("true")),
                ("cursor", cursor.as_deref()),
            ];
            let page: SlackApiConversationsRepliesResponse = paced!(
                self.sender,
                "conversations.replies",
                Tier::Three,
                None,
                |session| {
                    session
                        .http_session_api
                        .http_get("conversations.replies", &params, None)
                }
            )?;
            let mut replies = page.messages.iter().filter(|m| m.origin.ts.0 != parent);
            if let Some(found) =
                replies.find(|m| blocks::dedupe_of(m.content.metadata.as_ref()) == Some(key))
            {
                return Ok(Some(found.origin.ts.to_string()));
            }
            cursor = page
                .response_metadata
                .and_then(|meta| meta.next_cursor)
                .map(|next| next.to_string())
                .filter(|next| !next.is_empty());
            if cursor.is_none() {
                return Ok(None);
            }
        }
    }

    /// Posts `post` at `place`, unless a post with its dedupe key is there
    /// already; returns where it is.
    pub(super) async fn post_once(
        &self,
        place: Place<'_>,
        post: &Post,
    ) -> Result<MessageKey, PortError> {
        let channel = place.channel();
        if let Some(key) = &post.dedupe {
            let found = self.find_posted(place, key).await;
            if let Some(ts) = found.map_err(|e| classify(&e))? {
                tracing::info!(
                    channel,
                    key,
                    "a post was already made; not posting it again"
                );
                return Ok(MessageKey::new(channel, ts));
            }
        }
        let looked = post.dedupe.as_ref().map(|key| (place, key.as_str()));
        self.send(channel, post, looked)
            .await
            .map_err(|e| classify(&e))
    }

    /// One `chat.postMessage` through the sender. With `look`, a retry
    /// after an attempt left unanswered first looks for the post's key at
    /// its place, and a post found there is not made again.
    pub(super) async fn post_message(
        &self,
        request: &SlackApiChatPostMessageRequest,
        look: Option<(Place<'_>, &str)>,
    ) -> Result<MessageKey, SendError> {
        let channel = request.channel.to_string();
        let sender = &self.sender;
        let mut call = sender
            .begin("chat.postMessage", Tier::Posting, Some(&channel))
            .await;
        loop {
            call.wait().await;
            if let (Some((place, key)), 1..) = (look, call.unanswered()) {
                if let Some(ts) = self.find_posted(place, key).await? {
                    tracing::info!(
                        channel,
                        key,
                        "a post whose answer was lost had landed; not posting it again"
                    );
                    return Ok(MessageKey::new(&channel, ts));
                }
            }
            let session = sender.session();
            let pending = session.chat_post_message(request);
            let outcome = tokio::time::timeout(sender.pacing().timeout, pending).await;
            if let ControlFlow::Break(done) = call.judge(outcome) {
                return done.map(|posted| MessageKey::new(posted.channel, posted.ts));
            }
        }
    }
}

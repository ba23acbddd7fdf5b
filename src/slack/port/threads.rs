//! Threads and pins on Slack. A Slack thread is no channel: it is the
//! replies to one message. So a session's thread is keyed `CHANNEL/TS` (its
//! parent, the start announcement), a post to that key is a reply
//! (`thread_ts`), and a message in it is keyed by the thread key and its
//! own `ts`, so the "next question" board posted beside a question lands
//! in the thread too. Slack has no thread archive: "archiving" posts one
//! closing line in the thread, looked for among the replies first, so a
//! restart between posting it and storing that it was posted says it once.

use super::{classify, SlackPort};
use crate::paced;
use crate::slack::blocks;
use crate::slack::outbound::Tier;
use emcee_core::chat::{MessageKey, PortError, Post, Text};
use slack_morphism::prelude::*;

/// What the thread says when its session's Q&A is over.
pub const CLOSING_LINE: &str =
    "This session's questions are closed: thanks for asking! The thread stays readable.";

/// The parent `(channel, ts)` a thread key names, if it is one.
pub fn thread_of(key: &str) -> Option<(&str, &str)> {
    key.split_once('/')
        .filter(|(channel, ts)| !channel.is_empty() && !ts.is_empty())
}

impl SlackPort {
    /// Replies `post` in the thread `(channel, parent)`.
    pub(super) async fn reply(
        &self,
        thread: &str,
        (channel, parent): (&str, &str),
        post: &Post,
    ) -> Result<MessageKey, PortError> {
        let channel = self.resolve(channel).await?;
        let mut reply = post.clone();
        reply.reply_to = Some(MessageKey::new(&channel, parent));
        // Replies are not in the channel's history, where a dedupe key is
        // looked for: a post in a thread is posted as it is.
        reply.dedupe = None;
        let posted = self
            .send(&channel, &reply)
            .await
            .map_err(|e| classify(&e))?;
        Ok(MessageKey::new(thread, posted.message))
    }

    /// Whether the bot already said `text` in the thread `(channel, parent)`.
    async fn said_in_thread(
        &self,
        (channel, parent): (&str, &str),
        text: &str,
    ) -> Result<bool, PortError> {
        let request = SlackApiConversationsRepliesRequest::new(
            channel.into(),
            SlackTs::new(parent.to_owned()),
        )
        .with_limit(200);
        let replies = paced!(
            self.sender,
            "conversations.replies",
            Tier::Three,
            None,
            |session| { session.conversations_replies(&request) }
        )
        .map_err(|e| classify(&e))?;
        let bot = self.bot_user();
        Ok(replies.messages.iter().any(|m| {
            let by_bot = m.sender.bot_id.is_some()
                || m.sender.user.as_ref().is_some_and(|u| u.to_string() == bot);
            by_bot && m.content.text.as_deref() == Some(text)
        }))
    }

    /// Posts the closing line in `thread` unless it is there already.
    pub(super) async fn close_thread(&self, thread: &str) -> Result<(), PortError> {
        let Some(parent) = thread_of(thread) else {
            return Err(PortError::Refused(format!("{thread} is no Slack thread")));
        };
        let post = Post::lines(vec![Text::plain(CLOSING_LINE)]);
        // Slack keeps the text as it was sent: escaped, as the fallback is.
        if self
            .said_in_thread(parent, &blocks::fallback(&post))
            .await?
        {
            tracing::info!(thread, "the thread has its closing line already");
            return Ok(());
        }
        self.reply(thread, parent, &post).await.map(drop)
    }

    /// Pins a message (`pins.add`); one pinned already stays so.
    pub(super) async fn pin_message(&self, message: &MessageKey) -> Result<(), PortError> {
        let (channel, ts) = super::ts(message);
        let request = SlackApiPinsAddRequest::new(channel, ts);
        match paced!(self.sender, "pins.add", Tier::Two, None, |session| {
            session.pins_add(&request)
        }) {
            Err(error) if error.code() == Some("already_pinned") => Ok(()),
            done => done.map(drop).map_err(|e| classify(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::thread_of;

    #[test]
    fn a_thread_key_names_its_parent_and_a_channel_is_no_thread() {
        assert_eq!(
            thread_of("C0ANNOUNCE/1633622700.000200"),
            Some(("C0ANNOUNCE", "1633622700.000200"))
        );
        assert_eq!(thread_of("C0ANNOUNCE"), None);
        assert_eq!(thread_of("/1633622700.000200"), None);
    }
}

//! Threads and pins on Slack. A Slack thread is no channel: it is the
//! replies to one message. So a session's thread is keyed `CHANNEL/TS` (its
//! parent, the start announcement), a post to that key is a reply
//! (`thread_ts`), and a message in it is keyed by the thread key and its
//! own `ts`, so the "next question" board posted beside a question lands
//! in the thread too. A reply with a dedupe key (the "now on demand" post,
//! the board, the closing line) is looked for among the thread's replies
//! before it is posted, as a channel post is in the channel's history.
//! Slack has no thread archive: "archiving" posts one closing line in the
//! thread.

use super::once::Place;
use super::{classify, SlackPort};
use crate::paced;
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
    /// Replies `post` in the thread `(channel, parent)`, once: a post with
    /// a dedupe key is looked for among the thread's replies first.
    pub(super) async fn reply(
        &self,
        thread: &str,
        (channel, parent): (&str, &str),
        post: &Post,
    ) -> Result<MessageKey, PortError> {
        let channel = self.resolve(channel).await?;
        let mut reply = post.clone();
        reply.reply_to = Some(MessageKey::new(&channel, parent));
        let place = Place::Thread {
            channel: &channel,
            parent,
        };
        let posted = self.post_once(place, &reply).await?;
        Ok(MessageKey::new(thread, posted.message))
    }

    /// Posts the closing line in `thread` unless it is there already: it
    /// is keyed by its thread, so a restart between posting it and storing
    /// that it was posted finds it.
    pub(super) async fn close_thread(&self, thread: &str) -> Result<(), PortError> {
        let Some(parent) = thread_of(thread) else {
            return Err(PortError::Refused(format!("{thread} is no Slack thread")));
        };
        let post = Post::lines(vec![Text::plain(CLOSING_LINE)])
            .deduped(emcee_core::chat::dedupe_key("close-", thread));
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

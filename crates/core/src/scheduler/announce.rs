//! The scheduler's voice on any platform: its [`Announcer`] over the chat
//! port. Channel keys from the config (names or ids) resolve through the
//! port; every post carries the job's nonce as its dedupe key, so a retry
//! after a timeout cannot post twice; declared polls open, and every poll
//! closes, through the poll service.
//!
//! A channel the platform does not have (a typo, or one not created yet) is
//! not a reason to say nothing: with a fallback channel (`[announcements]
//! default_channel`), its posts go there, each with a line saying which
//! channel it was meant for, and its declared polls open there. The adapter
//! warns once at start; a channel created later is used from its next post.
//!
//! With the Q&A attached, a "now on demand" post lists each session's top
//! questions under its video link.

use super::runner::{Announcer, Delivery, DeliveryError};
use super::{wording, Message};
use crate::chat::{ChatPort, PortError};
use crate::polls::{FlashPoll, MessageKey, PollService, ServiceError};
use crate::questions::QuestionService;
use std::sync::Arc;

/// Posts scheduled messages through a chat port.
pub struct ChatAnnouncer {
    port: Arc<dyn ChatPort>,
    /// Opens declared polls and closes polls; `None`: neither happens.
    polls: Option<PollService>,
    /// Where posts for a channel that cannot be found go instead.
    fallback: Option<String>,
    /// Adds the top questions to on-demand posts; `None`: none are added.
    questions: Option<QuestionService>,
}

impl ChatAnnouncer {
    /// An announcer posting through `port`.
    pub fn new(port: Arc<dyn ChatPort>) -> Self {
        Self {
            port,
            polls: None,
            fallback: None,
            questions: None,
        }
    }

    /// Posts meant for a channel the platform does not have go to `channel`
    /// (the config's `default_channel`), with a note; `None`: they fail.
    #[must_use]
    pub fn with_fallback_channel(mut self, channel: Option<String>) -> Self {
        self.fallback = channel;
        self
    }

    /// The platform's id for `channel`, or for the fallback channel when
    /// `channel` cannot be found (with the name it was meant for).
    async fn channel_for(&self, channel: &str) -> Result<(String, Option<String>), PortError> {
        let refused = match self.port.resolve_channel(None, channel).await {
            Ok(id) => return Ok((id, None)),
            Err(PortError::Refused(why)) => why,
            Err(other) => return Err(other),
        };
        let Some(fallback) = self
            .fallback
            .as_deref()
            .filter(|f| f.trim() != channel.trim())
        else {
            return Err(PortError::Refused(refused));
        };
        let id = self.port.resolve_channel(None, fallback).await?;
        tracing::info!(%channel, %fallback, %refused, "posted in the fallback channel instead");
        Ok((id, Some(channel.trim().trim_start_matches('#').to_owned())))
    }

    /// Opens declared polls and closes polls at their deadline through `polls`.
    #[must_use]
    pub fn with_polls(mut self, polls: PollService) -> Self {
        self.polls = Some(polls);
        self
    }

    /// Lists each session's top questions in its on-demand post.
    #[must_use]
    pub fn with_questions(mut self, questions: QuestionService) -> Self {
        self.questions = Some(questions);
        self
    }

    /// With the Q&A attached: a start announcement of one session opens its
    /// thread (Discord threads hang off one message, so a post announcing
    /// several sessions opens none) and is edited to link to it, and an
    /// on-demand post is repeated in the session's open thread. Failures are logged; the post itself went
    /// out.
    async fn follow_in_thread(
        &self,
        message: &Message,
        posted: &MessageKey,
        post: &crate::chat::Post,
        nonce: &str,
    ) {
        let (Some(questions), [item]) = (&self.questions, message.items.as_slice()) else {
            return;
        };
        match message.kind {
            super::JobKind::Announce if message.lead_minutes == 0 => {
                let Some(thread) = questions
                    .session_started(&item.session, &item.title, posted)
                    .await
                else {
                    return;
                };
                // The announcement opened as its own thread (a forum post):
                // a link to where the reader already is would help nobody.
                if thread == posted.channel {
                    return;
                }
                let mut linked = post.clone();
                linked.lines.push(crate::questions::threads::link(&thread));
                if let Err(error) = self.port.edit(posted, &linked).await {
                    tracing::warn!(%error, "could not link the announcement to its thread");
                }
            }
            super::JobKind::OnDemand => {
                let Some(thread) = questions.open_thread_of(&item.session).await else {
                    return;
                };
                if thread == posted.channel {
                    return; // posted in the thread already (a forum post's)
                }
                let again = post
                    .clone()
                    .deduped(crate::chat::dedupe_key("thread", nonce));
                if let Err(error) = self.port.post(&thread, &again).await {
                    tracing::warn!(%error, "could not post the video link in the thread");
                }
            }
            _ => {}
        }
    }

    /// The post for `message`; an on-demand one gains each session's top
    /// questions after its line. A failed read leaves them out: the video
    /// link matters more than the questions.
    async fn post_for(&self, message: &Message) -> crate::chat::Post {
        let mut post = wording::post(message);
        let (Some(questions), super::JobKind::OnDemand) = (&self.questions, message.kind) else {
            return post;
        };
        let mut lines = Vec::new();
        for (item, line) in message.items.iter().zip(post.lines) {
            lines.push(line);
            match questions.top(&item.session).await {
                Ok(top) => lines.extend(crate::questions::posts::on_demand_lines(&top)),
                Err(error) => tracing::warn!(%error, "could not read the top questions"),
            }
        }
        post.lines = lines;
        post
    }
}

impl Announcer for ChatAnnouncer {
    fn post<'a>(&'a self, channel: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let (id, meant_for) = self.channel_for(channel).await?;
            let mut post = self.post_for(message).await.deduped(nonce);
            if let Some(meant_for) = meant_for {
                post.lines.insert(0, wording::meant_for(&meant_for));
            }
            let posted = self.port.post(&id, &post).await?;
            self.follow_in_thread(message, &posted, &post, nonce).await;
            Ok(posted.message)
        })
    }

    fn direct<'a>(&'a self, user: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let nudged = crate::nudges::post(message, self.port.as_ref(), self.questions.as_ref());
            let Some(post) = nudged.await? else {
                return Ok("nothing: no question is waiting".into());
            };
            let post = post.deduped(nonce);
            Ok(self.port.direct(user, &post).await?.message)
        })
    }

    fn open_poll<'a>(&'a self, poll: &'a FlashPoll, channel: &'a str) -> Delivery<'a> {
        // `open_declared` is idempotent per poll id, so a retried job cannot
        // open it twice.
        Box::pin(async move {
            let Some(polls) = &self.polls else {
                return Err(DeliveryError::Refused(format!(
                    "poll `{}`: no poll service attached",
                    poll.id
                )));
            };
            let (id, _) = self.channel_for(channel).await?;
            match polls.open_declared(poll, &id).await {
                Ok(opened) => Ok(format!("poll {}", opened.message.message)),
                Err(ServiceError::Port(error)) => Err(error),
                Err(error) => Err(DeliveryError::Transient(error.to_string())),
            }
        })
    }

    fn close_poll<'a>(&'a self, poll: &'a MessageKey) -> Delivery<'a> {
        Box::pin(async move {
            let Some(polls) = &self.polls else {
                return Err(DeliveryError::Refused(
                    "no poll service attached to close polls".into(),
                ));
            };
            match polls.close_due(poll).await {
                Ok(Some(closed)) => Ok(format!("the result of poll {}", closed.id)),
                Ok(None) => Ok("nothing: the poll was no longer open".into()),
                Err(ServiceError::Port(error)) => Err(error),
                Err(error) => Err(DeliveryError::Transient(error.to_string())),
            }
        })
    }
}

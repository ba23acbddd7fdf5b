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

use super::runner::{Announcer, Delivery, DeliveryError};
use super::{wording, Message};
use crate::chat::{ChatPort, PortError};
use crate::polls::{FlashPoll, MessageKey, PollService, ServiceError};
use std::sync::Arc;

/// Posts scheduled messages through a chat port.
pub struct ChatAnnouncer {
    port: Arc<dyn ChatPort>,
    /// Opens declared polls and closes polls; `None`: neither happens.
    polls: Option<PollService>,
    /// Where posts for a channel that cannot be found go instead.
    fallback: Option<String>,
}

impl ChatAnnouncer {
    /// An announcer posting through `port`.
    pub fn new(port: Arc<dyn ChatPort>) -> Self {
        Self {
            port,
            polls: None,
            fallback: None,
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
}

impl Announcer for ChatAnnouncer {
    fn post<'a>(&'a self, channel: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let (id, meant_for) = self.channel_for(channel).await?;
            let mut post = wording::post(message).deduped(nonce);
            if let Some(meant_for) = meant_for {
                post.lines.insert(0, wording::meant_for(&meant_for));
            }
            Ok(self.port.post(&id, &post).await?.message)
        })
    }

    fn direct<'a>(&'a self, user: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let post = wording::post(message).deduped(nonce);
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

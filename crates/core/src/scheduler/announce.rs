//! The scheduler's voice on any platform: its [`Announcer`] over the chat
//! port. Channel keys from the config (names or ids) resolve through the
//! port; every post carries the job's nonce as its dedupe key, so a retry
//! after a timeout cannot post twice; declared polls open, and every poll
//! closes, through the poll service.

use super::runner::{Announcer, Delivery, DeliveryError};
use super::{wording, Message};
use crate::chat::ChatPort;
use crate::polls::{FlashPoll, MessageKey, PollService, ServiceError};
use std::sync::Arc;

/// Posts scheduled messages through a chat port.
pub struct ChatAnnouncer {
    port: Arc<dyn ChatPort>,
    /// Opens declared polls and closes polls; `None`: neither happens.
    polls: Option<PollService>,
}

impl ChatAnnouncer {
    /// An announcer posting through `port`.
    pub fn new(port: Arc<dyn ChatPort>) -> Self {
        Self { port, polls: None }
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
            let id = self.port.resolve_channel(None, channel).await?;
            let post = wording::post(message).deduped(nonce);
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
            let id = self.port.resolve_channel(None, channel).await?;
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

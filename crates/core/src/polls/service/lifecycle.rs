//! A poll's life: posted (message, stored, reactions), then closed or
//! cancelled (final tally, result reply with the chart, marked announced).

use super::create::{draft, new_poll, PollRequest};
use super::{posts, PollService, ServiceError};
use crate::chat::{dedupe_key, Attachment};
use crate::polls::{chart, FlashPoll, MessageKey, Poll, PollState, PollStyle, Results};

/// The file name of the result chart.
const CHART_FILE: &str = "poll-results.png";

impl PollService {
    /// Opens a poll declared in `agenda.toml` in channel `channel`: posts it,
    /// stores it and starts counting. For the scheduler. Idempotent: a poll
    /// already opened for `poll.id` is returned as it is (the post also
    /// carries a dedupe key, so a retry after a crash does not post twice).
    /// Voting ends at `poll.closes_at`, or at once if that has passed.
    ///
    /// # Errors
    /// When the platform refuses the post or the database the poll.
    pub async fn open_declared(
        &self,
        poll: &FlashPoll,
        channel: &str,
    ) -> Result<Poll, ServiceError> {
        if let Some(existing) = self.recorder().declared(&poll.id).await? {
            return Ok(existing);
        }
        let request = PollRequest {
            channel: channel.to_owned(),
            question: poll.question.clone(),
            options: poll.options.clone(),
            closes_at: poll.closes_at,
            multi: poll.multi,
            hide_tally: self.config().hide_tally,
            style: poll.style,
            declared_id: Some(poll.id.clone()),
            created_by: None,
            community: None,
        };
        self.post(request).await
    }

    /// Checks, posts and stores a poll, then (a reaction poll) adds its
    /// reactions in order, and starts its tally and deadline. Votes count from the moment it is stored.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for a poll that breaks the limits; platform or
    /// database failures otherwise.
    pub async fn post(&self, request: PollRequest) -> Result<Poll, ServiceError> {
        Ok(self.post_noting(request).await?.0)
    }

    /// [`Self::post`], with what the organiser should hear besides "posted":
    /// why a poll that asked to be native takes reactions instead.
    ///
    /// # Errors
    /// As [`Self::post`].
    pub async fn post_noting(
        &self,
        request: PollRequest,
    ) -> Result<(Poll, Option<String>), ServiceError> {
        let now = self.clock().now();
        let choices = self.choices_for(&request, now)?;
        let channel = self.channel_of(&request).await?;
        let (style, note) = self.style_for(&channel, &request, now);
        if let Some(note) = &note {
            tracing::info!(question = %request.question, "{note}");
        }
        let draft = draft(&request, choices, style, now);
        let mut post = posts::poll_post(&draft, None);
        if let Some(id) = &request.declared_id {
            post.dedupe = Some(dedupe_key("poll-", id));
        }
        let message = self.port().post(&channel, &post).await?;
        let mut new = new_poll(&request, message.clone(), draft.choices, now);
        new.style = style;
        let poll = match self.recorder().open(new).await {
            Ok(poll) => poll,
            Err(error) => {
                self.take_back(&message).await;
                return Err(error.into());
            }
        };
        if poll.style == PollStyle::Reactions {
            let service = self.clone();
            let seeded = poll.clone();
            tokio::spawn(async move { service.seed_reactions(&seeded).await });
        }
        // Stored before the organiser hears "posted": the close survives a crash.
        self.plan_close(&poll).await;
        self.watch(&poll);
        Ok((poll, note))
    }

    /// The id of the channel `request` names, which must be in its community.
    async fn channel_of(&self, request: &PollRequest) -> Result<String, ServiceError> {
        let community = request.community.as_deref();
        match self
            .port()
            .resolve_channel(community, &request.channel)
            .await
        {
            Ok(channel) => Ok(channel),
            Err(crate::chat::PortError::Refused(why)) => Err(ServiceError::NoSuchChannel(why)),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes a posted poll that could not be stored: nobody could vote on it.
    async fn take_back(&self, message: &MessageKey) {
        if let Err(error) = self.port().delete(message).await {
            tracing::warn!(error = %error, "could not delete a poll that was not stored");
        }
    }

    /// The bot's reactions, one per option, in order.
    async fn seed_reactions(&self, poll: &Poll) {
        for choice in &poll.choices {
            if let Err(error) = self.port().react(&poll.message, &choice.key).await {
                tracing::warn!(poll = poll.id, key = %choice.key, error = %error, "could not add an option reaction");
            }
        }
    }

    /// Ends an open poll (closed: result posted; cancelled: a short notice).
    /// `None` if it was not open.
    ///
    /// # Errors
    /// When the database or the platform fails.
    pub async fn finish(
        &self,
        message: &MessageKey,
        state: PollState,
    ) -> Result<Option<Poll>, ServiceError> {
        if state == PollState::Closed && self.take_unsure(message) {
            self.reconcile_open(message).await;
        }
        let now = self.clock().now();
        let Some((poll, results)) = self.recorder().close(message, state, now).await? else {
            return Ok(None);
        };
        self.announce(&poll, &results).await?;
        Ok(Some(poll))
    }

    /// Shows the final tally on the poll message and replies with the result
    /// (or the cancellation), then records that it was announced. Safe to
    /// repeat: the reply carries a dedupe key.
    pub(super) async fn announce(
        &self,
        poll: &Poll,
        results: &Results,
    ) -> Result<(), ServiceError> {
        if poll.style == PollStyle::Native {
            // Its counts are the platform's own: ending it is the final tally.
            if let Err(error) = self.port().end_poll(&poll.message).await {
                tracing::warn!(poll = poll.id, error = %error, "could not end the native poll");
            }
        } else {
            let edit = posts::poll_post(poll, Some(&results.tally()));
            if let Err(error) = self.port().edit(&poll.message, &edit).await {
                tracing::warn!(poll = poll.id, error = %error, "could not show the final tally");
            }
        }
        let post = match poll.state {
            PollState::Cancelled => posts::cancelled_post(poll),
            _ => {
                let png = chart::bar_chart(results)?;
                let mut post = posts::result_post(poll, results);
                post.attachment = Some(Attachment {
                    filename: CHART_FILE.into(),
                    content_type: "image/png".into(),
                    bytes: png,
                });
                post
            }
        };
        self.port().post(&poll.message.channel, &post).await?;
        self.recorder().set_announced(poll.id).await?;
        Ok(())
    }
}

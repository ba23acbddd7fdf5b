//! A poll's life on Discord: posted (message, stored, reactions), then closed
//! or cancelled (final tally, result reply with the chart, marked announced).

use super::render::{self, reaction_key};
use super::{chart, ids, PollService};
use crate::discord::outbound::Attachment;
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use emcee_core::polls::{
    letter_emoji, Choice, FlashPoll, MessageKey, NewPoll, Poll, PollOption, PollState, Results,
};
use serde_json::Value;

/// A poll to post.
#[derive(Debug, Clone)]
pub struct PollRequest {
    pub channel_id: u64,
    pub question: String,
    pub options: Vec<PollOption>,
    pub closes_at: DateTime<Utc>,
    pub multi: bool,
    pub hide_tally: bool,
    /// The agenda's `[[polls]]` id, for declared polls.
    pub declared_id: Option<String>,
    /// The organiser who asked for it.
    pub created_by: Option<u64>,
}

/// The file name of the result chart.
const CHART_FILE: &str = "poll-results.png";

impl PollService {
    /// Checks, posts and stores a poll, then adds its reactions in order and
    /// starts its tally and deadline. Votes count from the moment it is stored.
    ///
    /// # Errors
    /// A [`emcee_core::polls::PollError`] for a poll that breaks the limits;
    /// Discord or database failures otherwise.
    pub async fn post(&self, request: PollRequest) -> anyhow::Result<Poll> {
        let now = self.clock().now();
        check(&request, now, &self.config().limits)?;
        let choices = choices(&request.options)?;
        let mut draft = draft(&request, choices, now);
        let mut body = render::poll_message(&draft, None);
        if let Some(id) = &request.declared_id {
            body["nonce"] = Value::String(nonce(id));
            body["enforce_nonce"] = Value::Bool(true);
        }
        let posted = self
            .outbound()
            .create_message(request.channel_id, body, Vec::new())
            .await
            .context("posting the poll")?;
        let message_id = posted["id"].as_str().unwrap_or_default().to_owned();
        draft.message = MessageKey::new(request.channel_id, message_id);
        let new = NewPoll {
            message: draft.message.clone(),
            question: draft.question.clone(),
            choices: draft.choices.clone(),
            multi: draft.multi,
            hide_tally: draft.hide_tally,
            opened_at: now,
            closes_at: draft.closes_at,
            declared_id: request.declared_id.clone(),
            created_by: request.created_by.map(|u| u.to_string()),
        };
        let poll = match self.recorder().open(new).await {
            Ok(poll) => poll,
            Err(error) => {
                self.take_back(&draft.message).await;
                return Err(error.into());
            }
        };
        let service = self.clone();
        let seeded = poll.clone();
        tokio::spawn(async move { service.seed_reactions(&seeded).await });
        self.watch(&poll);
        Ok(poll)
    }

    /// Deletes a posted poll that could not be stored: nobody could vote on it.
    async fn take_back(&self, message: &MessageKey) {
        let Some((channel, message_id)) = ids(message) else {
            return;
        };
        if let Err(error) = self.outbound().delete_message(channel, message_id).await {
            tracing::warn!(error = %error, "could not delete a poll that was not stored");
        }
    }

    /// The bot's reactions, one per option, in order (paced by `outbound`).
    async fn seed_reactions(&self, poll: &Poll) {
        let Some((channel, message)) = ids(&poll.message) else {
            return;
        };
        for choice in &poll.choices {
            if let Err(error) = self
                .outbound()
                .add_reaction(channel, message, &choice.key)
                .await
            {
                tracing::warn!(poll = poll.id, emoji = %choice.key, error = %error, "could not add an option reaction");
            }
        }
    }

    /// Ends an open poll (closed: result posted; cancelled: a short notice).
    /// `None` if it was not open.
    ///
    /// # Errors
    /// When the database or Discord fails.
    pub async fn finish(
        &self,
        message: &MessageKey,
        state: PollState,
    ) -> anyhow::Result<Option<Poll>> {
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
    /// (or the cancellation), then records that it was announced. Safe to repeat:
    /// the reply carries a nonce.
    pub(super) async fn announce(&self, poll: &Poll, results: &Results) -> anyhow::Result<()> {
        let (channel, message) = ids(&poll.message).context("a poll without Discord ids")?;
        let tally = emcee_core::polls::Tally {
            counts: results.options.iter().map(|o| o.votes).collect(),
            voters: results.voters,
        };
        let edit = render::poll_message(poll, Some(&tally));
        if let Err(error) = self.outbound().edit_message(channel, message, edit).await {
            tracing::warn!(poll = poll.id, error = %error, "could not show the final tally");
        }
        let (body, files) = match poll.state {
            PollState::Cancelled => (render::cancelled_message(poll), Vec::new()),
            _ => {
                let png = chart::bar_chart(results)?;
                let file = Attachment {
                    filename: CHART_FILE.into(),
                    content_type: "image/png".into(),
                    bytes: png,
                };
                (
                    render::result_message(poll, results, CHART_FILE),
                    vec![file],
                )
            }
        };
        self.outbound()
            .create_message(channel, body, files)
            .await
            .context("posting the poll result")?;
        self.recorder().set_announced(poll.id).await?;
        Ok(())
    }
}

/// Checks the request as the core checks declared polls.
fn check(
    request: &PollRequest,
    now: DateTime<Utc>,
    limits: &emcee_core::polls::PollLimits,
) -> anyhow::Result<()> {
    let spec = FlashPoll {
        id: request.declared_id.clone().unwrap_or_default(),
        question: request.question.clone(),
        options: request.options.clone(),
        opens_at: now.min(request.closes_at - chrono::TimeDelta::seconds(1)),
        closes_at: request.closes_at,
        multi: request.multi,
        channel: None,
    };
    spec.check(limits)?;
    Ok(())
}

/// Reaction keys for the options: their own emoji, else 🇦 🇧 🇨 … by position.
fn choices(options: &[PollOption]) -> anyhow::Result<Vec<Choice>> {
    let mut choices: Vec<Choice> = Vec::new();
    for (index, option) in options.iter().enumerate() {
        let key = match &option.emoji {
            Some(emoji) => reaction_key(emoji),
            None => letter_emoji(index).context("too many options")?,
        };
        if let Some(earlier) = choices.iter().position(|c| c.key == key) {
            let error = emcee_core::polls::PollError::DuplicateEmoji(earlier + 1, index + 1, key);
            return Err(error.into());
        }
        choices.push(Choice {
            key,
            label: option.label.clone(),
        });
    }
    Ok(choices)
}

/// The poll as it will be stored, for rendering before it has a message.
fn draft(request: &PollRequest, choices: Vec<Choice>, now: DateTime<Utc>) -> Poll {
    Poll::from_new(
        0,
        NewPoll {
            message: MessageKey::new(request.channel_id, ""),
            question: request.question.trim().to_owned(),
            choices,
            multi: request.multi,
            hide_tally: request.hide_tally,
            opened_at: now,
            closes_at: request.closes_at,
            declared_id: request.declared_id.clone(),
            created_by: None,
        },
    )
}

/// A nonce for a declared poll's post (Discord allows 25 characters).
fn nonce(declared_id: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in declared_id.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("poll-{hash:016x}")
}

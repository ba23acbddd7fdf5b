//! A poll request from an organiser or the agenda: its checks, and the
//! neutral option keys (the organiser's own emoji, else A, B, C …) that each
//! platform shows its own way.

use super::{PollService, ServiceError};
use crate::polls::{
    letter, Choice, FlashPoll, MessageKey, NewPoll, Poll, PollError, PollOption, PollStyle,
};
use chrono::{DateTime, TimeDelta, Utc};

/// A poll to post.
#[derive(Debug, Clone)]
pub struct PollRequest {
    /// The channel to post in: an id, or a name in `community`.
    pub channel: String,
    pub question: String,
    pub options: Vec<PollOption>,
    pub closes_at: DateTime<Utc>,
    pub multi: bool,
    pub hide_tally: bool,
    /// Reactions, buttons or a native poll; `None`: `[polls] style`, else
    /// buttons where the platform has them. A platform without the style
    /// asked for takes its default (see `native::style_for`).
    pub style: Option<PollStyle>,
    /// The agenda's `[[polls]]` id, for declared polls.
    pub declared_id: Option<String>,
    /// The organiser who asked for it (a platform user id).
    pub created_by: Option<String>,
    /// The community the request came from; the channel must belong to it.
    /// `None`: any community this bot serves (declared polls).
    pub community: Option<String>,
}

impl PollService {
    /// When a poll asked for now with voting time `typed` ("5", "90s", "10m",
    /// "1h"; none: the configured default) closes.
    ///
    /// # Errors
    /// [`PollError::BadDuration`] when `typed` cannot be read.
    pub fn deadline(&self, typed: Option<&str>) -> Result<DateTime<Utc>, PollError> {
        let length = match typed.map(crate::polls::parse_duration) {
            Some(None) => return Err(PollError::BadDuration),
            Some(Some(length)) => length,
            None => TimeDelta::minutes(i64::from(self.config().default_minutes)),
        };
        Ok(self.clock().now() + length)
    }

    /// Checks `request` as declared polls are checked, with the platform's
    /// cap on options, and gives each option its key.
    pub(super) fn choices_for(
        &self,
        request: &PollRequest,
        now: DateTime<Utc>,
    ) -> Result<Vec<Choice>, ServiceError> {
        let spec = FlashPoll {
            id: request.declared_id.clone().unwrap_or_default(),
            question: request.question.clone(),
            options: request.options.clone(),
            opens_at: now.min(request.closes_at - TimeDelta::seconds(1)),
            closes_at: request.closes_at,
            multi: request.multi,
            channel: None,
            style: request.style,
        };
        spec.check(&self.limits())?;
        let mut choices: Vec<Choice> = Vec::new();
        for (index, option) in request.options.iter().enumerate() {
            let key = match &option.emoji {
                Some(emoji) => self
                    .port()
                    .emoji_key(emoji)
                    .unwrap_or_else(|| emoji.clone()),
                None => letter(index),
            };
            if let Some(earlier) = choices.iter().position(|c| c.key == key) {
                return Err(PollError::DuplicateEmoji(earlier + 1, index + 1, key).into());
            }
            choices.push(Choice {
                key,
                label: option.label.clone(),
            });
        }
        Ok(choices)
    }
}

/// The poll as it will be stored, for rendering before it has a message.
pub(super) fn draft(
    request: &PollRequest,
    choices: Vec<Choice>,
    style: PollStyle,
    now: DateTime<Utc>,
) -> Poll {
    let mut new = new_poll(request, MessageKey::new(&request.channel, ""), choices, now);
    new.style = style;
    Poll::from_new(0, new)
}

/// The stored form of `request`, posted as `message`.
pub(super) fn new_poll(
    request: &PollRequest,
    message: MessageKey,
    choices: Vec<Choice>,
    now: DateTime<Utc>,
) -> NewPoll {
    NewPoll {
        message,
        question: request.question.trim().to_owned(),
        choices,
        multi: request.multi,
        hide_tally: request.hide_tally,
        style: request.style.unwrap_or_default(),
        opened_at: now,
        closes_at: request.closes_at,
        declared_id: request.declared_id.clone(),
        created_by: request.created_by.clone(),
        community: request.community.clone(),
    }
}

/// "A | B | C" as options (each may start with its own emoji).
pub fn split_options(text: &str) -> Vec<PollOption> {
    text.split('|')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(PollOption::parse)
        .collect()
}

/// The options of a create command: the `|`-separated list, then the
/// separate fields, in order.
pub fn gather_options<'a>(
    listed: Option<&str>,
    separate: impl Iterator<Item = &'a String>,
) -> Vec<PollOption> {
    let mut options = listed.map(split_options).unwrap_or_default();
    let separate = separate.map(|o| o.trim()).filter(|o| !o.is_empty());
    options.extend(separate.map(PollOption::parse));
    options
}

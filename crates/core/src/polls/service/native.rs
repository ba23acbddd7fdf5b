//! Native polls: the platform's own poll (Discord's) instead of reactions.
//!
//! The platform draws the answers and the counts and keeps one vote per
//! person in single choice; its vote events go through the recorder like
//! reactions, so each is stored before anything else happens, and the
//! recorder still enforces the poll's rules. The platform only knows whole
//! hours, so its poll runs for the poll's time rounded up and the bot ends
//! it at its own close time (`lifecycle::announce`), then posts the same
//! result as for any poll. What a native poll cannot be (more answers or
//! longer ones than the platform takes, a hidden tally: its counts are
//! always shown) is posted with reactions, and the organiser is told why.

use super::create::PollRequest;
use super::{PollService, ServiceError};
use crate::chat::NativeLimits;
use crate::polls::{NativeVote, PollStyle, Verdict};
use chrono::{DateTime, Utc};
use std::time::Instant;

impl PollService {
    /// A vote on a native poll was added or taken back, `received` when the
    /// platform's event arrived. Votes on other messages are ignored.
    ///
    /// # Errors
    /// When the vote could not be stored (the poll is then reconciled with
    /// the platform before it closes).
    pub async fn on_native_vote(
        &self,
        vote: NativeVote,
        received: Instant,
    ) -> Result<Verdict, ServiceError> {
        let message = vote.message.clone();
        match self.recorder().native_vote(vote, received).await {
            Ok(verdict) => {
                // Events seen out of order: the platform's voter lists settle
                // it before the close.
                if matches!(verdict, Verdict::Counted { suspect: true, .. }) {
                    self.mark_unsure(&message);
                }
                self.watch_adopted();
                Ok(verdict)
            }
            Err(error) => {
                self.mark_unsure(&message);
                Err(error.into())
            }
        }
    }

    /// How a poll asking for `request.style` (else `[polls] style`) votes in
    /// `channel`, and, when it asked for a native poll it cannot be, why it
    /// is posted with reactions instead (for the organiser's reply).
    /// A platform without native polls gives its default (Slack: buttons).
    pub(super) fn style_for(
        &self,
        channel: &str,
        request: &PollRequest,
        now: DateTime<Utc>,
    ) -> (PollStyle, Option<String>) {
        let buttons = self.port().vote_buttons(channel);
        let fallback = if buttons {
            PollStyle::Buttons
        } else {
            PollStyle::Reactions
        };
        match request.style.or(self.config().style) {
            Some(PollStyle::Native) => match self.port().native_polls(channel) {
                Some(limits) => match misfit(request, &limits, now) {
                    None => (PollStyle::Native, None),
                    Some(why) => (
                        PollStyle::Reactions,
                        Some(format!("It takes reactions, not a native poll: {why}.")),
                    ),
                },
                None => (fallback, None),
            },
            Some(PollStyle::Buttons) | None => (fallback, None),
            Some(PollStyle::Reactions) => (PollStyle::Reactions, None),
        }
    }
}

/// Whole hours from `from` to `to`, rounded up (at least one): how long the
/// platform keeps a native poll open.
pub(super) fn hours_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    let seconds = (to - from).num_seconds().max(1);
    u32::try_from((seconds + 3599) / 3600).unwrap_or(u32::MAX)
}

/// Why `request` cannot be a native poll within `limits`; `None`: it can.
fn misfit(request: &PollRequest, limits: &NativeLimits, now: DateTime<Utc>) -> Option<String> {
    if request.hide_tally {
        return Some("native polls always show their counts, and this one hides its tally".into());
    }
    let options = request.options.len();
    if options > limits.answers {
        return Some(format!(
            "native polls take at most {} options, and this one has {options}",
            limits.answers
        ));
    }
    let long = request
        .options
        .iter()
        .position(|o| o.label.trim().chars().count() > limits.answer_chars);
    if let Some(index) = long {
        return Some(format!(
            "option {} is longer than the {} characters of a native poll's answer",
            index + 1,
            limits.answer_chars
        ));
    }
    if request.question.trim().chars().count() > limits.question_chars {
        return Some(format!(
            "the question is longer than the {} characters of a native poll",
            limits.question_chars
        ));
    }
    if hours_between(now, request.closes_at) > limits.max_hours {
        return Some(format!(
            "native polls last at most {} hours",
            limits.max_hours
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::hours_between;
    use chrono::{TimeDelta, Utc};

    #[test]
    fn minutes_round_up_to_whole_hours() {
        let now = Utc::now();
        let hours = |minutes| hours_between(now, now + TimeDelta::minutes(minutes));
        assert_eq!(
            [hours(1), hours(59), hours(60), hours(61), hours(0)],
            [1, 1, 1, 2, 1]
        );
        assert_eq!(hours(32 * 24 * 60), 768);
    }
}

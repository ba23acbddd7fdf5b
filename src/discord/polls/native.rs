//! Discord's native polls: the `poll` object of a create-message body, the
//! MESSAGE_POLL_VOTE_ADD/REMOVE events as votes, and Discord's limits.
//!
//! Discord numbers a poll's answers 1, 2, … in the order they were sent, so
//! an answer id is the core's option index plus one, both ways. An answer
//! shows its option's emoji as reactions do (🇦 for "A", a server's own
//! emoji by id). Votes need the GUILD_MESSAGE_POLLS intent.

use crate::discord::markup::reaction_of;
use crate::discord::Data;
use emcee_core::chat::{NativeLimits, NativePoll};
use emcee_core::polls::{MessageKey, NativeVote};
use poise::serenity_prelude as serenity;
use serde_json::{json, Value};
use std::time::Instant;

/// What Discord's native polls hold: a question of 300 characters, 10
/// answers of 55, open up to 32 days (768 hours).
pub const LIMITS: NativeLimits = NativeLimits {
    question_chars: 300,
    answers: 10,
    answer_chars: 55,
    max_hours: 768,
};

/// The `poll` of a create-message body.
pub fn body(poll: &NativePoll) -> Value {
    let answers: Vec<Value> = poll
        .answers
        .iter()
        .map(|answer| json!({ "poll_media": { "text": answer.text, "emoji": emoji(&answer.key) } }))
        .collect();
    json!({
        "question": { "text": poll.question },
        "answers": answers,
        "duration": poll.hours,
        "allow_multiselect": poll.multi,
        "layout_type": 1,
    })
}

/// A poll answer's emoji: a server's own (`name:id`) by id, else Unicode.
fn emoji(key: &str) -> Value {
    match key.rsplit_once(':') {
        Some((_, id)) if id.parse::<u64>().is_ok() => json!({ "id": id }),
        _ => json!({ "name": reaction_of(key) }),
    }
}

/// The answer id of option `option` (0-based), and back.
pub fn answer_id(option: usize) -> usize {
    option + 1
}

/// A MESSAGE_POLL_VOTE_ADD or _REMOVE event, whichever it was.
pub struct PollVote {
    user: serenity::UserId,
    message: MessageKey,
    guild: Option<serenity::GuildId>,
    answer: serenity::AnswerId,
}

impl From<&serenity::MessagePollVoteAddEvent> for PollVote {
    fn from(e: &serenity::MessagePollVoteAddEvent) -> Self {
        let message = MessageKey::new(e.channel_id, e.message_id);
        (e.user_id, message, e.guild_id, e.answer_id).into()
    }
}

impl From<&serenity::MessagePollVoteRemoveEvent> for PollVote {
    fn from(e: &serenity::MessagePollVoteRemoveEvent) -> Self {
        let message = MessageKey::new(e.channel_id, e.message_id);
        (e.user_id, message, e.guild_id, e.answer_id).into()
    }
}

type Fields = (
    serenity::UserId,
    MessageKey,
    Option<serenity::GuildId>,
    serenity::AnswerId,
);

impl From<Fields> for PollVote {
    fn from((user, message, guild, answer): Fields) -> Self {
        Self {
            user,
            message,
            guild,
            answer,
        }
    }
}

/// One vote added (`added`) or taken back on some native poll.
///
/// # Errors
/// When the vote could not be stored.
pub async fn on_vote(data: &Data, vote: PollVote, added: bool) -> anyhow::Result<()> {
    let received = Instant::now();
    // Answer ids start at 1; a 0 would be no answer of ours.
    let Some(option) = usize::try_from(vote.answer.get())
        .ok()
        .and_then(|a| a.checked_sub(1))
    else {
        return Ok(());
    };
    let vote = NativeVote {
        message: vote.message,
        voter: vote.user.to_string(),
        option,
        added,
        community: vote.guild.map(|g| g.to_string()),
    };
    data.polls.on_native_vote(vote, received).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use emcee_core::chat::NativeAnswer;

    #[test]
    fn answers_show_their_option_emoji() {
        let answer = |key: &str| NativeAnswer {
            key: key.into(),
            text: "x".into(),
        };
        let poll = NativePoll {
            question: "Which?".into(),
            answers: vec![answer("A"), answer("🦀"), answer("ferris:123")],
            hours: 2,
            multi: true,
        };
        let body = body(&poll);
        let emoji: Vec<&Value> = (0..3)
            .map(|n| &body["answers"][n]["poll_media"]["emoji"])
            .collect();
        assert_eq!(
            emoji,
            [
                &json!({"name": "🇦"}),
                &json!({"name": "🦀"}),
                &json!({"id": "123"})
            ]
        );
        assert_eq!(
            (body["duration"].clone(), body["allow_multiselect"].clone()),
            (json!(2), json!(true))
        );
    }
}

//! Users voting on native polls, the test's side: each vote changes the
//! fake's record of the poll (what the answer-voters endpoint reads) and is
//! dispatched as MESSAGE_POLL_VOTE_ADD or MESSAGE_POLL_VOTE_REMOVE to the
//! shard of the poll's guild (intent GUILD_MESSAGE_POLLS). As on Discord, a
//! single-choice poll refuses a user's second vote (they must take the first
//! back), an ended poll refuses every vote, and a vote that changes nothing
//! (again for the same answer, or removing none) sends no event.

use serde_json::json;

use crate::error::ApiError;
use crate::ids::FakeUser;
use crate::payloads::sf;
use crate::{lock, FakeDiscord};

impl FakeDiscord {
    /// `user` votes for answer `answer_id` (1-based) of the native poll on
    /// message `message_id`.
    ///
    /// # Errors
    /// Unknown poll or answer, an ended poll, or a second vote on a
    /// single-choice poll.
    pub async fn poll_vote(
        &self,
        message_id: u64,
        user: &FakeUser,
        answer_id: u64,
    ) -> Result<(), ApiError> {
        self.cast(message_id, user, answer_id, true)
    }

    /// `user` takes back their vote for answer `answer_id`.
    ///
    /// # Errors
    /// Unknown poll or answer, or an ended poll.
    pub async fn poll_unvote(
        &self,
        message_id: u64,
        user: &FakeUser,
        answer_id: u64,
    ) -> Result<(), ApiError> {
        self.cast(message_id, user, answer_id, false)
    }

    fn cast(
        &self,
        message_id: u64,
        user: &FakeUser,
        answer: u64,
        add: bool,
    ) -> Result<(), ApiError> {
        let event = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let Some(poll) = world.polls.get_mut(&message_id) else {
                return Err(ApiError::unknown_message());
            };
            if poll.finalized {
                return Err(ApiError::new(400, 520001, "Poll expired"));
            }
            if !poll.answers.iter().any(|a| a.id == answer) {
                return Err(ApiError::bad_body("answer_id"));
            }
            let elsewhere = poll.votes_of(user.id).iter().any(|&a| a != answer);
            if add && elsewhere && !poll.allow_multiselect {
                return Err(ApiError::new(400, 520000, "Poll voting blocked"));
            }
            let voters = poll.votes.entry(answer).or_default();
            let changed = if add {
                voters.insert(user.id)
            } else {
                voters.remove(&user.id)
            };
            let mut event = json!({
                "user_id": sf(user.id),
                "channel_id": sf(poll.channel_id),
                "message_id": sf(message_id),
                "answer_id": answer,
            });
            if let Some(guild) = poll.guild_id {
                event["guild_id"] = sf(guild);
            }
            changed.then_some(event)
        };
        match event {
            Some(event) if add => drop(self.inner.dispatch("MESSAGE_POLL_VOTE_ADD", &event)),
            Some(event) => drop(self.inner.dispatch("MESSAGE_POLL_VOTE_REMOVE", &event)),
            None => self.inner.changes.bump(),
        }
        Ok(())
    }
}

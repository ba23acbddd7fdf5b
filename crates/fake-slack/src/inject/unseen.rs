//! What happens in Slack while the app hears nothing: Slack retries an
//! event a few times and then drops it, so a bot that was down for long
//! learns of these only by asking (`reactions.get`).

use crate::error::SlackError;
use crate::ids::FakeUser;
use crate::{lock, FakeSlack};

impl FakeSlack {
    /// `user` reacts with `name`, and the event is lost: only the message's
    /// reactions change.
    ///
    /// # Errors
    /// `message_not_found`, `already_reacted`, `too_many_emoji`.
    pub fn react_unseen(
        &self,
        user: &FakeUser,
        channel: &str,
        ts: &str,
        name: &str,
    ) -> Result<(), SlackError> {
        lock(&self.inner.world).react_as(user, channel, ts, name, true)
    }

    /// `user` takes their `name` reaction back, and the event is lost.
    ///
    /// # Errors
    /// `message_not_found`, `no_reaction`.
    pub fn unreact_unseen(
        &self,
        user: &FakeUser,
        channel: &str,
        ts: &str,
        name: &str,
    ) -> Result<(), SlackError> {
        lock(&self.inner.world).react_as(user, channel, ts, name, false)
    }
}

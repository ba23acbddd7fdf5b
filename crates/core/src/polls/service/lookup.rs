//! Which poll a command means: the one posted as a given message (its id, or
//! a link ending in it), else the latest one in the command's channel.

use super::{PollService, ServiceError};
use crate::polls::Poll;

impl PollService {
    /// The poll posted as `message` (an id or a link), else the latest poll
    /// in `channel`; only open ones if `open`. Only polls of `community` (or
    /// declared and older polls, which have none) are found: an organiser in
    /// one community has no power over another's polls.
    ///
    /// # Errors
    /// When the store cannot be read.
    pub async fn find(
        &self,
        community: Option<&str>,
        channel: &str,
        message: Option<&str>,
        open: bool,
    ) -> Result<Option<Poll>, ServiceError> {
        let recorder = self.recorder();
        let polls = if open {
            recorder.open_polls().await?
        } else {
            recorder.all_polls().await?
        };
        let wanted = message.map(|m| m.trim().rsplit('/').next().unwrap_or_default().to_owned());
        let ours = |p: &Poll| p.community.is_none() || p.community.as_deref() == community;
        let matching = polls
            .into_iter()
            .filter(|p| ours(p))
            .filter(|p| match &wanted {
                Some(id) => &p.message.message == id,
                None => p.message.channel == channel,
            });
        Ok(matching.max_by_key(|p| p.id))
    }
}

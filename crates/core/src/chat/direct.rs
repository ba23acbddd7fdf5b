//! Where each user's direct-message channel is kept, so it is opened once.
//!
//! On Discord a DM goes into a channel that must first be opened with a
//! request of its own, under the same global limit (50 requests a second) as
//! everything else. Opened once and kept, a burst of 2,000 reminders costs
//! 2,000 requests instead of 4,000, also after a restart. The port that sends
//! DMs owns the policy (use the kept channel; open and keep one when there is
//! none; reopen once when the platform no longer knows it); this is only the
//! storage, async so a backend can run its calls off the async workers.

pub use crate::store::StoreFuture;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Direct-message channels by platform and user (both opaque strings).
pub trait DirectChannels: Send + Sync {
    /// The channel kept for `user` on `platform`, if any.
    fn channel_of<'a>(
        &'a self,
        platform: &'a str,
        user: &'a str,
    ) -> StoreFuture<'a, Option<String>>;

    /// Keeps `channel` as `user`'s on `platform`, replacing an older one.
    fn keep_channel<'a>(
        &'a self,
        platform: &'a str,
        user: &'a str,
        channel: &'a str,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()>;
}

/// Channels kept for the life of the process only: for a port without a
/// database (tests, benches), never for the bot itself.
#[derive(Debug, Default)]
pub struct KeptInMemory {
    channels: Mutex<HashMap<(String, String), String>>,
}

impl DirectChannels for KeptInMemory {
    fn channel_of<'a>(
        &'a self,
        platform: &'a str,
        user: &'a str,
    ) -> StoreFuture<'a, Option<String>> {
        let channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = channels
            .get(&(platform.to_owned(), user.to_owned()))
            .cloned();
        Box::pin(async move { Ok(kept) })
    }

    fn keep_channel<'a>(
        &'a self,
        platform: &'a str,
        user: &'a str,
        channel: &'a str,
        _now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.insert((platform.to_owned(), user.to_owned()), channel.to_owned());
        Box::pin(async move { Ok(()) })
    }
}

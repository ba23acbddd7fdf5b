//! Where each user's direct-message channel is kept, so it is opened once.
//!
//! On Discord a DM goes into a channel that must first be opened with a
//! request of its own, under the same global limit (50 requests a second) as
//! everything else. Opened once and kept, a burst of 2,000 reminders costs
//! 2,000 requests instead of 4,000, also after a restart. The port that sends
//! DMs owns the lookup (use the kept channel; open and keep one when there is
//! none); [`send_kept`] is the one rule every port shares for the rest:
//! reopen once, and only a kept channel, when the platform no longer knows
//! it. [`DirectChannels`] is the storage, async so a backend can run its
//! calls off the async workers.

use super::PortError;
pub use crate::store::StoreFuture;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::future::Future;
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

/// Sends to `user` through `channel`, which was kept (`kept`) or just opened:
/// when a kept channel is `gone` by the platform's error, it is opened again
/// once (`reopen`, which also keeps the new one) and the send retried there.
/// A channel just opened is not reopened: its failure is the answer.
///
/// # Errors
/// The outer error: reopening failed. The inner result is the last send's.
pub async fn send_kept<C, T, E, Send, Sent, Reopen, Reopened>(
    user: &str,
    (channel, kept): (C, bool),
    send: Send,
    gone: impl Fn(&E) -> bool,
    reopen: Reopen,
) -> Result<Result<T, E>, PortError>
where
    Send: Fn(C) -> Sent,
    Sent: Future<Output = Result<T, E>>,
    Reopen: FnOnce() -> Reopened,
    Reopened: Future<Output = Result<C, PortError>>,
{
    match send(channel).await {
        Err(error) if kept && gone(&error) => {
            tracing::info!(user, "a kept DM channel is gone; opening it again");
            let channel = reopen().await?;
            Ok(send(channel).await)
        }
        sent => Ok(sent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn sends(
        kept: bool,
        channel: &str,
    ) -> (Result<Result<String, String>, PortError>, usize) {
        let reopened = AtomicUsize::new(0);
        let sent = send_kept(
            "u1",
            (channel.to_owned(), kept),
            |c: String| async move {
                if c == "old" {
                    Err("unknown channel".to_owned())
                } else {
                    Ok(format!("sent in {c}"))
                }
            },
            |e: &String| e == "unknown channel",
            || async {
                reopened.fetch_add(1, Ordering::SeqCst);
                Ok("new".to_owned())
            },
        )
        .await;
        (sent, reopened.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_kept_channel_that_is_gone_is_reopened_once_and_a_fresh_one_never() {
        assert_eq!(sends(true, "old").await, (Ok(Ok("sent in new".into())), 1));
        assert_eq!(sends(true, "dm").await, (Ok(Ok("sent in dm".into())), 0));
        let fresh = sends(false, "old").await;
        assert_eq!(fresh, (Ok(Err("unknown channel".into())), 0));
    }
}

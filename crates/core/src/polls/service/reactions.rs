//! A platform's reaction events, as votes. Each event goes to the recorder
//! as it is; the recorder's verdict says what to tidy up on the platform.
//!
//! Stray emoji (no option of the poll) are removed, but a flood of them must
//! not become a flood of calls: the platform runs a channel's calls in order,
//! so a thousand per-user removals would hold that channel's announcements
//! back for minutes. Removals are coalesced per (message, emoji): one call
//! removes everyone's, and strays that arrive meanwhile only ask for one more
//! pass after it. At most [`MAX_CLEARING`] such clean-ups run at once; past
//! that a stray stays (it never counts).

use super::{PollService, ServiceError};
use crate::polls::{MessageKey, Reaction, Verdict};
use std::collections::HashMap;
use std::sync::PoisonError;
use std::time::Instant;

/// Stray-emoji clean-ups running at once, across polls.
pub(super) const MAX_CLEARING: usize = 32;

/// The clean-ups running, by (message, emoji): whether strays came meanwhile.
pub(super) type Clearing = HashMap<(MessageKey, String), bool>;

impl PollService {
    /// A reaction was added or removed on some message, `received` when the
    /// platform's event arrived. Reactions on other messages are ignored.
    ///
    /// # Errors
    /// When the vote could not be stored (the poll is then reconciled with
    /// the platform before it closes).
    pub async fn on_reaction(
        &self,
        event: Reaction,
        received: Instant,
    ) -> Result<(), ServiceError> {
        let verdict = match self.recorder().react(event.clone(), received).await {
            Ok(verdict) => verdict,
            Err(error) => {
                self.mark_unsure(&event.message);
                return Err(error.into());
            }
        };
        self.watch_adopted();
        match verdict {
            Verdict::Foreign if event.added => self.clear_stray(&event.message, &event.key).await,
            Verdict::Counted { displaced, suspect } => {
                if suspect {
                    let (service, event) = (self.clone(), event.clone());
                    tokio::spawn(async move {
                        service
                            .check_mark(&event.message, &event.key, &event.voter)
                            .await;
                    });
                }
                for key in displaced {
                    self.remove_reaction(&event.message, &key, &event.voter)
                        .await;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Removes every stray `key` reaction from `message`, coalesced with the
    /// clean-up already running for it (see the module).
    async fn clear_stray(&self, message: &MessageKey, key: &str) {
        let job = (message.clone(), key.to_owned());
        {
            let mut clearing = self.clearing();
            if let Some(again) = clearing.get_mut(&job) {
                *again = true;
                return;
            }
            if clearing.len() >= MAX_CLEARING {
                tracing::debug!(
                    key,
                    "too many stray-emoji clean-ups running; this one stays"
                );
                return;
            }
            clearing.insert(job.clone(), false);
        }
        loop {
            if let Err(error) = self.port().unreact_everyone(message, key).await {
                tracing::warn!(%error, "could not remove a stray emoji");
            }
            let mut clearing = self.clearing();
            match clearing.get_mut(&job) {
                Some(again) if *again => *again = false,
                _ => {
                    clearing.remove(&job);
                    return;
                }
            }
        }
    }

    fn clearing(&self) -> std::sync::MutexGuard<'_, Clearing> {
        self.inner
            .clearing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

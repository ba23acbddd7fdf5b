//! When a poll closes, and which process closes it.
//!
//! With a scheduler attached ([`PollDeadlines`]), a poll's close is a stored
//! job, claimed under the scheduler's lease like an announcement: of several
//! processes on one database only the lease holder closes the poll and
//! announces its result, and a close that fell due while the bot was down
//! runs when it starts again. Every process that counts the poll still stops
//! counting it at its deadline, so late votes do not count and its live
//! tally is not edited after the close.
//!
//! Without a scheduler (a console without `--speed` or `--announce`, some
//! tests) the service closes its polls itself at their deadline, so no poll
//! stays open for ever.

use super::{PollService, ServiceError};
use crate::clock::sleep_until;
use crate::health::{supervise, Policy};
use crate::polls::{MessageKey, Poll, PollState};
use crate::store::StoreFuture;

/// Where poll closes are kept when a scheduler runs (the scheduler implements it).
pub trait PollDeadlines: Send + Sync + 'static {
    /// Makes sure `poll` is closed at its `closes_at`, once across processes.
    /// Idempotent: a close already planned, running or done stays as it is.
    ///
    /// Fails when the close could not be stored.
    fn close_at<'a>(&'a self, poll: &'a Poll) -> StoreFuture<'a, ()>;
}

impl PollService {
    /// Hands poll closes to `deadlines` (the scheduler); only the first call
    /// counts. Every poll open now gets its close job: polls opened before
    /// closes were jobs, or resumed before the scheduler started, have none.
    pub fn attach_deadlines(&self, deadlines: std::sync::Arc<dyn PollDeadlines>) {
        if self.inner.deadlines.set(deadlines).is_err() {
            return;
        }
        let service = self.clone();
        tokio::spawn(async move {
            match service.recorder().open_polls().await {
                Ok(polls) => {
                    for poll in &polls {
                        service.plan_close(poll).await;
                    }
                }
                Err(error) => tracing::error!(%error, "could not plan the open polls' closes"),
            }
        });
    }

    /// Plans `poll`'s close with the scheduler; false when none is attached
    /// or the plan could not be stored (this process then closes it itself).
    pub(super) async fn plan_close(&self, poll: &Poll) -> bool {
        let Some(deadlines) = self.inner.deadlines.get() else {
            return false;
        };
        match deadlines.close_at(poll).await {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(poll = poll.id, %error, "could not plan a poll's close; closing it here");
                false
            }
        }
    }

    /// Waits for `poll`'s deadline in this process (its close job, when a
    /// scheduler runs, is planned when it is posted or the scheduler attached).
    pub(super) fn watch_deadline(&self, poll: &Poll) {
        let (service, poll) = (self.clone(), poll.clone());
        let name = format!("poll {} deadline", poll.id);
        supervise(self.tasks(), &name, Policy::until_done(), move |_| {
            let (service, poll) = (service.clone(), poll.clone());
            async move {
                sleep_until(service.clock(), poll.closes_at).await;
                service.at_deadline(&poll).await;
            }
        });
    }

    /// A poll's deadline passed here: the scheduler's job closes it (planned
    /// again in case planning failed before), this process stops counting;
    /// with no scheduler, or none that took the plan, it closes here.
    async fn at_deadline(&self, poll: &Poll) {
        let message = &poll.message;
        if !self.plan_close(poll).await {
            if let Err(error) = self.finish(message, PollState::Closed).await {
                tracing::error!(%error, "could not close a poll at its deadline");
            }
            return;
        }
        // The closer, maybe another process, reads the stored votes: make them right.
        if self.take_unsure(message) {
            self.reconcile_open(message).await;
        }
        if let Err(error) = self.recorder().retire(message).await {
            tracing::warn!(poll = poll.id, %error, "could not stop counting a poll at its deadline");
        }
    }

    /// Closes the poll posted as `message` and announces its result: the
    /// scheduler's close job. A poll already closed whose result is not yet
    /// posted (a retried job after a failed post) is announced now. `None`:
    /// nothing was left to do.
    ///
    /// # Errors
    /// When the database or the platform fails.
    pub async fn close_due(&self, message: &MessageKey) -> Result<Option<Poll>, ServiceError> {
        if let Some(poll) = self.finish(message, PollState::Closed).await? {
            return Ok(Some(poll));
        }
        match self.recorder().results(message).await? {
            Some((poll, results)) if poll.state != PollState::Open && !poll.announced => {
                self.announce(&poll, &results).await?;
                Ok(Some(poll))
            }
            _ => Ok(None),
        }
    }
}

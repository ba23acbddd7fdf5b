//! What runs beside an open poll: the live tally edits, its deadline (see
//! `deadline`), and, after a restart, reconciling stored votes with the
//! message's reactions.

use super::{posts, PollService, ServiceError};
use crate::health::{supervise, Policy};
use crate::polls::{MessageKey, Poll, PollState, PollStyle};
use std::time::Duration;

/// How long a suspect mark is left to settle before asking the platform.
const SETTLE: Duration = Duration::from_millis(500);
/// Times a suspect mark is asked about before giving up.
const CHECKS: u32 = 5;

impl PollService {
    /// Starts the tally edits and the deadline of an open poll.
    pub(super) fn watch(&self, poll: &Poll) {
        let service = self.clone();
        let message = poll.message.clone();
        let name = format!("poll {} tally", poll.id);
        supervise(self.tasks(), &name, Policy::until_done(), move |_| {
            let (service, message) = (service.clone(), message.clone());
            async move { service.keep_tally(&message).await }
        });
        self.watch_deadline(poll);
    }

    /// Edits the poll message with each stored tally, at most once per tally
    /// gap; ends when the poll closes (closing shows the final one).
    async fn keep_tally(&self, message: &MessageKey) {
        let Some(mut tallies) = self.recorder().watch(message) else {
            return;
        };
        while tallies.changed().await.is_ok() {
            let view = tallies.borrow_and_update().clone();
            // Closed meanwhile: the final edit is the close's, not this one.
            if tallies.has_changed().is_err() {
                break;
            }
            // A native poll's counts are the platform's own.
            if !view.poll.hide_tally && view.poll.style != PollStyle::Native {
                // The store's tally: other processes may count this poll too.
                let tally = match self.recorder().stored_tally(message).await {
                    Ok(Some(tally)) => tally,
                    Ok(None) => view.tally,
                    Err(error) => {
                        tracing::warn!(%error, "could not read the stored tally; showing this process's");
                        view.tally
                    }
                };
                let post = posts::poll_post(&view.poll, Some(&tally));
                if let Err(error) = self.port().edit(message, &post).await {
                    tracing::warn!(error = %error, "could not edit the live tally");
                }
            }
            tokio::time::sleep(self.tally_gap()).await;
        }
    }

    /// Starts the deadline and the tally edits of polls this process began
    /// counting because a vote on them arrived here (another process opened
    /// them), so it stops counting them at their deadline like its own.
    /// Its reactions are reconciled too: one that reached this process in
    /// the moment it took the message for none was not counted.
    pub(super) fn watch_adopted(&self) {
        for poll in self.recorder().take_adopted() {
            self.watch(&poll);
            let service = self.clone();
            tokio::spawn(async move {
                if let Err(error) = service.reconcile(&poll).await {
                    tracing::error!(poll = poll.id, %error, "could not reconcile a poll's votes");
                }
            });
        }
    }

    /// Once per process: resumes every open poll (a deadline that passed while
    /// the bot was down closes it at once: its close job is due), reconciles its votes with the
    /// platform, and announces results that a crash left unposted.
    pub(super) async fn recover(&self) -> Result<(), ServiceError> {
        for poll in self.recorder().open_polls().await? {
            self.watch(&poll);
            let service = self.clone();
            tokio::spawn(async move {
                if let Err(error) = service.reconcile(&poll).await {
                    tracing::error!(poll = poll.id, error = %error, "could not reconcile a poll's votes");
                }
            });
        }
        // One result that cannot be posted (its channel was deleted) must not
        // hold back the others: each failure is logged and the next one tried.
        for poll in self.recorder().all_polls().await? {
            if poll.state == PollState::Open || poll.announced {
                continue;
            }
            if let Err(error) = self.announce_unposted(&poll.message).await {
                tracing::error!(poll = poll.id, %error, "could not post a poll's result at start");
            }
        }
        Ok(())
    }

    async fn announce_unposted(&self, message: &MessageKey) -> Result<(), ServiceError> {
        if let Some((poll, results)) = self.recorder().results(message).await? {
            self.announce(&poll, &results).await?;
        }
        Ok(())
    }

    /// After a fresh platform session (not a resume), the platform replays
    /// nothing from the gap: every open poll is reconciled with its reactions.
    pub(super) async fn catch_up(&self) -> Result<(), ServiceError> {
        for poll in self.recorder().open_polls().await? {
            let service = self.clone();
            tokio::spawn(async move { service.reconcile_open(&poll.message).await });
        }
        Ok(())
    }

    /// Reconciles the poll posted as `message` if it is still open; failures
    /// are logged (the stored votes stay as they were).
    pub(super) async fn reconcile_open(&self, message: &MessageKey) {
        let open = self.recorder().open_polls().await;
        let Some(poll) = open
            .ok()
            .and_then(|p| p.into_iter().find(|p| &p.message == message))
        else {
            return;
        };
        if let Err(error) = self.reconcile(&poll).await {
            tracing::error!(poll = poll.id, error = %error, "could not reconcile a poll's votes");
        }
    }

    /// Sets the stored votes to the message's reactions (every option), or
    /// to a native poll's voters, so votes made while the bot was down count
    /// and removed ones go.
    /// A button poll has no reactions to read: its clicks are all stored.
    pub(super) async fn reconcile(&self, poll: &Poll) -> Result<(), ServiceError> {
        if poll.style == PollStyle::Buttons {
            return Ok(());
        }
        let since = self.recorder().version();
        let mut present = Vec::new();
        if poll.style == PollStyle::Native {
            for index in 0..poll.choices.len() {
                present.push(self.port().poll_voters(&poll.message, index).await?);
            }
        } else {
            let keys: Vec<String> = poll.choices.iter().map(|c| c.key.clone()).collect();
            let read = self.port().reactors_of(&poll.message, &keys).await?;
            present.extend(
                keys.iter()
                    .map(|key| read.get(key).cloned().unwrap_or_default()),
            );
        }
        let extras = self
            .recorder()
            .reconcile(&poll.message, present, since)
            .await?;
        // The platform keeps a native poll's one vote each: no reaction to remove.
        let extras = extras
            .into_iter()
            .filter(|_| poll.style != PollStyle::Native);
        for (voter, keys) in extras {
            for key in keys {
                self.remove_reaction(&poll.message, &key, &voter).await;
            }
        }
        tracing::info!(poll = poll.id, "reconciled the votes with the platform");
        Ok(())
    }

    /// Asks the platform whether `user` really has reacted with `key`, until
    /// the recorder takes the answer (the mark did not change meanwhile).
    pub(super) async fn check_mark(&self, message: &MessageKey, key: &str, user: &str) {
        for _ in 0..CHECKS {
            tokio::time::sleep(SETTLE).await;
            let since = self.recorder().version();
            let Ok(present) = self.port().has_reacted(message, key, user).await else {
                continue;
            };
            let observed = self
                .recorder()
                .observe(message, user, key, present, since)
                .await;
            match observed {
                Ok(observed) => {
                    for extra in &observed.extras {
                        self.remove_reaction(message, extra, user).await;
                    }
                    if !observed.suspect {
                        return;
                    }
                }
                Err(error) => tracing::warn!(error = %error, "could not store a checked vote"),
            }
        }
    }

    /// Removes `user`'s `key` reaction from a poll message; failures are logged.
    pub(super) async fn remove_reaction(&self, message: &MessageKey, key: &str, user: &str) {
        if let Err(error) = self.port().unreact(message, key, user).await {
            tracing::warn!(error = %error, "could not remove a reaction");
        }
    }
}

//! The scheduler loop: one task per process, started once from `main`.
//!
//! It sleeps on the injected clock until the next job falls due, and wakes
//! early when the job set changes (a reload, a new reminder) or to renew its
//! lease. Only the lease holder sends; a job is claimed in the database before
//! it is sent and marked with its outcome after, so neither a second process
//! nor a restart sends it again (a send interrupted between the two is retried
//! with the same nonce, which the platform deduplicates). Due jobs go out in
//! parallel across targets and in order within one. Reminders may start up to
//! `reminders_ahead` before they fall due, so a burst of them (every attendee
//! reminded of the keynote) is spread before its due instant rather than
//! after it; nothing else goes early.
//!
//! The lease runs on real time, not on the scheduler's clock: it is about
//! whether a process is alive, and a rehearsal or test clock may jump hours.

use super::job::{Job, JobKind, Message, Target};
use super::lease::LEASE;
use super::storage::{Claim, Retried};
use super::Scheduler;
use crate::clock::sleep_until;
use crate::polls::{FlashPoll, MessageKey};
use crate::programme::Programme;
use crate::store::{JobState, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Due jobs read from the store per query.
const BATCH: usize = 256;

/// A send in progress; resolves to the platform's key of what was posted.
pub type Delivery<'a> = Pin<Box<dyn Future<Output = Result<String, DeliveryError>> + Send + 'a>>;

/// Where the current programme comes from (it changes on reload).
pub type ProgrammeSource = Arc<dyn Fn() -> Arc<Programme> + Send + Sync>;

/// Why a send failed: the chat port's reasons.
pub use crate::chat::PortError as DeliveryError;

/// What a chat adapter does for the scheduler. Implementations must make
/// `post` and `direct` idempotent for a given `nonce` where the platform allows.
pub trait Announcer: Send + Sync + 'static {
    /// Posts `message` in `channel` (a channel key from the config).
    fn post<'a>(&'a self, channel: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a>;
    /// Sends `message` to `user` directly.
    fn direct<'a>(&'a self, user: &'a str, message: &'a Message, nonce: &'a str) -> Delivery<'a>;
    /// Opens a declared flash poll in `channel`.
    fn open_poll<'a>(&'a self, poll: &'a FlashPoll, channel: &'a str) -> Delivery<'a>;
    /// Closes the poll posted as `poll` and announces its result; a poll
    /// that is no longer open is left alone (closing twice is harmless).
    fn close_poll<'a>(&'a self, poll: &'a MessageKey) -> Delivery<'a>;
}

impl Scheduler {
    /// Plans the programme, then runs due jobs until `shutdown` completes.
    pub async fn run(
        &self,
        announcer: Arc<dyn Announcer>,
        programme: ProgrammeSource,
        shutdown: impl Future<Output = ()>,
    ) {
        if let Err(error) = self.plan_current(&programme).await {
            tracing::error!(%error, "could not plan the programme");
        }
        let inner = &self.inner;
        let mut holding = false;
        let mut stranded = false;
        let mut sending = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            holding = self.keep_lease(holding).await;
            while sending.try_join_next().is_some() {}
            if holding && stranded && sending.is_empty() {
                stranded = !self.release_stranded().await;
            }
            let next = if holding {
                match self.fire_due(&announcer, &programme, &mut sending).await {
                    Fired::Next(next) => next,
                    Fired::ClaimFailed => {
                        stranded = true;
                        None
                    }
                }
            } else {
                // A holder that lost the lease has its claims released by
                // the one that took it.
                stranded = false;
                None
            };
            while sending.try_join_next().is_some() {}
            let due = async {
                match (next, inner.clock.moved()) {
                    (Some(at), _) => sleep_until(inner.clock.as_ref(), at).await,
                    // Nothing pending here, but another process may add work:
                    // a clock moved by hand (tests, rehearsals) looks again.
                    (None, Some(moved)) => moved.notified().await,
                    (None, None) => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = inner.wake.notified() => {}
                () = tokio::time::sleep(inner.options.lease_ttl / 3) => {}
                () = due => {}
            }
        }
        // Sends in flight finish (their outcome is recorded) before the lease goes.
        let drain = async { while sending.join_next().await.is_some() {} };
        let _ = tokio::time::timeout(inner.options.lease_ttl, drain).await;
        if holding {
            let me = inner.options.holder.clone();
            let _ = inner.leases.release_lease(LEASE.into(), me).await;
        }
    }

    /// Returns the claims of jobs left `claimed` to pending once this
    /// process, holding the lease, has no send in flight: a claim the
    /// database made but whose answer was lost (its connection broke, as in a
    /// restart of PostgreSQL) is held by no one, and the lease holder that
    /// keeps its lease would never release it. False when that failed too.
    async fn release_stranded(&self) -> bool {
        match self.inner.jobs.release_claims().await {
            Ok(released) => {
                if released > 0 {
                    tracing::info!(released, "released claims a failed claim left behind");
                }
                true
            }
            Err(error) => {
                tracing::debug!(%error, "could not release the claims a failed claim left");
                false
            }
        }
    }

    /// Skips what is too late, claims the rest and starts sending it, one task
    /// per target. Returns when the next pending job falls due, or that a
    /// claim failed (its jobs may be claimed in the database all the same).
    async fn fire_due(
        &self,
        announcer: &Arc<dyn Announcer>,
        programme: &ProgrammeSource,
        sending: &mut JoinSet<()>,
    ) -> Fired {
        let now = self.inner.clock.now();
        match self.claim_due(now).await {
            Ok(batches) => {
                for jobs in batches.into_values() {
                    let (scheduler, announcer, programme) =
                        (self.clone(), Arc::clone(announcer), Arc::clone(programme));
                    sending.spawn(async move {
                        for claim in jobs {
                            scheduler.send(&claim, announcer.as_ref(), &programme).await;
                        }
                    });
                }
            }
            Err(error) => {
                if error.is_storage_failure() {
                    tracing::debug!(%error, "could not claim the due jobs");
                } else {
                    tracing::error!(%error, "could not claim the due jobs");
                }
                // Not the next due instant, which has passed and would spin the
                // loop: the lease tick (a few seconds) tries again.
                return Fired::ClaimFailed;
            }
        }
        let ahead = self.inner.options.reminders_ahead;
        let next = self.inner.jobs.next_start(JobKind::Reminder, ahead).await;
        Fired::Next(next.unwrap_or_else(|error| {
            tracing::error!(%error, "could not read the next due job");
            None
        }))
    }

    /// Due jobs (and reminders that may start early) this process now owns,
    /// grouped by target in due order; what is too late is skipped.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<Target, Vec<Claim>>, StoreError> {
        let jobs = &self.inner.jobs;
        let holder = &self.inner.options.holder;
        let mut batches: BTreeMap<Target, Vec<Claim>> = BTreeMap::new();
        let due = || jobs.claim_due(now, None, BATCH, holder.clone());
        while self.sort_claims(due().await?, now, &mut batches).await? {}
        let horizon = now + self.inner.options.reminders_ahead;
        if horizon > now {
            let early = || jobs.claim_due(horizon, Some(JobKind::Reminder), BATCH, holder.clone());
            while self.sort_claims(early().await?, now, &mut batches).await? {}
        }
        Ok(batches)
    }

    /// Skips what is too late in `claimed` and queues the rest by target;
    /// false when `claimed` was empty (nothing more is due).
    async fn sort_claims(
        &self,
        claimed: Vec<Claim>,
        now: DateTime<Utc>,
        batches: &mut BTreeMap<Target, Vec<Claim>>,
    ) -> Result<bool, StoreError> {
        let listed = !claimed.is_empty();
        for claim in claimed {
            let job = &claim.job;
            if let Some(why) = self.too_late(job, now) {
                tracing::warn!(job = %job.key, due = %job.due_at, why, "skipped a job");
                metrics::counter!(crate::telemetry::ANNOUNCEMENTS, "outcome" => "skipped")
                    .increment(1);
                let (key, why) = (job.key.clone(), why.to_owned());
                let jobs = &self.inner.jobs;
                jobs.finish_job(key, claim.token, JobState::Skipped, why, now)
                    .await?;
            } else {
                batches.entry(job.target.clone()).or_default().push(claim);
            }
        }
        Ok(listed)
    }

    /// Why a job must not run any more, if so. A poll's close is never too
    /// late: an open poll must close, however long the bot was down.
    fn too_late(&self, job: &Job, now: DateTime<Utc>) -> Option<&'static str> {
        if matches!(job.kind(), JobKind::PollClose | JobKind::ContestClose) {
            None
        } else if now >= job.expires_at {
            Some("its moment has passed (e.g. the session already ended)")
        } else if now - job.due_at > self.inner.settings.catch_up() {
            Some("fell due longer ago than the catch-up window")
        } else {
            None
        }
    }

    /// Sends one claimed job, unless its claim no longer holds, and records
    /// the outcome.
    async fn send(&self, claim: &Claim, announcer: &dyn Announcer, programme: &ProgrammeSource) {
        let (job, token) = (&claim.job, &claim.token);
        let held = self.inner.jobs.holds_claim(job.key.clone(), token.clone());
        match held.await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job = %job.key, "not sent: another process took the job over");
                return;
            }
            // The claim was ours a moment ago: sending beats stranding the job
            // in `claimed` until the lease changes hands; the nonce covers a
            // repeat.
            Err(error) => {
                tracing::warn!(job = %job.key, %error, "could not check the claim; sending");
            }
        }
        let nonce = job.nonce();
        let result = match &job.target {
            Target::Channel(channel) if job.kind() == JobKind::PollOpen => {
                let programme = programme();
                let poll = programme
                    .polls
                    .iter()
                    .find(|poll| job.message.poll.as_ref() == Some(&poll.id));
                match poll {
                    Some(poll) => announcer.open_poll(poll, channel).await,
                    None => Err(DeliveryError::Refused(
                        "the poll is no longer declared".into(),
                    )),
                }
            }
            _ if matches!(job.kind(), JobKind::ContestOpen | JobKind::ContestClose) => {
                self.run_contest_job(job, programme).await
            }
            _ if job.kind() == JobKind::PollClose => match &job.message.poll_message {
                Some(poll) => announcer.close_poll(poll).await,
                None => Err(DeliveryError::Refused("no poll to close".into())),
            },
            Target::Channel(channel) => announcer.post(channel, &job.message, &nonce).await,
            Target::User(user) => announcer.direct(user, &job.message, &nonce).await,
        };
        count(job, &result, self.inner.clock.now());
        // The store counts the failed write and reports a database that stopped
        // taking writes; this job may then be sent again after a restart.
        match self.record(claim, result).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job = %job.key, "outcome not recorded: the claim was lost meanwhile");
            }
            Err(error) => {
                tracing::error!(job = %job.key, %error, "could not record a job's outcome");
            }
        }
    }

    /// Records the outcome under the claim's token; false when the claim no
    /// longer held (another process owns the job now).
    async fn record(
        &self,
        claim: &Claim,
        result: Result<String, DeliveryError>,
    ) -> Result<bool, StoreError> {
        let jobs = &self.inner.jobs;
        let now = self.inner.clock.now();
        let (job, token) = (&claim.job, claim.token.clone());
        let key = job.key.clone();
        match (result, &job.target) {
            (Ok(posted), _) => {
                tracing::info!(job = %job.key, target = %job.target, "posted");
                let outcome = format!("posted {posted}");
                jobs.finish_job(key, token, JobState::Done, outcome, now)
                    .await
            }
            (Err(DeliveryError::Unreachable), Target::User(user)) => {
                tracing::info!(job = %job.key, "direct messages closed; kept for the user's next command");
                let (user_id, message) = (user.clone(), job.message.clone());
                let kept = jobs
                    .miss_reminder(key, token, user_id, message, now)
                    .await?;
                if kept {
                    self.inner.missed.note(user);
                }
                Ok(kept)
            }
            (Err(DeliveryError::Transient(why)), _) => {
                // A reminder may start early: its retry still waits `retry_after`.
                let mut at = now + self.inner.options.retry_after;
                if job.kind() == JobKind::Reminder {
                    at += self.inner.options.reminders_ahead;
                }
                let attempts = self.inner.options.max_attempts;
                let retried = jobs
                    .retry_job(key, token, at, why.clone(), attempts)
                    .await?;
                let again = retried == Retried::Again;
                tracing::warn!(job = %job.key, %why, again, "a send failed");
                self.wake();
                Ok(retried != Retried::Lost)
            }
            (Err(error), _) => {
                tracing::error!(job = %job.key, %error, "a send was refused");
                jobs.finish_job(key, token, JobState::Failed, error.to_string(), now)
                    .await
            }
        }
    }
}

/// What one round of claiming did.
enum Fired {
    /// The sends started; the next pending job falls due then.
    Next(Option<DateTime<Utc>>),
    /// Claiming failed: its jobs may be claimed in the database all the same.
    ClaimFailed,
}

/// Counts a job's outcome: posted (with its lateness, and "late" past a
/// second), failed, or a reminder sent.
fn count(job: &Job, result: &Result<String, DeliveryError>, now: DateTime<Utc>) {
    use crate::telemetry::{ANNOUNCEMENTS, ANNOUNCEMENT_LATENESS, REMINDERS};
    match (result, &job.target) {
        (Ok(_), Target::User(_)) => metrics::counter!(REMINDERS).increment(1),
        (Ok(_), _) => {
            let late = (now - job.due_at).to_std().unwrap_or_default();
            metrics::histogram!(ANNOUNCEMENT_LATENESS).record(late.as_secs_f64());
            let outcome = if late > std::time::Duration::from_secs(1) {
                "late"
            } else {
                "posted"
            };
            metrics::counter!(ANNOUNCEMENTS, "outcome" => outcome).increment(1);
        }
        (Err(_), _) => metrics::counter!(ANNOUNCEMENTS, "outcome" => "failed").increment(1),
    }
}

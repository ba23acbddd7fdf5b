//! What the scheduler needs from a database, async so that no backend runs
//! its calls on the async workers: the jobs (planned, claimed under a claim
//! token, finished or retried), the lease that says which process sends, and
//! the reminders it plans from. SQLite (`crate::store`, on a blocking thread)
//! and PostgreSQL (`crate::store::postgres`) implement the same.
//!
//! A claim carries a token, unique to that one claim. Finishing, retrying or
//! sending a job checks it: a process that paused past its lease (a frozen
//! VM, a stopped container) wakes up holding tokens that no longer match, so
//! it can neither post a job another process now holds nor reset a job that
//! is done.

use super::{Job, JobKind, Message, Reminder};
use crate::store::{JobRecord, JobState, StoreFuture, SyncReport};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::atomic::{AtomicU64, Ordering};

/// A job this process claimed, with the token that proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub job: Job,
    pub token: String,
}

impl Claim {
    /// The jobs one claim took, under its `token`, oldest first (a
    /// `RETURNING` list comes in no order).
    pub fn all(mut jobs: Vec<Job>, token: &str) -> Vec<Self> {
        jobs.sort_by(|a, b| (a.due_at, &a.key).cmp(&(b.due_at, &b.key)));
        let token = token.to_owned();
        jobs.into_iter()
            .map(|job| Self {
                job,
                token: token.clone(),
            })
            .collect()
    }
}

/// What retrying a claimed job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retried {
    /// Pending again, due at the retry instant.
    Again,
    /// It had its attempts: now failed for good.
    GaveUp,
    /// The claim was no longer ours (released after a lost lease, or another
    /// process finished the job): nothing changed.
    Lost,
}

/// A fresh claim token for `holder`: the holder names this process start,
/// the counter the claim within it.
pub fn new_claim_token(holder: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{holder}#{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Scheduled jobs.
pub trait JobStorage: Send + Sync {
    /// Reconciles the stored jobs with a fresh plan (see `store::JobStore`).
    fn sync_jobs(&self, planned: Vec<Job>) -> StoreFuture<'_, SyncReport>;
    /// Adds jobs outside the plan (change notices, reminders, poll closes).
    fn add_jobs(&self, jobs: Vec<Job>) -> StoreFuture<'_, ()>;
    /// Cancels the pending jobs of `kind` whose subject ([`Job::subject`]) is
    /// exactly `subject`.
    fn cancel_jobs(&self, kind: JobKind, subject: String) -> StoreFuture<'_, usize>;
    /// Claims for `holder` at most `limit` pending jobs due at or before
    /// `horizon` (of `kind` only, when given), oldest first, each with one
    /// token. Two processes claiming at once get disjoint jobs.
    fn claim_due(
        &self,
        horizon: DateTime<Utc>,
        kind: Option<JobKind>,
        limit: usize,
        holder: String,
    ) -> StoreFuture<'_, Vec<Claim>>;
    /// Whether the claim of `key` under `token` still holds (checked right
    /// before a send).
    fn holds_claim(&self, key: String, token: String) -> StoreFuture<'_, bool>;
    /// When the next pending job falls due.
    fn next_due(&self) -> StoreFuture<'_, Option<DateTime<Utc>>>;
    /// When the next pending job of `kind` may start, `ahead` before it is due.
    fn next_start(&self, kind: JobKind, ahead: TimeDelta)
        -> StoreFuture<'_, Option<DateTime<Utc>>>;
    /// Marks a job claimed under `token` finished with its outcome; false
    /// (and nothing written) when the claim is no longer ours.
    fn finish_job(
        &self,
        key: String,
        token: String,
        state: JobState,
        outcome: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, bool>;
    /// Puts a job claimed under `token` back as pending at `at`, unless it
    /// has had `max_attempts`.
    fn retry_job(
        &self,
        key: String,
        token: String,
        at: DateTime<Utc>,
        outcome: String,
        max_attempts: u32,
    ) -> StoreFuture<'_, Retried>;
    /// Returns every claimed job to pending (after taking over the lease);
    /// their tokens stop holding.
    fn release_claims(&self) -> StoreFuture<'_, usize>;
    /// Finishes a reminder job claimed under `token` whose DM could not be
    /// delivered and keeps it for the user's next command, in one
    /// transaction; false (and nothing kept) when the claim is no longer ours.
    fn miss_reminder(
        &self,
        key: String,
        token: String,
        user: String,
        message: Message,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, bool>;
    /// Every reminder, to plan from.
    fn all_reminders(&self) -> StoreFuture<'_, Vec<Reminder>>;
    /// Every job with its state, by due instant (reports and tests).
    fn all_jobs(&self) -> StoreFuture<'_, Vec<JobRecord>>;
}

/// Named leases: which process may act for a name (e.g. "scheduler").
pub trait LeaseStorage: Send + Sync {
    /// Takes or renews lease `name` for `holder` until `now + ttl`; false
    /// while another holder's lease runs.
    fn acquire_lease(
        &self,
        name: String,
        holder: String,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> StoreFuture<'_, bool>;
    /// Who holds lease `name`, if anyone ever did.
    fn lease_holder(&self, name: String) -> StoreFuture<'_, Option<String>>;
    /// Takes lease `name` from `gone` (a holder known to be dead), only if
    /// `gone` still holds it.
    fn take_lease_over(
        &self,
        name: String,
        gone: String,
        holder: String,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> StoreFuture<'_, bool>;
    /// Gives lease `name` up, if `holder` holds it.
    fn release_lease(&self, name: String, holder: String) -> StoreFuture<'_, ()>;
}

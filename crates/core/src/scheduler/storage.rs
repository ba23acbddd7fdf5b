//! What the scheduler needs from a database, async so that no backend runs
//! its calls on the async workers: the jobs (planned, claimed under a claim,
//! finished or retried), the lease that says which process sends, and the
//! reminders it plans from. SQLite implements it (`crate::store`), on a
//! blocking thread; the PostgreSQL backend that follows implements the same.

use super::{Job, JobKind, Message, Reminder};
use crate::store::{JobState, StoreFuture, SyncReport};
use chrono::{DateTime, TimeDelta, Utc};

/// Scheduled jobs.
pub trait JobStorage: Send + Sync {
    /// Reconciles the stored jobs with a fresh plan (see `store::JobStore`).
    fn sync_jobs(&self, planned: Vec<Job>) -> StoreFuture<'_, SyncReport>;
    /// Adds jobs outside the plan (change notices, reminders, poll closes).
    fn add_jobs(&self, jobs: Vec<Job>) -> StoreFuture<'_, ()>;
    /// Cancels pending jobs of `kind` whose key contains `part` and ends with `end`.
    fn cancel_jobs(&self, kind: JobKind, part: String, end: String) -> StoreFuture<'_, usize>;
    /// Pending jobs due at or before `now`, oldest first, at most `limit`.
    fn due_jobs(&self, now: DateTime<Utc>, limit: usize) -> StoreFuture<'_, Vec<Job>>;
    /// Pending jobs of `kind` due at or before `horizon` (to start early).
    fn due_early(
        &self,
        kind: JobKind,
        horizon: DateTime<Utc>,
        limit: usize,
    ) -> StoreFuture<'_, Vec<Job>>;
    /// When the next pending job falls due.
    fn next_due(&self) -> StoreFuture<'_, Option<DateTime<Utc>>>;
    /// When the next pending job of `kind` may start, `ahead` before it is due.
    fn next_start(&self, kind: JobKind, ahead: TimeDelta)
        -> StoreFuture<'_, Option<DateTime<Utc>>>;
    /// Takes a pending job for `holder`; false if someone else already did.
    fn claim_job(&self, key: String, holder: String) -> StoreFuture<'_, bool>;
    /// Marks a claimed job finished with its outcome.
    fn finish_job(
        &self,
        key: String,
        state: JobState,
        outcome: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()>;
    /// Puts a claimed job back as pending at `at`, unless it has had
    /// `max_attempts`; returns whether it will be retried.
    fn retry_job(
        &self,
        key: String,
        at: DateTime<Utc>,
        outcome: String,
        max_attempts: u32,
    ) -> StoreFuture<'_, bool>;
    /// Returns every claimed job to pending (after taking over the lease).
    fn release_claims(&self) -> StoreFuture<'_, usize>;
    /// Finishes a reminder job whose DM could not be delivered and keeps it
    /// for the user's next command, in one transaction.
    fn miss_reminder(
        &self,
        key: String,
        user: String,
        message: Message,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()>;
    /// Every reminder, to plan from.
    fn all_reminders(&self) -> StoreFuture<'_, Vec<Reminder>>;
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

//! The domains' async storage traits on SQLite (the scheduler's jobs and
//! lease, the reminders, the health probe): each call is the synchronous SQL
//! of `jobs.rs`, `early_jobs.rs`, `lease.rs`, `reminders.rs` and `mod.rs`,
//! run on a blocking thread ([`Store::off_workers`]).

use super::{Added, EarlyJobs, JobState, JobStore, Lease, ReminderStore, Store, StoreFuture};
use super::{JobRecord, SyncReport};
use crate::agenda::SessionId;
use crate::health::StorageHealth;
use crate::reminders::ReminderStorage;
use crate::scheduler::{Claim, Job, JobKind, JobStorage, LeaseStorage, Message, Reminder, Retried};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeSet;

impl JobStorage for Store {
    fn sync_jobs(&self, planned: Vec<Job>) -> StoreFuture<'_, SyncReport> {
        self.off_workers(move |store| JobStore::sync_jobs(store, &planned))
    }

    fn add_jobs(&self, jobs: Vec<Job>) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| JobStore::add_jobs(store, &jobs))
    }

    fn cancel_jobs(&self, kind: JobKind, subject: String) -> StoreFuture<'_, usize> {
        self.off_workers(move |store| JobStore::cancel_jobs(store, kind, &subject))
    }

    fn claim_due(
        &self,
        horizon: DateTime<Utc>,
        kind: Option<JobKind>,
        limit: usize,
        holder: String,
    ) -> StoreFuture<'_, Vec<Claim>> {
        self.off_workers(move |store| JobStore::claim_due(store, horizon, kind, limit, &holder))
    }

    fn holds_claim(&self, key: String, token: String) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| JobStore::holds_claim(store, &key, &token))
    }

    fn next_due(&self) -> StoreFuture<'_, Option<DateTime<Utc>>> {
        self.off_workers(JobStore::next_due)
    }

    fn next_start(
        &self,
        kind: JobKind,
        ahead: TimeDelta,
    ) -> StoreFuture<'_, Option<DateTime<Utc>>> {
        self.off_workers(move |store| EarlyJobs::next_start(store, kind, ahead))
    }

    fn finish_job(
        &self,
        key: String,
        token: String,
        state: JobState,
        outcome: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| {
            JobStore::finish_job(store, &key, &token, state, &outcome, now)
        })
    }

    fn retry_job(
        &self,
        key: String,
        token: String,
        at: DateTime<Utc>,
        outcome: String,
        max_attempts: u32,
    ) -> StoreFuture<'_, Retried> {
        self.off_workers(move |store| {
            JobStore::retry_job(store, &key, &token, at, &outcome, max_attempts)
        })
    }

    fn release_claims(&self) -> StoreFuture<'_, usize> {
        self.off_workers(JobStore::release_claims)
    }

    fn miss_reminder(
        &self,
        key: String,
        token: String,
        user: String,
        message: Message,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| {
            ReminderStore::miss_reminder(store, &key, &token, &user, &message, now)
        })
    }

    fn all_reminders(&self) -> StoreFuture<'_, Vec<Reminder>> {
        self.off_workers(ReminderStore::all_reminders)
    }

    fn all_jobs(&self) -> StoreFuture<'_, Vec<JobRecord>> {
        self.off_workers(JobStore::job_records)
    }
}

impl LeaseStorage for Store {
    fn acquire_lease(
        &self,
        name: String,
        holder: String,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| Lease::new(store.clone(), name, holder).acquire(now, ttl))
    }

    fn lease_holder(&self, name: String) -> StoreFuture<'_, Option<String>> {
        self.off_workers(move |store| Lease::new(store.clone(), name, "").holder())
    }

    fn take_lease_over(
        &self,
        name: String,
        gone: String,
        holder: String,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| {
            Lease::new(store.clone(), name, holder).take_over(&gone, now, ttl)
        })
    }

    fn release_lease(&self, name: String, holder: String) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| Lease::new(store.clone(), name, holder).release())
    }
}

impl ReminderStorage for Store {
    fn add_reminder(
        &self,
        reminder: Reminder,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, Added> {
        self.off_workers(move |store| ReminderStore::add_reminder(store, &reminder, limit, now))
    }

    fn remove_reminder(&self, user: String, session: SessionId) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| ReminderStore::remove_reminder(store, &user, &session))
    }

    fn reminders_of(&self, user: String) -> StoreFuture<'_, Vec<Reminder>> {
        self.off_workers(move |store| ReminderStore::reminders_of(store, &user))
    }

    fn missed_of(&self, user: String) -> StoreFuture<'_, Vec<(i64, Message)>> {
        self.off_workers(move |store| ReminderStore::missed_of(store, &user))
    }

    fn forget_missed(&self, user: String, ids: Vec<i64>) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| ReminderStore::forget_missed(store, &user, &ids))
    }

    fn users_with_missed(&self) -> StoreFuture<'_, BTreeSet<String>> {
        self.off_workers(ReminderStore::users_with_missed)
    }
}

impl StorageHealth for Store {
    fn check_writable(&self) -> StoreFuture<'_, ()> {
        self.off_workers(Store::check_writable)
    }

    fn writes_failing(&self) -> Option<String> {
        Store::writes_failing(self)
    }
}

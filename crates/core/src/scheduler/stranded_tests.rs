//! A claim the database made but whose answer never came back (the
//! connection broke mid-call, as when PostgreSQL restarts): the lease holder
//! keeps its lease, so no take-over releases the claim; the loop releases it
//! itself once its own sends are done, and the job goes out.

use super::ahead_tests::{keynote_at, programme, settings, settle, Recorder};
use super::*;
use crate::clock::ManualClock;
use crate::store::{JobRecord, JobState, JobStore, StoreFuture};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The SQLite store, except that its first claim that takes anything is made
/// and then answered with an error.
struct LosingAnswers {
    store: Arc<dyn JobStorage>,
    lost: AtomicBool,
}

impl JobStorage for LosingAnswers {
    fn sync_jobs(&self, planned: Vec<Job>) -> StoreFuture<'_, SyncReport> {
        self.store.sync_jobs(planned)
    }
    fn add_jobs(&self, jobs: Vec<Job>) -> StoreFuture<'_, ()> {
        self.store.add_jobs(jobs)
    }
    fn cancel_jobs(&self, kind: JobKind, subject: String) -> StoreFuture<'_, usize> {
        self.store.cancel_jobs(kind, subject)
    }
    fn claim_due(
        &self,
        horizon: DateTime<Utc>,
        kind: Option<JobKind>,
        limit: usize,
        holder: String,
    ) -> StoreFuture<'_, Vec<Claim>> {
        Box::pin(async move {
            let claimed = self.store.claim_due(horizon, kind, limit, holder).await?;
            if !claimed.is_empty() && !self.lost.swap(true, Ordering::SeqCst) {
                return Err(StoreError::Interrupted("the connection broke".into()));
            }
            Ok(claimed)
        })
    }
    fn holds_claim(&self, key: String, token: String) -> StoreFuture<'_, bool> {
        self.store.holds_claim(key, token)
    }
    fn next_due(&self) -> StoreFuture<'_, Option<DateTime<Utc>>> {
        self.store.next_due()
    }
    fn next_start(
        &self,
        kind: JobKind,
        ahead: TimeDelta,
    ) -> StoreFuture<'_, Option<DateTime<Utc>>> {
        self.store.next_start(kind, ahead)
    }
    fn finish_job(
        &self,
        key: String,
        token: String,
        state: JobState,
        outcome: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, bool> {
        self.store.finish_job(key, token, state, outcome, now)
    }
    fn retry_job(
        &self,
        key: String,
        token: String,
        at: DateTime<Utc>,
        outcome: String,
        max_attempts: u32,
    ) -> StoreFuture<'_, Retried> {
        self.store.retry_job(key, token, at, outcome, max_attempts)
    }
    fn release_claims(&self) -> StoreFuture<'_, usize> {
        self.store.release_claims()
    }
    fn miss_reminder(
        &self,
        key: String,
        token: String,
        user: String,
        message: Message,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, bool> {
        self.store.miss_reminder(key, token, user, message, now)
    }
    fn all_reminders(&self) -> StoreFuture<'_, Vec<Reminder>> {
        self.store.all_reminders()
    }
    fn all_jobs(&self) -> StoreFuture<'_, Vec<JobRecord>> {
        self.store.all_jobs()
    }
}

#[tokio::test(start_paused = true)]
async fn a_claim_whose_answer_was_lost_is_released_and_sent_by_the_holder() {
    let due = keynote_at() - TimeDelta::minutes(10);
    let clock = ManualClock::new(due - TimeDelta::seconds(1));
    let store = Store::in_memory().unwrap();
    let storage = Storage {
        jobs: Arc::new(LosingAnswers {
            store: Arc::new(store.clone()),
            lost: AtomicBool::new(false),
        }),
        leases: Arc::new(store.clone()),
        reminders: Arc::new(store.clone()),
    };
    let options = SchedulerOptions {
        holder: "test".into(),
        ..SchedulerOptions::default()
    };
    let scheduler = Scheduler::with_storage(storage, Arc::new(clock.clone()), settings(), options);
    let recorder = Arc::new(Recorder {
        clock: clock.clone(),
        sent: Mutex::default(),
        failures: Mutex::new(0),
    });
    let announcer: Arc<dyn Announcer> = recorder.clone();
    let programme = Arc::new(programme());
    tokio::spawn(async move {
        let source: ProgrammeSource = Arc::new(move || Arc::clone(&programme));
        scheduler
            .run(announcer, source, std::future::pending())
            .await;
    });
    settle().await;
    clock.set(due);
    settle().await;
    assert_eq!(
        recorder.sent(),
        [(JobKind::Announce, due)],
        "sent once, after its lost claim was released"
    );
    let states: Vec<JobState> = store
        .job_records()
        .unwrap()
        .into_iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(states, [JobState::Done]);
}

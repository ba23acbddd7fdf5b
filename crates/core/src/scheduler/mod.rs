//! The scheduler: what the bot posts on its own, when, and exactly once.
//!
//! Planning ([`plan`]) turns the programme, the settings and the personal
//! reminders into [`Job`]s with deterministic keys. The store keeps them
//! (`store::JobStore`): done marks survive restarts, and a second process on
//! the same database cannot send a job the first one claimed. One task
//! ([`Scheduler::run`], started once from `main`) sleeps on the injected clock
//! until the next job falls due and wakes early when the programme or the job
//! set changes. Adapters post through the [`Announcer`] trait; nothing here
//! knows which chat platform is on the other side.
//!
//! - `job.rs`: jobs, targets, platform-neutral messages, nonces.
//! - `plan.rs`: routing, combining, lead times, digests, reminders, polls.
//! - `changes.rs`: the "schedule change" notice from an agenda diff.
//! - `poll_close.rs`: a posted poll's close, as a job.
//! - `contest_jobs.rs`: a meme contest's opening and close, as jobs.
//! - `runner.rs`: the loop, the lease, catch-up and outcomes.
//! - `announce.rs`: the [`Announcer`] over the chat port.
//! - `ical.rs`: a user's reminded sessions as an iCalendar file.
//! - `wording.rs`: what each message says, as neutral rich text.

#[cfg(test)]
mod ahead_tests;
mod announce;
mod changes;
mod contest_jobs;
pub mod holder;
pub mod ical;
mod job;
mod lease;
mod plan;
mod poll_close;
mod runner;
mod storage;
#[cfg(test)]
mod stranded_tests;
pub mod wording;

pub use announce::ChatAnnouncer;
pub use changes::change_notice;
pub use contest_jobs::{contest_close_job, ContestJobs};
pub use job::{nonce_of, reminder_subject, Item, Job, JobKind, Message, Target};
pub use plan::{plan, reminder_job, PlanSettings};
pub use poll_close::poll_close_job;
pub use runner::{Announcer, Delivery, DeliveryError, ProgrammeSource};
pub use storage::{new_claim_token, Claim, JobStorage, LeaseStorage, Retried};

use crate::agenda::diff::AgendaDiff;
use crate::agenda::SessionId;
use crate::clock::Clock;
use crate::programme::Programme;
use crate::reminders::MissedUsers;
use crate::reminders::ReminderStorage;
use crate::store::{Store, StoreError, SyncReport};
use chrono::NaiveTime;
use serde::{Deserialize, Deserializer};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Why a scheduler operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A user's request to be reminded of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Opaque platform user id.
    pub user: String,
    pub session: SessionId,
    pub minutes_before: u32,
}

/// How this process takes part in scheduling.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Identifies this process in the lease and in job claims.
    pub holder: String,
    /// How long the lease lasts without renewal (real time).
    pub lease_ttl: Duration,
    /// Wait before retrying a send that failed for a passing reason (clock time).
    pub retry_after: chrono::TimeDelta,
    /// Sends per job before it is marked failed.
    pub max_attempts: u32,
    /// How long before they fall due reminders may start (clock time), so a
    /// burst of them (2,000 attendees reminded of the keynote, under the
    /// platform's 50 requests a second) is spread ahead of its due instant.
    /// A reminder says "starts <t:…:R>", which stays true when it arrives
    /// early; announcements and everything else never go early. Zero: none do.
    pub reminders_ahead: chrono::TimeDelta,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        Self {
            holder: holder::this_process(),
            lease_ttl: Duration::from_secs(15),
            retry_after: chrono::TimeDelta::seconds(30),
            max_attempts: 3,
            reminders_ahead: default_reminders_ahead(),
        }
    }
}

/// Chosen with `benches/reminder_burst.rs`: 2,000 reminders due at once need
/// about 88 s of Discord's global budget (45 of its 50 requests a second) when
/// no DM channel is kept yet, an open and a post each, and about 44 s when all
/// are kept. Starting 45 s early brings the last one within a minute of its
/// due instant even cold: measured +43 s cold and -1 s warm on loopback, +52 s
/// and +4 s with 100 ms answers; 30 s would only just make it on loopback.
fn default_reminders_ahead() -> chrono::TimeDelta {
    chrono::TimeDelta::seconds(45)
}

impl SchedulerOptions {
    /// These options with `[announcements] reminders_ahead_seconds`.
    #[must_use]
    pub fn with_settings(mut self, settings: &crate::config::Settings) -> Self {
        let ahead = settings.announcements.reminders_ahead_seconds;
        self.reminders_ahead = chrono::TimeDelta::seconds(i64::from(ahead));
        self
    }
}

/// The storage a scheduler runs on, one trait object per aggregate.
pub struct Storage {
    pub jobs: Arc<dyn JobStorage>,
    pub leases: Arc<dyn LeaseStorage>,
    pub reminders: Arc<dyn ReminderStorage>,
}

/// A handle on the scheduler; cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    jobs: Arc<dyn JobStorage>,
    leases: Arc<dyn LeaseStorage>,
    reminders: Arc<dyn ReminderStorage>,
    clock: Arc<dyn Clock>,
    settings: PlanSettings,
    options: SchedulerOptions,
    wake: Notify,
    missed: MissedUsers,
    /// One plan at a time: the start-up plan and a `/reload` must not
    /// interleave their reads and writes of the job set.
    planning: tokio::sync::Mutex<()>,
    /// Opens and closes meme contests, once attached.
    contests: std::sync::OnceLock<Arc<dyn ContestJobs>>,
}

impl Scheduler {
    /// A scheduler over the SQLite `store`, reading time from `clock`.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        settings: PlanSettings,
        options: SchedulerOptions,
    ) -> Self {
        let storage = Storage {
            jobs: Arc::new(store.clone()),
            leases: Arc::new(store.clone()),
            reminders: Arc::new(store),
        };
        Self::with_storage(storage, clock, settings, options)
    }

    /// A scheduler over any backend's storage.
    pub fn with_storage(
        storage: Storage,
        clock: Arc<dyn Clock>,
        settings: PlanSettings,
        options: SchedulerOptions,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                jobs: storage.jobs,
                leases: storage.leases,
                reminders: storage.reminders,
                clock,
                settings,
                options,
                wake: Notify::new(),
                missed: MissedUsers::default(),
                planning: tokio::sync::Mutex::new(()),
                contests: std::sync::OnceLock::new(),
            }),
        }
    }

    /// The planning settings.
    pub fn settings(&self) -> &PlanSettings {
        &self.inner.settings
    }

    /// Plans every job of `programme` and reconciles the store with it.
    ///
    /// # Errors
    /// [`SchedulerError::Store`] when the database fails.
    pub async fn plan_all(&self, programme: &Programme) -> Result<SyncReport, SchedulerError> {
        let _turn = self.inner.planning.lock().await;
        self.plan_in_turn(programme).await
    }

    /// Plans whatever the programme is once it is this plan's turn, so a
    /// plan started before a reload cannot write the old programme's jobs
    /// after the reload wrote the new one's.
    pub(crate) async fn plan_current(
        &self,
        programme: &ProgrammeSource,
    ) -> Result<SyncReport, SchedulerError> {
        let _turn = self.inner.planning.lock().await;
        self.plan_in_turn(&programme()).await
    }

    async fn plan_in_turn(&self, programme: &Programme) -> Result<SyncReport, SchedulerError> {
        let reminders = self.inner.jobs.all_reminders().await?;
        let jobs = plan(programme, &self.inner.settings, &reminders);
        let count = jobs.len();
        let report = self.inner.jobs.sync_jobs(jobs).await?;
        // A reminder asked for while this plan was being made is not in it,
        // so the sync cancelled its job: plan those again.
        let late: Vec<Reminder> = self
            .inner
            .jobs
            .all_reminders()
            .await?
            .into_iter()
            .filter(|reminder| !reminders.contains(reminder))
            .collect();
        if !late.is_empty() {
            let jobs = plan(programme, &self.inner.settings, &late)
                .into_iter()
                .filter(|job| job.kind() == JobKind::Reminder)
                .collect();
            self.inner.jobs.add_jobs(jobs).await?;
        }
        tracing::info!(
            jobs = count,
            cancelled = report.cancelled,
            "planned the programme"
        );
        self.wake();
        Ok(report)
    }

    /// After the agenda changed: re-plans (moved sessions get new jobs, their
    /// and cancelled sessions' old ones are dropped) and queues the change notice.
    ///
    /// # Errors
    /// [`SchedulerError::Store`] when the database fails.
    pub async fn reschedule(
        &self,
        programme: &Programme,
        diff: &AgendaDiff,
    ) -> Result<SyncReport, SchedulerError> {
        let report = self.plan_all(programme).await?;
        let now = self.inner.clock.now();
        if let Some(notice) = change_notice(diff, &programme.agenda, &self.inner.settings, now) {
            self.inner.jobs.add_jobs(vec![notice]).await?;
            self.wake();
        }
        Ok(report)
    }

    /// Where the jobs live.
    pub fn jobs(&self) -> &dyn JobStorage {
        self.inner.jobs.as_ref()
    }

    /// Where the reminders live.
    pub fn reminder_storage(&self) -> &dyn ReminderStorage {
        self.inner.reminders.as_ref()
    }

    /// Where "now" comes from.
    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    /// Users with missed reminders, as this scheduler records them.
    pub fn missed(&self) -> &MissedUsers {
        &self.inner.missed
    }

    /// Makes the loop look at the job set again now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }
}

/// Reads an optional "HH:MM" local time from the config.
///
/// # Errors
/// A message naming the expected format.
pub fn local_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveTime>, D::Error> {
    let text: Option<String> = Option::deserialize(deserializer)?;
    text.map(|text| {
        NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
            serde::de::Error::custom(format!("`{text}` is not a time such as \"08:00\""))
        })
    })
    .transpose()
}

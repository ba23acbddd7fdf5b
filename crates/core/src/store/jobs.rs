//! Scheduled jobs: what is due, what went out, and who is sending it right now.
//!
//! The key is the primary key, so planning the same programme twice (or in two
//! processes) stores each job once. A job moves `pending -> claimed -> done`
//! (or `skipped`, `failed`, `cancelled`); claiming is one conditional UPDATE,
//! so two processes never both send a job, and the outcome is written in the
//! same statement that marks it done.

use super::{Store, StoreError};
use crate::scheduler::{Job, JobKind, Message, Target};
use chrono::{DateTime, Utc};
use rusqlite::{params, Row};
use std::collections::HashSet;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    Pending,
    Claimed,
    Done,
    Skipped,
    Failed,
    Cancelled,
}

impl JobState {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Claimed => "claimed",
            Self::Done => "done",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "claimed" => Self::Claimed,
            "done" => Self::Done,
            "skipped" => Self::Skipped,
            "failed" => Self::Failed,
            "cancelled" => Self::Cancelled,
            _ => Self::Pending,
        }
    }
}

/// What a reconciliation changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Planned jobs now pending (new, revived or refreshed).
    pub planned: usize,
    /// Pending jobs that are no longer in the plan.
    pub cancelled: usize,
}

/// A stored job with its state, for reports and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub key: String,
    pub kind: JobKind,
    pub due_at: DateTime<Utc>,
    pub state: JobState,
    pub outcome: Option<String>,
}

/// Persistence of scheduled jobs.
pub trait JobStore {
    /// Reconciles the store with a complete plan: planned jobs are inserted (or,
    /// while still pending or cancelled, refreshed and made pending), pending
    /// jobs missing from the plan are cancelled. Done jobs are never touched.
    /// Change notices and poll closes are not part of any plan and are left
    /// alone.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn sync_jobs(&self, planned: &[Job]) -> Result<SyncReport, StoreError>;
    /// Adds jobs (or refreshes pending ones) without cancelling anything.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn add_jobs(&self, jobs: &[Job]) -> Result<(), StoreError>;
    /// Cancels pending jobs of `kind` whose key contains `part` and ends with `end`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn cancel_jobs(&self, kind: JobKind, part: &str, end: &str) -> Result<usize, StoreError>;
    /// Pending jobs due at or before `now`, oldest first, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn due_jobs(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Job>, StoreError>;
    /// When the next pending job falls due.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Takes a pending job for `holder`; false if someone else already did.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn claim_job(&self, key: &str, holder: &str) -> Result<bool, StoreError>;
    /// Marks a claimed job finished with its outcome, in one statement.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn finish_job(
        &self,
        key: &str,
        state: JobState,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Puts a claimed job back as pending, due at `at`, unless it has had
    /// `max_attempts` already: then it fails. Returns whether it will be retried.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn retry_job(
        &self,
        key: &str,
        at: DateTime<Utc>,
        outcome: &str,
        max_attempts: u32,
    ) -> Result<bool, StoreError>;
    /// Returns every claimed job to pending (after taking over the scheduler
    /// lease: whoever claimed them is gone; the send's nonce covers a repeat).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn release_claims(&self) -> Result<usize, StoreError>;
    /// Every job with its state, by due instant.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn job_records(&self) -> Result<Vec<JobRecord>, StoreError>;
}

const UPSERT: &str = "INSERT INTO jobs (key, kind, due_at, expires_at, target, payload, state)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')
     ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at, expires_at = excluded.expires_at,
       target = excluded.target, payload = excluded.payload, state = 'pending'
     WHERE jobs.state IN ('pending', 'cancelled')";

fn upsert(connection: &rusqlite::Connection, job: &Job) -> Result<usize, StoreError> {
    let target = serde_json::to_string(&job.target).unwrap_or_default();
    let payload = serde_json::to_string(&job.message).unwrap_or_default();
    let mut statement = connection.prepare_cached(UPSERT)?;
    Ok(statement.execute(params![
        job.key,
        job.kind().as_str(),
        job.due_at.timestamp(),
        job.expires_at.timestamp(),
        target,
        payload
    ])?)
}

fn finish(
    connection: &rusqlite::Connection,
    key: &str,
    state: JobState,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    connection.execute(
        "UPDATE jobs SET state = ?2, outcome = ?3, finished_at = ?4 WHERE key = ?1",
        params![key, state.as_str(), outcome, now.timestamp()],
    )?;
    Ok(())
}

fn decode<T: serde::de::DeserializeOwned>(row: &Row<'_>, column: usize) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, error.into())
    })
}

/// Escapes `%`, `_` and the escape character `!` for a LIKE pattern.
fn escape_like(text: &str) -> String {
    text.replace('!', "!!")
        .replace('%', "!%")
        .replace('_', "!_")
}

pub(super) fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

pub(super) fn job_of(row: &Row<'_>) -> rusqlite::Result<Job> {
    let target: Target = decode(row, 3)?;
    let message: Message = decode(row, 4)?;
    Ok(Job {
        key: row.get(0)?,
        due_at: instant(row.get(1)?),
        expires_at: instant(row.get(2)?),
        target,
        message,
    })
}

impl JobStore for Store {
    fn sync_jobs(&self, planned: &[Job]) -> Result<SyncReport, StoreError> {
        self.write(|connection| {
            let transaction = connection.transaction()?;
            let mut report = SyncReport::default();
            for job in planned {
                report.planned += upsert(&transaction, job)?;
            }
            let keys: HashSet<&str> = planned.iter().map(|job| job.key.as_str()).collect();
            let pending: Vec<String> = {
                let mut statement = transaction.prepare(
                    "SELECT key FROM jobs WHERE state = 'pending' AND kind NOT IN (?1, ?2)",
                )?;
                let unplanned = [JobKind::Change.as_str(), JobKind::PollClose.as_str()];
                let rows =
                    statement.query_map(params![unplanned[0], unplanned[1]], |row| row.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            for key in pending.iter().filter(|key| !keys.contains(key.as_str())) {
                report.cancelled += transaction.execute(
                    "UPDATE jobs SET state = 'cancelled', outcome = 'no longer planned'
                     WHERE key = ?1 AND state = 'pending'",
                    params![key],
                )?;
            }
            transaction.commit()?;
            Ok(report)
        })
    }

    fn add_jobs(&self, jobs: &[Job]) -> Result<(), StoreError> {
        self.write(|connection| {
            let transaction = connection.transaction()?;
            for job in jobs {
                upsert(&transaction, job)?;
            }
            transaction.commit()?;
            Ok(())
        })
    }

    fn cancel_jobs(&self, kind: JobKind, part: &str, end: &str) -> Result<usize, StoreError> {
        let pattern = format!("%{}%{}", escape_like(part), escape_like(end));
        self.write(|connection| {
            Ok(connection.execute(
                "UPDATE jobs SET state = 'cancelled', outcome = 'cancelled'
                 WHERE kind = ?1 AND state = 'pending' AND key LIKE ?2 ESCAPE '!'",
                params![kind.as_str(), pattern],
            )?)
        })
    }

    fn due_jobs(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Job>, StoreError> {
        let connection = self.connection();
        let mut statement = connection.prepare_cached(
            "SELECT key, due_at, expires_at, target, payload FROM jobs
             WHERE state = 'pending' AND due_at <= ?1 ORDER BY due_at, key LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map(params![now.timestamp(), limit], job_of)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let next: Option<i64> = self.connection().query_row(
            "SELECT MIN(due_at) FROM jobs WHERE state = 'pending'",
            [],
            |row| row.get(0),
        )?;
        Ok(next.map(instant))
    }

    fn claim_job(&self, key: &str, holder: &str) -> Result<bool, StoreError> {
        self.write(|connection| {
            let changed = connection.execute(
                "UPDATE jobs SET state = 'claimed', claimed_by = ?2, attempts = attempts + 1
                 WHERE key = ?1 AND state = 'pending'",
                params![key, holder],
            )?;
            Ok(changed == 1)
        })
    }

    fn finish_job(
        &self,
        key: &str,
        state: JobState,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.write(|connection| finish(connection, key, state, outcome, now))
    }

    fn retry_job(
        &self,
        key: &str,
        at: DateTime<Utc>,
        outcome: &str,
        max_attempts: u32,
    ) -> Result<bool, StoreError> {
        self.write(|connection| {
            let retried = connection.execute(
                "UPDATE jobs SET state = 'pending', due_at = ?2, outcome = ?3
                 WHERE key = ?1 AND attempts < ?4",
                params![key, at.timestamp(), outcome, max_attempts],
            )?;
            if retried == 0 {
                finish(connection, key, JobState::Failed, outcome, at)?;
            }
            Ok(retried == 1)
        })
    }

    fn release_claims(&self) -> Result<usize, StoreError> {
        self.write(|connection| {
            Ok(connection.execute(
                "UPDATE jobs SET state = 'pending', claimed_by = NULL WHERE state = 'claimed'",
                [],
            )?)
        })
    }

    fn job_records(&self) -> Result<Vec<JobRecord>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare("SELECT key, kind, due_at, state, outcome FROM jobs ORDER BY due_at, key")?;
        let rows = statement.query_map([], |row| {
            let kind: String = row.get(1)?;
            let state: String = row.get(3)?;
            Ok(JobRecord {
                key: row.get(0)?,
                kind: JobKind::parse(&kind).unwrap_or(JobKind::Announce),
                due_at: instant(row.get(2)?),
                state: JobState::parse(&state),
                outcome: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{Item, Message};

    fn job(key: &str, minute: i64) -> Job {
        let due_at = instant(1_633_618_800 + minute * 60);
        Job {
            key: key.into(),
            due_at,
            expires_at: due_at + chrono::TimeDelta::hours(1),
            target: Target::Channel("general".into()),
            message: Message::new(JobKind::Announce, Vec::<Item>::new()),
        }
    }

    #[test]
    fn planning_twice_stores_once_and_vanished_jobs_are_cancelled() {
        let store = Store::in_memory().unwrap();
        store.sync_jobs(&[job("a", 0), job("b", 5)]).unwrap();
        assert!(store.claim_job("a", "me").unwrap());
        assert!(!store.claim_job("a", "other").unwrap(), "claimed once");
        store
            .finish_job("a", JobState::Done, "sent", instant(0))
            .unwrap();
        let report = store.sync_jobs(&[job("a", 0), job("c", 9)]).unwrap();
        assert_eq!(report.cancelled, 1, "b left the plan");
        let states: Vec<(String, JobState)> = store
            .job_records()
            .unwrap()
            .into_iter()
            .map(|r| (r.key, r.state))
            .collect();
        assert_eq!(
            states,
            [
                ("a".into(), JobState::Done),
                ("b".into(), JobState::Cancelled),
                ("c".into(), JobState::Pending)
            ]
        );
        assert_eq!(store.next_due().unwrap(), Some(job("c", 9).due_at));
        assert_eq!(store.due_jobs(job("c", 9).due_at, 10).unwrap().len(), 1);
    }

    #[test]
    fn claims_are_released_for_a_new_lease_holder() {
        let store = Store::in_memory().unwrap();
        store.add_jobs(&[job("a", 0)]).unwrap();
        assert!(store.claim_job("a", "dead").unwrap());
        assert_eq!(store.release_claims().unwrap(), 1);
        assert!(store.claim_job("a", "alive").unwrap());
        assert!(store.retry_job("a", instant(60), "502", 3).unwrap());
        assert!(store.claim_job("a", "alive").unwrap());
        assert!(
            !store.retry_job("a", instant(60), "502", 3).unwrap(),
            "third attempt was the last"
        );
    }
}

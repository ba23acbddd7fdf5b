//! Scheduled jobs: what is due, what went out, and who is sending it right now.
//!
//! The key is the primary key, so planning the same programme twice (or in two
//! processes) stores each job once. A job moves `pending -> claimed -> done`
//! (or `skipped`, `failed`, `cancelled`); claiming is one conditional UPDATE,
//! so two processes never both send a job, and the outcome is written in the
//! same statement that marks it done.

use super::{Store, StoreError};
use crate::scheduler::{new_claim_token, Claim, Job, JobKind, Message, Retried, Target};
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

impl JobRecord {
    /// A record from its stored columns (kind and state by name, the due
    /// instant in unix seconds).
    pub(crate) fn stored(
        key: String,
        kind: &str,
        due_at: i64,
        state: &str,
        outcome: Option<String>,
    ) -> Self {
        Self {
            key,
            kind: JobKind::parse(kind).unwrap_or(JobKind::Announce),
            due_at: instant(due_at),
            state: JobState::parse(state),
            outcome,
        }
    }
}

/// Persistence of scheduled jobs.
pub trait JobStore {
    /// Reconciles the store with a complete plan: planned jobs are inserted (or,
    /// while still pending or cancelled, refreshed and made pending), pending
    /// jobs missing from the plan are cancelled. Done jobs are never touched.
    /// Change notices and poll closes are not part of any plan and are left
    /// alone, and so is a reminder's job added after the plan was made (its
    /// reminder exists, and the plan has no job for it).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn sync_jobs(&self, planned: &[Job]) -> Result<SyncReport, StoreError>;
    /// Adds jobs (or refreshes pending ones) without cancelling anything.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn add_jobs(&self, jobs: &[Job]) -> Result<(), StoreError>;
    /// Cancels pending jobs of `kind` whose subject is exactly `subject`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn cancel_jobs(&self, kind: JobKind, subject: &str) -> Result<usize, StoreError>;
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
    /// Claims for `holder` at most `limit` pending jobs due at or before
    /// `horizon` (of `kind` only, when given), in one statement, under one
    /// fresh token.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn claim_due(
        &self,
        horizon: DateTime<Utc>,
        kind: Option<JobKind>,
        limit: usize,
        holder: &str,
    ) -> Result<Vec<Claim>, StoreError>;
    /// Whether job `key` is still claimed under `token`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn holds_claim(&self, key: &str, token: &str) -> Result<bool, StoreError>;
    /// Marks a job claimed under `token` finished with its outcome, in one
    /// statement; false when the claim is no longer ours.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn finish_job(
        &self,
        key: &str,
        token: &str,
        state: JobState,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Puts a job claimed under `token` back as pending, due at `at`, unless
    /// it has had `max_attempts` already: then it fails.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn retry_job(
        &self,
        key: &str,
        token: &str,
        at: DateTime<Utc>,
        outcome: &str,
        max_attempts: u32,
    ) -> Result<Retried, StoreError>;
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

const UPSERT: &str =
    "INSERT INTO jobs (key, kind, due_at, expires_at, target, payload, subject, state)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')
     ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at, expires_at = excluded.expires_at,
       target = excluded.target, payload = excluded.payload, subject = excluded.subject,
       state = 'pending'
     WHERE jobs.state IN ('pending', 'cancelled')";

/// Claims due jobs in one statement; `?5` (a kind) limits it to one kind.
const CLAIM: &str = "UPDATE jobs SET state = 'claimed', claimed_by = ?1, claim_token = ?2,
       attempts = attempts + 1
     WHERE key IN (SELECT key FROM jobs
       WHERE state = 'pending' AND due_at <= ?3 AND (?5 IS NULL OR kind = ?5)
       ORDER BY due_at, key LIMIT ?4)
     RETURNING key, due_at, expires_at, target, payload";

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
        payload,
        job.subject(),
    ])?)
}

/// Whether a pending job missing from a plan is a reminder added after the
/// plan read the reminders (a `/remind` while it was being made, maybe in
/// another process): its reminder exists and the plan has no job for it.
/// Such a job stays; one the plan replaced (a moved session) does not.
fn added_since(
    connection: &rusqlite::Connection,
    kind: &str,
    subject: Option<&str>,
    planned: &HashSet<String>,
) -> Result<bool, StoreError> {
    let Some(subject) =
        subject.filter(|s| kind == JobKind::Reminder.as_str() && !planned.contains(*s))
    else {
        return Ok(false);
    };
    let Ok((user, session)) = serde_json::from_str::<(String, String)>(subject) else {
        return Ok(false);
    };
    let held: i64 = connection.query_row(
        "SELECT COUNT(*) FROM reminders WHERE user_id = ?1 AND session_id = ?2",
        params![user, session],
        |row| row.get(0),
    )?;
    Ok(held > 0)
}

/// Finishes a job claimed under `token`; false when the claim is not ours.
pub(super) fn finish(
    connection: &rusqlite::Connection,
    key: &str,
    token: &str,
    state: JobState,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = connection.execute(
        "UPDATE jobs SET state = ?3, outcome = ?4, finished_at = ?5, claim_token = NULL
         WHERE key = ?1 AND state = 'claimed' AND claim_token = ?2",
        params![key, token, state.as_str(), outcome, now.timestamp()],
    )?;
    Ok(changed == 1)
}

fn decode<T: serde::de::DeserializeOwned>(row: &Row<'_>, column: usize) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, error.into())
    })
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
            let subjects: HashSet<String> = planned.iter().filter_map(Job::subject).collect();
            let pending: Vec<(String, String, Option<String>)> = {
                let mut statement = transaction.prepare(
                    "SELECT key, kind, subject FROM jobs
                     WHERE state = 'pending' AND kind NOT IN (?1, ?2, ?3)",
                )?;
                let unplanned = [
                    JobKind::Change.as_str(),
                    JobKind::PollClose.as_str(),
                    JobKind::ContestClose.as_str(),
                ];
                let rows = statement
                    .query_map(params![unplanned[0], unplanned[1], unplanned[2]], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })?;
                rows.collect::<Result<_, _>>()?
            };
            for (key, kind, subject) in pending {
                if keys.contains(key.as_str())
                    || added_since(&transaction, &kind, subject.as_deref(), &subjects)?
                {
                    continue;
                }
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

    fn cancel_jobs(&self, kind: JobKind, subject: &str) -> Result<usize, StoreError> {
        self.write(|connection| {
            Ok(connection.execute(
                "UPDATE jobs SET state = 'cancelled', outcome = 'cancelled'
                 WHERE kind = ?1 AND state = 'pending' AND subject = ?2",
                params![kind.as_str(), subject],
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

    fn claim_due(
        &self,
        horizon: DateTime<Utc>,
        kind: Option<JobKind>,
        limit: usize,
        holder: &str,
    ) -> Result<Vec<Claim>, StoreError> {
        let token = new_claim_token(holder);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let kind = kind.map(JobKind::as_str);
        let jobs: Vec<Job> = self.write(|connection| {
            let mut statement = connection.prepare_cached(CLAIM)?;
            let rows = statement.query_map(
                params![holder, token, horizon.timestamp(), limit, kind],
                job_of,
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        Ok(Claim::all(jobs, &token))
    }

    fn holds_claim(&self, key: &str, token: &str) -> Result<bool, StoreError> {
        let held: i64 = self.connection().query_row(
            "SELECT COUNT(*) FROM jobs WHERE key = ?1 AND state = 'claimed' AND claim_token = ?2",
            params![key, token],
            |row| row.get(0),
        )?;
        Ok(held == 1)
    }

    fn finish_job(
        &self,
        key: &str,
        token: &str,
        state: JobState,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|connection| finish(connection, key, token, state, outcome, now))
    }

    fn retry_job(
        &self,
        key: &str,
        token: &str,
        at: DateTime<Utc>,
        outcome: &str,
        max_attempts: u32,
    ) -> Result<Retried, StoreError> {
        self.write(|connection| {
            let retried = connection.execute(
                "UPDATE jobs SET state = 'pending', due_at = ?3, outcome = ?4,
                   claimed_by = NULL, claim_token = NULL
                 WHERE key = ?1 AND state = 'claimed' AND claim_token = ?2 AND attempts < ?5",
                params![key, token, at.timestamp(), outcome, max_attempts],
            )?;
            if retried == 1 {
                Ok(Retried::Again)
            } else if finish(connection, key, token, JobState::Failed, outcome, at)? {
                Ok(Retried::GaveUp)
            } else {
                Ok(Retried::Lost)
            }
        })
    }

    fn release_claims(&self) -> Result<usize, StoreError> {
        self.write(|connection| {
            Ok(connection.execute(
                "UPDATE jobs SET state = 'pending', claimed_by = NULL, claim_token = NULL
                 WHERE state = 'claimed'",
                [],
            )?)
        })
    }

    fn job_records(&self) -> Result<Vec<JobRecord>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare("SELECT key, kind, due_at, state, outcome FROM jobs ORDER BY due_at, key")?;
        let rows = statement.query_map([], |row| {
            let (kind, state): (String, String) = (row.get(1)?, row.get(3)?);
            Ok(JobRecord::stored(
                row.get(0)?,
                &kind,
                row.get(2)?,
                &state,
                row.get(4)?,
            ))
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
        let claims = store.claim_due(job("a", 0).due_at, None, 10, "me").unwrap();
        assert_eq!(claims.len(), 1);
        let other = store.claim_due(job("a", 0).due_at, None, 10, "other");
        assert!(other.unwrap().is_empty(), "claimed once");
        let token = &claims[0].token;
        assert!(store
            .finish_job("a", token, JobState::Done, "sent", instant(0))
            .unwrap());
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
        let claim = |holder| {
            let mut claims = store.claim_due(instant(1 << 40), None, 1, holder).unwrap();
            claims.pop().unwrap().token
        };
        let dead = claim("dead");
        assert_eq!(store.release_claims().unwrap(), 1);
        let alive = claim("alive");
        assert_eq!(
            store.retry_job("a", &dead, instant(60), "502", 3).unwrap(),
            Retried::Lost,
            "a released claim cannot put the job back"
        );
        assert_eq!(
            store.retry_job("a", &alive, instant(60), "502", 3).unwrap(),
            Retried::Again
        );
        let alive = claim("alive");
        assert_eq!(
            store.retry_job("a", &alive, instant(60), "502", 3).unwrap(),
            Retried::GaveUp,
            "third attempt was the last"
        );
    }
}

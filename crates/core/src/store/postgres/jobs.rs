//! Jobs and leases on PostgreSQL: the SQL of `store/jobs.rs` and
//! `store/lease.rs`, with set-based writes (a plan is one `UNNEST` upsert)
//! and claims that skip what another process has locked.

use super::{bigint, changed, decode_error, instant, PgStore};
use crate::scheduler::{
    new_claim_token, Claim, Job, JobKind, JobStorage, LeaseStorage, Message, Reminder, Retried,
    Target,
};
use crate::store::{JobRecord, JobState, StoreError, StoreFuture, SyncReport};
use chrono::{DateTime, TimeDelta, Utc};
use deadpool_postgres::GenericClient;
use std::collections::BTreeMap;
use tokio_postgres::Row;

const UPSERT: &str =
    "INSERT INTO jobs (key, kind, due_at, expires_at, target, payload, subject, state)
     SELECT u.key, u.kind, u.due_at, u.expires_at, u.target, u.payload, u.subject, 'pending'
     FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
                 $7::text[]) AS u (key, kind, due_at, expires_at, target, payload, subject)
     ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at, expires_at = excluded.expires_at,
       target = excluded.target, payload = excluded.payload, subject = excluded.subject,
       state = 'pending'
     WHERE jobs.state IN ('pending', 'cancelled')";

const CLAIM: &str = "UPDATE jobs SET state = 'claimed', claimed_by = $1, claim_token = $2,
       attempts = attempts + 1
     WHERE key IN (SELECT key FROM jobs
       WHERE state = 'pending' AND due_at <= $3 AND ($5::text IS NULL OR kind = $5)
       ORDER BY due_at, key LIMIT $4
       FOR UPDATE SKIP LOCKED)
     RETURNING key, due_at, expires_at, target, payload";

const FINISH: &str =
    "UPDATE jobs SET state = $3, outcome = $4, finished_at = $5, claim_token = NULL
     WHERE key = $1 AND state = 'claimed' AND claim_token = $2";

/// Jobs as the columns of one `UNNEST` upsert.
#[derive(Default)]
struct JobColumns<'a> {
    keys: Vec<&'a str>,
    kinds: Vec<&'a str>,
    due: Vec<i64>,
    expires: Vec<i64>,
    targets: Vec<String>,
    payloads: Vec<String>,
    subjects: Vec<Option<String>>,
}

/// Upserts `jobs` as pending in one statement; returns the rows it changed.
/// Keys are sorted (and a repeated key kept once, the last), so two
/// processes planning at once lock rows in one order and never deadlock.
async fn upsert(client: &impl GenericClient, jobs: &[Job]) -> Result<usize, StoreError> {
    let unique: BTreeMap<&str, &Job> = jobs.iter().map(|job| (job.key.as_str(), job)).collect();
    let mut rows = JobColumns::default();
    for (key, job) in unique {
        rows.keys.push(key);
        rows.kinds.push(job.kind().as_str());
        rows.due.push(job.due_at.timestamp());
        rows.expires.push(job.expires_at.timestamp());
        rows.targets
            .push(serde_json::to_string(&job.target).map_err(decode_error)?);
        rows.payloads
            .push(serde_json::to_string(&job.message).map_err(decode_error)?);
        rows.subjects.push(job.subject());
    }
    let statement = client.prepare_cached(UPSERT).await?;
    let rows = client
        .execute(
            &statement,
            &[
                &rows.keys,
                &rows.kinds,
                &rows.due,
                &rows.expires,
                &rows.targets,
                &rows.payloads,
                &rows.subjects,
            ],
        )
        .await?;
    Ok(changed(rows))
}

fn job_of(row: &Row) -> Result<Job, StoreError> {
    let target: String = row.try_get(3)?;
    let payload: String = row.try_get(4)?;
    Ok(Job {
        key: row.try_get(0)?,
        due_at: instant(row.try_get(1)?),
        expires_at: instant(row.try_get(2)?),
        target: serde_json::from_str::<Target>(&target).map_err(decode_error)?,
        message: serde_json::from_str::<Message>(&payload).map_err(decode_error)?,
    })
}

async fn finish(
    client: &impl GenericClient,
    key: &str,
    token: &str,
    state: JobState,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let statement = client.prepare_cached(FINISH).await?;
    let rows = client
        .execute(
            &statement,
            &[&key, &token, &state.as_str(), &outcome, &now.timestamp()],
        )
        .await?;
    Ok(rows == 1)
}

impl JobStorage for PgStore {
    fn sync_jobs(&self, planned: Vec<Job>) -> StoreFuture<'_, SyncReport> {
        self.write(|mut client| async move {
            let transaction = client.transaction().await?;
            let planned_count = upsert(&transaction, &planned).await?;
            let keys: Vec<&str> = planned.iter().map(|job| job.key.as_str()).collect();
            let subjects: Vec<String> = planned.iter().filter_map(Job::subject).collect();
            let unplanned = [
                JobKind::Change.as_str(),
                JobKind::PollClose.as_str(),
                JobKind::ContestClose.as_str(),
            ];
            // A reminder's job added after the plan read the reminders (its
            // reminder exists, the plan has no job for it) stays, as on SQLite.
            let cancelled = transaction
                .execute(
                    "UPDATE jobs SET state = 'cancelled', outcome = 'no longer planned'
                     WHERE state = 'pending' AND kind <> ALL($1::text[])
                       AND key <> ALL($2::text[])
                       AND NOT (kind = 'reminder' AND subject IS NOT NULL
                         AND subject <> ALL($3::text[])
                         AND EXISTS (SELECT 1 FROM reminders r
                           WHERE r.user_id = (jobs.subject::json ->> 0)
                             AND r.session_id = (jobs.subject::json ->> 1)))",
                    &[&&unplanned[..], &keys, &subjects],
                )
                .await?;
            transaction.commit().await?;
            Ok(SyncReport {
                planned: planned_count,
                cancelled: changed(cancelled),
            })
        })
    }

    fn add_jobs(&self, jobs: Vec<Job>) -> StoreFuture<'_, ()> {
        self.write(|client| async move {
            upsert(&client, &jobs).await?;
            Ok(())
        })
    }

    fn cancel_jobs(&self, kind: JobKind, subject: String) -> StoreFuture<'_, usize> {
        self.write(move |client| async move {
            let rows = client
                .execute(
                    "UPDATE jobs SET state = 'cancelled', outcome = 'cancelled'
                     WHERE kind = $1 AND state = 'pending' AND subject = $2",
                    &[&kind.as_str(), &subject],
                )
                .await?;
            Ok(changed(rows))
        })
    }

    fn claim_due(
        &self,
        horizon: DateTime<Utc>,
        kind: Option<JobKind>,
        limit: usize,
        holder: String,
    ) -> StoreFuture<'_, Vec<Claim>> {
        self.write(move |client| async move {
            let token = new_claim_token(&holder);
            let statement = client.prepare_cached(CLAIM).await?;
            let kind = kind.map(JobKind::as_str);
            let rows = client
                .query(
                    &statement,
                    &[&holder, &token, &horizon.timestamp(), &bigint(limit), &kind],
                )
                .await?;
            let jobs = rows.iter().map(job_of).collect::<Result<Vec<_>, _>>()?;
            Ok(Claim::all(jobs, &token))
        })
    }

    fn holds_claim(&self, key: String, token: String) -> StoreFuture<'_, bool> {
        self.read(|client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT 1 FROM jobs WHERE key = $1 AND state = 'claimed' AND claim_token = $2",
                )
                .await?;
            Ok(client
                .query_opt(&statement, &[&key, &token])
                .await?
                .is_some())
        })
    }

    fn next_due(&self) -> StoreFuture<'_, Option<DateTime<Utc>>> {
        self.read(|client| async move {
            let row = client
                .query_one("SELECT MIN(due_at) FROM jobs WHERE state = 'pending'", &[])
                .await?;
            Ok(row.try_get::<_, Option<i64>>(0)?.map(instant))
        })
    }

    fn next_start(
        &self,
        kind: JobKind,
        ahead: TimeDelta,
    ) -> StoreFuture<'_, Option<DateTime<Utc>>> {
        self.read(move |client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT MIN(CASE WHEN kind = $1 THEN due_at - $2::bigint ELSE due_at END)
                     FROM jobs WHERE state = 'pending'",
                )
                .await?;
            let row = client
                .query_one(&statement, &[&kind.as_str(), &ahead.num_seconds()])
                .await?;
            Ok(row.try_get::<_, Option<i64>>(0)?.map(instant))
        })
    }

    fn finish_job(
        &self,
        key: String,
        token: String,
        state: JobState,
        outcome: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, bool> {
        self.write(move |client| async move {
            finish(&client, &key, &token, state, &outcome, now).await
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
        self.write(move |client| async move {
            let retried = client
                .execute(
                    "UPDATE jobs SET state = 'pending', due_at = $3, outcome = $4,
                       claimed_by = NULL, claim_token = NULL
                     WHERE key = $1 AND state = 'claimed' AND claim_token = $2
                       AND attempts < $5",
                    &[
                        &key,
                        &token,
                        &at.timestamp(),
                        &outcome,
                        &i64::from(max_attempts),
                    ],
                )
                .await?;
            if retried == 1 {
                Ok(Retried::Again)
            } else if finish(&client, &key, &token, JobState::Failed, &outcome, at).await? {
                Ok(Retried::GaveUp)
            } else {
                Ok(Retried::Lost)
            }
        })
    }

    fn release_claims(&self) -> StoreFuture<'_, usize> {
        self.write(|client| async move {
            let rows = client
                .execute(
                    "UPDATE jobs SET state = 'pending', claimed_by = NULL, claim_token = NULL
                     WHERE state = 'claimed'",
                    &[],
                )
                .await?;
            Ok(changed(rows))
        })
    }

    fn miss_reminder(
        &self,
        key: String,
        token: String,
        user: String,
        message: Message,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, bool> {
        self.write(move |mut client| async move {
            let payload = serde_json::to_string(&message).map_err(decode_error)?;
            let transaction = client.transaction().await?;
            let outcome = "direct messages closed";
            if !finish(&transaction, &key, &token, JobState::Done, outcome, now).await? {
                return Ok(false);
            }
            transaction
                .execute(
                    "INSERT INTO missed_reminders (user_id, payload, created_at)
                     VALUES ($1, $2, $3)",
                    &[&user, &payload, &now.timestamp()],
                )
                .await?;
            transaction.commit().await?;
            Ok(true)
        })
    }

    fn all_reminders(&self) -> StoreFuture<'_, Vec<Reminder>> {
        self.read(|client| async move {
            let rows = client
                .query(
                    "SELECT user_id, session_id, minutes_before FROM reminders ORDER BY user_id",
                    &[],
                )
                .await?;
            rows.iter().map(super::reminders::reminder_of).collect()
        })
    }

    fn all_jobs(&self) -> StoreFuture<'_, Vec<JobRecord>> {
        self.read(|client| async move {
            let rows = client
                .query(
                    "SELECT key, kind, due_at, state, outcome FROM jobs ORDER BY due_at, key",
                    &[],
                )
                .await?;
            rows.iter()
                .map(|row| {
                    let (kind, state): (String, String) = (row.try_get(1)?, row.try_get(3)?);
                    let (key, due_at, outcome) =
                        (row.try_get(0)?, row.try_get(2)?, row.try_get(4)?);
                    Ok(JobRecord::stored(key, &kind, due_at, &state, outcome))
                })
                .collect()
        })
    }
}

impl LeaseStorage for PgStore {
    fn acquire_lease(
        &self,
        name: String,
        holder: String,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> StoreFuture<'_, bool> {
        self.write(move |client| async move {
            let statement = client
                .prepare_cached(
                    "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
                     ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3
                     WHERE leases.holder = $2 OR leases.expires_at <= $4",
                )
                .await?;
            let until = (now + ttl).timestamp();
            let rows = client
                .execute(&statement, &[&name, &holder, &until, &now.timestamp()])
                .await?;
            Ok(rows == 1)
        })
    }

    fn lease_holder(&self, name: String) -> StoreFuture<'_, Option<String>> {
        self.read(|client| async move {
            let row = client
                .query_opt("SELECT holder FROM leases WHERE name = $1", &[&name])
                .await?;
            Ok(row.map(|row| row.try_get(0)).transpose()?)
        })
    }

    fn take_lease_over(
        &self,
        name: String,
        gone: String,
        holder: String,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> StoreFuture<'_, bool> {
        self.write(move |client| async move {
            let until = (now + ttl).timestamp();
            let rows = client
                .execute(
                    "UPDATE leases SET holder = $2, expires_at = $3 WHERE name = $1 AND holder = $4",
                    &[&name, &holder, &until, &gone],
                )
                .await?;
            Ok(rows == 1)
        })
    }

    fn release_lease(&self, name: String, holder: String) -> StoreFuture<'_, ()> {
        self.write(|client| async move {
            client
                .execute(
                    "DELETE FROM leases WHERE name = $1 AND holder = $2",
                    &[&name, &holder],
                )
                .await?;
            Ok(())
        })
    }
}

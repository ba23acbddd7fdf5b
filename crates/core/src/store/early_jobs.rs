//! Jobs that may start before they fall due.
//!
//! When 2,000 attendees are reminded of the keynote at the same lead time, the
//! platform's global limit (Discord: 50 requests a second) spreads their DMs
//! over a minute or more whatever the sender does; starting the burst a little
//! early moves that spread before the due instant instead of after it. A
//! reminder says "starts <t:…:R>", which stays true when it arrives early.
//! Which kinds may start early, and by how much, is the scheduler's choice
//! (announcements never do); this is only the two queries it needs, beside
//! the ones in `jobs.rs`.

use super::jobs::{instant, job_of};
use super::{Store, StoreError};
use crate::scheduler::{Job, JobKind};
use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::params;

/// The queries for starting jobs of one kind early.
pub trait EarlyJobs {
    /// Pending jobs of `kind` due at or before `horizon`, oldest first, at most
    /// `limit`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn due_early(
        &self,
        kind: JobKind,
        horizon: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Job>, StoreError>;

    /// When the next pending job may start: its due instant, or `ahead` before
    /// it for a job of `kind`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn next_start(
        &self,
        kind: JobKind,
        ahead: TimeDelta,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
}

impl EarlyJobs for Store {
    fn due_early(
        &self,
        kind: JobKind,
        horizon: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Job>, StoreError> {
        let connection = self.connection();
        let mut statement = connection.prepare_cached(
            "SELECT key, due_at, expires_at, target, payload FROM jobs
             WHERE state = 'pending' AND kind = ?1 AND due_at <= ?2
             ORDER BY due_at, key LIMIT ?3",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows =
            statement.query_map(params![kind.as_str(), horizon.timestamp(), limit], job_of)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn next_start(
        &self,
        kind: JobKind,
        ahead: TimeDelta,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let next: Option<i64> = self.connection().query_row(
            "SELECT MIN(CASE WHEN kind = ?1 THEN due_at - ?2 ELSE due_at END)
             FROM jobs WHERE state = 'pending'",
            params![kind.as_str(), ahead.num_seconds()],
            |row| row.get(0),
        )?;
        Ok(next.map(instant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{Item, Message, Target};
    use crate::store::JobStore;

    fn job(key: &str, kind: JobKind, due: i64) -> Job {
        let due_at = instant(1_633_618_800 + due);
        Job {
            key: key.into(),
            due_at,
            expires_at: due_at + TimeDelta::hours(1),
            target: Target::User("7".into()),
            message: Message::new(kind, Vec::<Item>::new()),
        }
    }

    #[test]
    fn only_the_chosen_kind_starts_early() {
        let store = Store::in_memory().unwrap();
        let reminder = job("r", JobKind::Reminder, 60);
        let announcement = job("a", JobKind::Announce, 40);
        store.add_jobs(&[reminder.clone(), announcement]).unwrap();
        let ahead = TimeDelta::seconds(30);
        assert_eq!(
            store.next_start(JobKind::Reminder, ahead).unwrap(),
            Some(reminder.due_at - ahead),
            "the reminder may start at 30 s, before the announcement at 40 s"
        );
        let horizon = reminder.due_at - TimeDelta::seconds(1);
        assert!(store
            .due_early(JobKind::Reminder, horizon, 10)
            .unwrap()
            .is_empty());
        let early = store
            .due_early(JobKind::Reminder, reminder.due_at, 10)
            .unwrap();
        assert_eq!(early, std::slice::from_ref(&reminder));
        assert!(
            store
                .due_early(JobKind::Announce, reminder.due_at, 10)
                .unwrap()
                .len()
                == 1,
            "the query is per kind; the scheduler only asks for reminders"
        );
        let claimed = store.claim_due(reminder.due_at, Some(JobKind::Reminder), 10, "me");
        assert_eq!(claimed.unwrap().len(), 1, "only the reminder");
        assert!(store
            .due_early(JobKind::Reminder, reminder.due_at, 10)
            .unwrap()
            .is_empty());
        assert_eq!(
            store.next_start(JobKind::Reminder, ahead).unwrap(),
            Some(instant(1_633_618_840)),
            "claimed jobs no longer count"
        );
    }
}

//! Personal reminders, and the ones that could not be delivered.
//!
//! A reminder is a (user, session) pair with a lead time; the scheduler turns it
//! into a job. When a user's direct messages are closed, the reminder is kept
//! here as "missed" (in the same transaction that finishes its job) and shown
//! the next time the user talks to the bot: one attempt, never a retry loop.

use super::{JobState, Store, StoreError};
use crate::agenda::SessionId;
use crate::scheduler::{Message, Reminder};
use chrono::{DateTime, Utc};
use rusqlite::params;

/// What adding a reminder did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New,
    /// The user already had one for that session; its lead time was replaced.
    Replaced,
    /// The user holds the maximum number of reminders already.
    LimitReached,
}

/// Persistence of reminders.
pub trait ReminderStore {
    /// Adds (or updates) a reminder unless the user already holds `limit`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn add_reminder(
        &self,
        reminder: &Reminder,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Added, StoreError>;
    /// Removes a user's reminder for a session; false if there was none.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn remove_reminder(&self, user: &str, session: &SessionId) -> Result<bool, StoreError>;
    /// A user's reminders, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn reminders_of(&self, user: &str) -> Result<Vec<Reminder>, StoreError>;
    /// Everyone's reminders.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn all_reminders(&self) -> Result<Vec<Reminder>, StoreError>;
    /// Finishes job `key`, claimed under `token`, as undeliverable and keeps
    /// its message for `user`, in one transaction; false (nothing kept) when
    /// the claim is no longer ours.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn miss_reminder(
        &self,
        key: &str,
        token: &str,
        user: &str,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The messages `user` missed, oldest first, each with its id for
    /// [`ReminderStore::forget_missed`]; a read, no write.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn missed_of(&self, user: &str) -> Result<Vec<(i64, Message)>, StoreError>;

    /// Forgets `user`'s missed messages `ids`, once they were shown.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn forget_missed(&self, user: &str, ids: &[i64]) -> Result<(), StoreError>;

    /// Every user with a missed reminder not yet shown; a read, no write.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn users_with_missed(&self) -> Result<std::collections::BTreeSet<String>, StoreError>;
}

fn reminder_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Reminder> {
    Ok(Reminder {
        user: row.get(0)?,
        session: SessionId::new(row.get::<_, String>(1)?),
        minutes_before: row.get(2)?,
    })
}

impl ReminderStore for Store {
    fn add_reminder(
        &self,
        reminder: &Reminder,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Added, StoreError> {
        self.write(|connection| {
            let transaction = connection.transaction()?;
            let (held, exists): (i64, i64) = transaction.query_row(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN session_id = ?2 THEN 1 ELSE 0 END), 0)
                 FROM reminders WHERE user_id = ?1",
                params![reminder.user, reminder.session.as_str()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            if exists == 0 && usize::try_from(held).unwrap_or(usize::MAX) >= limit {
                return Ok(Added::LimitReached);
            }
            transaction.execute(
                "INSERT INTO reminders (user_id, session_id, minutes_before, created_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id, session_id) DO UPDATE SET minutes_before = excluded.minutes_before",
                params![
                    reminder.user,
                    reminder.session.as_str(),
                    reminder.minutes_before,
                    now.timestamp()
                ],
            )?;
            transaction.commit()?;
            Ok(if exists == 0 {
                Added::New
            } else {
                Added::Replaced
            })
        })
    }

    fn remove_reminder(&self, user: &str, session: &SessionId) -> Result<bool, StoreError> {
        self.write(|connection| {
            let removed = connection.execute(
                "DELETE FROM reminders WHERE user_id = ?1 AND session_id = ?2",
                params![user, session.as_str()],
            )?;
            Ok(removed > 0)
        })
    }

    fn reminders_of(&self, user: &str) -> Result<Vec<Reminder>, StoreError> {
        let connection = self.connection();
        let mut statement = connection.prepare_cached(
            "SELECT user_id, session_id, minutes_before FROM reminders
             WHERE user_id = ?1 ORDER BY created_at, session_id",
        )?;
        let rows = statement.query_map(params![user], reminder_of)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn all_reminders(&self) -> Result<Vec<Reminder>, StoreError> {
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT user_id, session_id, minutes_before FROM reminders ORDER BY user_id",
        )?;
        let rows = statement.query_map([], reminder_of)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn miss_reminder(
        &self,
        key: &str,
        token: &str,
        user: &str,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let payload = serde_json::to_string(message).unwrap_or_default();
        self.write(|connection| {
            let transaction = connection.transaction()?;
            let outcome = "direct messages closed";
            if !super::jobs::finish(&transaction, key, token, JobState::Done, outcome, now)? {
                return Ok(false);
            }
            transaction.execute(
                "INSERT INTO missed_reminders (user_id, payload, created_at) VALUES (?1, ?2, ?3)",
                params![user, payload, now.timestamp()],
            )?;
            transaction.commit()?;
            Ok(true)
        })
    }

    fn users_with_missed(&self) -> Result<std::collections::BTreeSet<String>, StoreError> {
        let connection = self.connection();
        let mut statement =
            connection.prepare_cached("SELECT DISTINCT user_id FROM missed_reminders")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn missed_of(&self, user: &str) -> Result<Vec<(i64, Message)>, StoreError> {
        // This runs after every command of a user who may have missed
        // reminders: a read, so it works on a full disk too.
        let connection = self.connection();
        let mut statement = connection.prepare_cached(
            "SELECT id, payload FROM missed_reminders WHERE user_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map(params![user], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?;
        let rows: Vec<(i64, String)> = rows.collect::<Result<_, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, payload)| Some((id, serde_json::from_str(&payload).ok()?)))
            .collect())
    }

    fn forget_missed(&self, user: &str, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.write(|connection| {
            let transaction = connection.transaction()?;
            for id in ids {
                transaction.execute(
                    "DELETE FROM missed_reminders WHERE user_id = ?1 AND id = ?2",
                    params![user, id],
                )?;
            }
            transaction.commit()?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reminder(user: &str, session: &str) -> Reminder {
        Reminder {
            user: user.into(),
            session: SessionId::new(session),
            minutes_before: 10,
        }
    }

    #[test]
    fn reminders_are_limited_per_user_and_replaced_per_session() {
        let store = Store::in_memory().unwrap();
        let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        assert_eq!(
            store.add_reminder(&reminder("u", "a"), 2, now).unwrap(),
            Added::New
        );
        assert_eq!(
            store.add_reminder(&reminder("u", "a"), 2, now).unwrap(),
            Added::Replaced
        );
        assert_eq!(
            store.add_reminder(&reminder("u", "b"), 2, now).unwrap(),
            Added::New
        );
        assert_eq!(
            store.add_reminder(&reminder("u", "c"), 2, now).unwrap(),
            Added::LimitReached
        );
        assert_eq!(
            store.add_reminder(&reminder("v", "c"), 2, now).unwrap(),
            Added::New
        );
        assert_eq!(store.reminders_of("u").unwrap().len(), 2);
        assert!(store.remove_reminder("u", &SessionId::new("a")).unwrap());
        assert!(!store.remove_reminder("u", &SessionId::new("a")).unwrap());
        assert_eq!(store.all_reminders().unwrap().len(), 2);
    }

    #[test]
    fn missed_reminders_stay_until_forgotten_one_by_one() {
        let store = Store::in_memory().unwrap();
        let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let message = Message::new(crate::scheduler::JobKind::Reminder, Vec::new());
        let miss = |key: &str, user: &str| {
            let job = crate::scheduler::Job {
                key: key.into(),
                due_at: now,
                expires_at: now + chrono::TimeDelta::hours(1),
                target: crate::scheduler::Target::User(user.into()),
                message: message.clone(),
            };
            use crate::store::JobStore;
            store.add_jobs(&[job]).unwrap();
            let token = store.claim_due(now, None, 1, "me").unwrap().remove(0).token;
            assert!(store
                .miss_reminder(key, &token, user, &message, now)
                .unwrap());
        };
        assert!(
            !store.miss_reminder("k0", "t", "u", &message, now).unwrap(),
            "no claim, nothing kept"
        );
        assert!(store.missed_of("u").unwrap().is_empty());
        miss("k1", "u");
        miss("k2", "u");
        miss("k3", "v");
        let missed = store.missed_of("u").unwrap();
        assert_eq!(missed.len(), 2);
        assert_eq!(
            store.missed_of("u").unwrap(),
            missed,
            "reading forgets nothing"
        );
        store.forget_missed("u", &[missed[0].0]).unwrap();
        assert_eq!(store.missed_of("u").unwrap(), missed[1..]);
        let others = store.missed_of("v").unwrap();
        store.forget_missed("u", &[others[0].0]).unwrap();
        assert_eq!(
            store.missed_of("v").unwrap(),
            others,
            "only u's own are forgotten"
        );
    }
}

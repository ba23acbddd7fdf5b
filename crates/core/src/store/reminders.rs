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
    /// Takes (and forgets) the messages `user` missed, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    fn take_missed(&self, user: &str) -> Result<Vec<Message>, StoreError>;

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

    fn take_missed(&self, user: &str) -> Result<Vec<Message>, StoreError> {
        // This runs after every command: with nothing to take it writes nothing,
        // so it works on a full disk too.
        let payloads = self.write(|connection| {
            let transaction = connection.transaction()?;
            let payloads: Vec<String> = {
                let mut statement = transaction.prepare(
                    "SELECT payload FROM missed_reminders WHERE user_id = ?1 ORDER BY id",
                )?;
                let rows = statement.query_map(params![user], |row| row.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            if !payloads.is_empty() {
                transaction.execute(
                    "DELETE FROM missed_reminders WHERE user_id = ?1",
                    params![user],
                )?;
                transaction.commit()?;
            }
            Ok(payloads)
        })?;
        Ok(payloads
            .iter()
            .filter_map(|payload| serde_json::from_str(payload).ok())
            .collect())
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
    fn missed_reminders_are_taken_once() {
        let store = Store::in_memory().unwrap();
        let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let message = Message::new(crate::scheduler::JobKind::Reminder, Vec::new());
        assert!(
            !store.miss_reminder("k", "t", "u", &message, now).unwrap(),
            "no claim"
        );
        assert!(store.take_missed("u").unwrap().is_empty());
        let job = crate::scheduler::Job {
            key: "k".into(),
            due_at: now,
            expires_at: now + chrono::TimeDelta::hours(1),
            target: crate::scheduler::Target::User("u".into()),
            message: message.clone(),
        };
        use crate::store::JobStore;
        store.add_jobs(&[job]).unwrap();
        let token = store.claim_due(now, None, 1, "me").unwrap().remove(0).token;
        assert!(store
            .miss_reminder("k", &token, "u", &message, now)
            .unwrap());
        assert_eq!(store.take_missed("u").unwrap(), vec![message]);
        assert!(store.take_missed("u").unwrap().is_empty());
    }
}

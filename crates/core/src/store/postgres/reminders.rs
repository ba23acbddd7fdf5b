//! Reminders, missed reminders, kept DM channels and the health probe on
//! PostgreSQL: the SQL of `store/reminders.rs`, `store/direct_channels.rs`
//! and `Store::check_writable`.

use super::PgStore;
use crate::agenda::SessionId;
use crate::chat::direct::DirectChannels;
use crate::health::StorageHealth;
use crate::reminders::ReminderStorage;
use crate::scheduler::{Message, Reminder};
use crate::store::{Added, StoreError, StoreFuture};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use tokio_postgres::Row;

pub(super) fn reminder_of(row: &Row) -> Result<Reminder, StoreError> {
    let minutes: i64 = row.try_get(2)?;
    Ok(Reminder {
        user: row.try_get(0)?,
        session: SessionId::new(row.try_get::<_, String>(1)?),
        minutes_before: u32::try_from(minutes).unwrap_or_default(),
    })
}

impl ReminderStorage for PgStore {
    fn add_reminder(
        &self,
        reminder: Reminder,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, Added> {
        self.write(move |mut client| async move {
            let transaction = client.transaction().await?;
            // One user's adds take turns, so two processes cannot both add
            // the user's last allowed reminder.
            transaction
                .execute(
                    "SELECT pg_advisory_xact_lock(hashtext($1))",
                    &[&reminder.user],
                )
                .await?;
            let row = transaction
                .query_one(
                    "SELECT COUNT(*), COUNT(*) FILTER (WHERE session_id = $2)
                     FROM reminders WHERE user_id = $1",
                    &[&reminder.user, &reminder.session.as_str()],
                )
                .await?;
            let (held, exists): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
            if exists == 0 && usize::try_from(held).unwrap_or(usize::MAX) >= limit {
                return Ok(Added::LimitReached);
            }
            transaction
                .execute(
                    "INSERT INTO reminders (user_id, session_id, minutes_before, created_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (user_id, session_id)
                     DO UPDATE SET minutes_before = excluded.minutes_before",
                    &[
                        &reminder.user,
                        &reminder.session.as_str(),
                        &i64::from(reminder.minutes_before),
                        &now.timestamp(),
                    ],
                )
                .await?;
            transaction.commit().await?;
            Ok(if exists == 0 {
                Added::New
            } else {
                Added::Replaced
            })
        })
    }

    fn remove_reminder(&self, user: String, session: SessionId) -> StoreFuture<'_, bool> {
        self.write(move |client| async move {
            let rows = client
                .execute(
                    "DELETE FROM reminders WHERE user_id = $1 AND session_id = $2",
                    &[&user, &session.as_str()],
                )
                .await?;
            Ok(rows > 0)
        })
    }

    fn reminders_of(&self, user: String) -> StoreFuture<'_, Vec<Reminder>> {
        self.read(|client| async move {
            let rows = client
                .query(
                    "SELECT user_id, session_id, minutes_before FROM reminders
                     WHERE user_id = $1 ORDER BY created_at, session_id",
                    &[&user],
                )
                .await?;
            rows.iter().map(reminder_of).collect()
        })
    }

    fn missed_of(&self, user: String) -> StoreFuture<'_, Vec<(i64, Message)>> {
        // After every command of a user who may have missed reminders: a read,
        // so it works while the database refuses writes.
        self.read(|client| async move {
            let rows = client
                .query(
                    "SELECT id, payload FROM missed_reminders WHERE user_id = $1 ORDER BY id",
                    &[&user],
                )
                .await?;
            let rows = rows
                .iter()
                .map(|row| Ok((row.try_get::<_, i64>(0)?, row.try_get::<_, String>(1)?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(rows
                .into_iter()
                .filter_map(|(id, payload)| Some((id, serde_json::from_str(&payload).ok()?)))
                .collect())
        })
    }

    fn forget_missed(&self, user: String, ids: Vec<i64>) -> StoreFuture<'_, ()> {
        self.write(|client| async move {
            if !ids.is_empty() {
                client
                    .execute(
                        "DELETE FROM missed_reminders WHERE user_id = $1 AND id = ANY($2)",
                        &[&user, &ids],
                    )
                    .await?;
            }
            Ok(())
        })
    }

    fn users_with_missed(&self) -> StoreFuture<'_, BTreeSet<String>> {
        self.read(|client| async move {
            let rows = client
                .query("SELECT DISTINCT user_id FROM missed_reminders", &[])
                .await?;
            rows.iter()
                .map(|row| Ok(row.try_get::<_, String>(0)?))
                .collect()
        })
    }
}

impl DirectChannels for PgStore {
    fn channel_of<'a>(
        &'a self,
        platform: &'a str,
        user: &'a str,
    ) -> StoreFuture<'a, Option<String>> {
        self.read(move |client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT channel_id FROM dm_channels WHERE platform = $1 AND user_id = $2",
                )
                .await?;
            let row = client.query_opt(&statement, &[&platform, &user]).await?;
            Ok(row.map(|row| row.try_get(0)).transpose()?)
        })
    }

    fn keep_channel<'a>(
        &'a self,
        platform: &'a str,
        user: &'a str,
        channel: &'a str,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        self.write(move |client| async move {
            let statement = client
                .prepare_cached(
                    "INSERT INTO dm_channels (platform, user_id, channel_id, opened_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (platform, user_id) DO UPDATE
                       SET channel_id = excluded.channel_id, opened_at = excluded.opened_at",
                )
                .await?;
            client
                .execute(&statement, &[&platform, &user, &channel, &now.timestamp()])
                .await?;
            Ok(())
        })
    }
}

impl StorageHealth for PgStore {
    fn check_writable(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let probe = async {
                let client = self.client().await?;
                let row = client
                    .query_one(
                        "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')",
                        &[],
                    )
                    .await?;
                let (standby, read_only): (bool, String) = (row.try_get(0)?, row.try_get(1)?);
                if standby || read_only == "on" {
                    return Err(StoreError::WritesFailing(format!(
                        "{} is read-only (a standby, or default_transaction_read_only)",
                        self.label
                    )));
                }
                Ok(())
            };
            let probe = probe.await;
            if probe.is_err() {
                self.health.note(&self.label, &probe, super::Counted::Never);
            }
            probe?;
            match self.health.failing() {
                Some(reason) => Err(StoreError::WritesFailing(reason)),
                None => Ok(()),
            }
        })
    }

    fn writes_failing(&self) -> Option<String> {
        self.health.failing()
    }
}

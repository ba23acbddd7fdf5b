//! What the reminder service needs from a database, async so that no backend
//! runs its calls on the async workers. SQLite implements it on a blocking
//! thread (`crate::store`), PostgreSQL on its async client
//! (`crate::store::postgres`).

use crate::agenda::SessionId;
use crate::scheduler::{Message, Reminder};
use crate::store::{Added, StoreFuture};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// Personal reminders and the ones a user missed.
pub trait ReminderStorage: Send + Sync {
    /// Adds (or updates) a reminder unless the user already holds `limit`.
    fn add_reminder(
        &self,
        reminder: Reminder,
        limit: usize,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, Added>;
    /// Removes `user`'s reminder for `session`; false if there was none.
    fn remove_reminder(&self, user: String, session: SessionId) -> StoreFuture<'_, bool>;
    /// `user`'s reminders.
    fn reminders_of(&self, user: String) -> StoreFuture<'_, Vec<Reminder>>;
    /// `user`'s missed reminders, oldest first, with their ids; a read.
    fn missed_of(&self, user: String) -> StoreFuture<'_, Vec<(i64, Message)>>;
    /// Forgets `user`'s missed reminders `ids`, once they were shown.
    fn forget_missed(&self, user: String, ids: Vec<i64>) -> StoreFuture<'_, ()>;
    /// Every user with a missed reminder not yet shown; a read.
    fn users_with_missed(&self) -> StoreFuture<'_, BTreeSet<String>>;
}

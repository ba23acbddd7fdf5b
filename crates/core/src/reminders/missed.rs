//! Who has a missed reminder waiting, known without touching the database on
//! every command.
//!
//! The bot checks after every command whether the user has reminders their
//! closed DMs kept from them. That check must cost nothing: the set of such
//! users is kept here, filled from the store at start and by a cheap read now
//! and then (another process may have recorded a miss), and marked at once
//! when this process's scheduler records one. Only a user in the set costs a
//! write (taking their missed reminders).

use super::ReminderStorage;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How stale the set may get before it is read again from the store.
const REREAD_AFTER: Duration = Duration::from_secs(15);

/// Users with missed reminders; cheap to clone.
#[derive(Clone, Default)]
pub struct MissedUsers {
    inner: Arc<Mutex<Cache>>,
}

#[derive(Default)]
struct Cache {
    users: BTreeSet<String>,
    read_at: Option<Instant>,
}

impl MissedUsers {
    /// Notes that `user` missed a reminder (this process recorded it).
    pub fn note(&self, user: &str) {
        self.lock().users.insert(user.to_owned());
    }

    /// Whether `user` may have missed reminders; reads the store when the
    /// set is stale. A failed read keeps what is known.
    pub async fn may_have(&self, user: &str, store: &dyn ReminderStorage) -> bool {
        let stale = self
            .lock()
            .read_at
            .is_none_or(|at| at.elapsed() >= REREAD_AFTER);
        if stale {
            match store.users_with_missed().await {
                Ok(users) => {
                    let mut cache = self.lock();
                    cache.users.extend(users);
                    cache.read_at = Some(Instant::now());
                }
                Err(error) => tracing::debug!(%error, "could not read who missed reminders"),
            }
        }
        self.lock().users.contains(user)
    }

    /// Forgets `user` once their missed reminders were taken.
    pub fn taken(&self, user: &str) {
        self.lock().users.remove(user);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

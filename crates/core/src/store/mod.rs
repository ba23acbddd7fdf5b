//! Persistence: one SQLite file, opened once, migrated at start.
//!
//! Everything that must survive a restart lives here: votes, poll deadlines,
//! which announcements went out, reminders. The SQL is kept portable (unix
//! seconds in INTEGER columns, `?N` placeholders) so a PostgreSQL store can
//! follow behind the same per-aggregate traits. SQLite is bundled, so a fresh
//! machine needs nothing installed.
//!
//! Each aggregate has its own file and migration: `lease.rs` here; polls and
//! scheduled jobs add theirs.

mod jobs;
mod lease;
mod migrations;
mod polls;
mod reminders;

pub use jobs::{JobRecord, JobState, JobStore, SyncReport};
pub use lease::Lease;
pub use polls::PollStore;
pub use reminders::{Added, ReminderStore};

use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database at {path} is from a newer emcee (schema {found}, this build knows {known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
}

/// A handle on the database; cheap to clone, one connection behind a mutex.
///
/// SQLite serialises writers anyway, and one connection keeps an in-memory
/// database (tests) one database. Calls are short and synchronous: async
/// callers run them on a blocking thread.
#[derive(Clone, Debug)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
    path: String,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be opened or migrated.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let connection = Connection::open(path)?;
        // WAL lets readers run beside the writer; NORMAL sync is durable across
        // process crashes (the fault suite's SIGKILL), which is what we need.
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        Self::prepare(connection, path.display().to_string())
    }

    /// A private in-memory database, migrated; for tests.
    ///
    /// # Errors
    /// [`StoreError`] when migration fails.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory()?, ":memory:".to_owned())
    }

    fn prepare(connection: Connection, path: String) -> Result<Self, StoreError> {
        connection.busy_timeout(Duration::from_secs(5))?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        migrations::apply(&connection, &path)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
            path,
        })
    }

    /// Whether the database accepts writes now (a full disk or a read-only
    /// file says no), for health checks. Writes nothing lasting.
    ///
    /// # Errors
    /// [`StoreError`] with the reason writes fail.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        let connection = self.connection();
        connection.execute_batch(
            "BEGIN IMMEDIATE; CREATE TEMP TABLE IF NOT EXISTS health_probe (x INTEGER); ROLLBACK;",
        )?;
        Ok(())
    }

    /// Where the database lives (":memory:" for tests).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The connection, for this module's aggregates. A poisoned lock is still
    /// usable: SQLite's own transactions keep the data consistent.
    pub(crate) fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

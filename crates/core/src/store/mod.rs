//! Persistence: one SQLite file, opened once, migrated at start; or a
//! PostgreSQL server shared by several processes (`postgres/`), behind the
//! same per-domain traits ([`Database`] holds one process's handles).
//!
//! Everything that must survive a restart lives here: votes, poll deadlines,
//! which announcements went out, reminders. The SQL is kept portable (unix
//! seconds in INTEGER columns, `?N` placeholders) so a PostgreSQL store can
//! follow behind the same per-aggregate traits. SQLite is bundled, so a fresh
//! machine needs nothing installed.
//!
//! Each aggregate has its own file and migration: `lease.rs` here; polls and
//! scheduled jobs add theirs. Every write goes through [`Store::write`], so one
//! place (`health.rs`) counts failed writes and tells the operator when the
//! database stops taking them (a full disk, or the `[store] max_size_mb` cap).

mod checkpoint;
mod contests;
mod database;
mod direct_channels;
mod early_jobs;
mod feeds;
mod health;
mod jobs;
mod lease;
mod migrations;
mod off_workers;
mod polls;
pub mod postgres;
mod questions;
mod reminders;
mod scheduled_events;
mod stars;

pub use crate::polls::PollStore;
pub use database::{Backend, Database, DatabaseUrl, DATABASE_URL_VAR};
pub use early_jobs::EarlyJobs;
pub use jobs::{JobRecord, JobState, JobStore, SyncReport};
pub use lease::Lease;
pub use reminders::{Added, ReminderStore};

use health::{Counted, WriteHealth};
use rusqlite::Connection;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No connection could be had from the pool (the server is down or
    /// unreachable, or every connection is busy for too long).
    #[error("database connection: {0}")]
    Pool(String),
    /// The configured database URL is wrong (shown without its password).
    #[error("database URL {0}")]
    BadUrl(String),
    /// A stored row could not be read back.
    #[error("a stored row could not be read: {0}")]
    Decode(String),
    #[error(
        "the database at {path} is from a newer emcee (schema {found}, this build knows {known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("the database at {path} has no valid emcee schema version ({found})")]
    BadVersion { path: String, found: i64 },
    #[error("the database at {path} is full: it reached its size cap ([store] max_size_mb)")]
    Full { path: String },
    #[error("database writes are failing: {0}")]
    WritesFailing(String),
    /// A call run off the async workers never came back (it panicked, or the
    /// runtime is shutting down).
    #[error("a database call did not finish: {0}")]
    Interrupted(String),
}

impl StoreError {
    /// Whether the database itself refuses writes (full disk, size cap reached,
    /// read-only file, I/O error, locked by another process for too long), as
    /// opposed to one write being wrong (a constraint, a bad row).
    pub fn is_storage_failure(&self) -> bool {
        use rusqlite::ErrorCode as Code;
        match self {
            Self::Full { .. } | Self::WritesFailing(_) => true,
            Self::Sqlite(error) => matches!(
                error.sqlite_error_code(),
                Some(
                    Code::DiskFull
                        | Code::ReadOnly
                        | Code::SystemIoFailure
                        | Code::CannotOpen
                        | Code::PermissionDenied
                        | Code::DatabaseBusy
                        | Code::DatabaseLocked
                        | Code::DatabaseCorrupt
                        | Code::NotADatabase
                )
            ),
            Self::Postgres(error) => postgres::is_storage_failure(error),
            Self::Pool(_) => true,
            Self::TooNew { .. }
            | Self::BadVersion { .. }
            | Self::Interrupted(_)
            | Self::BadUrl(_)
            | Self::Decode(_) => false,
        }
    }
}

/// A storage call in progress. Every domain's storage trait answers with one,
/// so a backend can run its calls off the async workers (SQLite on a
/// blocking thread; PostgreSQL over its own async client).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// How far the database may grow, as [`Store::cap_size`] set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeCap {
    /// The cap in bytes (whole pages); `None`: SQLite's own limit.
    pub max_bytes: Option<u64>,
    /// What the database holds now, in bytes (whole pages, free ones included).
    pub used_bytes: u64,
}

impl SizeCap {
    /// True when the database already fills the cap: new rows will not fit
    /// (SQLite keeps a cap below the current size at the current size).
    pub fn reached(&self) -> bool {
        self.max_bytes.is_some_and(|max| self.used_bytes >= max)
    }
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
    health: Arc<WriteHealth>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// The order matters: the busy timeout comes first, so two processes
    /// starting together wait for each other instead of failing; the schema
    /// version is checked (and migrated) before the switch to WAL, so a
    /// database refused as too new is left exactly as it was.
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be opened or migrated.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let connection = Connection::open(path)?;
        let store = Self::prepare(connection, path.display().to_string())?;
        {
            let connection = store.connection();
            // WAL lets readers run beside the writer; NORMAL sync is durable across
            // process crashes (the fault suite's SIGKILL), which is what we need.
            connection.pragma_update(None, "journal_mode", "WAL")?;
            connection.pragma_update(None, "synchronous", "NORMAL")?;
            connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        }
        checkpoint::start(path, Arc::downgrade(&store.connection));
        Ok(store)
    }

    /// A private, migrated copy in memory of the database at `path`, which
    /// is only read: no migration, no journal switch, no file created
    /// (`emcee polls export`). An older schema is migrated in the copy.
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be read or its schema is newer
    /// than this build's (or invalid).
    pub fn snapshot(path: &Path) -> Result<Self, StoreError> {
        use rusqlite::OpenFlags;
        let name = path.display().to_string();
        let source = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        source.busy_timeout(Duration::from_secs(5))?;
        migrations::check_version(&source, &name)?;
        let mut copy = Connection::open_in_memory()?;
        rusqlite::backup::Backup::new(&source, &mut copy)?.run_to_completion(
            256,
            Duration::ZERO,
            None,
        )?;
        drop(source);
        Self::prepare(copy, name)
    }

    /// Opens like [`Store::open`], then caps the database's growth at
    /// `max_bytes` (`[store] max_size_mb`; see [`Store::cap_size`]).
    ///
    /// # Errors
    /// [`StoreError`] when the file cannot be opened or migrated.
    pub fn open_capped(path: &Path, max_bytes: Option<u64>) -> Result<Self, StoreError> {
        let store = Self::open(path)?;
        if max_bytes.is_some() {
            let cap = store.cap_size(max_bytes)?;
            if cap.reached() {
                tracing::warn!(
                    database = %path.display(),
                    used_bytes = cap.used_bytes,
                    "the database already fills [store] max_size_mb: new votes, reminders and \
                     announcement marks will not be saved until the cap is raised"
                );
            }
        }
        Ok(store)
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
            health: Arc::default(),
        })
    }

    /// Caps how far the database file may grow (`[store] max_size_mb`), or lifts
    /// the cap with `None`. Past the cap, writes that need a new page fail with
    /// SQLite's "database or disk is full", exactly as on a full disk. The cap
    /// holds for this handle (and its clones) until changed; the `-wal` file
    /// beside the database is not counted.
    ///
    /// # Errors
    /// [`StoreError`] when the pragmas fail.
    pub fn cap_size(&self, max_bytes: Option<u64>) -> Result<SizeCap, StoreError> {
        let connection = self.connection();
        let pragma = |sql: &str| -> Result<u64, StoreError> {
            let value: i64 = connection.query_row(sql, [], |row| row.get(0))?;
            Ok(u64::try_from(value).unwrap_or_default())
        };
        let page = pragma("PRAGMA page_size")?.max(512);
        // SQLite clamps this to its own maximum (and to at least the current size).
        let pages = max_bytes.map_or(u64::from(u32::MAX), |bytes| (bytes / page).max(1));
        let max = pragma(&format!("PRAGMA max_page_count = {pages}"))?;
        let used = pragma("PRAGMA page_count")?;
        Ok(SizeCap {
            max_bytes: max_bytes.map(|_| max * page),
            used_bytes: used * page,
        })
    }

    /// Whether the database accepts writes now, for health checks: it can be
    /// locked for writing, it has room for another page under its size cap, and
    /// no write failed for a storage reason in the last minute (a full disk
    /// shows only when a write is tried). Writes nothing.
    ///
    /// # Errors
    /// [`StoreError`] with the reason writes fail.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        let probe = self.probe();
        if probe.is_err() {
            self.health.note(&self.path, &probe, Counted::Never);
        }
        probe?;
        match self.health.failing() {
            Some(reason) => Err(StoreError::WritesFailing(reason)),
            None => Ok(()),
        }
    }

    fn probe(&self) -> Result<(), StoreError> {
        let connection = self.connection();
        connection.execute_batch("BEGIN IMMEDIATE; ROLLBACK;")?;
        let (used, max, free): (i64, i64, i64) = connection.query_row(
            "SELECT * FROM pragma_page_count(), pragma_max_page_count(), pragma_freelist_count()",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        if used >= max && free == 0 {
            return Err(StoreError::Full {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// Why writes are failing, if a write failed for a storage reason within
    /// the last minute (chat adapters tell users "storage is failing" then).
    pub fn writes_failing(&self) -> Option<String> {
        self.health.failing()
    }

    /// Where the database lives (":memory:" for tests).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Runs `work`, a write, on the connection and notes how it went: a failure
    /// is counted in `STORE_WRITE_FAILURES` and, when the database itself
    /// refuses writes, reported once in the log and to `/healthz`.
    pub(crate) fn write<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let result = work(&mut self.connection());
        self.health.note(&self.path, &result, Counted::Here);
        result
    }

    /// Runs `work` on this store on a blocking thread, never on an async
    /// worker: SQLite's calls are synchronous and may wait on the disk or on
    /// another process's lock.
    pub(crate) fn off_workers<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let store = self.clone();
        // The caller's log subscriber and span follow the call to its thread.
        let dispatch = tracing::dispatcher::get_default(Clone::clone);
        let span = tracing::Span::current();
        Box::pin(async move {
            let work = move || {
                tracing::dispatcher::with_default(&dispatch, || span.in_scope(|| work(&store)))
            };
            tokio::task::spawn_blocking(work)
                .await
                .map_err(|error| StoreError::Interrupted(error.to_string()))?
        })
    }

    /// The connection, for this module's aggregates. A poisoned lock is still
    /// usable: SQLite's own transactions keep the data consistent.
    pub(crate) fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

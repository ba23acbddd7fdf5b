//! The PostgreSQL backend: the same per-domain storage traits as SQLite, for
//! several emcee processes on several machines sharing one database.
//!
//! The client is `tokio-postgres` with a `deadpool-postgres` pool: together
//! they add 29 crates to the lock file (the wire protocol, SCRAM's hashes,
//! the pool) and no proc macros, against sqlx's `sqlx-core` and
//! `sqlx-postgres` with their runtime glue, caches and derive macros for the
//! same runtime-checked queries; the SQL here is a handful of statements, so
//! the leaner pair does. Every call is async on the
//! pool, never on a blocking thread, except the poll store's (see `polls.rs`).
//!
//! The schema mirrors SQLite's (`migrations/postgres/`): unix seconds in
//! BIGINT, `$N` placeholders, `RETURNING`. What changes is concurrency: due
//! jobs are claimed with `FOR UPDATE SKIP LOCKED`, so processes claiming at
//! once get disjoint jobs; each claim has a token (see `scheduler::storage`).
//! TLS is not built in: the server is reached over a private network, a
//! Unix socket or a local tunnel (`sslmode=require` is refused at start).

mod contests;
mod feeds;
mod jobs;
mod migrations;
mod polls;
mod questions;
mod reminders;
mod scheduled_events;
mod stars;

use super::health::{Counted, WriteHealth};
use super::{DatabaseUrl, StoreError, StoreFuture};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::config::SslMode;
use tokio_postgres::NoTls;

pub use polls::PgPolls;

/// Connections in the pool of one process.
const POOL_SIZE: usize = 8;
/// How long a call waits for a connection before it fails.
const WAIT: Duration = Duration::from_secs(10);

/// A handle on a PostgreSQL database; cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    url: DatabaseUrl,
    /// The URL as logs and errors show it.
    label: Arc<str>,
    health: Arc<WriteHealth>,
    polls: PgPolls,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("url", &self.label)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database at `url` and brings its schema up to date
    /// (under an advisory lock, so processes starting together migrate once).
    ///
    /// # Errors
    /// [`StoreError`] when the URL is wrong, the server cannot be reached or
    /// the database is from a newer emcee.
    pub async fn open(url: &DatabaseUrl) -> Result<Self, StoreError> {
        let config = client_config(url)?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(WAIT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|error| StoreError::Pool(error.to_string()))?;
        let label: Arc<str> = url.redacted().into();
        let health = Arc::new(WriteHealth::default());
        let store = Self {
            polls: PgPolls::start(config, Arc::clone(&label), Arc::clone(&health))?,
            pool,
            url: url.clone(),
            label,
            health,
        };
        let mut client = store.client().await?;
        migrations::apply(&mut client, &store.label).await?;
        Ok(store)
    }

    /// The URL, password redacted.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The poll store, on its own connection.
    pub fn polls(&self) -> PgPolls {
        self.polls.clone()
    }

    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(|error| {
            let reason = match error {
                deadpool_postgres::PoolError::Backend(error) => error.to_string(),
                other => other.to_string(),
            };
            StoreError::Pool(format!("{}: {reason}", self.label))
        })
    }

    /// Runs `work`, a read, on a pooled connection.
    fn read<'a, T, F, Fut>(&'a self, work: F) -> StoreFuture<'a, T>
    where
        T: Send + 'a,
        F: FnOnce(Object) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'a,
    {
        Box::pin(async move { work(self.client().await?).await })
    }

    /// Runs `work`, a write, on a pooled connection and notes how it went,
    /// as SQLite's `Store::write` does.
    fn write<'a, T, F, Fut>(&'a self, work: F) -> StoreFuture<'a, T>
    where
        T: Send + 'a,
        F: FnOnce(Object) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'a,
    {
        Box::pin(async move {
            let result = match self.client().await {
                Ok(client) => work(client).await,
                Err(error) => Err(error),
            };
            self.health.note(&self.label, &result, Counted::Here);
            result
        })
    }
}

/// The client configuration for `url`; its errors never repeat the URL.
fn client_config(url: &DatabaseUrl) -> Result<tokio_postgres::Config, StoreError> {
    let mut config: tokio_postgres::Config = url
        .expose()
        .parse()
        .map_err(|_| StoreError::BadUrl(format!("{url} is not a valid PostgreSQL URL")))?;
    if config.get_ssl_mode() == SslMode::Require {
        return Err(StoreError::BadUrl(format!(
            "{url} asks for TLS (sslmode=require), which this build does not include: reach the \
             server over a private network, a Unix socket or a local TLS tunnel"
        )));
    }
    if config.get_application_name().is_none() {
        config.application_name("emcee");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(WAIT);
    }
    Ok(config)
}

/// Whether `error` means the database refuses work (unreachable, shutting
/// down, out of disk, read-only) rather than one statement being wrong.
pub(crate) fn is_storage_failure(error: &tokio_postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    match error.code() {
        // No SQL state: the connection or the socket failed.
        None => true,
        Some(state) => {
            let code = state.code();
            ["08", "53", "57", "58", "XX"]
                .iter()
                .any(|class| code.starts_with(class))
                || code == "25006"
        }
    }
}

fn decode_error(error: serde_json::Error) -> StoreError {
    StoreError::Decode(error.to_string())
}

/// Unix seconds back to an instant.
fn instant(seconds: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// A count or limit as BIGINT.
fn bigint(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Rows changed, as a count.
fn changed(rows: u64) -> usize {
    usize::try_from(rows).unwrap_or(usize::MAX)
}

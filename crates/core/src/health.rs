//! Whether the database takes writes, as `/healthz` asks it: async, so the
//! probe (a write lock, room under the size cap) never runs on an async
//! worker. SQLite implements it (`crate::store`) on a blocking thread;
//! PostgreSQL (`crate::store::postgres`) asks whether the server is a
//! read-only standby.

use crate::store::StoreFuture;

/// The storage's own health.
pub trait StorageHealth: Send + Sync {
    /// Fails with the reason when the database does not take writes now.
    fn check_writable(&self) -> StoreFuture<'_, ()>;
    /// Why writes failed within the last minute, if they did (in memory).
    fn writes_failing(&self) -> Option<String>;
}

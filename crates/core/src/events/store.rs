//! What the sync remembers: the id of the event it made for each
//! (community, session), so a restart or another process adopts it, and an
//! "Interested" on an event finds its session.

use crate::agenda::SessionId;
use crate::store::StoreFuture;
use chrono::{DateTime, Utc};

/// One event emcee made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub session: SessionId,
    /// The platform's event id.
    pub event: String,
}

/// The event ids per (community, session); SQLite and PostgreSQL implement it.
pub trait EventStore: Send + Sync {
    /// Every event kept for `community`, by session.
    fn events_of(&self, community: String) -> StoreFuture<'_, Vec<StoredEvent>>;
    /// Keeps (or replaces) the event of `session` in `community`.
    fn keep_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()>;
    /// Forgets the event of `session` in `community`, if it is still `event`.
    fn forget_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
    ) -> StoreFuture<'_, ()>;
    /// The session event `event` of `community` stands for, if emcee made it.
    fn session_of_event(
        &self,
        community: String,
        event: String,
    ) -> StoreFuture<'_, Option<SessionId>>;
}

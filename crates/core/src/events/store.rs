//! What the sync remembers: the id of the event it made for each
//! (community, session), so a restart or another process adopts it, and an
//! "Interested" on an event finds its session; with what the event said
//! (start, end, name), so that an event an organiser withdrew by hand
//! (deleted or cancelled) stays withdrawn until its session itself changes.

use crate::agenda::SessionId;
use crate::store::StoreFuture;
use chrono::{DateTime, Utc};

/// What an event said of its session: a session whose start, end or name
/// differ from a withdrawn event's is a new event worth making.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventShape {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub name: String,
}

impl EventShape {
    /// A stored row's shape: all three columns set, else none (a row kept
    /// before shapes were).
    pub(crate) fn from_columns(
        start: Option<i64>,
        end: Option<i64>,
        name: Option<String>,
    ) -> Option<Self> {
        Some(Self {
            start: DateTime::from_timestamp(start?, 0)?,
            end: DateTime::from_timestamp(end?, 0)?,
            name: name?,
        })
    }
}

/// One event emcee made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub session: SessionId,
    /// The platform's event id.
    pub event: String,
    /// What emcee last made it say; `None` for one kept before it did.
    pub shape: Option<EventShape>,
    /// An organiser deleted or cancelled it by hand: not to be made again
    /// while the session stays as [`StoredEvent::shape`] says.
    pub withdrawn: bool,
}

/// The event ids per (community, session); SQLite and PostgreSQL implement it.
pub trait EventStore: Send + Sync {
    /// Every event kept for `community`, the withdrawn ones included, by session.
    fn events_of(&self, community: String) -> StoreFuture<'_, Vec<StoredEvent>>;
    /// Keeps (or replaces) the event of `session` in `community`, saying
    /// `shape`; a withdrawal of the session's event is over.
    fn keep_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
        shape: EventShape,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()>;
    /// Remembers that an organiser withdrew event `event` of `session`,
    /// which said `shape`, if it is still the session's event.
    fn withdraw_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
        shape: EventShape,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()>;
    /// Forgets the event of `session` in `community`, if it is still `event`.
    fn forget_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
    ) -> StoreFuture<'_, ()>;
    /// The session event `event` of `community` stands for, if emcee made
    /// it and it was not withdrawn.
    fn session_of_event(
        &self,
        community: String,
        event: String,
    ) -> StoreFuture<'_, Option<SessionId>>;
}

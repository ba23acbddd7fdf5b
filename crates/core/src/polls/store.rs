//! What the poll recorder needs from a database.
//!
//! Unlike the other domains' storage traits this one is synchronous, on
//! purpose: the recorder's writer calls it in batches, one transaction per
//! batch (group commit), on the thread of whichever caller drains the queue
//! (see `recorder` for why, with the measurements). A backend whose calls
//! wait on the network says so ([`PollStore::runs_inline`]), and the
//! recorder then keeps them off the async workers.

use super::{MarkRow, MessageKey, NewPoll, Poll, PollState};
use crate::store::StoreError;
use chrono::{DateTime, Utc};

/// Persistence for polls and votes.
pub trait PollStore: Send + Sync + 'static {
    /// Whether the recorder may call this store on the caller's thread, an
    /// async worker: true for SQLite, whose batch is one short local commit.
    /// A store that waits on the network (PostgreSQL) answers false, and the
    /// recorder then drains its queue on a blocking thread.
    fn runs_inline(&self) -> bool {
        true
    }

    /// Stores a new, open poll with its options; returns it with its id.
    ///
    /// # Errors
    /// [`StoreError`] when the write fails (e.g. the message already has a poll).
    fn insert_poll(&self, poll: &NewPoll) -> Result<Poll, StoreError>;

    /// The poll posted as `message`, whatever its state.
    ///
    /// # Errors
    /// [`StoreError`] when the read fails.
    fn poll_by_message(&self, message: &MessageKey) -> Result<Option<Poll>, StoreError>;

    /// The poll opened for the agenda's `[[polls]]` entry `declared_id`.
    ///
    /// # Errors
    /// [`StoreError`] when the read fails.
    fn poll_by_declared(&self, declared_id: &str) -> Result<Option<Poll>, StoreError>;

    /// Every poll, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the read fails.
    fn all_polls(&self) -> Result<Vec<Poll>, StoreError>;

    /// Every stored mark of poll `poll_id`.
    ///
    /// # Errors
    /// [`StoreError`] when the read fails.
    fn marks(&self, poll_id: i64) -> Result<Vec<MarkRow>, StoreError>;

    /// Writes marks (poll id, mark) in one transaction: all or none.
    ///
    /// # Errors
    /// [`StoreError`] when the write fails; nothing was written then.
    fn save_marks(&self, marks: &[(i64, MarkRow)]) -> Result<(), StoreError>;

    /// Moves an open poll to `state` (closed or cancelled) at `at`; false if
    /// it was no longer open (another process ended it first).
    ///
    /// # Errors
    /// [`StoreError`] when the write fails.
    fn set_state(
        &self,
        poll_id: i64,
        state: PollState,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Records that the result (or cancellation) of a poll was posted.
    ///
    /// # Errors
    /// [`StoreError`] when the write fails.
    fn set_announced(&self, poll_id: i64) -> Result<(), StoreError>;
}

//! What contests need from a database; both backends implement it and the
//! storage contract suite tests both.

use super::model::{Contest, Entry, EntryAdded, NewContest, NewEntry, Standing, VoteChange};
use crate::chat::MessageKey;
pub use crate::store::StoreFuture;
use chrono::{DateTime, Utc};

/// Contests, entries and votes.
pub trait ContestStore: Send + Sync {
    /// Stores a new, open contest; a declared one stored already (same
    /// `declared_id`) is returned as it is, with `false`.
    fn insert_contest(&self, contest: NewContest) -> StoreFuture<'_, (Contest, bool)>;

    /// Contest `id`.
    fn contest(&self, id: i64) -> StoreFuture<'_, Option<Contest>>;

    /// Every contest, oldest first.
    fn contests(&self) -> StoreFuture<'_, Vec<Contest>>;

    /// Stores `entry` in one transaction unless its entrant already has
    /// `limit` entries in the contest (then notes the refusal, once).
    fn add_entry(&self, entry: NewEntry, limit: u32) -> StoreFuture<'_, EntryAdded>;

    /// The entry posted as `message`, in whichever contest.
    fn entry_by_message(&self, message: MessageKey) -> StoreFuture<'_, Option<Entry>>;

    /// Every entry of contest `id`, in the order they were posted.
    fn entries(&self, id: i64) -> StoreFuture<'_, Vec<Entry>>;

    /// Writes vote changes in one transaction: all or none.
    fn save_votes(&self, changes: Vec<VoteChange>) -> StoreFuture<'_, ()>;

    /// Every stored vote of entry `id`, as (voter, emoji).
    fn votes(&self, id: i64) -> StoreFuture<'_, Vec<(String, String)>>;

    /// Every entry of contest `id` with its distinct voters, in entry order.
    fn standings(&self, id: i64) -> StoreFuture<'_, Vec<Standing>>;

    /// Closes open contest `id` at `at`; false if it was closed already
    /// (another process or command closed it first).
    fn close_contest(&self, id: i64, at: DateTime<Utc>) -> StoreFuture<'_, bool>;

    /// Records that contest `id`'s result was posted.
    fn set_announced(&self, id: i64) -> StoreFuture<'_, ()>;
}

//! What stars need from a database; both backends implement it and the
//! storage contract suite tests both.

use crate::agenda::SessionId;
pub use crate::store::StoreFuture;
use chrono::{DateTime, Utc};

/// One starred session of one user in one community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Star {
    /// The server or workspace it was starred in.
    pub community: String,
    pub user: String,
    pub session: SessionId,
    /// The lead time of the reminder this star set, if it set one: the
    /// reminder unstarring may cancel.
    pub reminder_minutes: Option<u32>,
    pub starred_at: DateTime<Utc>,
}

/// Starred sessions.
pub trait StarStore: Send + Sync {
    /// Stores `star`; false (nothing changed) when the user had starred the
    /// session in that community already.
    fn add_star<'a>(&'a self, star: &'a Star) -> StoreFuture<'a, bool>;

    /// Records that the star of (`community`, `user`, `session`) set a
    /// reminder `minutes` before the session (`None`: it set none).
    fn set_star_reminder<'a>(
        &'a self,
        community: &'a str,
        user: &'a str,
        session: &'a SessionId,
        minutes: Option<u32>,
    ) -> StoreFuture<'a, ()>;

    /// Removes the star and returns it; `None` when there was none.
    fn remove_star<'a>(
        &'a self,
        community: &'a str,
        user: &'a str,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Option<Star>>;

    /// `user`'s stars in `community`, oldest first (by session id within
    /// one second).
    fn stars_of<'a>(&'a self, community: &'a str, user: &'a str) -> StoreFuture<'a, Vec<Star>>;
}

//! What the feeds need from a database, async like every domain's storage:
//! SQLite implements it on a blocking thread (`crate::store`), PostgreSQL on
//! its async client (`crate::store::postgres`).

use crate::store::StoreFuture;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// One user's feed in one community, as stored: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    pub community: String,
    pub user: String,
    /// Random; the token is derived from it under the feed key.
    pub nonce: String,
    /// The token's SHA-256 (hex), what a request is looked up by.
    pub token_hash: String,
}

/// A session's published revision, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRevision {
    /// What a subscriber sees of the session (SHA-256, hex).
    pub fingerprint: String,
    pub sequence: u32,
    pub modified: DateTime<Utc>,
}

/// Personal feed tokens, the database's own feed key, and the sessions'
/// published revisions.
pub trait FeedStorage: Send + Sync {
    /// `user`'s feed in `community`, if one was made.
    fn feed_of(&self, community: String, user: String) -> StoreFuture<'_, Option<FeedRow>>;
    /// Stores `row` unless the user already has a feed there (made by
    /// another process meanwhile); true when `row` was stored.
    fn insert_feed(&self, row: FeedRow, now: DateTime<Utc>) -> StoreFuture<'_, bool>;
    /// Stores `row` in place of the user's feed (`/mycal reset`, or a new
    /// key): the old token no longer finds it.
    fn replace_feed(&self, row: FeedRow, now: DateTime<Utc>) -> StoreFuture<'_, ()>;
    /// Whose feed the token with SHA-256 `token_hash` is: (community, user).
    fn feed_owner(&self, token_hash: String) -> StoreFuture<'_, Option<(String, String)>>;
    /// The database's feed key: `candidate` is stored when there is none
    /// yet, and whichever is stored is returned (every process gets one key).
    fn feed_key(&self, candidate: String) -> StoreFuture<'_, String>;

    /// Every session's published revision, by session id.
    fn revisions(&self) -> StoreFuture<'_, HashMap<String, StoredRevision>>;
    /// Stores `revision` as `session`'s if its stored one still has the
    /// fingerprint `was` (`None`: there is none yet); false when another
    /// process revised it first, and nothing changed.
    fn revise(
        &self,
        session: String,
        was: Option<String>,
        revision: StoredRevision,
    ) -> StoreFuture<'_, bool>;
}

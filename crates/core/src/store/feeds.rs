//! Personal feed tokens ([`crate::feeds::FeedStorage`]) in SQLite, on a
//! blocking thread like every call here. Only each token's hash is kept.

use super::{Store, StoreFuture};
use crate::feeds::{FeedRow, FeedStorage, StoredRevision};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// Storing a user's feed where they have one: keep theirs, or replace it.
const KEEP: &str = "DO NOTHING";
const REPLACE: &str = "DO UPDATE SET nonce = excluded.nonce, token_hash = excluded.token_hash,
     created_at = excluded.created_at";

/// Stores `row`, `on_conflict` saying what to do with a feed already there;
/// the rows written.
fn put(
    store: &Store,
    row: &FeedRow,
    now: DateTime<Utc>,
    on_conflict: &str,
) -> Result<usize, super::StoreError> {
    store.write(|connection| {
        let sql = format!(
            "INSERT INTO feed_tokens (community, user_id, nonce, token_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (community, user_id) {on_conflict}"
        );
        let mut statement = connection.prepare_cached(&sql)?;
        let params = params![
            row.community,
            row.user,
            row.nonce,
            row.token_hash,
            now.timestamp()
        ];
        Ok(statement.execute(params)?)
    })
}

impl FeedStorage for Store {
    fn feed_of(&self, community: String, user: String) -> StoreFuture<'_, Option<FeedRow>> {
        self.off_workers(move |store| {
            let connection = store.connection();
            let mut statement = connection.prepare_cached(
                "SELECT nonce, token_hash FROM feed_tokens WHERE community = ?1 AND user_id = ?2",
            )?;
            let found = statement
                .query_row(params![community, user], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            Ok(found.map(|(nonce, token_hash)| FeedRow {
                community,
                user,
                nonce,
                token_hash,
            }))
        })
    }

    fn insert_feed(&self, row: FeedRow, now: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| Ok(put(store, &row, now, KEEP)? == 1))
    }

    fn replace_feed(&self, row: FeedRow, now: DateTime<Utc>) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| put(store, &row, now, REPLACE).map(drop))
    }

    fn feed_owner(&self, token_hash: String) -> StoreFuture<'_, Option<(String, String)>> {
        self.off_workers(move |store| {
            let connection = store.connection();
            let mut statement = connection.prepare_cached(
                "SELECT community, user_id FROM feed_tokens WHERE token_hash = ?1",
            )?;
            Ok(statement
                .query_row(params![token_hash], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        })
    }

    fn feed_key(&self, candidate: String) -> StoreFuture<'_, String> {
        self.off_workers(move |store| {
            store.write(|connection| {
                connection.execute(
                    "INSERT INTO feed_key (id, key) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING",
                    params![candidate],
                )?;
                Ok(
                    connection.query_row("SELECT key FROM feed_key WHERE id = 1", [], |row| {
                        row.get(0)
                    })?,
                )
            })
        })
    }

    fn revisions(&self) -> StoreFuture<'_, HashMap<String, StoredRevision>> {
        self.off_workers(move |store| {
            let connection = store.connection();
            let mut query = connection.prepare_cached(
                "SELECT session_id, fingerprint, sequence, modified_at FROM feed_revisions",
            )?;
            let rows = query.query_map([], |row| {
                let revision = StoredRevision {
                    fingerprint: row.get(1)?,
                    sequence: u32::try_from(row.get::<_, i64>(2)?).unwrap_or(u32::MAX),
                    modified: DateTime::from_timestamp(row.get(3)?, 0).unwrap_or_default(),
                };
                Ok((row.get(0)?, revision))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn revise(
        &self,
        session: String,
        was: Option<String>,
        revision: StoredRevision,
    ) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| {
            store.write(|connection| {
                let (sequence, modified) =
                    (i64::from(revision.sequence), revision.modified.timestamp());
                let changed = match was {
                    None => connection.execute(
                        "INSERT INTO feed_revisions (session_id, fingerprint, sequence, modified_at)
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (session_id) DO NOTHING",
                        params![session, revision.fingerprint, sequence, modified],
                    )?,
                    Some(was) => connection.execute(
                        "UPDATE feed_revisions SET fingerprint = ?2, sequence = ?3, modified_at = ?4
                         WHERE session_id = ?1 AND fingerprint = ?5",
                        params![session, revision.fingerprint, sequence, modified, was],
                    )?,
                };
                Ok(changed == 1)
            })
        })
    }
}

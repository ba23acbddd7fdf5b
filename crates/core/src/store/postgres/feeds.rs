//! Personal feed tokens on PostgreSQL: the SQL of `store/feeds.rs`.

use super::PgStore;
use crate::feeds::{FeedRow, FeedStorage, StoredRevision};
use crate::store::{StoreError, StoreFuture};
use chrono::{DateTime, Utc};
use deadpool_postgres::Object;
use std::collections::HashMap;

/// Storing a user's feed where they have one: keep theirs, or replace it.
const KEEP: &str = "DO NOTHING";
const REPLACE: &str = "DO UPDATE SET nonce = excluded.nonce, token_hash = excluded.token_hash,
     created_at = excluded.created_at";

/// Stores `row`, `on_conflict` saying what to do with a feed already there;
/// the rows written.
async fn put(
    client: &Object,
    row: &FeedRow,
    now: DateTime<Utc>,
    on_conflict: &str,
) -> Result<u64, StoreError> {
    let sql = format!(
        "INSERT INTO feed_tokens (community, user_id, nonce, token_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community, user_id) {on_conflict}"
    );
    let at = now.timestamp();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
        [&row.community, &row.user, &row.nonce, &row.token_hash, &at];
    Ok(client.execute(sql.as_str(), &params).await?)
}

impl FeedStorage for PgStore {
    fn feed_of(&self, community: String, user: String) -> StoreFuture<'_, Option<FeedRow>> {
        self.read(move |client| async move {
            let row = client
                .query_opt(
                    "SELECT nonce, token_hash FROM feed_tokens
                     WHERE community = $1 AND user_id = $2",
                    &[&community, &user],
                )
                .await?;
            row.map(|row| {
                Ok(FeedRow {
                    nonce: row.try_get(0)?,
                    token_hash: row.try_get(1)?,
                    community,
                    user,
                })
            })
            .transpose()
        })
    }

    fn insert_feed(&self, row: FeedRow, now: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.write(move |client| async move { Ok(put(&client, &row, now, KEEP).await? == 1) })
    }

    fn replace_feed(&self, row: FeedRow, now: DateTime<Utc>) -> StoreFuture<'_, ()> {
        self.write(move |client| async move { put(&client, &row, now, REPLACE).await.map(drop) })
    }

    fn feed_owner(&self, token_hash: String) -> StoreFuture<'_, Option<(String, String)>> {
        self.read(move |client| async move {
            let row = client
                .query_opt(
                    "SELECT community, user_id FROM feed_tokens WHERE token_hash = $1",
                    &[&token_hash],
                )
                .await?;
            row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .transpose()
        })
    }

    fn feed_key(&self, candidate: String) -> StoreFuture<'_, String> {
        self.write(move |client| async move {
            client
                .execute(
                    "INSERT INTO feed_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                    &[&candidate],
                )
                .await?;
            let row = client
                .query_one("SELECT key FROM feed_key WHERE id = 1", &[])
                .await?;
            Ok(row.try_get(0)?)
        })
    }

    fn revisions(&self) -> StoreFuture<'_, HashMap<String, StoredRevision>> {
        self.read(move |client| async move {
            let rows = client
                .query(
                    "SELECT session_id, fingerprint, sequence, modified_at FROM feed_revisions",
                    &[],
                )
                .await?;
            let mut revisions = HashMap::new();
            for row in rows {
                let revision = StoredRevision {
                    fingerprint: row.try_get(1)?,
                    sequence: u32::try_from(row.try_get::<_, i64>(2)?).unwrap_or(u32::MAX),
                    modified: super::instant(row.try_get(3)?),
                };
                revisions.insert(row.try_get(0)?, revision);
            }
            Ok(revisions)
        })
    }

    fn revise(
        &self,
        session: String,
        was: Option<String>,
        revision: StoredRevision,
    ) -> StoreFuture<'_, bool> {
        self.write(move |client| async move {
            let (sequence, modified) = (
                i64::from(revision.sequence),
                revision.modified.timestamp(),
            );
            let fingerprint = &revision.fingerprint;
            let changed = match was {
                None => {
                    client
                        .execute(
                            "INSERT INTO feed_revisions (session_id, fingerprint, sequence, modified_at)
                             VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO NOTHING",
                            &[&session, fingerprint, &sequence, &modified],
                        )
                        .await?
                }
                Some(was) => {
                    client
                        .execute(
                            "UPDATE feed_revisions SET fingerprint = $2, sequence = $3, modified_at = $4
                             WHERE session_id = $1 AND fingerprint = $5",
                            &[&session, fingerprint, &sequence, &modified, &was],
                        )
                        .await?
                }
            };
            Ok(changed == 1)
        })
    }
}

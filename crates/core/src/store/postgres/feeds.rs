//! Personal feed tokens on PostgreSQL: the SQL of `store/feeds.rs`.

use super::PgStore;
use crate::feeds::{FeedRow, FeedStorage};
use crate::store::StoreFuture;
use chrono::{DateTime, Utc};

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
        self.write(move |client| async move {
            let inserted = client
                .execute(
                    "INSERT INTO feed_tokens (community, user_id, nonce, token_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community, user_id) DO NOTHING",
                    &[
                        &row.community,
                        &row.user,
                        &row.nonce,
                        &row.token_hash,
                        &now.timestamp(),
                    ],
                )
                .await?;
            Ok(inserted == 1)
        })
    }

    fn replace_feed(&self, row: FeedRow, now: DateTime<Utc>) -> StoreFuture<'_, ()> {
        self.write(move |client| async move {
            client
                .execute(
                    "INSERT INTO feed_tokens (community, user_id, nonce, token_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (community, user_id) DO UPDATE
                       SET nonce = excluded.nonce, token_hash = excluded.token_hash,
                           created_at = excluded.created_at",
                    &[
                        &row.community,
                        &row.user,
                        &row.nonce,
                        &row.token_hash,
                        &now.timestamp(),
                    ],
                )
                .await?;
            Ok(())
        })
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
}

//! Kept direct-message channels ([`crate::chat::DirectChannels`]) in SQLite,
//! one row per platform and user, replaced when a channel is reopened. Calls
//! run on a blocking thread, off the async workers: a reminder burst asks for
//! thousands of them at once.

use super::Store;
use super::StoreFuture;
use crate::chat::direct::DirectChannels;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

const UPSERT: &str = "INSERT INTO dm_channels (platform, user_id, channel_id, opened_at)
     VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (platform, user_id) DO UPDATE
       SET channel_id = excluded.channel_id, opened_at = excluded.opened_at";

impl DirectChannels for Store {
    fn channel_of<'a>(
        &'a self,
        platform: &'a str,
        user: &'a str,
    ) -> StoreFuture<'a, Option<String>> {
        let (platform, user) = (platform.to_owned(), user.to_owned());
        Box::pin(self.off_workers(move |store| {
            let connection = store.connection();
            let mut statement = connection.prepare_cached(
                "SELECT channel_id FROM dm_channels WHERE platform = ?1 AND user_id = ?2",
            )?;
            Ok(statement
                .query_row(params![platform, user], |row| row.get(0))
                .optional()?)
        }))
    }

    fn keep_channel<'a>(
        &'a self,
        platform: &'a str,
        user: &'a str,
        channel: &'a str,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        let row = (platform.to_owned(), user.to_owned(), channel.to_owned());
        Box::pin(self.off_workers(move |store| {
            store.write(|connection| {
                let mut statement = connection.prepare_cached(UPSERT)?;
                statement.execute(params![row.0, row.1, row.2, now.timestamp()])?;
                Ok(())
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_kept_channel_survives_reopening_the_database_and_can_be_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        {
            let store = Store::open(&path).unwrap();
            assert_eq!(store.channel_of("discord", "7").await.unwrap(), None);
            store
                .keep_channel("discord", "7", "100", now)
                .await
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.channel_of("discord", "7").await.unwrap().as_deref(),
            Some("100"),
            "kept across a restart"
        );
        assert_eq!(
            store.channel_of("slack", "7").await.unwrap(),
            None,
            "per platform"
        );
        store
            .keep_channel("discord", "7", "200", now)
            .await
            .unwrap();
        assert_eq!(
            store.channel_of("discord", "7").await.unwrap().as_deref(),
            Some("200"),
            "a reopened channel replaces the old one"
        );
    }
}

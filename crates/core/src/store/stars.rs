//! Starred sessions in SQLite ([`StarStore`]), one row per community, user
//! and session. Every call runs on a blocking thread, off the async workers.

use super::{Store, StoreFuture};
use crate::agenda::SessionId;
use crate::stars::{Star, StarStore};
use chrono::DateTime;
use rusqlite::{params, OptionalExtension, Row};

const COLUMNS: &str = "community, user_id, session_id, reminder_minutes, starred_at";

fn star_of(row: &Row<'_>) -> rusqlite::Result<Star> {
    let minutes: Option<i64> = row.get(3)?;
    Ok(Star {
        community: row.get(0)?,
        user: row.get(1)?,
        session: SessionId::new(row.get::<_, String>(2)?),
        reminder_minutes: minutes.and_then(|m| u32::try_from(m).ok()),
        starred_at: DateTime::from_timestamp(row.get(4)?, 0).unwrap_or_default(),
    })
}

impl StarStore for Store {
    fn add_star<'a>(&'a self, star: &'a Star) -> StoreFuture<'a, bool> {
        let star = star.clone();
        self.off_workers(move |store| {
            store.write(|connection| {
                let added = connection.prepare_cached(
                    "INSERT INTO stars (community, user_id, session_id, reminder_minutes, starred_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (community, user_id, session_id) DO NOTHING",
                )?
                .execute(params![
                    star.community,
                    star.user,
                    star.session.as_str(),
                    star.reminder_minutes,
                    star.starred_at.timestamp()
                ])?;
                Ok(added > 0)
            })
        })
    }

    fn set_star_reminder<'a>(
        &'a self,
        community: &'a str,
        user: &'a str,
        session: &'a SessionId,
        minutes: Option<u32>,
    ) -> StoreFuture<'a, ()> {
        let key = (community.to_owned(), user.to_owned(), session.clone());
        self.off_workers(move |store| {
            store.write(|connection| {
                connection
                    .prepare_cached(
                        "UPDATE stars SET reminder_minutes = ?4
                         WHERE community = ?1 AND user_id = ?2 AND session_id = ?3",
                    )?
                    .execute(params![key.0, key.1, key.2.as_str(), minutes])?;
                Ok(())
            })
        })
    }

    fn remove_star<'a>(
        &'a self,
        community: &'a str,
        user: &'a str,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Option<Star>> {
        let key = (community.to_owned(), user.to_owned(), session.clone());
        self.off_workers(move |store| {
            store.write(|connection| {
                let sql = format!(
                    "DELETE FROM stars WHERE community = ?1 AND user_id = ?2 AND session_id = ?3
                     RETURNING {COLUMNS}"
                );
                Ok(connection
                    .prepare_cached(&sql)?
                    .query_row(params![key.0, key.1, key.2.as_str()], star_of)
                    .optional()?)
            })
        })
    }

    fn stars_of<'a>(&'a self, community: &'a str, user: &'a str) -> StoreFuture<'a, Vec<Star>> {
        let key = (community.to_owned(), user.to_owned());
        self.off_workers(move |store| {
            let connection = store.connection();
            let sql = format!(
                "SELECT {COLUMNS} FROM stars WHERE community = ?1 AND user_id = ?2
                 ORDER BY starred_at, session_id"
            );
            let mut statement = connection.prepare_cached(&sql)?;
            let rows = statement.query_map(params![key.0, key.1], star_of)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

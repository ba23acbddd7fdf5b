//! Starred sessions on PostgreSQL: the SQL of `store/stars.rs`.

use super::PgStore;
use crate::agenda::SessionId;
use crate::stars::{Star, StarStore};
use crate::store::{StoreError, StoreFuture};
use tokio_postgres::Row;

const COLUMNS: &str = "community, user_id, session_id, reminder_minutes, starred_at";

fn star_of(row: &Row) -> Result<Star, StoreError> {
    let minutes: Option<i64> = row.try_get(3)?;
    Ok(Star {
        community: row.try_get(0)?,
        user: row.try_get(1)?,
        session: SessionId::new(row.try_get::<_, String>(2)?),
        reminder_minutes: minutes.and_then(|m| u32::try_from(m).ok()),
        starred_at: super::instant(row.try_get(4)?),
    })
}

impl StarStore for PgStore {
    fn add_star<'a>(&'a self, star: &'a Star) -> StoreFuture<'a, bool> {
        self.write(move |client| async move {
            let minutes = star.reminder_minutes.map(i64::from);
            let added = client
                .execute(
                    "INSERT INTO stars (community, user_id, session_id, reminder_minutes, starred_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (community, user_id, session_id) DO NOTHING",
                    &[
                        &star.community,
                        &star.user,
                        &star.session.as_str(),
                        &minutes,
                        &star.starred_at.timestamp(),
                    ],
                )
                .await?;
            Ok(added > 0)
        })
    }

    fn set_star_reminder<'a>(
        &'a self,
        community: &'a str,
        user: &'a str,
        session: &'a SessionId,
        minutes: Option<u32>,
    ) -> StoreFuture<'a, ()> {
        self.write(move |client| async move {
            let minutes = minutes.map(i64::from);
            client
                .execute(
                    "UPDATE stars SET reminder_minutes = $4
                     WHERE community = $1 AND user_id = $2 AND session_id = $3",
                    &[&community, &user, &session.as_str(), &minutes],
                )
                .await?;
            Ok(())
        })
    }

    fn remove_star<'a>(
        &'a self,
        community: &'a str,
        user: &'a str,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Option<Star>> {
        self.write(move |client| async move {
            let sql = format!(
                "DELETE FROM stars WHERE community = $1 AND user_id = $2 AND session_id = $3
                 RETURNING {COLUMNS}"
            );
            let row = client
                .query_opt(&sql, &[&community, &user, &session.as_str()])
                .await?;
            row.as_ref().map(star_of).transpose()
        })
    }

    fn stars_of<'a>(&'a self, community: &'a str, user: &'a str) -> StoreFuture<'a, Vec<Star>> {
        self.read(move |client| async move {
            let sql = format!(
                "SELECT {COLUMNS} FROM stars WHERE community = $1 AND user_id = $2
                 ORDER BY starred_at, session_id"
            );
            let rows = client.query(&sql, &[&community, &user]).await?;
            rows.iter().map(star_of).collect()
        })
    }
}

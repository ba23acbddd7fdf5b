//! The scheduled events emcee made ([`crate::events::EventStore`]) on
//! PostgreSQL: SQLite's statements with `$N` placeholders.

use super::PgStore;
use crate::agenda::SessionId;
use crate::events::{EventShape, EventStore, StoredEvent};
use crate::store::StoreFuture;
use chrono::{DateTime, Utc};
use tokio_postgres::types::ToSql;

const KEEP: &str = "INSERT INTO scheduled_events (community, session_id, event_id, created_at,
       starts_at, ends_at, name, withdrawn_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)
     ON CONFLICT (community, session_id) DO UPDATE
       SET event_id = excluded.event_id, created_at = excluded.created_at,
           starts_at = excluded.starts_at, ends_at = excluded.ends_at,
           name = excluded.name, withdrawn_at = NULL";

const WITHDRAW: &str = "UPDATE scheduled_events
     SET withdrawn_at = $4, starts_at = $5, ends_at = $6, name = $7
     WHERE community = $1 AND session_id = $2 AND event_id = $3";

impl PgStore {
    /// Runs `sql`, a keep or a withdrawal, over (community, session, event),
    /// `now` and the event's shape: `$1` to `$7` in that order.
    fn shaped(
        &self,
        sql: &'static str,
        [community, session, event]: [String; 3],
        shape: EventShape,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.write(move |client| async move {
            let statement = client.prepare_cached(sql).await?;
            let (start, end, at) = (
                shape.start.timestamp(),
                shape.end.timestamp(),
                now.timestamp(),
            );
            let row: [&(dyn ToSql + Sync); 7] =
                [&community, &session, &event, &at, &start, &end, &shape.name];
            client.execute(&statement, &row).await?;
            Ok(())
        })
    }
}

impl EventStore for PgStore {
    fn events_of(&self, community: String) -> StoreFuture<'_, Vec<StoredEvent>> {
        self.read(move |client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT session_id, event_id, starts_at, ends_at, name, withdrawn_at
                     FROM scheduled_events WHERE community = $1 ORDER BY session_id",
                )
                .await?;
            let rows = client.query(&statement, &[&community]).await?;
            rows.iter()
                .map(|row| {
                    Ok(StoredEvent {
                        session: SessionId(row.try_get(0)?),
                        event: row.try_get(1)?,
                        shape: EventShape::from_columns(
                            row.try_get(2)?,
                            row.try_get(3)?,
                            row.try_get(4)?,
                        ),
                        withdrawn: row.try_get::<_, Option<i64>>(5)?.is_some(),
                    })
                })
                .collect()
        })
    }

    fn keep_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
        shape: EventShape,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.shaped(KEEP, [community, session.0, event], shape, now)
    }

    fn withdraw_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
        shape: EventShape,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.shaped(WITHDRAW, [community, session.0, event], shape, now)
    }

    fn forget_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
    ) -> StoreFuture<'_, ()> {
        self.write(move |client| async move {
            let statement = client
                .prepare_cached(
                    "DELETE FROM scheduled_events
                     WHERE community = $1 AND session_id = $2 AND event_id = $3",
                )
                .await?;
            client
                .execute(&statement, &[&community, &session.0, &event])
                .await?;
            Ok(())
        })
    }

    fn session_of_event(
        &self,
        community: String,
        event: String,
    ) -> StoreFuture<'_, Option<SessionId>> {
        self.read(move |client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT session_id FROM scheduled_events
                     WHERE community = $1 AND event_id = $2 AND withdrawn_at IS NULL",
                )
                .await?;
            let row = client.query_opt(&statement, &[&community, &event]).await?;
            Ok(row.map(|row| row.try_get(0)).transpose()?.map(SessionId))
        })
    }
}

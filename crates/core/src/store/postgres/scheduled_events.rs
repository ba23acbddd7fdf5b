//! The scheduled events emcee made ([`crate::events::EventStore`]) on
//! PostgreSQL: SQLite's statements with `$N` placeholders.

use super::PgStore;
use crate::agenda::SessionId;
use crate::events::{EventStore, StoredEvent};
use crate::store::StoreFuture;
use chrono::{DateTime, Utc};

impl EventStore for PgStore {
    fn events_of(&self, community: String) -> StoreFuture<'_, Vec<StoredEvent>> {
        self.read(move |client| async move {
            let statement = client
                .prepare_cached(
                    "SELECT session_id, event_id FROM scheduled_events
                     WHERE community = $1 ORDER BY session_id",
                )
                .await?;
            let rows = client.query(&statement, &[&community]).await?;
            rows.iter()
                .map(|row| {
                    Ok(StoredEvent {
                        session: SessionId(row.try_get(0)?),
                        event: row.try_get(1)?,
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
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.write(move |client| async move {
            let statement = client
                .prepare_cached(
                    "INSERT INTO scheduled_events (community, session_id, event_id, created_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (community, session_id) DO UPDATE
                       SET event_id = excluded.event_id, created_at = excluded.created_at",
                )
                .await?;
            let row: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
                [&community, &session.0, &event, &now.timestamp()];
            client.execute(&statement, &row).await?;
            Ok(())
        })
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
                    "SELECT session_id FROM scheduled_events WHERE community = $1 AND event_id = $2",
                )
                .await?;
            let row = client.query_opt(&statement, &[&community, &event]).await?;
            Ok(row.map(|row| row.try_get(0)).transpose()?.map(SessionId))
        })
    }
}

//! The scheduled events emcee made ([`crate::events::EventStore`]) in
//! SQLite, one row per community and session.

use super::{Store, StoreFuture};
use crate::agenda::SessionId;
use crate::events::{EventStore, StoredEvent};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

const KEEP: &str = "INSERT INTO scheduled_events (community, session_id, event_id, created_at)
     VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (community, session_id) DO UPDATE
       SET event_id = excluded.event_id, created_at = excluded.created_at";

impl EventStore for Store {
    fn events_of(&self, community: String) -> StoreFuture<'_, Vec<StoredEvent>> {
        self.off_workers(move |store| {
            let connection = store.connection();
            let mut statement = connection.prepare_cached(
                "SELECT session_id, event_id FROM scheduled_events
                 WHERE community = ?1 ORDER BY session_id",
            )?;
            let rows = statement.query_map(params![community], |row| {
                Ok(StoredEvent {
                    session: SessionId(row.get(0)?),
                    event: row.get(1)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn keep_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| {
            store.write(|connection| {
                let mut statement = connection.prepare_cached(KEEP)?;
                statement.execute(params![community, session.0, event, now.timestamp()])?;
                Ok(())
            })
        })
    }

    fn forget_event(
        &self,
        community: String,
        session: SessionId,
        event: String,
    ) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| {
            store.write(|connection| {
                let mut statement = connection.prepare_cached(
                    "DELETE FROM scheduled_events
                     WHERE community = ?1 AND session_id = ?2 AND event_id = ?3",
                )?;
                statement.execute(params![community, session.0, event])?;
                Ok(())
            })
        })
    }

    fn session_of_event(
        &self,
        community: String,
        event: String,
    ) -> StoreFuture<'_, Option<SessionId>> {
        self.off_workers(move |store| {
            let connection = store.connection();
            let mut statement = connection.prepare_cached(
                "SELECT session_id FROM scheduled_events WHERE community = ?1 AND event_id = ?2",
            )?;
            let found: Option<String> = statement
                .query_row(params![community, event], |row| row.get(0))
                .optional()?;
            Ok(found.map(SessionId))
        })
    }
}

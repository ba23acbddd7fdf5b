//! The scheduled events emcee made ([`crate::events::EventStore`]) in
//! SQLite, one row per community and session, withdrawn ones included.

use super::{Store, StoreFuture};
use crate::agenda::SessionId;
use crate::events::{EventShape, EventStore, StoredEvent};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

const KEEP: &str = "INSERT INTO scheduled_events
       (community, session_id, event_id, created_at, starts_at, ends_at, name, withdrawn_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)
     ON CONFLICT (community, session_id) DO UPDATE
       SET event_id = excluded.event_id, created_at = excluded.created_at,
           starts_at = excluded.starts_at, ends_at = excluded.ends_at,
           name = excluded.name, withdrawn_at = NULL";

const WITHDRAW: &str = "UPDATE scheduled_events
     SET withdrawn_at = ?4, starts_at = ?5, ends_at = ?6, name = ?7
     WHERE community = ?1 AND session_id = ?2 AND event_id = ?3";

impl Store {
    /// Runs `sql`, a keep or a withdrawal, over (community, session, event),
    /// `now` and the event's shape: `?1` to `?7` in that order.
    fn shaped(
        &self,
        sql: &'static str,
        [community, session, event]: [String; 3],
        shape: EventShape,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| {
            store.write(|connection| {
                let (start, end) = (shape.start.timestamp(), shape.end.timestamp());
                let mut statement = connection.prepare_cached(sql)?;
                let at = now.timestamp();
                statement.execute(params![
                    community, session, event, at, start, end, shape.name
                ])?;
                Ok(())
            })
        })
    }
}

impl EventStore for Store {
    fn events_of(&self, community: String) -> StoreFuture<'_, Vec<StoredEvent>> {
        self.off_workers(move |store| {
            let connection = store.connection();
            let mut statement = connection.prepare_cached(
                "SELECT session_id, event_id, starts_at, ends_at, name, withdrawn_at
                 FROM scheduled_events WHERE community = ?1 ORDER BY session_id",
            )?;
            let rows = statement.query_map(params![community], |row| {
                Ok(StoredEvent {
                    session: SessionId(row.get(0)?),
                    event: row.get(1)?,
                    shape: EventShape::from_columns(row.get(2)?, row.get(3)?, row.get(4)?),
                    withdrawn: row.get::<_, Option<i64>>(5)?.is_some(),
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
                "SELECT session_id FROM scheduled_events
                 WHERE community = ?1 AND event_id = ?2 AND withdrawn_at IS NULL",
            )?;
            let found: Option<String> = statement
                .query_row(params![community, event], |row| row.get(0))
                .optional()?;
            Ok(found.map(SessionId))
        })
    }
}

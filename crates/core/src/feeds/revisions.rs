//! Each session's revision as the feeds publish it (`SEQUENCE` and
//! `LAST-MODIFIED`), so a subscribed calendar takes a moved or retitled
//! session as an update of the event it has.
//!
//! Kept in the database with a fingerprint of what a subscriber sees of the
//! session (times, title, place, description), so every process serving
//! the feeds, and a restarted one, publishes the same revision: a calendar
//! app never sees `SEQUENCE` go back, and an unchanged session keeps its
//! `LAST-MODIFIED`. A revision changes when the fingerprint does; its
//! `SEQUENCE` is the minutes since 2020 when the change was first seen, and
//! at least one more than before, so it only grows. Two processes seeing
//! one change at once store it once (compare and set on the fingerprint).

use super::storage::{FeedStorage, StoredRevision};
use super::token::hex;
use crate::agenda::Session;
use crate::scheduler::ical::{self, Revision};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// 2020-01-01T00:00:00Z, where sequences count from.
const EPOCH: i64 = 1_577_836_800;

/// The revisions of `sessions` as published `now`, by session id; a new or
/// changed session's is stored first.
///
/// # Errors
/// [`StoreError`] when the revisions cannot be read or stored.
pub async fn revisions(
    store: &dyn FeedStorage,
    sessions: &[&Session],
    now: DateTime<Utc>,
) -> Result<HashMap<String, Revision>, StoreError> {
    let mut stored = store.revisions().await?;
    let mut raced = false;
    for session in sessions {
        let print = fingerprint(session);
        let known = stored.get(session.id.as_str());
        if known.is_some_and(|known| known.fingerprint == print) {
            continue;
        }
        let revised = next(known, print, now);
        let was = known.map(|known| known.fingerprint.clone());
        if store
            .revise(session.id.to_string(), was, revised.clone())
            .await?
        {
            stored.insert(session.id.to_string(), revised);
        } else {
            raced = true;
        }
    }
    if raced {
        // Another process revised some first: publish what it stored.
        stored = store.revisions().await?;
    }
    Ok(sessions
        .iter()
        .filter_map(|session| {
            let revision = stored.get(session.id.as_str())?;
            let published = Revision {
                sequence: revision.sequence,
                modified: revision.modified,
            };
            Some((session.id.to_string(), published))
        })
        .collect())
}

/// The revision after `known` for a session now showing `print`.
fn next(known: Option<&StoredRevision>, print: String, now: DateTime<Utc>) -> StoredRevision {
    let minutes = u32::try_from((now.timestamp() - EPOCH).max(0) / 60).unwrap_or(u32::MAX);
    StoredRevision {
        fingerprint: print,
        sequence: known.map_or(minutes, |known| {
            minutes.max(known.sequence.saturating_add(1))
        }),
        modified: now,
    }
}

/// What a subscriber sees of `session`, as a stable digest (the same in
/// every process and every build).
fn fingerprint(session: &Session) -> String {
    let mut digest = Sha256::new();
    let description = ical::description(session);
    let fields = [
        session.start.to_rfc3339(),
        session.end.to_rfc3339(),
        session.title.clone(),
        session.track.clone().unwrap_or_default(),
        session.room.clone().unwrap_or_default(),
        description,
    ];
    for field in &fields {
        // Lengths first, so no two field lists make the same bytes.
        digest.update(field.len().to_le_bytes());
        digest.update(field.as_bytes());
    }
    hex(&digest.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{SessionId, SessionKind};
    use crate::store::{Database, Store};
    use chrono::TimeDelta;

    fn session(start: DateTime<Utc>) -> Session {
        Session {
            id: SessionId::new("g1"),
            title: "T".into(),
            abstract_text: String::new(),
            kind: SessionKind::Talk,
            track: None,
            room: None,
            speakers: Vec::new(),
            start,
            end: start + TimeDelta::minutes(30),
            links: Vec::new(),
        }
    }

    async fn of(db: &Database, session: &Session, now: DateTime<Utc>) -> Revision {
        let mut published = revisions(db.feeds.as_ref(), &[session], now).await.unwrap();
        published.remove(session.id.as_str()).unwrap()
    }

    #[tokio::test]
    async fn a_change_raises_the_sequence_even_within_the_same_minute_and_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("feeds.sqlite3");
        let db = Database::from(Store::open(&file).unwrap());
        let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let first = of(&db, &session(now), now).await;
        assert_eq!(
            of(&db, &session(now), now + TimeDelta::hours(1)).await,
            first
        );
        let moved = session(now + TimeDelta::hours(2));
        let second = of(&db, &moved, now).await;
        assert_eq!(second.sequence, first.sequence + 1);
        drop(db);
        let db = Database::from(Store::open(&file).unwrap());
        let later = now + TimeDelta::hours(3);
        assert_eq!(
            of(&db, &moved, later).await,
            second,
            "a restart changes nothing"
        );
        let back = of(&db, &session(now), later).await;
        assert!(back.sequence > second.sequence + 100, "{back:?}");
        assert_eq!(back.modified, later);
    }

    #[test]
    fn the_fingerprint_is_stable_and_sees_every_published_field() {
        let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let base = session(now);
        assert_eq!(fingerprint(&base), fingerprint(&session(now)));
        let mut retitled = base.clone();
        retitled.title = "U".into();
        let mut placed = base.clone();
        placed.room = Some("T".into());
        let mut shifted = base.clone();
        shifted.track = Some(String::new());
        assert_ne!(fingerprint(&retitled), fingerprint(&base));
        assert_ne!(fingerprint(&placed), fingerprint(&base));
        assert_ne!(fingerprint(&placed), fingerprint(&retitled));
        assert_eq!(
            fingerprint(&shifted),
            fingerprint(&base),
            "no track and an empty one publish the same"
        );
    }
}

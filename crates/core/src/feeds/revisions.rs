//! Each session's revision as the feeds publish it (`SEQUENCE` and
//! `LAST-MODIFIED`), so a subscribed calendar takes a moved or retitled
//! session as an update of the event it has.
//!
//! Kept in memory: a revision changes when the session's published content
//! (times, title, place, description) differs from what this process last
//! served. `SEQUENCE` is the minutes since 2020 when the change was first
//! seen, and at least one more than before, so it only grows, also across
//! a restart (which at worst bumps every session once).

use super::super::scheduler::ical::{self, Revision};
use crate::agenda::Session;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, PoisonError};

/// 2020-01-01T00:00:00Z, where sequences count from.
const EPOCH: i64 = 1_577_836_800;

/// Revisions by session id.
#[derive(Debug, Default)]
pub struct Revisions {
    seen: Mutex<HashMap<String, (u64, Revision)>>,
}

impl Revisions {
    /// The revision of `session` as published `now`.
    pub fn of(&self, session: &Session, now: DateTime<Utc>) -> Revision {
        let print = fingerprint(session);
        let minutes = u32::try_from((now.timestamp() - EPOCH).max(0) / 60).unwrap_or(u32::MAX);
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = seen.entry(session.id.as_str().to_owned());
        let (known, revision) = entry.or_insert((
            print,
            Revision {
                sequence: minutes,
                modified: now,
            },
        ));
        if *known != print {
            *known = print;
            *revision = Revision {
                sequence: minutes.max(revision.sequence.saturating_add(1)),
                modified: now,
            };
        }
        *revision
    }
}

/// What a subscriber sees of `session`.
fn fingerprint(session: &Session) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (session.start, session.end, &session.title).hash(&mut hasher);
    (&session.track, &session.room, ical::description(session)).hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{SessionId, SessionKind};
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

    #[test]
    fn a_change_raises_the_sequence_even_within_the_same_minute() {
        let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let revisions = Revisions::default();
        let first = revisions.of(&session(now), now);
        assert_eq!(
            revisions.of(&session(now), now + TimeDelta::hours(1)),
            first
        );
        let moved = session(now + TimeDelta::hours(2));
        let second = revisions.of(&moved, now);
        assert_eq!(second.sequence, first.sequence + 1);
        let later = revisions.of(&session(now), now + TimeDelta::hours(3));
        assert!(later.sequence > second.sequence + 100, "{later:?}");
        assert_eq!(later.modified, now + TimeDelta::hours(3));
    }
}

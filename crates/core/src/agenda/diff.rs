//! What changed between two versions of the programme, session by session.
//!
//! A refreshed schedule is matched to the current one by session id, the only
//! thing sources keep stable: a talk that moves to another slot keeps its id, so
//! it shows up as moved (and the scheduler can re-plan its reminder and announce
//! the change), not as one removal plus one addition. Pure: no clock, no I/O.

use super::{Agenda, Session, SessionId};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A session whose slot changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub id: SessionId,
    pub title: String,
    pub old_start: DateTime<Utc>,
    pub old_end: DateTime<Utc>,
    pub new_start: DateTime<Utc>,
    pub new_end: DateTime<Utc>,
}

/// A session whose title changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    pub id: SessionId,
    pub old_title: String,
    pub new_title: String,
}

/// Differences from an old agenda to a new one. A session can be both moved and renamed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgendaDiff {
    /// In the new agenda only, in start order.
    pub added: Vec<Session>,
    /// In the old agenda only (cancelled), in start order.
    pub removed: Vec<Session>,
    /// In both, with another start or end.
    pub moved: Vec<Moved>,
    /// In both, with another title.
    pub renamed: Vec<Renamed>,
}

impl AgendaDiff {
    /// Compares `old` with `new` by session id.
    pub fn between(old: &Agenda, new: &Agenda) -> Self {
        let old_by_id: HashMap<&SessionId, &Session> =
            old.sessions().iter().map(|s| (&s.id, s)).collect();
        let new_by_id: HashMap<&SessionId, &Session> =
            new.sessions().iter().map(|s| (&s.id, s)).collect();
        let mut diff = Self {
            removed: old
                .sessions()
                .iter()
                .filter(|s| !new_by_id.contains_key(&s.id))
                .cloned()
                .collect(),
            ..Self::default()
        };
        for session in new.sessions() {
            let Some(before) = old_by_id.get(&session.id) else {
                diff.added.push(session.clone());
                continue;
            };
            if (before.start, before.end) != (session.start, session.end) {
                diff.moved.push(Moved {
                    id: session.id.clone(),
                    title: session.title.clone(),
                    old_start: before.start,
                    old_end: before.end,
                    new_start: session.start,
                    new_end: session.end,
                });
            }
            if before.title != session.title {
                diff.renamed.push(Renamed {
                    id: session.id.clone(),
                    old_title: before.title.clone(),
                    new_title: session.title.clone(),
                });
            }
        }
        diff
    }

    /// True when nothing that the scheduler or attendees care about changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.moved.is_empty()
            && self.renamed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{Conference, SessionKind};
    use chrono::{TimeDelta, TimeZone};

    fn session(id: &str, title: &str, hour: u32) -> Session {
        let start = Utc
            .with_ymd_and_hms(2025, 2, 1, hour, 0, 0)
            .single()
            .unwrap();
        Session {
            id: SessionId::new(id),
            title: title.into(),
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

    fn agenda(sessions: Vec<Session>) -> Agenda {
        let conference = Conference {
            name: "C".into(),
            timezone: chrono_tz::UTC,
            tracks: Vec::new(),
            rooms: Vec::new(),
            sessions,
        };
        Agenda::new(conference).unwrap()
    }

    #[test]
    fn finds_added_removed_moved_and_renamed_by_id() {
        let old = agenda(vec![
            session("a", "Alpha", 9),
            session("b", "Beta", 10),
            session("c", "Gamma", 11),
        ]);
        let new = agenda(vec![
            session("a", "Alpha", 9),
            session("b", "Beta 2", 12),
            session("d", "Delta", 13),
        ]);
        let diff = AgendaDiff::between(&old, &new);
        assert_eq!(
            diff.added.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["d"]
        );
        assert_eq!(
            diff.removed
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>(),
            ["c"]
        );
        assert_eq!(diff.moved.len(), 1);
        assert_eq!(diff.moved[0].id.as_str(), "b");
        assert_eq!(diff.moved[0].old_start.format("%H").to_string(), "10");
        assert_eq!(diff.moved[0].new_start.format("%H").to_string(), "12");
        assert_eq!(
            diff.renamed,
            vec![Renamed {
                id: SessionId::new("b"),
                old_title: "Beta".into(),
                new_title: "Beta 2".into()
            }]
        );
        assert!(!diff.is_empty());
    }

    #[test]
    fn identical_agendas_have_an_empty_diff() {
        let old = agenda(vec![session("a", "Alpha", 9)]);
        assert!(AgendaDiff::between(&old, &old.clone()).is_empty());
    }

    #[test]
    fn a_changed_end_alone_is_a_move() {
        let old = agenda(vec![session("a", "Alpha", 9)]);
        let mut longer = session("a", "Alpha", 9);
        longer.end += TimeDelta::minutes(15);
        let diff = AgendaDiff::between(&old, &agenda(vec![longer]));
        assert_eq!(diff.moved.len(), 1);
        assert!(diff.added.is_empty() && diff.removed.is_empty() && diff.renamed.is_empty());
    }
}

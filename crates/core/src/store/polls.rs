//! Polls and their votes in SQLite.
//!
//! A poll is keyed by its message (channel + message id) and stored before it
//! takes votes; every mark change is written here, in one transaction per batch,
//! before the tally shows it. This implements [`PollStore`], what the poll
//! recorder needs; the SQL is portable (unix seconds in INTEGER columns,
//! numbered placeholders, `ON CONFLICT … DO UPDATE`).

use super::{Store, StoreError};
use crate::polls::{Choice, MarkRow, MessageKey, NewPoll, Poll, PollState, PollStore, PollStyle};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

const POLL_COLUMNS: &str = "id, channel, message, question, multi, hide_tally, opened_at, \
     closes_at, state, closed_at, declared_id, created_by, announced, community, style";

impl PollStore for Store {
    fn insert_poll(&self, poll: &NewPoll) -> Result<Poll, StoreError> {
        self.write(|connection| {
            let transaction = connection.transaction()?;
            let id: i64 = transaction.query_row(
                "INSERT INTO polls (channel, message, question, multi, hide_tally, opened_at,
                     closes_at, state, declared_id, created_by, community, style)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8, ?9, ?10, ?11)
                 RETURNING id",
                params![
                    poll.message.channel,
                    poll.message.message,
                    poll.question,
                    poll.multi,
                    poll.hide_tally,
                    poll.opened_at.timestamp(),
                    poll.closes_at.timestamp(),
                    poll.declared_id,
                    poll.created_by,
                    poll.community,
                    poll.style.as_str(),
                ],
                |row| row.get(0),
            )?;
            for (position, choice) in poll.choices.iter().enumerate() {
                transaction.execute(
                    "INSERT INTO poll_options (poll_id, position, reaction, label)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, position as i64, choice.key, choice.label],
                )?;
            }
            transaction.commit()?;
            Ok(Poll::from_new(id, poll.clone()))
        })
    }

    fn poll_by_message(&self, message: &MessageKey) -> Result<Option<Poll>, StoreError> {
        let connection = self.connection();
        let sql = format!("SELECT {POLL_COLUMNS} FROM polls WHERE channel = ?1 AND message = ?2");
        let poll = connection
            .query_row(&sql, params![message.channel, message.message], poll_row)
            .optional()?;
        with_choices(&connection, poll)
    }

    fn poll_by_declared(&self, declared_id: &str) -> Result<Option<Poll>, StoreError> {
        let connection = self.connection();
        let sql = format!("SELECT {POLL_COLUMNS} FROM polls WHERE declared_id = ?1");
        let poll = connection
            .query_row(&sql, params![declared_id], poll_row)
            .optional()?;
        with_choices(&connection, poll)
    }

    fn all_polls(&self) -> Result<Vec<Poll>, StoreError> {
        let connection = self.connection();
        let sql = format!("SELECT {POLL_COLUMNS} FROM polls ORDER BY id");
        let mut statement = connection.prepare(&sql)?;
        let polls = statement
            .query_map([], poll_row)?
            .collect::<Result<Vec<_>, _>>()?;
        polls
            .into_iter()
            .map(|poll| add_choices(&connection, poll))
            .collect()
    }

    fn marks(&self, poll_id: i64) -> Result<Vec<MarkRow>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare("SELECT voter, position, net, last_add FROM poll_votes WHERE poll_id = ?1")?;
        let rows = statement.query_map(params![poll_id], |row| {
            Ok(MarkRow {
                voter: row.get(0)?,
                option: row.get::<_, i64>(1)? as usize,
                net: row.get(2)?,
                last_add: row.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn save_marks(&self, marks: &[(i64, MarkRow)]) -> Result<(), StoreError> {
        self.write(|connection| {
            let transaction = connection.transaction()?;
            {
                let mut upsert = transaction.prepare_cached(
                    "INSERT INTO poll_votes (poll_id, voter, position, net, last_add)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (poll_id, voter, position)
                     DO UPDATE SET net = excluded.net, last_add = excluded.last_add",
                )?;
                for (poll_id, mark) in marks {
                    upsert.execute(params![
                        poll_id,
                        mark.voter,
                        mark.option as i64,
                        mark.net,
                        mark.last_add as i64
                    ])?;
                }
            }
            transaction.commit()?;
            Ok(())
        })
    }

    fn set_state(
        &self,
        poll_id: i64,
        state: PollState,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(|connection| {
            let changed = connection.execute(
                "UPDATE polls SET state = ?2, closed_at = ?3 WHERE id = ?1 AND state = 'open'",
                params![poll_id, state.as_str(), at.timestamp()],
            )?;
            Ok(changed == 1)
        })
    }

    fn set_announced(&self, poll_id: i64) -> Result<(), StoreError> {
        self.write(|connection| {
            connection.execute(
                "UPDATE polls SET announced = 1 WHERE id = ?1",
                params![poll_id],
            )?;
            Ok(())
        })
    }
}

fn poll_row(row: &Row<'_>) -> rusqlite::Result<Poll> {
    let time = |index: usize| -> rusqlite::Result<DateTime<Utc>> {
        Ok(DateTime::from_timestamp(row.get(index)?, 0).unwrap_or_default())
    };
    let closed_at: Option<i64> = row.get(9)?;
    Ok(Poll {
        id: row.get(0)?,
        message: MessageKey {
            channel: row.get(1)?,
            message: row.get(2)?,
        },
        question: row.get(3)?,
        choices: Vec::new(),
        multi: row.get(4)?,
        hide_tally: row.get(5)?,
        opened_at: time(6)?,
        closes_at: time(7)?,
        state: PollState::parse(&row.get::<_, String>(8)?),
        closed_at: closed_at.and_then(|t| DateTime::from_timestamp(t, 0)),
        declared_id: row.get(10)?,
        created_by: row.get(11)?,
        announced: row.get(12)?,
        community: row.get(13)?,
        style: PollStyle::parse(&row.get::<_, String>(14)?).unwrap_or_default(),
    })
}

fn with_choices(connection: &Connection, poll: Option<Poll>) -> Result<Option<Poll>, StoreError> {
    poll.map(|poll| add_choices(connection, poll)).transpose()
}

fn add_choices(connection: &Connection, mut poll: Poll) -> Result<Poll, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT reaction, label FROM poll_options WHERE poll_id = ?1 ORDER BY position",
    )?;
    poll.choices = statement
        .query_map(params![poll.id], |row| {
            Ok(Choice {
                key: row.get(0)?,
                label: row.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(poll)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_poll(message: &str) -> NewPoll {
        let at = DateTime::from_timestamp(1_633_620_000, 0).unwrap();
        NewPoll {
            message: MessageKey::new("c1", message),
            question: "Tea or coffee?".into(),
            choices: vec![
                Choice {
                    key: "A".into(),
                    label: "Tea".into(),
                },
                Choice {
                    key: "B".into(),
                    label: "Coffee".into(),
                },
            ],
            multi: false,
            hide_tally: true,
            style: PollStyle::Reactions,
            opened_at: at,
            closes_at: at + chrono::TimeDelta::minutes(5),
            declared_id: Some("tea".into()),
            created_by: None,
            community: None,
        }
    }

    #[test]
    fn polls_and_marks_round_trip() {
        let store = Store::in_memory().unwrap();
        let poll = store.insert_poll(&new_poll("m1")).unwrap();
        let found = store
            .poll_by_message(&MessageKey::new("c1", "m1"))
            .unwrap()
            .unwrap();
        assert_eq!(found, poll);
        assert_eq!(store.poll_by_declared("tea").unwrap(), Some(poll.clone()));
        assert!(
            store.insert_poll(&new_poll("m1")).is_err(),
            "one poll per message"
        );
        let mark = |net| MarkRow {
            voter: "alice".into(),
            option: 1,
            net,
            last_add: 7,
        };
        store.save_marks(&[(poll.id, mark(1))]).unwrap();
        store.save_marks(&[(poll.id, mark(0))]).unwrap();
        assert_eq!(store.marks(poll.id).unwrap(), vec![mark(0)]);
        let at = poll.closes_at;
        store.set_state(poll.id, PollState::Closed, at).unwrap();
        store.set_announced(poll.id).unwrap();
        let all = store.all_polls().unwrap();
        assert_eq!(all[0].state, PollState::Closed);
        assert_eq!((all[0].closed_at, all[0].announced), (Some(at), true));
    }
}

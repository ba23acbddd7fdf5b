//! Meme contests in SQLite ([`ContestStore`]): contests, entries, refusals
//! and votes. Every call runs on a blocking thread; a batch of votes is one
//! transaction.

use super::{Store, StoreError, StoreFuture};
use crate::chat::MessageKey;
use crate::contests::{
    Contest, ContestState, ContestStore, Entry, EntryAdded, NewContest, NewEntry, Standing,
    VoteChange,
};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

const CONTEST_COLUMNS: &str = "id, community, declared_id, title, channel_id, template,
     per_person, emoji, top_n, opens_at, closes_at, state, closed_at, announced, created_by";

const ENTRY_COLUMNS: &str = "e.id, e.contest_id, e.channel_id, e.message_id, e.entrant,
     e.entrant_name, e.image_url, e.link, e.posted_at";

fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn decode_emoji(text: &str) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(error))
    })
}

fn contest_of(row: &Row<'_>) -> rusqlite::Result<Contest> {
    let emoji: String = row.get(7)?;
    let state: String = row.get(11)?;
    Ok(Contest {
        id: row.get(0)?,
        rules: NewContest {
            community: row.get(1)?,
            declared_id: row.get(2)?,
            title: row.get(3)?,
            channel: row.get(4)?,
            template: row.get(5)?,
            per_person: count(row.get(6)?),
            emoji: decode_emoji(&emoji)?,
            top: count(row.get(8)?),
            opens_at: instant(row.get(9)?),
            closes_at: instant(row.get(10)?),
            created_by: row.get(14)?,
        },
        state: ContestState::parse(&state),
        closed_at: row.get::<_, Option<i64>>(12)?.map(instant),
        announced: row.get(13)?,
    })
}

fn entry_of(row: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: row.get(0)?,
        entry: NewEntry {
            contest_id: row.get(1)?,
            message: MessageKey::new(row.get::<_, String>(2)?, row.get::<_, String>(3)?),
            entrant: row.get(4)?,
            entrant_name: row.get(5)?,
            image_url: row.get(6)?,
            link: row.get(7)?,
            posted_at: instant(row.get(8)?),
        },
    })
}

fn read_contest(connection: &Connection, id: i64) -> Result<Option<Contest>, StoreError> {
    let sql = format!("SELECT {CONTEST_COLUMNS} FROM contests WHERE id = ?1");
    Ok(connection
        .prepare_cached(&sql)?
        .query_row([id], contest_of)
        .optional()?)
}

fn insert(connection: &mut Connection, new: &NewContest) -> Result<(Contest, bool), StoreError> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if let Some(declared) = &new.declared_id {
        let sql = format!("SELECT {CONTEST_COLUMNS} FROM contests WHERE declared_id = ?1");
        let known = transaction
            .query_row(&sql, [declared], contest_of)
            .optional()?;
        if let Some(known) = known {
            return Ok((known, false));
        }
    }
    let emoji = serde_json::to_string(&new.emoji).map_err(|e| StoreError::Decode(e.to_string()))?;
    let id: i64 = transaction.query_row(
        "INSERT INTO contests (community, declared_id, title, channel_id, template, per_person,
             emoji, top_n, opens_at, closes_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
        params![
            new.community,
            new.declared_id,
            new.title,
            new.channel,
            new.template,
            new.per_person,
            emoji,
            new.top,
            new.opens_at.timestamp(),
            new.closes_at.timestamp(),
            new.created_by
        ],
        |row| row.get(0),
    )?;
    let contest = read_contest(&transaction, id)?;
    transaction.commit()?;
    contest
        .map(|contest| (contest, true))
        .ok_or_else(|| StoreError::Decode(format!("contest {id} vanished")))
}

fn read_entry(connection: &Connection, message: &MessageKey) -> Result<Option<Entry>, StoreError> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM contest_entries e WHERE e.channel_id = ?1 AND e.message_id = ?2"
    );
    Ok(connection
        .prepare_cached(&sql)?
        .query_row(params![message.channel, message.message], entry_of)
        .optional()?)
}

fn add(connection: &mut Connection, new: &NewEntry, limit: u32) -> Result<EntryAdded, StoreError> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if let Some(known) = read_entry(&transaction, &new.message)? {
        return Ok(EntryAdded::Known(known));
    }
    let held: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM contest_entries WHERE contest_id = ?1 AND entrant = ?2",
        params![new.contest_id, new.entrant],
        |row| row.get(0),
    )?;
    if held >= i64::from(limit) {
        let first = transaction.execute(
            "INSERT INTO contest_refusals (contest_id, entrant) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
            params![new.contest_id, new.entrant],
        )? > 0;
        transaction.commit()?;
        return Ok(EntryAdded::OverLimit { first });
    }
    let id: i64 = transaction.query_row(
        "INSERT INTO contest_entries (contest_id, channel_id, message_id, entrant, entrant_name,
             image_url, link, posted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        params![
            new.contest_id,
            new.message.channel,
            new.message.message,
            new.entrant,
            new.entrant_name,
            new.image_url,
            new.link,
            new.posted_at.timestamp()
        ],
        |row| row.get(0),
    )?;
    transaction.commit()?;
    Ok(EntryAdded::Added(Entry {
        id,
        entry: new.clone(),
    }))
}

fn save(connection: &mut Connection, changes: &[VoteChange]) -> Result<(), StoreError> {
    let transaction = connection.transaction()?;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO contest_votes (entry_id, voter, emoji) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )?;
        let mut delete = transaction.prepare_cached(
            "DELETE FROM contest_votes WHERE entry_id = ?1 AND voter = ?2 AND emoji = ?3",
        )?;
        for change in changes {
            let values = params![change.entry_id, change.voter, change.emoji];
            if change.present {
                insert.execute(values)?;
            } else {
                delete.execute(values)?;
            }
        }
    }
    transaction.commit()?;
    Ok(())
}

fn standings(connection: &Connection, id: i64) -> Result<Vec<Standing>, StoreError> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS},
             (SELECT COUNT(DISTINCT v.voter) FROM contest_votes v WHERE v.entry_id = e.id)
         FROM contest_entries e WHERE e.contest_id = ?1 ORDER BY e.posted_at, e.id"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([id], |row| {
        Ok(Standing {
            entry: entry_of(row)?,
            votes: count(row.get(9)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl ContestStore for Store {
    fn insert_contest(&self, contest: NewContest) -> StoreFuture<'_, (Contest, bool)> {
        self.off_workers(move |store| store.write(|c| insert(c, &contest)))
    }

    fn contest(&self, id: i64) -> StoreFuture<'_, Option<Contest>> {
        self.off_workers(move |store| read_contest(&store.connection(), id))
    }

    fn contests(&self) -> StoreFuture<'_, Vec<Contest>> {
        self.off_workers(|store| {
            let connection = store.connection();
            let sql = format!("SELECT {CONTEST_COLUMNS} FROM contests ORDER BY id");
            let mut statement = connection.prepare_cached(&sql)?;
            let rows = statement.query_map([], contest_of)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn add_entry(&self, entry: NewEntry, limit: u32) -> StoreFuture<'_, EntryAdded> {
        self.off_workers(move |store| store.write(|c| add(c, &entry, limit)))
    }

    fn entry_by_message(&self, message: MessageKey) -> StoreFuture<'_, Option<Entry>> {
        self.off_workers(move |store| read_entry(&store.connection(), &message))
    }

    fn entries(&self, id: i64) -> StoreFuture<'_, Vec<Entry>> {
        self.off_workers(move |store| {
            let all = standings(&store.connection(), id)?;
            Ok(all.into_iter().map(|standing| standing.entry).collect())
        })
    }

    fn save_votes(&self, changes: Vec<VoteChange>) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| store.write(|c| save(c, &changes)))
    }

    fn votes(&self, id: i64) -> StoreFuture<'_, Vec<(String, String)>> {
        self.off_workers(move |store| {
            let connection = store.connection();
            let mut statement = connection.prepare_cached(
                "SELECT voter, emoji FROM contest_votes WHERE entry_id = ?1 ORDER BY voter, emoji",
            )?;
            let rows = statement.query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn standings(&self, id: i64) -> StoreFuture<'_, Vec<Standing>> {
        self.off_workers(move |store| standings(&store.connection(), id))
    }

    fn close_contest(&self, id: i64, at: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.off_workers(move |store| {
            store.write(|c| {
                let changed = c.execute(
                    "UPDATE contests SET state = 'closed', closed_at = ?2
                     WHERE id = ?1 AND state = 'open'",
                    params![id, at.timestamp()],
                )?;
                Ok(changed > 0)
            })
        })
    }

    fn set_announced(&self, id: i64) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| {
            store.write(|c| {
                c.execute("UPDATE contests SET announced = 1 WHERE id = ?1", [id])?;
                Ok(())
            })
        })
    }
}

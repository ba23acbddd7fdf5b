//! Meme contests on PostgreSQL: the SQL of `store/contests.rs`. Adding an
//! entry takes an advisory lock per contest and entrant, so two processes
//! storing one person's entries at once cannot both pass the limit.

use super::PgStore;
use crate::chat::MessageKey;
use crate::contests::{
    Contest, ContestState, ContestStore, Entry, EntryAdded, NewContest, NewEntry, Standing,
    VoteChange,
};
use crate::store::{StoreError, StoreFuture};
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

const CONTEST_COLUMNS: &str = "id, community, declared_id, title, channel_id, template,
     per_person, emoji, top_n, opens_at, closes_at, state, closed_at, announced, created_by";

const ENTRY_COLUMNS: &str = "e.id, e.contest_id, e.channel_id, e.message_id, e.entrant,
     e.entrant_name, e.image_url, e.link, e.posted_at";

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn contest_of(row: &Row) -> Result<Contest, StoreError> {
    let emoji: String = row.try_get(7)?;
    let state: String = row.try_get(11)?;
    Ok(Contest {
        id: row.try_get(0)?,
        rules: NewContest {
            community: row.try_get(1)?,
            declared_id: row.try_get(2)?,
            title: row.try_get(3)?,
            channel: row.try_get(4)?,
            template: row.try_get(5)?,
            per_person: count(row.try_get(6)?),
            emoji: serde_json::from_str(&emoji).map_err(super::decode_error)?,
            top: count(row.try_get(8)?),
            opens_at: super::instant(row.try_get(9)?),
            closes_at: super::instant(row.try_get(10)?),
            created_by: row.try_get(14)?,
        },
        state: ContestState::parse(&state),
        closed_at: row.try_get::<_, Option<i64>>(12)?.map(super::instant),
        announced: row.try_get(13)?,
    })
}

fn entry_of(row: &Row) -> Result<Entry, StoreError> {
    Ok(Entry {
        id: row.try_get(0)?,
        entry: NewEntry {
            contest_id: row.try_get(1)?,
            message: MessageKey::new(row.try_get::<_, String>(2)?, row.try_get::<_, String>(3)?),
            entrant: row.try_get(4)?,
            entrant_name: row.try_get(5)?,
            image_url: row.try_get(6)?,
            link: row.try_get(7)?,
            posted_at: super::instant(row.try_get(8)?),
        },
    })
}

async fn read_entry(
    client: &impl GenericClient,
    message: &MessageKey,
) -> Result<Option<Entry>, StoreError> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM contest_entries e WHERE e.channel_id = $1 AND e.message_id = $2"
    );
    let row = client
        .query_opt(&sql, &[&message.channel, &message.message])
        .await?;
    row.as_ref().map(entry_of).transpose()
}

async fn standings(client: &impl GenericClient, id: i64) -> Result<Vec<Standing>, StoreError> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS},
             (SELECT COUNT(DISTINCT v.voter) FROM contest_votes v WHERE v.entry_id = e.id)
         FROM contest_entries e WHERE e.contest_id = $1 ORDER BY e.posted_at, e.id"
    );
    let rows = client.query(&sql, &[&id]).await?;
    rows.iter()
        .map(|row| {
            Ok(Standing {
                entry: entry_of(row)?,
                votes: count(row.try_get(9)?),
            })
        })
        .collect()
}

impl ContestStore for PgStore {
    fn insert_contest(&self, new: NewContest) -> StoreFuture<'_, (Contest, bool)> {
        self.write(move |client| async move {
            let emoji = serde_json::to_string(&new.emoji).map_err(super::decode_error)?;
            let sql = format!(
                "INSERT INTO contests (community, declared_id, title, channel_id, template,
                     per_person, emoji, top_n, opens_at, closes_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (declared_id) DO NOTHING RETURNING {CONTEST_COLUMNS}"
            );
            let inserted = client
                .query_opt(
                    &sql,
                    &[
                        &new.community,
                        &new.declared_id,
                        &new.title,
                        &new.channel,
                        &new.template,
                        &i64::from(new.per_person),
                        &emoji,
                        &i64::from(new.top),
                        &new.opens_at.timestamp(),
                        &new.closes_at.timestamp(),
                        &new.created_by,
                    ],
                )
                .await?;
            if let Some(row) = inserted {
                return Ok((contest_of(&row)?, true));
            }
            let sql = format!("SELECT {CONTEST_COLUMNS} FROM contests WHERE declared_id = $1");
            let row = client.query_one(&sql, &[&new.declared_id]).await?;
            Ok((contest_of(&row)?, false))
        })
    }

    fn contest(&self, id: i64) -> StoreFuture<'_, Option<Contest>> {
        self.read(move |client| async move {
            let sql = format!("SELECT {CONTEST_COLUMNS} FROM contests WHERE id = $1");
            let row = client.query_opt(&sql, &[&id]).await?;
            row.as_ref().map(contest_of).transpose()
        })
    }

    fn contests(&self) -> StoreFuture<'_, Vec<Contest>> {
        self.read(move |client| async move {
            let sql = format!("SELECT {CONTEST_COLUMNS} FROM contests ORDER BY id");
            let rows = client.query(&sql, &[]).await?;
            rows.iter().map(contest_of).collect()
        })
    }

    fn add_entry(&self, new: NewEntry, limit: u32) -> StoreFuture<'_, EntryAdded> {
        self.write(move |mut client| async move {
            let transaction = client.transaction().await?;
            let lock = format!("contest:{}:{}", new.contest_id, new.entrant);
            transaction
                .execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                    &[&lock],
                )
                .await?;
            if let Some(known) = read_entry(&transaction, &new.message).await? {
                return Ok(EntryAdded::Known(known));
            }
            let held: i64 = transaction
                .query_one(
                    "SELECT COUNT(*) FROM contest_entries WHERE contest_id = $1 AND entrant = $2",
                    &[&new.contest_id, &new.entrant],
                )
                .await?
                .try_get(0)?;
            if held >= i64::from(limit) {
                let first = transaction
                    .execute(
                        "INSERT INTO contest_refusals (contest_id, entrant) VALUES ($1, $2)
                         ON CONFLICT DO NOTHING",
                        &[&new.contest_id, &new.entrant],
                    )
                    .await?
                    > 0;
                transaction.commit().await?;
                return Ok(EntryAdded::OverLimit { first });
            }
            let id: i64 = transaction
                .query_one(
                    "INSERT INTO contest_entries (contest_id, channel_id, message_id, entrant,
                         entrant_name, image_url, link, posted_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (channel_id, message_id) DO NOTHING RETURNING id",
                    &[
                        &new.contest_id,
                        &new.message.channel,
                        &new.message.message,
                        &new.entrant,
                        &new.entrant_name,
                        &new.image_url,
                        &new.link,
                        &new.posted_at.timestamp(),
                    ],
                )
                .await?
                .try_get(0)?;
            transaction.commit().await?;
            Ok(EntryAdded::Added(Entry { id, entry: new }))
        })
    }

    fn entry_by_message(&self, message: MessageKey) -> StoreFuture<'_, Option<Entry>> {
        self.read(move |client| async move { read_entry(&client, &message).await })
    }

    fn entries(&self, id: i64) -> StoreFuture<'_, Vec<Entry>> {
        self.read(move |client| async move {
            let all = standings(&client, id).await?;
            Ok(all.into_iter().map(|standing| standing.entry).collect())
        })
    }

    fn save_votes(&self, changes: Vec<VoteChange>) -> StoreFuture<'_, ()> {
        self.write(move |mut client| async move {
            let transaction = client.transaction().await?;
            let insert = transaction
                .prepare(
                    "INSERT INTO contest_votes (entry_id, voter, emoji) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                )
                .await?;
            let delete = transaction
                .prepare(
                    "DELETE FROM contest_votes WHERE entry_id = $1 AND voter = $2 AND emoji = $3",
                )
                .await?;
            for change in &changes {
                let statement = if change.present { &insert } else { &delete };
                transaction
                    .execute(statement, &[&change.entry_id, &change.voter, &change.emoji])
                    .await?;
            }
            transaction.commit().await?;
            Ok(())
        })
    }

    fn votes(&self, id: i64) -> StoreFuture<'_, Vec<(String, String)>> {
        self.read(move |client| async move {
            let rows = client
                .query(
                    "SELECT voter, emoji FROM contest_votes WHERE entry_id = $1
                     ORDER BY voter, emoji",
                    &[&id],
                )
                .await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect()
        })
    }

    fn standings(&self, id: i64) -> StoreFuture<'_, Vec<Standing>> {
        self.read(move |client| async move { standings(&client, id).await })
    }

    fn close_contest(&self, id: i64, at: DateTime<Utc>) -> StoreFuture<'_, bool> {
        self.write(move |client| async move {
            let changed = client
                .execute(
                    "UPDATE contests SET state = 'closed', closed_at = $2
                     WHERE id = $1 AND state = 'open'",
                    &[&id, &at.timestamp()],
                )
                .await?;
            Ok(changed > 0)
        })
    }

    fn set_announced(&self, id: i64) -> StoreFuture<'_, ()> {
        self.write(move |client| async move {
            client
                .execute("UPDATE contests SET announced = TRUE WHERE id = $1", &[&id])
                .await?;
            Ok(())
        })
    }
}

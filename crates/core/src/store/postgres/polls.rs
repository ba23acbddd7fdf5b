//! Polls and votes on PostgreSQL, on a connection of their own.
//!
//! [`PollStore`] is synchronous on purpose: the vote recorder group-commits
//! a batch inline on the thread of whichever caller drains its queue (see
//! `polls::recorder`). On SQLite that is a short local commit, fine on an
//! async worker; here it is a network round trip, which must never block
//! one. So this store says it does not run inline
//! ([`PollStore::runs_inline`]), the recorder drains its queue on a blocking
//! thread instead, and each call is handed to a dedicated thread that owns
//! one connection and runs it on a small runtime of its own. One connection
//! is enough: the recorder is one writer, and a batch is one statement (an
//! `UNNEST` upsert keyed by poll, voter and option, atomic by itself). The
//! connection is reopened on the next call after it drops (a server restart).

use super::super::health::{Counted, WriteHealth};
use super::{bigint, instant};
use crate::polls::{Choice, MarkRow, MessageKey, NewPoll, Poll, PollState, PollStore, PollStyle};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_postgres::{Client, NoTls, Row};

type Connected = Result<Arc<Client>, String>;
type Request = Box<dyn FnOnce(Connected) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

const POLL_COLUMNS: &str = "id, channel, message, question, multi, hide_tally, opened_at, \
     closes_at, state, closed_at, declared_id, created_by, announced, community, style";

/// The poll store: a handle on the poll connection's thread; cheap to clone.
#[derive(Clone)]
pub struct PgPolls {
    requests: mpsc::UnboundedSender<Request>,
    label: Arc<str>,
    health: Arc<WriteHealth>,
}

impl PgPolls {
    /// Starts the poll connection's thread; it connects on the first call.
    pub(super) fn start(
        config: tokio_postgres::Config,
        label: Arc<str>,
        health: Arc<WriteHealth>,
    ) -> Result<Self, StoreError> {
        let (requests, queue) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| StoreError::Interrupted(error.to_string()))?;
        std::thread::Builder::new()
            .name("emcee-pg-polls".into())
            .spawn(move || runtime.block_on(serve(config, queue)))
            .map_err(|error| StoreError::Interrupted(error.to_string()))?;
        Ok(Self {
            requests,
            label,
            health,
        })
    }

    /// Runs `work` on the poll connection and waits for its answer; a write
    /// is noted in the store's health, as every write is.
    fn call<T, F, Fut>(&self, write: bool, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Client>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let (reply, answer) = std::sync::mpsc::channel();
        let label = Arc::clone(&self.label);
        let request: Request = Box::new(move |connected| {
            Box::pin(async move {
                let result = match connected {
                    Ok(client) => work(client).await,
                    Err(reason) => Err(StoreError::Pool(format!("{label}: {reason}"))),
                };
                let _ = reply.send(result);
            })
        });
        let stopped = || StoreError::Interrupted("the poll connection has stopped".into());
        self.requests.send(request).map_err(|_| stopped())?;
        let result = answer.recv().map_err(|_| stopped())?;
        if write {
            self.health.note(&self.label, &result, Counted::Here);
        }
        result
    }
}

/// The thread's loop: one request at a time, on one connection.
async fn serve(config: tokio_postgres::Config, mut queue: mpsc::UnboundedReceiver<Request>) {
    let mut client: Option<Arc<Client>> = None;
    while let Some(request) = queue.recv().await {
        if client.as_ref().is_none_or(|client| client.is_closed()) {
            client = None;
        }
        let connected = match &client {
            Some(client) => Ok(Arc::clone(client)),
            None => match config.connect(NoTls).await {
                Ok((fresh, connection)) => {
                    tokio::spawn(async move {
                        if let Err(error) = connection.await {
                            tracing::warn!(%error, "the poll store's connection ended");
                        }
                    });
                    let fresh = Arc::new(fresh);
                    client = Some(Arc::clone(&fresh));
                    Ok(fresh)
                }
                Err(error) => Err(error.to_string()),
            },
        };
        request(connected).await;
    }
}

/// A batch of marks as the columns of one `UNNEST` upsert.
#[derive(Default)]
struct VoteColumns {
    polls: Vec<i64>,
    voters: Vec<String>,
    positions: Vec<i64>,
    nets: Vec<i64>,
    adds: Vec<i64>,
}

/// Runs `statements` in one transaction on `client`, the poll connection,
/// which only this thread uses, one request at a time.
async fn in_transaction<T>(
    client: &Client,
    statements: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    client.batch_execute("BEGIN").await?;
    match statements.await {
        Ok(value) => {
            client.batch_execute("COMMIT").await?;
            Ok(value)
        }
        Err(error) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(error)
        }
    }
}

fn poll_of(row: &Row) -> Result<Poll, StoreError> {
    let closed_at: Option<i64> = row.try_get(9)?;
    Ok(Poll {
        id: row.try_get(0)?,
        message: MessageKey {
            channel: row.try_get(1)?,
            message: row.try_get(2)?,
        },
        question: row.try_get(3)?,
        choices: Vec::new(),
        multi: row.try_get(4)?,
        hide_tally: row.try_get(5)?,
        opened_at: instant(row.try_get(6)?),
        closes_at: instant(row.try_get(7)?),
        state: PollState::parse(&row.try_get::<_, String>(8)?),
        closed_at: closed_at.and_then(|t| DateTime::from_timestamp(t, 0)),
        declared_id: row.try_get(10)?,
        created_by: row.try_get(11)?,
        announced: row.try_get(12)?,
        community: row.try_get(13)?,
        style: PollStyle::parse(row.try_get::<_, &str>(14)?).unwrap_or_default(),
    })
}

/// The polls `where_` selects (with `params`), each with its options.
async fn polls_where(
    client: &Client,
    where_: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Poll>, StoreError> {
    let sql = format!("SELECT {POLL_COLUMNS} FROM polls {where_} ORDER BY id");
    let mut polls = client
        .query(&sql, params)
        .await?
        .iter()
        .map(poll_of)
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<i64> = polls.iter().map(|poll| poll.id).collect();
    let rows = client
        .query(
            "SELECT poll_id, reaction, label FROM poll_options
             WHERE poll_id = ANY($1) ORDER BY poll_id, position",
            &[&ids],
        )
        .await?;
    let mut choices: HashMap<i64, Vec<Choice>> = HashMap::new();
    for row in &rows {
        choices.entry(row.try_get(0)?).or_default().push(Choice {
            key: row.try_get(1)?,
            label: row.try_get(2)?,
        });
    }
    for poll in &mut polls {
        poll.choices = choices.remove(&poll.id).unwrap_or_default();
    }
    Ok(polls)
}

impl PollStore for PgPolls {
    fn runs_inline(&self) -> bool {
        false
    }

    fn insert_poll(&self, poll: &NewPoll) -> Result<Poll, StoreError> {
        let poll = poll.clone();
        self.call(true, move |client| async move {
            let statements = async {
                let row = client
                    .query_one(
                        "INSERT INTO polls (channel, message, question, multi, hide_tally,
                             opened_at, closes_at, state, declared_id, created_by, community,
                             style)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11)
                         RETURNING id",
                        &[
                            &poll.message.channel,
                            &poll.message.message,
                            &poll.question,
                            &poll.multi,
                            &poll.hide_tally,
                            &poll.opened_at.timestamp(),
                            &poll.closes_at.timestamp(),
                            &poll.declared_id,
                            &poll.created_by,
                            &poll.community,
                            &poll.style.as_str(),
                        ],
                    )
                    .await?;
                let id: i64 = row.try_get(0)?;
                let positions: Vec<i64> = (0..poll.choices.len()).map(bigint).collect();
                let keys: Vec<&str> = poll.choices.iter().map(|c| c.key.as_str()).collect();
                let labels: Vec<&str> = poll.choices.iter().map(|c| c.label.as_str()).collect();
                client
                    .execute(
                        "INSERT INTO poll_options (poll_id, position, reaction, label)
                         SELECT $1, u.position, u.reaction, u.label
                         FROM UNNEST($2::bigint[], $3::text[], $4::text[])
                           AS u (position, reaction, label)",
                        &[&id, &positions, &keys, &labels],
                    )
                    .await?;
                Ok(id)
            };
            let id = in_transaction(&client, statements).await?;
            Ok(Poll::from_new(id, poll))
        })
    }

    fn poll_by_message(&self, message: &MessageKey) -> Result<Option<Poll>, StoreError> {
        let message = message.clone();
        self.call(false, move |client| async move {
            let mut polls = polls_where(
                &client,
                "WHERE channel = $1 AND message = $2",
                &[&message.channel, &message.message],
            )
            .await?;
            Ok(polls.pop())
        })
    }

    fn poll_by_declared(&self, declared_id: &str) -> Result<Option<Poll>, StoreError> {
        let declared = declared_id.to_owned();
        self.call(false, move |client| async move {
            let mut polls = polls_where(&client, "WHERE declared_id = $1", &[&declared]).await?;
            Ok(polls.pop())
        })
    }

    fn all_polls(&self) -> Result<Vec<Poll>, StoreError> {
        self.call(false, |client| async move {
            polls_where(&client, "", &[]).await
        })
    }

    fn marks(&self, poll_id: i64) -> Result<Vec<MarkRow>, StoreError> {
        self.call(false, move |client| async move {
            let rows = client
                .query(
                    "SELECT voter, position, net, last_add FROM poll_votes WHERE poll_id = $1",
                    &[&poll_id],
                )
                .await?;
            rows.iter()
                .map(|row| {
                    Ok(MarkRow {
                        voter: row.try_get(0)?,
                        option: usize::try_from(row.try_get::<_, i64>(1)?).unwrap_or_default(),
                        net: i32::try_from(row.try_get::<_, i64>(2)?).unwrap_or_default(),
                        last_add: u64::try_from(row.try_get::<_, i64>(3)?).unwrap_or_default(),
                    })
                })
                .collect()
        })
    }

    fn save_marks(&self, marks: &[(i64, MarkRow)]) -> Result<(), StoreError> {
        if marks.is_empty() {
            return Ok(());
        }
        // A batch may change one mark twice (an add, then its removal); the
        // rows are absolute, so the last one is the mark, and one statement
        // may touch each row only once.
        let mut last: BTreeMap<(i64, &str, usize), &MarkRow> = BTreeMap::new();
        for (poll, mark) in marks {
            last.insert((*poll, mark.voter.as_str(), mark.option), mark);
        }
        let mut rows = VoteColumns::default();
        for ((poll, voter, option), mark) in last {
            rows.polls.push(poll);
            rows.voters.push(voter.to_owned());
            rows.positions.push(bigint(option));
            rows.nets.push(i64::from(mark.net));
            rows.adds
                .push(i64::try_from(mark.last_add).unwrap_or(i64::MAX));
        }
        self.call(true, move |client| async move {
            let statement = client
                .prepare(
                    "INSERT INTO poll_votes (poll_id, voter, position, net, last_add)
                     SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::bigint[],
                                          $5::bigint[])
                     ON CONFLICT (poll_id, voter, position)
                     DO UPDATE SET net = excluded.net, last_add = excluded.last_add",
                )
                .await?;
            client
                .execute(
                    &statement,
                    &[
                        &rows.polls,
                        &rows.voters,
                        &rows.positions,
                        &rows.nets,
                        &rows.adds,
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn set_state(
        &self,
        poll_id: i64,
        state: PollState,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.call(true, move |client| async move {
            let rows = client
                .execute(
                    "UPDATE polls SET state = $2, closed_at = $3 WHERE id = $1 AND state = 'open'",
                    &[&poll_id, &state.as_str(), &at.timestamp()],
                )
                .await?;
            Ok(rows == 1)
        })
    }

    fn set_announced(&self, poll_id: i64) -> Result<(), StoreError> {
        self.call(true, move |client| async move {
            client
                .execute(
                    "UPDATE polls SET announced = TRUE WHERE id = $1",
                    &[&poll_id],
                )
                .await?;
            Ok(())
        })
    }
}

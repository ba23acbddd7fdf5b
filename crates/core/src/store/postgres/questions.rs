//! Session Q&A on PostgreSQL: the SQL of `store/questions.rs`. Filing a
//! question takes a per-session advisory lock, so two processes filing the
//! same question (or one asker's last allowed one) at once cannot both win.

use super::PgStore;
use crate::agenda::SessionId;
use crate::chat::MessageKey;
use crate::questions::{
    is_retry, Asker, Click, Filed, NewQuestion, Question, QuestionState, QuestionStore,
    SessionThread, Voted,
};
use crate::store::{StoreError, StoreFuture};
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use std::collections::HashMap;
use tokio_postgres::Row;

const COLUMNS: &str = "q.id, q.community, q.session_id, q.asker, q.anonymous, q.body,
     q.asked_at, q.state, q.pinned, q.channel_id, q.message_id,
     q.votes, q.asker_name";

fn question_of(row: &Row) -> Result<Question, StoreError> {
    let channel: Option<String> = row.try_get(9)?;
    let message: Option<String> = row.try_get(10)?;
    let state: String = row.try_get(7)?;
    let votes: i64 = row.try_get(11)?;
    Ok(Question {
        id: row.try_get(0)?,
        community: row.try_get(1)?,
        session: SessionId::new(row.try_get::<_, String>(2)?),
        asker: row.try_get(3)?,
        anonymous: row.try_get(4)?,
        text: row.try_get(5)?,
        asked_at: super::instant(row.try_get(6)?),
        state: QuestionState::parse(&state),
        pinned: row.try_get(8)?,
        message: channel.zip(message).map(|(c, m)| MessageKey::new(c, m)),
        votes: u32::try_from(votes).unwrap_or(u32::MAX),
        asker_name: row.try_get(12)?,
        askers: Vec::new(),
    })
}

async fn askers(
    client: &impl GenericClient,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Asker>>, StoreError> {
    let rows = client
        .query(
            "SELECT question_id, user_id, anonymous FROM question_askers
             WHERE question_id = ANY($1) ORDER BY asked_at, user_id",
            &[&ids],
        )
        .await?;
    let mut out: HashMap<i64, Vec<Asker>> = HashMap::new();
    for row in rows {
        out.entry(row.try_get(0)?).or_default().push(Asker {
            user: row.try_get(1)?,
            anonymous: row.try_get(2)?,
        });
    }
    Ok(out)
}

async fn read_question(
    client: &impl GenericClient,
    id: i64,
) -> Result<Option<Question>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM questions q WHERE q.id = $1");
    let Some(row) = client.query_opt(&sql, &[&id]).await? else {
        return Ok(None);
    };
    let mut question = question_of(&row)?;
    question.askers = askers(client, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(Some(question))
}

fn thread_of(row: &Row) -> Result<SessionThread, StoreError> {
    let archived: Option<i64> = row.try_get(3)?;
    Ok(SessionThread {
        session: SessionId::new(row.try_get::<_, String>(0)?),
        channel: row.try_get(1)?,
        parent: row.try_get(2)?,
        archived: archived.is_some(),
    })
}

/// Adds `delta` to question `id`'s vote count, in the caller's transaction.
async fn count_votes(client: &impl GenericClient, id: i64, delta: i64) -> Result<(), StoreError> {
    if delta != 0 {
        client
            .execute(
                "UPDATE questions SET votes = votes + $2 WHERE id = $1",
                &[&id, &delta],
            )
            .await?;
    }
    Ok(())
}

/// Whether `click` of `user` on question `id` toggles their vote: the
/// SQLite rules (`store/questions.rs`), under the question's lock.
async fn toggles(
    client: &impl GenericClient,
    id: i64,
    user: &str,
    click: Click,
) -> Result<bool, StoreError> {
    use crate::store::questions::{KEEP_UNANSWERED, LATER_CLICK, UNANSWERED_BY};
    Ok(match click {
        Click::Plain => true,
        Click::Timed(time) => {
            let time = i64::try_from(time).unwrap_or(i64::MAX);
            client.execute(LATER_CLICK, &[&id, &user, &time]).await? > 0
        }
        Click::Answered { by, click } => {
            let unanswered: Option<String> = client
                .query_opt(UNANSWERED_BY, &[&id, &user])
                .await?
                .map(|row| row.try_get(0))
                .transpose()?;
            let click = i64::try_from(click).unwrap_or(i64::MAX);
            client
                .execute(KEEP_UNANSWERED, &[&id, &user, &by, &click])
                .await?;
            !is_retry(unanswered.as_deref(), by)
        }
    })
}

/// Adds `user`'s vote on question `id`, or takes it back; whether it counts now.
async fn toggle(
    client: &impl GenericClient,
    id: i64,
    user: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let removed = client
        .execute(
            "DELETE FROM question_votes WHERE question_id = $1 AND user_id = $2",
            &[&id, &user],
        )
        .await?;
    let added = if removed == 0 {
        client
            .execute(
                "INSERT INTO question_votes (question_id, user_id, voted_at)
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&id, &user, &at],
            )
            .await?
    } else {
        0
    };
    let delta = i64::try_from(added).unwrap_or(0) - i64::try_from(removed).unwrap_or(0);
    count_votes(client, id, delta).await?;
    Ok(removed == 0)
}

fn vanished(id: i64) -> StoreError {
    StoreError::Decode(format!("question {id} vanished"))
}

impl QuestionStore for PgStore {
    fn file_question<'a>(&'a self, new: &'a NewQuestion, limit: usize) -> StoreFuture<'a, Filed> {
        self.write(move |mut client| async move {
            let transaction = client.transaction().await?;
            let key = format!("{}\u{1f}{}", new.community, new.session);
            transaction
                .execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&key])
                .await?;
            let at = new.asked_at.timestamp();
            let same = transaction
                .query_opt(
                    "SELECT id FROM questions
                     WHERE community = $1 AND session_id = $2 AND normal = $3",
                    &[&new.community, &new.session.as_str(), &new.normal],
                )
                .await?;
            if let Some(row) = same {
                let id: i64 = row.try_get(0)?;
                let joined = transaction
                    .execute(
                        "INSERT INTO question_askers (question_id, user_id, anonymous, asked_at)
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                        &[&id, &new.asker, &new.anonymous, &at],
                    )
                    .await?;
                let voted = transaction
                    .execute(
                        "INSERT INTO question_votes (question_id, user_id, voted_at)
                         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                        &[&id, &new.asker, &at],
                    )
                    .await?;
                count_votes(&transaction, id, i64::try_from(voted).unwrap_or(0)).await?;
                let question = read_question(&transaction, id).await?;
                transaction.commit().await?;
                let question = question.ok_or_else(|| vanished(id))?;
                return Ok(Filed::Merged {
                    question,
                    already: joined == 0,
                });
            }
            let held: i64 = transaction
                .query_one(
                    "SELECT COUNT(*) FROM question_askers a
                     JOIN questions q ON q.id = a.question_id
                     WHERE q.community = $1 AND q.session_id = $2 AND a.user_id = $3",
                    &[&new.community, &new.session.as_str(), &new.asker],
                )
                .await?
                .try_get(0)?;
            if usize::try_from(held).unwrap_or(usize::MAX) >= limit {
                return Ok(Filed::LimitReached);
            }
            let id: i64 = transaction
                .query_one(
                    "INSERT INTO questions
                       (community, session_id, asker, asker_name, anonymous, body, normal, asked_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[
                        &new.community,
                        &new.session.as_str(),
                        &new.asker,
                        &new.asker_name,
                        &new.anonymous,
                        &new.text,
                        &new.normal,
                        &at,
                    ],
                )
                .await?
                .try_get(0)?;
            transaction
                .execute(
                    "INSERT INTO question_askers (question_id, user_id, anonymous, asked_at)
                     VALUES ($1, $2, $3, $4)",
                    &[&id, &new.asker, &new.anonymous, &at],
                )
                .await?;
            let question = read_question(&transaction, id).await?;
            transaction.commit().await?;
            question.map(Filed::New).ok_or_else(|| vanished(id))
        })
    }

    fn set_message<'a>(&'a self, id: i64, message: &'a MessageKey) -> StoreFuture<'a, ()> {
        self.write(move |client| async move {
            client
                .execute(
                    "UPDATE questions SET channel_id = $2, message_id = $3 WHERE id = $1",
                    &[&id, &message.channel, &message.message],
                )
                .await?;
            Ok(())
        })
    }

    fn vote<'a>(
        &'a self,
        community: &'a str,
        id: i64,
        user: &'a str,
        at: DateTime<Utc>,
        click: Click,
    ) -> StoreFuture<'a, Voted> {
        // The question's row is locked first: clicks on one question, from
        // any process, toggle one after another, as on SQLite, so two quick
        // clicks of one user always end where they started.
        self.write(move |mut client| async move {
            let transaction = client.transaction().await?;
            let found = transaction
                .query_opt(
                    "SELECT community, state FROM questions WHERE id = $1 FOR UPDATE",
                    &[&id],
                )
                .await?;
            let Some(found) = found else {
                return Ok(Voted::Unknown);
            };
            let (of, state): (String, String) = (found.try_get(0)?, found.try_get(1)?);
            if of != community {
                return Ok(Voted::Unknown);
            }
            if QuestionState::parse(&state) == QuestionState::Hidden {
                return Ok(Voted::Hidden);
            }
            // Two deliveries of one click in two processes at once: the
            // second waits on the question's lock and then changes nothing.
            let counts = if toggles(&transaction, id, user, click).await? {
                toggle(&transaction, id, user, at.timestamp()).await?
            } else {
                transaction
                    .query_opt(
                        "SELECT 1 FROM question_votes WHERE question_id = $1 AND user_id = $2",
                        &[&id, &user],
                    )
                    .await?
                    .is_some()
            };
            let question = read_question(&transaction, id).await?;
            transaction.commit().await?;
            let question = question.ok_or_else(|| vanished(id))?;
            Ok(Voted::Toggled {
                question: Box::new(question),
                counts,
            })
        })
    }

    fn vote_answered<'a>(
        &'a self,
        id: i64,
        user: &'a str,
        (by, click): (&'a str, u64),
        delivered: bool,
    ) -> StoreFuture<'a, ()> {
        use crate::store::questions::{ANSWERED, ANSWER_FAILED};
        let click = i64::try_from(click).unwrap_or(i64::MAX);
        self.write(move |client| async move {
            if delivered {
                client.execute(ANSWERED, &[&id, &user, &by, &click]).await?;
            } else {
                let failed = crate::questions::ANSWER_FAILED;
                client
                    .execute(ANSWER_FAILED, &[&failed, &id, &user, &by, &click])
                    .await?;
            }
            Ok(())
        })
    }

    fn question(&self, id: i64) -> StoreFuture<'_, Option<Question>> {
        self.read(move |client| async move { read_question(&client, id).await })
    }

    fn session_questions<'a>(
        &'a self,
        community: Option<&'a str>,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Vec<Question>> {
        self.read(move |client| async move {
            let sql = format!(
                "SELECT {COLUMNS} FROM questions q
                 WHERE q.session_id = $1 AND ($2::TEXT IS NULL OR q.community = $2)
                 ORDER BY q.id"
            );
            let rows = client.query(&sql, &[&session.as_str(), &community]).await?;
            let mut questions = rows
                .iter()
                .map(question_of)
                .collect::<Result<Vec<_>, _>>()?;
            let ids: Vec<i64> = questions.iter().map(|q| q.id).collect();
            let mut askers = askers(&client, &ids).await?;
            for question in &mut questions {
                question.askers = askers.remove(&question.id).unwrap_or_default();
            }
            Ok(questions)
        })
    }

    fn set_state(&self, id: i64, state: QuestionState) -> StoreFuture<'_, ()> {
        self.write(move |client| async move {
            client
                .execute(
                    "UPDATE questions SET state = $2 WHERE id = $1",
                    &[&id, &state.as_str()],
                )
                .await?;
            Ok(())
        })
    }

    fn set_pinned(&self, id: i64, pinned: bool) -> StoreFuture<'_, ()> {
        self.write(move |client| async move {
            client
                .execute(
                    "UPDATE questions SET pinned = $2 WHERE id = $1",
                    &[&id, &pinned],
                )
                .await?;
            Ok(())
        })
    }

    fn board<'a>(
        &'a self,
        community: &'a str,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Option<MessageKey>> {
        self.read(move |client| async move {
            let row = client
                .query_opt(
                    "SELECT board_channel, board_message FROM qa_sessions
                     WHERE community = $1 AND session_id = $2",
                    &[&community, &session.as_str()],
                )
                .await?;
            let Some(row) = row else { return Ok(None) };
            let (channel, message): (Option<String>, Option<String>) =
                (row.try_get(0)?, row.try_get(1)?);
            Ok(channel.zip(message).map(|(c, m)| MessageKey::new(c, m)))
        })
    }

    fn keep_board<'a>(
        &'a self,
        community: &'a str,
        session: &'a SessionId,
        message: &'a MessageKey,
    ) -> StoreFuture<'a, ()> {
        self.write(move |client| async move {
            client
                .execute(
                    "INSERT INTO qa_sessions (community, session_id, board_channel, board_message)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (community, session_id) DO UPDATE
                       SET board_channel = excluded.board_channel,
                           board_message = excluded.board_message",
                    &[
                        &community,
                        &session.as_str(),
                        &message.channel,
                        &message.message,
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn thread<'a>(&'a self, session: &'a SessionId) -> StoreFuture<'a, Option<SessionThread>> {
        self.read(move |client| async move {
            let row = client
                .query_opt(
                    "SELECT session_id, channel_id, parent_id, archived_at FROM session_threads
                     WHERE session_id = $1",
                    &[&session.as_str()],
                )
                .await?;
            row.as_ref().map(thread_of).transpose()
        })
    }

    fn thread_session<'a>(&'a self, channel: &'a str) -> StoreFuture<'a, Option<SessionId>> {
        self.read(move |client| async move {
            let row = client
                .query_opt(
                    "SELECT session_id FROM session_threads WHERE channel_id = $1",
                    &[&channel],
                )
                .await?;
            row.map(|row| row.try_get::<_, String>(0).map(SessionId::new))
                .transpose()
                .map_err(StoreError::from)
        })
    }

    fn keep_thread<'a>(
        &'a self,
        thread: &'a SessionThread,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        self.write(move |client| async move {
            let kept = client
                .execute(
                    "INSERT INTO session_threads (session_id, channel_id, parent_id, opened_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[
                        &thread.session.as_str(),
                        &thread.channel,
                        &thread.parent,
                        &at.timestamp(),
                    ],
                )
                .await?;
            Ok(kept == 1)
        })
    }

    fn open_threads(&self) -> StoreFuture<'_, Vec<SessionThread>> {
        self.read(move |client| async move {
            let rows = client
                .query(
                    "SELECT session_id, channel_id, parent_id, archived_at FROM session_threads
                     WHERE archived_at IS NULL ORDER BY session_id",
                    &[],
                )
                .await?;
            rows.iter().map(thread_of).collect()
        })
    }

    fn thread_archived<'a>(
        &'a self,
        session: &'a SessionId,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        self.write(move |client| async move {
            client
                .execute(
                    "UPDATE session_threads SET archived_at = $2 WHERE session_id = $1",
                    &[&session.as_str(), &at.timestamp()],
                )
                .await?;
            Ok(())
        })
    }
}

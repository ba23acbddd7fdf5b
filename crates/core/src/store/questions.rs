//! Session Q&A in SQLite ([`QuestionStore`]): questions, their askers and
//! votes, each session's board and thread. Every call runs on a blocking
//! thread; a vote is one short transaction, stored before the click is
//! answered.

use super::{Store, StoreError, StoreFuture};
use crate::agenda::SessionId;
use crate::chat::MessageKey;
use crate::questions::{
    is_retry, Asker, Click, Filed, NewQuestion, Question, QuestionState, QuestionStore,
    SessionThread, Voted,
};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

/// The columns [`question_of`] reads, vote count last.
pub(crate) const COLUMNS: &str = "q.id, q.community, q.session_id, q.asker, q.anonymous, q.body,
     q.asked_at, q.state, q.pinned, q.channel_id, q.message_id,
     q.votes, q.asker_name";

fn question_of(row: &Row<'_>) -> rusqlite::Result<Question> {
    let channel: Option<String> = row.get(9)?;
    let message: Option<String> = row.get(10)?;
    let state: String = row.get(7)?;
    let votes: i64 = row.get(11)?;
    Ok(Question {
        id: row.get(0)?,
        community: row.get(1)?,
        session: SessionId::new(row.get::<_, String>(2)?),
        asker: row.get(3)?,
        anonymous: row.get(4)?,
        text: row.get(5)?,
        asked_at: DateTime::from_timestamp(row.get(6)?, 0).unwrap_or_default(),
        state: QuestionState::parse(&state),
        pinned: row.get(8)?,
        message: channel.zip(message).map(|(c, m)| MessageKey::new(c, m)),
        votes: u32::try_from(votes).unwrap_or(u32::MAX),
        asker_name: row.get(12)?,
        askers: Vec::new(),
    })
}

fn read_question(connection: &Connection, id: i64) -> Result<Option<Question>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM questions q WHERE q.id = ?1");
    let found = connection
        .prepare_cached(&sql)?
        .query_row([id], question_of)
        .optional()?;
    let Some(mut question) = found else {
        return Ok(None);
    };
    question.askers = askers(connection, &[id])?.remove(&id).unwrap_or_default();
    Ok(Some(question))
}

fn askers(connection: &Connection, ids: &[i64]) -> Result<HashMap<i64, Vec<Asker>>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT user_id, anonymous FROM question_askers WHERE question_id = ?1
         ORDER BY asked_at, rowid",
    )?;
    let mut out = HashMap::new();
    for id in ids {
        let rows = statement.query_map([id], |row| {
            Ok(Asker {
                user: row.get(0)?,
                anonymous: row.get(1)?,
            })
        })?;
        out.insert(*id, rows.collect::<Result<Vec<_>, _>>()?);
    }
    Ok(out)
}

fn file(connection: &mut Connection, new: &NewQuestion, limit: usize) -> Result<Filed, StoreError> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let at = new.asked_at.timestamp();
    let same: Option<i64> = transaction
        .prepare_cached(
            "SELECT id FROM questions WHERE community = ?1 AND session_id = ?2 AND normal = ?3",
        )?
        .query_row(
            params![new.community, new.session.as_str(), new.normal],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(id) = same {
        let joined = transaction.execute(
            "INSERT INTO question_askers (question_id, user_id, anonymous, asked_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![id, new.asker, new.anonymous, at],
        )?;
        let voted = transaction.execute(
            "INSERT INTO question_votes (question_id, user_id, voted_at)
             VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![id, new.asker, at],
        )?;
        count_votes(&transaction, id, i64::try_from(voted).unwrap_or(0))?;
        let question = read_question(&transaction, id)?;
        transaction.commit()?;
        return question
            .map(|question| Filed::Merged {
                question,
                already: joined == 0,
            })
            .ok_or_else(|| vanished(id));
    }
    let held: i64 = transaction.query_row(
        "SELECT COUNT(*) FROM question_askers a JOIN questions q ON q.id = a.question_id
         WHERE q.community = ?1 AND q.session_id = ?2 AND a.user_id = ?3",
        params![new.community, new.session.as_str(), new.asker],
        |row| row.get(0),
    )?;
    if usize::try_from(held).unwrap_or(usize::MAX) >= limit {
        return Ok(Filed::LimitReached);
    }
    let id: i64 = transaction.query_row(
        "INSERT INTO questions (community, session_id, asker, asker_name, anonymous, body, normal, asked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        params![
            new.community,
            new.session.as_str(),
            new.asker,
            new.asker_name,
            new.anonymous,
            new.text,
            new.normal,
            at
        ],
        |row| row.get(0),
    )?;
    transaction.execute(
        "INSERT INTO question_askers (question_id, user_id, anonymous, asked_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![id, new.asker, new.anonymous, at],
    )?;
    let question = read_question(&transaction, id)?;
    transaction.commit()?;
    question.map(Filed::New).ok_or_else(|| vanished(id))
}

/// Records a user's click on a question unless one as late is recorded;
/// changes no row for a click seen before. The same SQL on PostgreSQL.
pub(crate) const LATER_CLICK: &str =
    "INSERT INTO question_clicks (question_id, user_id, clicked_at) VALUES ($1, $2, $3)
     ON CONFLICT (question_id, user_id) DO UPDATE SET clicked_at = excluded.clicked_at
     WHERE question_clicks.clicked_at < excluded.clicked_at";

/// Who is to answer a user's latest change of a question's vote, if it is
/// unanswered. The same SQL on PostgreSQL, as are the two below.
pub(crate) const UNANSWERED_BY: &str =
    "SELECT holder FROM question_unanswered WHERE question_id = $1 AND user_id = $2";

/// Keeps a user's latest change of a question's vote unanswered, by `$3`.
pub(crate) const KEEP_UNANSWERED: &str =
    "INSERT INTO question_unanswered (question_id, user_id, holder, click) VALUES ($1, $2, $3, $4)
     ON CONFLICT (question_id, user_id)
     DO UPDATE SET holder = excluded.holder, click = excluded.click";

/// Forgets a change once `$3` answered its click `$4`.
pub(crate) const ANSWERED: &str = "DELETE FROM question_unanswered
     WHERE question_id = $1 AND user_id = $2 AND holder = $3 AND click = $4";

/// Marks a change unanswered for good (holder `$1`, the Q&A model's
/// `ANSWER_FAILED`) once `$4` failed to answer its click `$5`. (SQLite
/// numbers `$n` parameters by first appearance, so they stay in order.)
pub(crate) const ANSWER_FAILED: &str = "UPDATE question_unanswered SET holder = $1
     WHERE question_id = $2 AND user_id = $3 AND holder = $4 AND click = $5";

/// Adds `delta` to question `id`'s vote count, in the caller's transaction.
fn count_votes(connection: &Connection, id: i64, delta: i64) -> Result<(), StoreError> {
    if delta != 0 {
        connection
            .prepare_cached("UPDATE questions SET votes = votes + ?2 WHERE id = ?1")?
            .execute(params![id, delta])?;
    }
    Ok(())
}

/// Whether `click` of `user` on question `id` toggles their vote (see
/// [`Click`]), recording what the next click needs to tell.
fn toggles(connection: &Connection, id: i64, user: &str, click: Click) -> Result<bool, StoreError> {
    Ok(match click {
        Click::Plain => true,
        Click::Timed(time) => {
            let time = i64::try_from(time).unwrap_or(i64::MAX);
            connection
                .prepare_cached(LATER_CLICK)?
                .execute(params![id, user, time])?
                > 0
        }
        Click::Answered { by, click } => {
            let unanswered: Option<String> = connection
                .prepare_cached(UNANSWERED_BY)?
                .query_row(params![id, user], |row| row.get(0))
                .optional()?;
            let click = i64::try_from(click).unwrap_or(i64::MAX);
            connection
                .prepare_cached(KEEP_UNANSWERED)?
                .execute(params![id, user, by, click])?;
            !is_retry(unanswered.as_deref(), by)
        }
    })
}

/// Adds `user`'s vote on question `id`, or takes it back; whether it counts now.
fn toggle(connection: &Connection, id: i64, user: &str, at: i64) -> Result<bool, StoreError> {
    let removed = connection
        .prepare_cached("DELETE FROM question_votes WHERE question_id = ?1 AND user_id = ?2")?
        .execute(params![id, user])?;
    let added = if removed == 0 {
        connection
            .prepare_cached(
                "INSERT INTO question_votes (question_id, user_id, voted_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![id, user, at])?
    } else {
        0
    };
    let delta = i64::try_from(added).unwrap_or(0) - i64::try_from(removed).unwrap_or(0);
    count_votes(connection, id, delta)?;
    Ok(removed == 0)
}

fn vote(
    connection: &mut Connection,
    community: &str,
    id: i64,
    (user, at, click): (&str, i64, Click),
) -> Result<Voted, StoreError> {
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: Option<(String, String)> = transaction
        .prepare_cached("SELECT community, state FROM questions WHERE id = ?1")?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    match found {
        Some((of, _)) if of != community => return Ok(Voted::Unknown),
        None => return Ok(Voted::Unknown),
        Some((_, state)) if QuestionState::parse(&state) == QuestionState::Hidden => {
            return Ok(Voted::Hidden)
        }
        Some(_) => {}
    }
    let counts = if toggles(&transaction, id, user, click)? {
        toggle(&transaction, id, user, at)?
    } else {
        transaction
            .prepare_cached("SELECT 1 FROM question_votes WHERE question_id = ?1 AND user_id = ?2")?
            .exists(params![id, user])?
    };
    let question = read_question(&transaction, id)?;
    transaction.commit()?;
    let question = question.ok_or_else(|| vanished(id))?;
    Ok(Voted::Toggled {
        question: Box::new(question),
        counts,
    })
}

fn vanished(id: i64) -> StoreError {
    StoreError::Decode(format!("question {id} vanished"))
}

fn thread_of(row: &Row<'_>) -> rusqlite::Result<SessionThread> {
    let archived: Option<i64> = row.get(3)?;
    Ok(SessionThread {
        session: SessionId::new(row.get::<_, String>(0)?),
        channel: row.get(1)?,
        parent: row.get(2)?,
        archived: archived.is_some(),
    })
}

impl QuestionStore for Store {
    fn file_question<'a>(
        &'a self,
        question: &'a NewQuestion,
        limit: usize,
    ) -> StoreFuture<'a, Filed> {
        let question = question.clone();
        self.off_workers(move |store| store.write(|c| file(c, &question, limit)))
    }

    fn set_message<'a>(&'a self, id: i64, message: &'a MessageKey) -> StoreFuture<'a, ()> {
        let message = message.clone();
        self.off_workers(move |store| {
            store.write(|c| {
                c.execute(
                    "UPDATE questions SET channel_id = ?2, message_id = ?3 WHERE id = ?1",
                    params![id, message.channel, message.message],
                )?;
                Ok(())
            })
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
        let (community, user) = (community.to_owned(), user.to_owned());
        self.off_workers(move |store| {
            store.write(|c| vote(c, &community, id, (&user, at.timestamp(), click)))
        })
    }

    fn vote_answered<'a>(
        &'a self,
        id: i64,
        user: &'a str,
        (by, click): (&'a str, u64),
        delivered: bool,
    ) -> StoreFuture<'a, ()> {
        let (user, by) = (user.to_owned(), by.to_owned());
        let click = i64::try_from(click).unwrap_or(i64::MAX);
        self.off_workers(move |store| {
            store.write(|c| {
                if delivered {
                    c.prepare_cached(ANSWERED)?
                        .execute(params![id, user, by, click])?;
                } else {
                    let failed = crate::questions::ANSWER_FAILED;
                    c.prepare_cached(ANSWER_FAILED)?
                        .execute(params![failed, id, user, by, click])?;
                }
                Ok(())
            })
        })
    }

    fn question(&self, id: i64) -> StoreFuture<'_, Option<Question>> {
        self.off_workers(move |store| read_question(&store.connection(), id))
    }

    fn session_questions<'a>(
        &'a self,
        community: Option<&'a str>,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Vec<Question>> {
        let (community, session) = (community.map(str::to_owned), session.clone());
        self.off_workers(move |store| {
            let connection = store.connection();
            let sql = format!(
                "SELECT {COLUMNS} FROM questions q
                 WHERE q.session_id = ?1 AND (?2 IS NULL OR q.community = ?2) ORDER BY q.id"
            );
            let mut questions = connection
                .prepare_cached(&sql)?
                .query_map(params![session.as_str(), community], question_of)?
                .collect::<Result<Vec<_>, _>>()?;
            let ids: Vec<i64> = questions.iter().map(|q| q.id).collect();
            let mut askers = askers(&connection, &ids)?;
            for question in &mut questions {
                question.askers = askers.remove(&question.id).unwrap_or_default();
            }
            Ok(questions)
        })
    }

    fn set_state(&self, id: i64, state: QuestionState) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| {
            store.write(|c| {
                c.execute(
                    "UPDATE questions SET state = ?2 WHERE id = ?1",
                    params![id, state.as_str()],
                )?;
                Ok(())
            })
        })
    }

    fn set_pinned(&self, id: i64, pinned: bool) -> StoreFuture<'_, ()> {
        self.off_workers(move |store| {
            store.write(|c| {
                c.execute(
                    "UPDATE questions SET pinned = ?2 WHERE id = ?1",
                    params![id, pinned],
                )?;
                Ok(())
            })
        })
    }

    fn board<'a>(
        &'a self,
        community: &'a str,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Option<MessageKey>> {
        let (community, session) = (community.to_owned(), session.clone());
        self.off_workers(move |store| {
            let found: Option<(Option<String>, Option<String>)> = store
                .connection()
                .query_row(
                    "SELECT board_channel, board_message FROM qa_sessions
                     WHERE community = ?1 AND session_id = ?2",
                    params![community, session.as_str()],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            Ok(found
                .and_then(|(c, m)| c.zip(m))
                .map(|(c, m)| MessageKey::new(c, m)))
        })
    }

    fn keep_board<'a>(
        &'a self,
        community: &'a str,
        session: &'a SessionId,
        message: &'a MessageKey,
    ) -> StoreFuture<'a, ()> {
        let (community, session, message) =
            (community.to_owned(), session.clone(), message.clone());
        self.off_workers(move |store| {
            store.write(|c| {
                c.execute(
                    "INSERT INTO qa_sessions (community, session_id, board_channel, board_message)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (community, session_id) DO UPDATE
                       SET board_channel = excluded.board_channel,
                           board_message = excluded.board_message",
                    params![
                        community,
                        session.as_str(),
                        message.channel,
                        message.message
                    ],
                )?;
                Ok(())
            })
        })
    }

    fn thread<'a>(&'a self, session: &'a SessionId) -> StoreFuture<'a, Option<SessionThread>> {
        let session = session.clone();
        self.off_workers(move |store| {
            Ok(store
                .connection()
                .query_row(
                    "SELECT session_id, channel_id, parent_id, archived_at FROM session_threads
                     WHERE session_id = ?1",
                    [session.as_str()],
                    thread_of,
                )
                .optional()?)
        })
    }

    fn thread_session<'a>(&'a self, channel: &'a str) -> StoreFuture<'a, Option<SessionId>> {
        let channel = channel.to_owned();
        self.off_workers(move |store| {
            let found: Option<String> = store
                .connection()
                .query_row(
                    "SELECT session_id FROM session_threads WHERE channel_id = ?1",
                    [channel],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(found.map(SessionId::new))
        })
    }

    fn keep_thread<'a>(
        &'a self,
        thread: &'a SessionThread,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        let thread = thread.clone();
        self.off_workers(move |store| {
            store.write(|c| {
                let kept = c.execute(
                    "INSERT INTO session_threads (session_id, channel_id, parent_id, opened_at)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                    params![
                        thread.session.as_str(),
                        thread.channel,
                        thread.parent,
                        at.timestamp()
                    ],
                )?;
                Ok(kept == 1)
            })
        })
    }

    fn open_threads(&self) -> StoreFuture<'_, Vec<SessionThread>> {
        self.off_workers(move |store| {
            let connection = store.connection();
            let mut statement = connection.prepare_cached(
                "SELECT session_id, channel_id, parent_id, archived_at FROM session_threads
                 WHERE archived_at IS NULL ORDER BY session_id",
            )?;
            let threads = statement.query_map([], thread_of)?;
            Ok(threads.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn thread_archived<'a>(
        &'a self,
        session: &'a SessionId,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        let session = session.clone();
        self.off_workers(move |store| {
            store.write(|c| {
                c.execute(
                    "UPDATE session_threads SET archived_at = ?2 WHERE session_id = ?1",
                    params![session.as_str(), at.timestamp()],
                )?;
                Ok(())
            })
        })
    }
}

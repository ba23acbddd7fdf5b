//! What the Q&A needs from a database; both backends implement it and the
//! storage contract suite tests both.

use super::model::{Click, Filed, NewQuestion, Question, QuestionState, Voted};
use crate::agenda::SessionId;
use crate::chat::MessageKey;
pub use crate::store::StoreFuture;
use chrono::{DateTime, Utc};

/// A session's thread as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionThread {
    pub session: SessionId,
    /// The thread's id (a channel id on Discord).
    pub channel: String,
    /// The channel of the announcement it was opened on.
    pub parent: String,
    pub archived: bool,
}

/// Questions, askers, votes, boards and threads.
pub trait QuestionStore: Send + Sync {
    /// Files `question`, in one transaction: merged into the session's
    /// question with the same normal form if there is one (the asker joins
    /// it and their upvote counts), else refused when the asker already
    /// asked `limit` questions for the session, else stored as new.
    ///
    /// # Errors
    /// [`crate::store::StoreError`] when the write fails; nothing was stored.
    fn file_question<'a>(
        &'a self,
        question: &'a NewQuestion,
        limit: usize,
    ) -> StoreFuture<'a, Filed>;

    /// Records where question `id`'s message is.
    fn set_message<'a>(&'a self, id: i64, message: &'a MessageKey) -> StoreFuture<'a, ()>;

    /// Toggles `user`'s upvote of question `id` of `community`, unless it
    /// is hidden or of another community, and reads the question back, in
    /// one transaction that also keeps the question's vote count: one
    /// short write per click, and a count that is always its rows'.
    ///
    /// `click` says how the platform delivers clicks ([`Click`]), checked
    /// in the same transaction: a redelivered [`Click::Timed`] click, or
    /// the retry of an [`Click::Answered`] click whose answer never went
    /// out, changes nothing and reads the vote as it stands.
    fn vote<'a>(
        &'a self,
        community: &'a str,
        id: i64,
        user: &'a str,
        at: DateTime<Utc>,
        click: Click,
    ) -> StoreFuture<'a, Voted>;

    /// Records that a process answered (`delivered`) or failed to answer
    /// `user`'s [`Click::Answered`] click on question `id`, if that click is
    /// still their latest; `answering` is the process and the click, as
    /// [`Click::Answered`] named them. Only the process that is to answer
    /// a click can: another that took it over as a retry answers it itself.
    fn vote_answered<'a>(
        &'a self,
        id: i64,
        user: &'a str,
        answering: (&'a str, u64),
        delivered: bool,
    ) -> StoreFuture<'a, ()>;

    /// Question `id` with its votes and askers.
    fn question(&self, id: i64) -> StoreFuture<'_, Option<Question>>;

    /// Every question of `session` in `community` (`None`: in every
    /// community), with votes and askers, in the order they were asked.
    fn session_questions<'a>(
        &'a self,
        community: Option<&'a str>,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Vec<Question>>;

    /// Moves question `id` to `state`.
    fn set_state(&self, id: i64, state: QuestionState) -> StoreFuture<'_, ()>;

    /// Pins or unpins question `id`.
    fn set_pinned(&self, id: i64, pinned: bool) -> StoreFuture<'_, ()>;

    /// The "next question" post of `session` in `community`, once posted.
    fn board<'a>(
        &'a self,
        community: &'a str,
        session: &'a SessionId,
    ) -> StoreFuture<'a, Option<MessageKey>>;

    /// Records the "next question" post of `session` in `community`.
    fn keep_board<'a>(
        &'a self,
        community: &'a str,
        session: &'a SessionId,
        message: &'a MessageKey,
    ) -> StoreFuture<'a, ()>;

    /// The thread of `session`, if one was opened.
    fn thread<'a>(&'a self, session: &'a SessionId) -> StoreFuture<'a, Option<SessionThread>>;

    /// The session whose thread is `channel`, if it is one.
    fn thread_session<'a>(&'a self, channel: &'a str) -> StoreFuture<'a, Option<SessionId>>;

    /// Keeps `thread` as its session's thread unless one is kept already;
    /// true when this one was kept.
    fn keep_thread<'a>(
        &'a self,
        thread: &'a SessionThread,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, bool>;

    /// Every thread not yet archived.
    fn open_threads(&self) -> StoreFuture<'_, Vec<SessionThread>>;

    /// Marks `session`'s thread archived.
    fn thread_archived<'a>(
        &'a self,
        session: &'a SessionId,
        at: DateTime<Utc>,
    ) -> StoreFuture<'a, ()>;
}

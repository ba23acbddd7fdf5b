//! The "next question" board of each session, and the recount of voted
//! questions: both edited on one beat, at most once per
//! `[questions] board_every_seconds` however fast votes come in, from what
//! the store holds then, like a poll's live tally.

use super::model::Question;
use super::posts;
use super::service::{QuestionError, QuestionService};
use crate::agenda::SessionId;
use crate::chat::MessageKey;
use std::sync::PoisonError;
use std::time::Duration;

impl QuestionService {
    /// Marks the board of `question`'s session for an edit soon.
    pub(super) fn nudge(&self, question: &Question, title: &str) {
        self.inner
            .dirty
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                (question.community.clone(), question.session.clone()),
                title.to_owned(),
            );
        if self.inner.board_task.set(()).is_ok() {
            let service = self.clone();
            tokio::spawn(async move { service.keep_boards().await });
        }
        self.inner.wake.notify_one();
    }

    /// Edits every nudged board, then waits the board gap: however fast the
    /// votes come, each board is edited at most once per gap.
    async fn keep_boards(&self) {
        loop {
            self.inner.wake.notified().await;
            let dirty = std::mem::take(
                &mut *self
                    .inner
                    .dirty
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            let recount = std::mem::take(
                &mut *self
                    .inner
                    .recount
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            for (id, title) in recount {
                if let Ok(Some(question)) = self.inner.store.question(id).await {
                    self.show(&question, &title).await;
                }
            }
            for ((community, session), title) in dirty {
                if let Err(error) = self.refresh_board(&community, &session, &title).await {
                    tracing::warn!(%session, %error, "could not update the next-question board");
                }
            }
            let gap = self.config().settings.board_every_seconds;
            tokio::time::sleep(Duration::from_secs(u64::from(gap))).await;
        }
    }

    async fn refresh_board(
        &self,
        community: &str,
        session: &SessionId,
        title: &str,
    ) -> Result<(), QuestionError> {
        let store = &self.inner.store;
        let questions = store.session_questions(Some(community), session).await?;
        let Some(latest) = questions.iter().rev().find_map(|q| q.message.clone()) else {
            return Ok(());
        };
        let post = posts::board_post(&questions, title);
        match store.board(community, session).await? {
            Some(board) => self.inner.port.edit(&board, &post).await?,
            None => {
                let MessageKey { channel, .. } = latest;
                // Keyed by its session: one posted before a crash kept no
                // record, and is found rather than posted again.
                let key = crate::chat::dedupe_key("board-", &format!("{community}/{session}"));
                let post = post.deduped(key);
                let board = self.inner.port.post(&channel, &post).await?;
                store.keep_board(community, session, &board).await?;
                if let Err(error) = self.inner.port.pin(&board).await {
                    tracing::warn!(%session, %error, "could not pin the next-question board");
                }
            }
        }
        Ok(())
    }
}

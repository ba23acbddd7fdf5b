//! A thread per session (`[threads] enabled`): the start announcement opens
//! one named after the session, on the announcement itself; the session's
//! questions are posted there, its on-demand post too, and it is archived
//! `archive_after_minutes` after the session ends.
//!
//! The announcement is then edited to end with a link to the thread, as the
//! best bots do: Discord shows a thread opened on a message under it, but
//! only as a small "N messages" bar that reads as replies to the post, and
//! a post inside the thread linking to itself would help nobody. One edit,
//! no extra message, and `<#thread>` is a link every client opens. Where
//! the announcement is its own thread (a post in a Discord forum, whose
//! key's channel is the thread), there is nothing to link and no edit.
//!
//! The thread is stored per session, so a moved session (announced again at
//! its new time) keeps the thread it has, and a restart neither opens a
//! second one nor forgets to archive: every unarchived thread gets its
//! archiving task back at start. The archive time is read from the current
//! programme when it comes, so a session moved later is archived later.

use super::service::QuestionService;
use super::store::SessionThread;
use crate::agenda::SessionId;
use crate::chat::{MessageKey, Span, Text};
use chrono::TimeDelta;

/// The line a start announcement gains once its thread is open.
pub fn link(thread: &str) -> Text {
    Text::plain("💬 Questions and chat: ").with(Span::Channel(thread.to_owned()))
}

impl QuestionService {
    /// The start announcement of `session` went out as `announcement`:
    /// opens its thread, unless threads are off, the platform has none, or
    /// the session has one already. Returns the session's thread, if any.
    pub async fn session_started(
        &self,
        session: &SessionId,
        title: &str,
        announcement: &MessageKey,
    ) -> Option<String> {
        if !self.config().threads.enabled {
            return None;
        }
        match self.store().thread(session).await {
            Ok(Some(thread)) => return Some(thread.channel),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%session, %error, "could not read the session's thread");
                return None;
            }
        }
        let opened = match self.port().open_thread(announcement, title).await {
            Ok(Some(thread)) => thread,
            Ok(None) => return None,
            Err(error) => {
                tracing::warn!(%session, %error, "could not open the session's thread");
                return None;
            }
        };
        let thread = SessionThread {
            session: session.clone(),
            channel: opened,
            parent: announcement.channel.clone(),
            archived: false,
        };
        match self.store().keep_thread(&thread, self.now()).await {
            Ok(true) => {
                tracing::info!(%session, thread = %thread.channel, "opened the session's thread");
                self.archive_later(thread.clone());
                Some(thread.channel)
            }
            // Another process kept one first: that one is the session's.
            Ok(false) => self
                .store()
                .thread(session)
                .await
                .ok()
                .flatten()
                .map(|t| t.channel),
            Err(error) => {
                tracing::warn!(%session, %error, "could not keep the session's thread");
                Some(thread.channel)
            }
        }
    }

    /// The open (unarchived) thread of `session`, if it has one.
    pub async fn open_thread_of(&self, session: &SessionId) -> Option<String> {
        match self.store().thread(session).await {
            Ok(Some(thread)) if !thread.archived => Some(thread.channel),
            _ => None,
        }
    }

    /// Gives every unarchived thread its archiving task back (at start).
    pub fn resume_threads(&self) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        let service = self.clone();
        tokio::spawn(async move {
            match service.store().open_threads().await {
                Ok(threads) => threads.into_iter().for_each(|t| service.archive_later(t)),
                Err(error) => tracing::warn!(%error, "could not read the sessions' threads"),
            }
        });
    }

    fn archive_later(&self, thread: SessionThread) {
        let service = self.clone();
        tokio::spawn(async move { service.archive_when_over(thread).await });
    }

    /// Waits until `archive_after_minutes` after the session's end (as the
    /// programme says then), then archives its thread once.
    async fn archive_when_over(&self, thread: SessionThread) {
        // Without a programme there is no end to wait for (a service used
        // on its own, in tests): nothing is archived.
        if self.inner.programme.get().is_none() {
            return;
        }
        let after = TimeDelta::minutes(i64::from(self.config().threads.archive_after_minutes));
        loop {
            let end = self.session_end(&thread.session);
            let at = end.map_or_else(|| self.now(), |end| end + after);
            crate::clock::sleep_until(self.clock(), at).await;
            if self.session_end(&thread.session) == end {
                break;
            }
        }
        if let Err(error) = self.port().archive_thread(&thread.channel).await {
            tracing::warn!(session = %thread.session, %error, "could not archive the session's thread");
            return;
        }
        if let Err(error) = self
            .store()
            .thread_archived(&thread.session, self.now())
            .await
        {
            tracing::warn!(session = %thread.session, %error, "could not mark the thread archived");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::agenda::SessionId;
    use crate::chat::memory::MemoryPort;
    use crate::chat::{ChatPort, MessageKey};
    use crate::clock::ManualClock;
    use crate::questions::{QuestionConfig, QuestionService, QuestionStore};
    use std::sync::Arc;

    #[tokio::test]
    async fn a_session_announced_again_keeps_its_thread_and_threads_can_be_off() {
        let store = crate::store::Store::in_memory().unwrap();
        let port = Arc::new(MemoryPort::default());
        let at = chrono::DateTime::from_timestamp(1_633_622_400, 0).unwrap();
        let service = QuestionService::new(
            Arc::new(store.clone()),
            port as Arc<dyn ChatPort>,
            Arc::new(ManualClock::new(at)),
        );
        let session = SessionId::new("g1");
        let first = MessageKey::new("announcements", "m1");
        assert_eq!(
            service.session_started(&session, "Fast I/O", &first).await,
            None
        );
        let mut config = QuestionConfig::default();
        config.threads.enabled = true;
        service.configure(config);
        let opened = service.session_started(&session, "Fast I/O", &first).await;
        assert_eq!(opened.as_deref(), Some("thread-m1"));
        // Moved: announced again at its new time, from another message.
        let moved = MessageKey::new("announcements", "m9");
        let again = service.session_started(&session, "Fast I/O", &moved).await;
        assert_eq!(again, opened, "the same thread");
        assert_eq!(store.open_threads().await.unwrap().len(), 1);
        assert_eq!(service.open_thread_of(&session).await, opened);
    }
}

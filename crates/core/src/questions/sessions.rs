//! Which session a question is for, where its messages go, and who hosts
//! it: the rules that need the agenda, the configured routing and the
//! session's threads.

use super::service::{Host, QuestionError, QuestionService};
use crate::agenda::{Agenda, Session, SessionId, SessionKind};
use crate::store::StoreError;

impl QuestionService {
    /// Whether `host` hosts `session`: an organiser, one of its speakers, or
    /// for a lounge a configured lounge host.
    pub fn is_host(&self, session: Option<&Session>, host: Host<'_>) -> bool {
        if host.organiser {
            return true;
        }
        let Some(session) = session else {
            return false;
        };
        let lounge = session.kind == SessionKind::Lounge
            && self
                .config()
                .settings
                .lounge_hosts
                .iter()
                .any(|id| id.trim() == host.user);
        lounge || session.speakers.iter().any(|s| s.is_user(host.user))
    }

    /// The session a question is for: the one typed, else the one whose
    /// thread this is, else the one live in the channel's track, else a live
    /// lounge, else the only live session.
    pub(super) async fn session_for(
        &self,
        agenda: &Agenda,
        channel: &str,
        typed: Option<&str>,
    ) -> Result<Session, QuestionError> {
        if let Some(typed) = typed.map(str::trim).filter(|t| !t.is_empty()) {
            let (id, _) = crate::reminders::find(agenda, typed)
                .ok_or_else(|| QuestionError::UnknownSession(typed.to_owned()))?;
            return agenda
                .session(&id)
                .cloned()
                .ok_or_else(|| QuestionError::UnknownSession(typed.to_owned()));
        }
        if let Some(id) = self.inner.store.thread_session(channel).await? {
            if let Some(session) = agenda.session(&id) {
                return Ok(session.clone());
            }
        }
        let live = agenda.now(self.inner.clock.now());
        let routes = self.config().track_channels;
        for session in &live {
            let Some(key) = session.track.as_ref().and_then(|t| routes.get(t)) else {
                continue;
            };
            if let Ok(id) = self.inner.port.resolve_channel(None, key).await {
                if id == channel {
                    return Ok((*session).clone());
                }
            }
        }
        if let Some(lounge) = live.iter().find(|s| s.kind == SessionKind::Lounge) {
            return Ok((*lounge).clone());
        }
        match live.as_slice() {
            [only] => Ok((*only).clone()),
            _ => Err(QuestionError::NoSession),
        }
    }

    /// Where a session's questions go: its thread (when it is on the
    /// platform the question was asked on), else where it was asked.
    pub(super) async fn place_for(
        &self,
        session: &SessionId,
        asked_in: &str,
    ) -> Result<String, StoreError> {
        Ok(match self.inner.store.thread(session).await? {
            Some(thread)
                if !thread.archived && self.inner.port.same_platform(&thread.channel, asked_in) =>
            {
                thread.channel
            }
            _ => asked_in.to_owned(),
        })
    }
}

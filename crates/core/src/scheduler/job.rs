//! A job: one thing the bot will post at one instant, identified by a key that
//! is the same every time the same programme is planned.
//!
//! The key is what makes "exactly once" possible: it is the primary key of the
//! jobs table (so planning twice, or in two processes, inserts it once) and the
//! source of the `nonce` a chat platform uses to drop a repeated send.

use crate::agenda::{Session, SessionId, SessionKind};
use crate::chat::MessageKey;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a job posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// "Starting in N minutes" / "starting now".
    Announce,
    /// "Now available on demand", after a session with a video link ends.
    OnDemand,
    /// Opening a declared flash poll.
    PollOpen,
    /// Closing a posted poll at its deadline and announcing its result.
    PollClose,
    /// A personal reminder, sent by direct message.
    Reminder,
    /// The day's programme, at a configured local time.
    Digest,
    /// A "schedule change" notice after the agenda was reloaded.
    Change,
    /// Opening a declared meme contest.
    ContestOpen,
    /// Closing a meme contest at its deadline and posting its result.
    ContestClose,
    /// A direct message to a speaker before their talk ([`crate::nudges`]).
    Nudge,
    /// A direct message to a speaker at their talk's end, when its Q&A has
    /// open questions.
    QuestionsWaiting,
}

impl JobKind {
    /// The name stored in the database and shown in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Announce => "announce",
            Self::OnDemand => "on_demand",
            Self::PollOpen => "poll_open",
            Self::PollClose => "poll_close",
            Self::Reminder => "reminder",
            Self::Digest => "digest",
            Self::Change => "change",
            Self::ContestOpen => "contest_open",
            Self::ContestClose => "contest_close",
            Self::Nudge => "nudge",
            Self::QuestionsWaiting => "questions_waiting",
        }
    }

    /// Parses [`Self::as_str`] back.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Announce,
            Self::OnDemand,
            Self::PollOpen,
            Self::PollClose,
            Self::Reminder,
            Self::Digest,
            Self::Change,
            Self::ContestOpen,
            Self::ContestClose,
            Self::Nudge,
            Self::QuestionsWaiting,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a job posts: a channel key from the config (a name or a platform id),
/// or a user (opaque platform id) for direct messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "to", content = "id", rename_all = "snake_case")]
pub enum Target {
    Channel(String),
    User(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Channel(channel) => write!(f, "#{channel}"),
            Self::User(user) => write!(f, "user {user}"),
        }
    }
}

/// One session as a message shows it: a snapshot taken when the job was planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub session: SessionId,
    pub title: String,
    pub kind: SessionKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub speakers: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<String>,
    /// For a change notice: the slot before the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// For a change notice: the session was cancelled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}

impl Item {
    /// The snapshot of `session`.
    pub fn of(session: &Session) -> Self {
        let place = match (&session.track, &session.room) {
            (Some(track), Some(room)) => Some(format!("{track} · {room}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        };
        Self {
            session: session.id.clone(),
            title: session.title.clone(),
            kind: session.kind,
            speakers: session.speaker_names(),
            place,
            start: session.start,
            end: session.end,
            video: session.video().map(|link| link.url.clone()),
            was: None,
            cancelled: false,
        }
    }
}

/// What to say, platform-neutral: adapters render it (Discord `<t:...>` times,
/// plain text on the console).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub kind: JobKind,
    /// For announcements and reminders: minutes before the start.
    #[serde(default)]
    pub lead_minutes: u32,
    pub items: Vec<Item>,
    /// Items left out of a long digest.
    #[serde(default)]
    pub more: usize,
    /// Role to ping (a platform id); the only mention a message may carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The poll to open, for [`JobKind::PollOpen`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<String>,
    /// The posted poll to close, for [`JobKind::PollClose`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_message: Option<MessageKey>,
    /// The local day of a digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<NaiveDate>,
    /// The declared contest to open ([`JobKind::ContestOpen`]), or the
    /// stored contest's id to close ([`JobKind::ContestClose`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest: Option<String>,
    /// For a nudge: the channel that announces the talk (a config key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl Message {
    /// A message of `kind` about `items`, with nothing else set.
    pub fn new(kind: JobKind, items: Vec<Item>) -> Self {
        Self {
            kind,
            lead_minutes: 0,
            items,
            more: 0,
            role: None,
            poll: None,
            poll_message: None,
            day: None,
            contest: None,
            channel: None,
        }
    }
}

/// A planned post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Deterministic: kind, target, lead time, session ids and their slot.
    pub key: String,
    pub due_at: DateTime<Utc>,
    /// Never posted at or after this instant (e.g. "starting now" after the end).
    pub expires_at: DateTime<Utc>,
    pub target: Target,
    pub message: Message,
}

impl Job {
    /// What the job posts.
    pub fn kind(&self) -> JobKind {
        self.message.kind
    }

    /// The nonce for the platform's duplicate check: a stable hash of the key,
    /// short enough for Discord's 25-character limit.
    pub fn nonce(&self) -> String {
        nonce_of(&self.key)
    }

    /// What the job is about, exactly, for cancelling it: a reminder's user
    /// and session ([`reminder_subject`]); `None` for every other kind.
    pub fn subject(&self) -> Option<String> {
        match (self.kind(), &self.target) {
            (JobKind::Reminder, Target::User(user)) => {
                let item = self.message.items.first()?;
                Some(reminder_subject(user, &item.session))
            }
            _ => None,
        }
    }
}

/// The subject of `user`'s reminder jobs for `session`: both, as a JSON
/// array, so no user or session id can be mistaken for a part of another.
pub fn reminder_subject(user: &str, session: &SessionId) -> String {
    serde_json::to_string(&[user, session.as_str()]).unwrap_or_default()
}

/// `em` + 16 hex digits of the FNV-1a hash of `key`: stable across processes and
/// builds (unlike std's `DefaultHasher`), which is the point.
pub fn nonce_of(key: &str) -> String {
    crate::chat::dedupe_key("em", key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_stable_short_and_distinct() {
        let a = nonce_of("announce:5:general:1633622400:a");
        assert_eq!(a, nonce_of("announce:5:general:1633622400:a"));
        assert_ne!(a, nonce_of("announce:0:general:1633622400:a"));
        assert!(a.len() <= 25, "{a}");
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in [
            JobKind::Announce,
            JobKind::Digest,
            JobKind::Change,
            JobKind::PollClose,
        ] {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        let target = serde_json::to_string(&Target::User("7".into())).unwrap();
        assert_eq!(target, r#"{"to":"user","id":"7"}"#);
    }
}

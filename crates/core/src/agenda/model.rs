//! The programme as data: a conference, its sessions, tracks and rooms.
//!
//! Every instant is UTC. The conference's IANA timezone is kept only to group
//! sessions into local days and to show times where no reader-local rendering
//! exists (the console). Importers and the TOML loader both produce these types,
//! so every query and adapter works the same whatever the source was.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A session's stable identifier, as given by the source (pretalx code, frab id, TOML id).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub String);

impl SessionId {
    /// Wraps any string-like id.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What sort of programme item a session is; drives wording and announcement routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    Keynote,
    Talk,
    Lounge,
    Break,
    Social,
}

impl SessionKind {
    /// Lower-case name, as used in config files and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keynote => "keynote",
            Self::Talk => "talk",
            Self::Lounge => "lounge",
            Self::Break => "break",
            Self::Social => "social",
        }
    }
}

impl fmt::Display for SessionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person on stage, and who they are in chat (opaque user ids, written in
/// the agenda as `discord = "…"` / `slack = "U…"`), so they can host their
/// session's Q&A.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discord: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<String>,
}

impl Speaker {
    /// Whether chat user `user` (any platform's id) is this speaker.
    pub fn is_user(&self, user: &str) -> bool {
        [&self.discord, &self.slack]
            .into_iter()
            .flatten()
            .any(|id| id.trim() == user)
    }
}

/// What a link points to; the video link is what "now on demand" announcements use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Video,
    Slides,
    Page,
    Other,
}

/// A URL that belongs to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    pub url: String,
}

/// One programme item with a start and an end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub title: String,
    #[serde(default, rename = "abstract", skip_serializing_if = "String::is_empty")]
    pub abstract_text: String,
    pub kind: SessionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    #[serde(default)]
    pub speakers: Vec<Speaker>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

impl Session {
    /// True while the session runs: from its start (inclusive) to its end (exclusive).
    pub fn is_running_at(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// The on-demand video, if the source published one.
    pub fn video(&self) -> Option<&Link> {
        self.links.iter().find(|link| link.kind == LinkKind::Video)
    }

    /// Speaker names joined for one line of text ("A, B and C").
    pub fn speaker_names(&self) -> String {
        let names: Vec<&str> = self.speakers.iter().map(|s| s.name.as_str()).collect();
        match names.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} and {}", rest.join(", "), last),
        }
    }
}

/// A named stream of sessions ("Observability").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A place, physical or virtual, where sessions happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub name: String,
}

/// Everything a source says about one conference, before validation and indexing.
#[derive(Debug, Clone, PartialEq)]
pub struct Conference {
    pub name: String,
    pub timezone: Tz,
    pub tracks: Vec<Track>,
    pub rooms: Vec<Room>,
    pub sessions: Vec<Session>,
}

//! JSON output for scripts: an array of sessions with RFC 3339 UTC times.

use emcee_core::agenda::{Link, Session, Speaker};
use serde::Serialize;

/// One session as `emcee agenda --format json` prints it.
#[derive(Debug, Serialize)]
pub struct SessionJson<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub kind: &'static str,
    pub track: Option<&'a str>,
    pub room: Option<&'a str>,
    pub speakers: &'a [Speaker],
    /// RFC 3339 in UTC, e.g. `2021-10-07T16:00:00Z`.
    pub start: String,
    pub end: String,
    pub links: &'a [Link],
}

impl<'a> From<&'a Session> for SessionJson<'a> {
    fn from(session: &'a Session) -> Self {
        let rfc3339 =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Self {
            id: session.id.as_str(),
            title: &session.title,
            kind: session.kind.as_str(),
            track: session.track.as_deref(),
            room: session.room.as_deref(),
            speakers: &session.speakers,
            start: rfc3339(session.start),
            end: rfc3339(session.end),
            links: &session.links,
        }
    }
}

/// The sessions as a pretty-printed JSON array.
///
/// # Errors
/// Only if serialization fails, which plain data never does.
pub fn sessions(sessions: &[Session]) -> serde_json::Result<String> {
    let items: Vec<SessionJson<'_>> = sessions.iter().map(SessionJson::from).collect();
    serde_json::to_string_pretty(&items)
}

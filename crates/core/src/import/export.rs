//! An imported conference as emcee's own `agenda.toml` (`emcee import --out`).
//!
//! Organisers who want to edit the programme by hand after importing it get a
//! file that reads naturally: times carry the offset the conference timezone has
//! at that instant ("09:00:00+01:00"), so they are exact and still show local
//! wall-clock time, and the file loads back to the same sessions.

use crate::agenda::Conference;
use crate::config::agenda_file::{to_toml_datetime, AgendaFile, ConferenceEntry, SessionEntry};

/// `conference` as an agenda file, ready to serialise with `toml::to_string`.
pub fn to_agenda_file(conference: &Conference) -> AgendaFile {
    let timezone = conference.timezone;
    let sessions = conference
        .sessions
        .iter()
        .map(|session| SessionEntry {
            id: session.id.as_str().to_owned(),
            title: session.title.clone(),
            kind: session.kind,
            track: session.track.clone(),
            room: session.room.clone(),
            start: to_toml_datetime(session.start, timezone),
            end: Some(to_toml_datetime(session.end, timezone)),
            minutes: None,
            speakers: session.speakers.clone(),
            abstract_text: session.abstract_text.clone(),
            links: session.links.clone(),
        })
        .collect();
    AgendaFile {
        conference: ConferenceEntry {
            name: conference.name.clone(),
            timezone: Some(timezone),
        },
        tracks: conference.tracks.clone(),
        rooms: conference.rooms.clone(),
        sessions,
        polls: Vec::new(),
        contests: Vec::new(),
    }
}

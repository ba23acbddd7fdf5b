//! What a command answers, before any platform renders it.

use crate::agenda::Session;
use chrono::{DateTime, Utc};

/// A list of sessions with a heading, or one session in detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// What the list is ("Live now", "Next up in Observability").
    pub heading: String,
    /// Why the list is empty or what frames it (before or after the conference).
    pub notice: Option<Notice>,
    pub sessions: Vec<Session>,
    /// Show abstracts and links, as for a single session.
    pub detailed: bool,
    /// The instant the question was asked at: decides "ended, video available".
    pub asked_at: DateTime<Utc>,
}

/// A sentence that frames an answer, so no one gets an empty screen without a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The conference has not started; it starts at this instant.
    NotStarted { starts_at: DateTime<Utc> },
    /// The conference is over; the last session ended at this instant.
    Over { ended_at: DateTime<Utc> },
    /// Nothing is running now; the next session starts at this instant.
    NothingLive { next_at: DateTime<Utc> },
    /// No further sessions (in this track) today or later.
    NoMoreSessions,
    /// The agenda has no sessions at all.
    EmptyAgenda,
}

/// The reply to any command.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Sessions(Answer),
    Help(Vec<HelpEntry>),
}

/// One line of help: how to call a command and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpEntry {
    pub usage: &'static str,
    pub summary: &'static str,
}

/// The commands every adapter offers, in the order `/help` lists them.
pub const HELP: &[HelpEntry] = &[
    HelpEntry {
        usage: "/now",
        summary: "what is live right now",
    },
    HelpEntry {
        usage: "/next [track]",
        summary: "what starts next, in every track or one",
    },
    HelpEntry {
        usage: "/agenda [day] [track]",
        summary: "a day's programme (today by default)",
    },
    HelpEntry {
        usage: "/track name",
        summary: "every session of a track",
    },
    HelpEntry {
        usage: "/speaker name",
        summary: "a speaker's sessions (any order, accents optional)",
    },
    HelpEntry {
        usage: "/room name",
        summary: "everything in one room",
    },
    HelpEntry {
        usage: "/session name",
        summary: "one session in detail, by title or id",
    },
    HelpEntry {
        usage: "/search text",
        summary: "search titles, abstracts and speakers",
    },
    HelpEntry {
        usage: "/remind session [minutes]",
        summary: "a direct message before a session starts",
    },
    HelpEntry {
        usage: "/reminders [cancel session]",
        summary: "your reminders; cancel one",
    },
    HelpEntry {
        usage: "/mycal",
        summary: "your reminded sessions as a calendar file",
    },
    HelpEntry {
        usage: "/star session",
        summary: "star a session for your day (with a reminder)",
    },
    HelpEntry {
        usage: "/unstar session",
        summary: "unstar a session",
    },
    HelpEntry {
        usage: "/mytalks",
        summary: "your starred sessions by day, clashes flagged",
    },
    HelpEntry {
        usage: "/poll create|results|close|cancel",
        summary: "flash polls (organisers create, close and cancel them)",
    },
    HelpEntry {
        usage: "/help",
        summary: "this list",
    },
];

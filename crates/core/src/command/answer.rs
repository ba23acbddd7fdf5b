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

/// Where a command is typed: each adapter lists only the commands it has,
/// each in its own syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Discord,
    Slack,
    Console,
}

/// One command in every adapter: what it does, and how it is typed on each
/// platform (`None`: that adapter does not have it). One entry per command
/// keeps the three help lists in step: a new command is one more entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpEntry {
    pub summary: &'static str,
    pub discord: Option<&'static str>,
    pub slack: Option<&'static str>,
    pub console: Option<&'static str>,
}

impl HelpEntry {
    /// How the command is typed on `surface`, if it is offered there.
    pub fn usage(&self, surface: Surface) -> Option<&'static str> {
        match surface {
            Surface::Discord => self.discord,
            Surface::Slack => self.slack,
            Surface::Console => self.console,
        }
    }

    /// The same command, typed alike everywhere.
    const fn everywhere(usage: &'static str, slack: &'static str, summary: &'static str) -> Self {
        Self {
            summary,
            discord: Some(usage),
            slack: Some(slack),
            console: Some(usage),
        }
    }
}

/// `(usage, summary)` of each command `surface` offers, in the order `/help`
/// lists them.
pub fn help_lines(entries: &[HelpEntry], surface: Surface) -> Vec<(&'static str, &'static str)> {
    entries
        .iter()
        .filter_map(|entry| Some((entry.usage(surface)?, entry.summary)))
        .collect()
}

/// Every command of every adapter, in the order `/help` lists them.
pub const HELP: &[HelpEntry] = &[
    HelpEntry::everywhere("/now", "/emcee now", "what is live right now"),
    HelpEntry::everywhere(
        "/next [track]",
        "/emcee next [track]",
        "what starts next, in every track or one",
    ),
    HelpEntry::everywhere(
        "/agenda [day] [track]",
        "/emcee agenda [day] [track]",
        "a day's programme (today by default)",
    ),
    HelpEntry::everywhere(
        "/track name",
        "/emcee track name",
        "every session of a track",
    ),
    HelpEntry::everywhere(
        "/speaker name",
        "/emcee speaker name",
        "a speaker's sessions (any order, accents optional)",
    ),
    HelpEntry::everywhere("/room name", "/emcee room name", "everything in one room"),
    HelpEntry::everywhere(
        "/session name",
        "/emcee session name",
        "one session in detail, by title or id",
    ),
    HelpEntry::everywhere(
        "/search text",
        "/emcee search text",
        "search titles, abstracts and speakers",
    ),
    HelpEntry {
        summary: "a direct message before a session starts",
        discord: Some("/remind session [minutes_before]"),
        slack: Some("/emcee remind session [minutes]"),
        console: Some("/remind session [minutes]"),
    },
    HelpEntry {
        summary: "your reminders; cancel one",
        discord: Some("/reminders [cancel]"),
        slack: Some("/emcee reminders [cancel session]"),
        console: Some("/reminders [cancel session]"),
    },
    HelpEntry::everywhere(
        "/mycal [reset]",
        "/emcee mycal [reset]",
        "your calendar feed's address and file (reset: a new address)",
    ),
    HelpEntry {
        summary: "ask the speakers a question; the room upvotes it with ▲",
        discord: Some("/ask question [session] [anonymous]"),
        slack: Some("/emcee ask [session |] question [anonymous:yes]"),
        console: Some("/ask [anon] [session |] question"),
    },
    HelpEntry::everywhere(
        "/questions [session]",
        "/emcee questions [session]",
        "a session's questions, for its hosts: answered, pin, hide",
    ),
    HelpEntry::everywhere(
        "/poll create|results|close|cancel",
        "/emcee poll create|results|close|cancel",
        "flash polls (organisers create, close and cancel them)",
    ),
    HelpEntry::everywhere(
        "/star session",
        "/emcee star session",
        "star a session for your day (with a reminder)",
    ),
    HelpEntry::everywhere(
        "/unstar session",
        "/emcee unstar session",
        "unstar a session",
    ),
    HelpEntry::everywhere(
        "/mytalks",
        "/emcee mytalks",
        "your starred sessions by day, clashes flagged",
    ),
    HelpEntry {
        summary: "a meme contest in a channel (organisers)",
        discord: Some("/contest open|close"),
        slack: Some("/emcee contest open|close"),
        console: None,
    },
    HelpEntry {
        summary: "read the agenda again and reschedule (organisers)",
        discord: Some("/reload"),
        slack: Some("/emcee reload"),
        console: None,
    },
    HelpEntry::everywhere("/help", "/emcee help", "this list"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_surface_lists_its_own_commands_in_its_own_syntax() {
        let discord = help_lines(HELP, Surface::Discord);
        let slack = help_lines(HELP, Surface::Slack);
        let console = help_lines(HELP, Surface::Console);
        let has = |lines: &[(&str, &str)], usage: &str| lines.iter().any(|(u, _)| *u == usage);
        assert!(has(&discord, "/ask question [session] [anonymous]"));
        assert!(has(&discord, "/questions [session]") && has(&discord, "/reload"));
        assert!(has(
            &slack,
            "/emcee ask [session |] question [anonymous:yes]"
        ));
        assert!(has(&slack, "/emcee questions [session]"));
        assert!(has(&console, "/ask [anon] [session |] question"));
        assert!(!console.iter().any(|(u, _)| u.contains("reload")));
        assert!(slack.iter().all(|(u, _)| u.starts_with("/emcee ")));
        assert!(discord
            .iter()
            .chain(&console)
            .all(|(u, _)| !u.contains("emcee")));
        // The meme contest runs on both chat platforms, not in the console.
        assert!(has(&discord, "/contest open|close"));
        assert!(has(&slack, "/emcee contest open|close"));
        assert!(!console.iter().any(|(u, _)| u.contains("contest")));
        assert_eq!(discord.len(), slack.len());
        assert!(has(&slack, "/emcee star session") && has(&console, "/mytalks"));
    }
}

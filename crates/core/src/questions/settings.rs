//! `[questions]` and `[threads]` in emcee.toml.

use serde::Deserialize;

/// `[questions]`: session Q&A limits and who hosts the lounge.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuestionSettings {
    /// Questions one person may ask per session (default 3); a duplicate
    /// merged into someone else's counts too.
    pub per_person: usize,
    /// The longest question, in characters (default 300).
    pub max_chars: usize,
    /// At most one edit of a session's "next question" post this often
    /// (default 5 seconds), however fast votes come in.
    pub board_every_seconds: u32,
    /// How many of a session's top questions its "now on demand" post lists
    /// beside the video (default 3; 0: none).
    pub on_demand: usize,
    /// Chat user ids (opaque: a Discord id or a Slack `U…`) who host every
    /// `kind = "lounge"` session, besides organisers.
    pub lounge_hosts: Vec<String>,
}

impl Default for QuestionSettings {
    fn default() -> Self {
        Self {
            per_person: 3,
            max_chars: 300,
            board_every_seconds: 5,
            on_demand: 3,
            lounge_hosts: Vec::new(),
        }
    }
}

/// `[threads]`: a thread per session, opened on its start announcement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThreadSettings {
    /// Off by default.
    pub enabled: bool,
    /// Minutes after a session ends that its thread is archived (default 30).
    pub archive_after_minutes: u32,
}

impl Default for ThreadSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            archive_after_minutes: 30,
        }
    }
}

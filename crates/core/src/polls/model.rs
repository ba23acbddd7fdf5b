//! A poll as it lives on a chat platform: where its message is, which reaction
//! stands for which option, and whether voting is still open.
//!
//! Platform identities stay opaque strings so Slack can reuse all of this: a
//! message is a `(channel, message)` pair (Discord snowflakes; Slack channel +
//! `ts`), an option's reaction is a key each adapter spells its own way
//! (Discord: Unicode or `name:id`; Slack: `thumbsup`), and voters are user ids.

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use crate::chat::MessageKey;

/// One option of a posted poll: the reaction that votes for it and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The platform's reaction key (Discord: "🇦", "🦀" or "ferris:123").
    pub key: String,
    pub label: String,
}

/// Whether a poll still takes votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PollState {
    Open,
    /// Closed at its deadline or by an organiser; the result stands.
    Closed,
    /// Called off; no result is announced.
    Cancelled,
}

impl PollState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads the stored spelling; anything unknown is treated as closed.
    pub fn parse(text: &str) -> Self {
        match text {
            "open" => Self::Open,
            "cancelled" => Self::Cancelled,
            _ => Self::Closed,
        }
    }
}

/// How a poll takes votes. Each platform maps it to what it can show: Slack
/// draws buttons; Discord has native polls; a platform keeps reactions where
/// it has neither ([`crate::chat::ChatPort::vote_buttons`],
/// [`crate::chat::ChatPort::native_polls`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PollStyle {
    /// Voters react with the option's emoji; the bot seeds one per option.
    #[default]
    Reactions,
    /// Each option has a Vote button; a click moves, toggles or takes back
    /// the vote, and the bot enforces one vote each.
    Buttons,
    /// The platform's own poll (Discord's): it counts and shows the votes,
    /// enforces one vote each in single choice and reports every vote; the
    /// bot stores them and ends the poll at its own close time.
    Native,
}

impl PollStyle {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reactions => "reactions",
            Self::Buttons => "buttons",
            Self::Native => "native",
        }
    }

    /// Reads a stored or typed spelling (any case); `None` if it is neither.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_lowercase().as_str() {
            "reactions" | "reaction" => Some(Self::Reactions),
            "buttons" | "button" => Some(Self::Buttons),
            "native" => Some(Self::Native),
            _ => None,
        }
    }
}

/// A poll about to be stored: its message exists, votes are not yet accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPoll {
    pub message: MessageKey,
    pub question: String,
    pub choices: Vec<Choice>,
    pub multi: bool,
    /// Keep the running tally off the poll message until it closes.
    pub hide_tally: bool,
    /// Reactions or buttons, as the platform will show it.
    pub style: PollStyle,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// The `[[polls]]` id of a poll declared in the agenda, so opening it twice
    /// finds the first one.
    pub declared_id: Option<String>,
    /// Who created it (a platform user id), for the export.
    pub created_by: Option<String>,
    /// The community (Discord server, Slack workspace) it was created in;
    /// `None` for declared polls and polls stored before communities.
    pub community: Option<String>,
}

/// A stored poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Poll {
    pub id: i64,
    pub message: MessageKey,
    pub question: String,
    pub choices: Vec<Choice>,
    pub multi: bool,
    pub hide_tally: bool,
    pub style: PollStyle,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub state: PollState,
    pub closed_at: Option<DateTime<Utc>>,
    pub declared_id: Option<String>,
    pub created_by: Option<String>,
    /// The community it was created in (see [`NewPoll::community`]).
    pub community: Option<String>,
    /// Whether the result (or the cancellation) was announced.
    pub announced: bool,
}

impl Poll {
    /// The stored poll for `new` with database id `id`.
    pub fn from_new(id: i64, new: NewPoll) -> Self {
        Self {
            id,
            message: new.message,
            question: new.question,
            choices: new.choices,
            multi: new.multi,
            hide_tally: new.hide_tally,
            style: new.style,
            opened_at: new.opened_at,
            closes_at: new.closes_at,
            state: PollState::Open,
            closed_at: None,
            declared_id: new.declared_id,
            created_by: new.created_by,
            community: new.community,
            announced: false,
        }
    }

    /// Which option a reaction key stands for.
    pub fn option_of(&self, key: &str) -> Option<usize> {
        self.choices.iter().position(|c| c.key == key)
    }
}

/// A click on a button poll's Vote button, as the platform reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Click {
    pub message: MessageKey,
    /// The clicking user's id.
    pub voter: String,
    /// The option whose button was clicked (its index).
    pub option: usize,
    /// When it was clicked, by the platform's clock, in microseconds
    /// (Slack's `action_ts`); increasing with each click of a user, so a
    /// click delivered again is recognised, also after a restart. 0: unknown.
    pub at: u64,
}

/// A vote on a native poll added or taken back, as the platform reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeVote {
    pub message: MessageKey,
    /// The voting user's id.
    pub voter: String,
    /// The option voted for (its index).
    pub option: usize,
    /// Added (`true`) or taken back.
    pub added: bool,
    /// The community the platform says the vote came from; a vote that
    /// names another community than the poll's counts nowhere.
    pub community: Option<String>,
}

/// A reaction added to or removed from a poll message, as the platform reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub message: MessageKey,
    /// The reacting user's id.
    pub voter: String,
    /// The reaction's key, spelled like [`Choice::key`].
    pub key: String,
    /// Added (`true`) or removed.
    pub added: bool,
    /// The bot's own reaction (its seed reactions): never a vote.
    pub by_self: bool,
}

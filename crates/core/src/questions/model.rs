//! A question as stored: who asked it, for which session in which
//! community, its votes and its state; and the normalised form duplicates
//! are matched by.

use crate::agenda::SessionId;
use crate::chat::MessageKey;
use chrono::{DateTime, Utc};

/// Where a question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionState {
    /// Open for votes.
    Open,
    /// A host answered it; it leaves the queue.
    Answered,
    /// A host hid it from the room.
    Hidden,
}

impl QuestionState {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Hidden => "hidden",
        }
    }

    /// Parses [`Self::as_str`] back; anything else reads as open.
    pub fn parse(text: &str) -> Self {
        match text {
            "answered" => Self::Answered,
            "hidden" => Self::Hidden,
            _ => Self::Open,
        }
    }
}

/// One question with its votes, as the store reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: i64,
    /// The server or workspace it was asked in.
    pub community: String,
    pub session: SessionId,
    /// The first asker; hosts see them, the room does not when `anonymous`.
    pub asker: String,
    /// The first asker's display name when they asked.
    pub asker_name: String,
    pub anonymous: bool,
    /// As typed, trimmed.
    pub text: String,
    pub asked_at: DateTime<Utc>,
    pub state: QuestionState,
    pub pinned: bool,
    /// Its message, once posted.
    pub message: Option<MessageKey>,
    /// How many people upvoted it.
    pub votes: u32,
    /// Everyone who asked it (the first asker and those whose duplicate was
    /// merged into it), in the order they asked.
    pub askers: Vec<Asker>,
}

/// Someone who asked a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asker {
    pub user: String,
    pub anonymous: bool,
}

impl Question {
    /// Higher in the hosts' list: pinned first, then more votes, then older.
    pub fn ranks_before(&self, other: &Self) -> std::cmp::Ordering {
        other
            .pinned
            .cmp(&self.pinned)
            .then(other.votes.cmp(&self.votes))
            .then(self.asked_at.cmp(&other.asked_at))
            .then(self.id.cmp(&other.id))
    }
}

/// A question to file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    pub community: String,
    pub session: SessionId,
    pub asker: String,
    pub asker_name: String,
    pub anonymous: bool,
    pub text: String,
    /// [`normalise`]d `text`.
    pub normal: String,
    pub asked_at: DateTime<Utc>,
}

/// What filing a question did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    /// A new question.
    New(Question),
    /// The same question (by [`normalise`]) was already asked: the asker
    /// joined it and their upvote counts; `already` when they had asked it.
    Merged { question: Question, already: bool },
    /// The asker has asked as many questions for this session as allowed.
    LimitReached,
}

/// What an upvote click did, decided in the transaction that stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Voted {
    /// The click's vote was toggled: the question as it now stands, and
    /// whether the clicker's vote now counts.
    Toggled {
        question: Box<Question>,
        counts: bool,
    },
    /// A host hid the question: its votes are closed, nothing changed.
    Hidden,
    /// No such question in the clicker's community: nothing changed.
    Unknown,
}

/// How the platform delivers a ▲ click, which says what a second click of
/// the same user means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Click {
    /// Delivered again until acknowledged, with the platform's click time
    /// (microseconds, increasing with each click of a user: Slack's
    /// `action_ts`): a click not later than the user's last one on the
    /// question is a redelivery, also to a restarted process, and changes
    /// nothing.
    Timed(u64),
    /// Never delivered twice, and answered after it is stored by process
    /// `by` ([`crate::scheduler::holder::me`]): Discord, where `click` is
    /// the interaction's id (unique per click). The change stays
    /// unanswered until the store hears that its answer went out. The
    /// user's next click while it is unanswered for good (its process is
    /// gone, or its answer failed) is the same click tried again after the
    /// user's client said it failed, and changes nothing.
    Answered { by: &'static str, click: u64 },
    /// Every click toggles (the console).
    Plain,
}

/// The holder kept for a change whose answer failed: unanswered for good.
pub(crate) const ANSWER_FAILED: &str = "";

/// Whether a click by the user whose latest change of the vote is
/// unanswered by `unanswered_by` (if it is) is that change tried again,
/// for a click [`Click::Answered`] by `me`. A change that `me` still
/// answers, or that a live process does, is not: a quick second click
/// toggles as ever.
pub(crate) fn is_retry(unanswered_by: Option<&str>, me: &str) -> bool {
    unanswered_by.is_some_and(|by| by == ANSWER_FAILED || crate::scheduler::holder::is_gone(by, me))
}

/// The form duplicates are matched by: case, accents, punctuation and
/// spacing folded away, words kept in order ("Is Rust fast?" and
/// "is rust   FAST" are one question; "fast, is Rust?" is another).
pub fn normalise(text: &str) -> String {
    crate::agenda::text::words(text).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_fold_case_accents_punctuation_and_spaces_but_not_word_order() {
        let one = normalise("How does Scylla’s I/O scheduler work?");
        assert_eq!(one, normalise("  how does scylla's   i/o SCHEDULER work"));
        assert_eq!(normalise("Café — naïve?"), normalise("cafe naive"));
        assert_ne!(normalise("is rust fast"), normalise("fast is rust"));
        assert_eq!(normalise("?!…"), "");
    }
}

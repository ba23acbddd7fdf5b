//! Meme contests: organisers name a channel and a window (in the agenda's
//! `[[contests]]`, or with `/contest open`), attendees post their images
//! there, everyone votes with a reaction, and at the close the bot posts the
//! top entries with their images and counts.
//!
//! Platform-neutral like polls, and bound to a community: entries are posts
//! the adapter hands in as [`Submission`]s, votes are the same
//! [`crate::polls::Reaction`]s polls get. Every entry and vote is stored
//! before it counts (votes in batches, through `votes`' desk), the result is
//! counted from the store, and after a restart every open contest is
//! reconciled with the platform's reactions, so the winners are exact under
//! bursts and across restarts. Opening a declared contest and closing every
//! contest are scheduler jobs, so one process does each once.
//!
//! - `model`: contests, entries, votes, the ranking (ties to the earlier entry).
//! - `spec`: a declared contest and the rules every contest obeys.
//! - `service`: opening, closing, results; `entries`: posts and reactions in,
//!   reconciliation; `votes`: the batched vote writer.
//! - `posts`: what the room sees; `store`: what contests need from a database.

mod entries;
mod model;
mod posts;
mod service;
mod spec;
mod store;
mod votes;

pub use entries::{Submission, Submitted, Voted};
pub use model::{
    rank, Contest, ContestState, Entry, EntryAdded, NewContest, NewEntry, Standing, Upload,
    VoteChange, DEFAULT_EMOJI, DEFAULT_PER_PERSON, DEFAULT_TOP, MAX_PER_PERSON, MAX_TOP,
};
pub use posts::{opened_post, result_posts};
pub use service::{ContestDeadlines, ContestService, OpenContest};
pub use spec::{default_emoji, ContestRuleError, DeclaredContest};
pub use store::ContestStore;

/// Why a contest operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ContestError {
    /// The contest cannot run as asked; tell the organiser.
    #[error(transparent)]
    Rules(#[from] ContestRuleError),
    #[error("no such channel here: {0}")]
    NoSuchChannel(String),
    #[error("the contest store failed: {0}")]
    Store(String),
    #[error("the platform failed: {0}")]
    Port(#[from] crate::chat::PortError),
    #[error("the contest vote desk has stopped")]
    Stopped,
}

impl From<crate::store::StoreError> for ContestError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Store(error.to_string())
    }
}

//! Flash polls: a question, a handful of options, a voting window.
//!
//! This module owns what a poll *is* and the rules every poll obeys, whichever
//! way it was created (declared in the agenda file, or by an organiser's command)
//! and whichever chat it runs in.
//!
//! - `spec`: a poll as planned ([`FlashPoll`]) and the limits it must respect.
//! - `model`: a poll as posted ([`Poll`]), keyed by its message, with opaque
//!   platform identities so Slack can reuse everything here.
//! - `ballot`: the vote rules (single or multi choice, unvote, out-of-order
//!   events), pure.
//! - `results`: counts, shares, text bars and winners.
//! - `recorder`: owns open polls and stores every vote change before the
//!   tally shows it; `writer` is its batch loop, `metrics` its latencies.
//! - `export`: every poll as CSV or JSON; `duration`: "5m", "90s" and the like.

mod ballot;
mod duration;
pub mod export;
mod metrics;
mod model;
mod recorder;
mod results;
mod spec;
mod writer;

pub use ballot::{Ballots, Change, Mark, MarkRow, Tally};
pub use duration::parse_duration;
pub use metrics::{Latencies, LatencySummary};
pub use model::{Choice, MessageKey, NewPoll, Poll, PollState, Reaction};
pub use recorder::{Observed, PollView, RecordError, Recorder, Verdict};
pub use results::{OptionResult, Results, BAR_WIDTH};
pub use spec::{FlashPoll, PollError, PollLimits, PollOption};

/// The default reactions for options without their own emoji: regional
/// indicator letters 🇦 🇧 🇨 …, one per option up to Discord's 20.
pub fn letter_emoji(index: usize) -> Option<String> {
    let index = u32::try_from(index).ok().filter(|&i| i < 20)?;
    char::from_u32(0x1F1E6 + index).map(String::from)
}

/// The letter ("A", "B", …) naming option `index` in text.
pub fn letter(index: usize) -> String {
    u8::try_from(index).ok().filter(|&i| i < 26).map_or_else(
        || (index + 1).to_string(),
        |i| char::from(b'A' + i).to_string(),
    )
}

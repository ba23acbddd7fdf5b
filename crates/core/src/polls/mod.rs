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
//!   events, button clicks), pure.
//! - `results`: counts, shares, text bars and winners.
//! - `recorder`: owns open polls and stores every vote change before the
//!   tally shows it; `writer` is its batch loop, `metrics` its latencies.
//! - `service`: a poll's life on a chat platform through the chat port
//!   (posting, live tallies, closing, results, recovery); `chart` draws the
//!   result as a PNG.
//! - `store`: what the recorder needs from a database.
//! - `export`: every poll as CSV or JSON; `duration`: "5m", "90s" and the like.

mod ballot;
pub mod chart;
mod duration;
pub mod export;
mod metrics;
mod model;
mod recorder;
mod results;
pub mod service;
mod spec;
mod store;
mod writer;

pub use ballot::{Ballots, Change, Mark, MarkRow, Tally};
pub use duration::parse_duration;
pub use metrics::{Latencies, LatencySummary};
pub use model::{
    Choice, Click, MessageKey, NativeVote, NewPoll, Poll, PollState, PollStyle, Reaction,
};
pub use recorder::{ClickVerdict, Observed, PollView, RecordError, Recorder, Verdict};
pub use results::{OptionResult, Results, BAR_WIDTH};
pub use service::{PollConfig, PollDeadlines, PollRequest, PollService, ServiceError};
pub use spec::{FlashPoll, PollError, PollLimits, PollOption};
pub use store::PollStore;

/// The letter ("A", "B", …) naming option `index` in text.
pub fn letter(index: usize) -> String {
    u8::try_from(index).ok().filter(|&i| i < 26).map_or_else(
        || (index + 1).to_string(),
        |i| char::from(b'A' + i).to_string(),
    )
}

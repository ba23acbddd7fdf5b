//! Flash polls: a question, a handful of options, a voting window.
//!
//! This module owns what a poll *is* and the rules every poll obeys, whichever
//! way it was created (declared in the agenda file, or by an organiser's command).

mod spec;

pub use spec::{FlashPoll, PollError, PollLimits, PollOption};

//! Flash polls on Discord: only translation. The `/poll` commands turn into
//! requests to the core's [`emcee_core::polls::PollService`], reaction events
//! into votes; the service decides and posts through the Discord port.
//!
//! Layout: `commands` (the slash commands), `reactions` (gateway events) and
//! `export` (`emcee polls export`).

pub mod commands;
mod export;
mod reactions;

pub use export::export;
pub use reactions::{emoji_key, neutral, on_reaction, on_ready};

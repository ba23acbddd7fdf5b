//! Flash polls on Discord: only translation. The `/poll` commands turn into
//! requests to the core's [`emcee_core::polls::PollService`], reaction events
//! into votes; the service decides and posts through the Discord port.
//!
//! Layout: `commands` (the slash commands), `reactions` (gateway events),
//! `native` (Discord's native polls: their body, limits and vote events) and
//! `export` (`emcee polls export`).

pub mod commands;
mod export;
mod native;
mod reactions;

pub use export::export;
pub use native::{
    answer_id, body as native_body, on_vote as on_native_vote, LIMITS as NATIVE_LIMITS,
};
pub use reactions::{emoji_key, neutral, on_reaction, on_ready};

//! The Slack adapter end to end: the real bot (slack-morphism, Socket Mode)
//! against the project's fake Slack over loopback.

mod buttons;
mod commands;
mod contests;
pub(crate) mod harness;
mod membership;
mod outbound;
mod parity;
mod polls;
mod process;
mod questions;
mod read_once;
mod scheduler;
mod stars;
mod thread_once;

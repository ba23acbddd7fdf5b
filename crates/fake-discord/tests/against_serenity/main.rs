//! The fake checked against the real serenity 0.12.5 client: payload shapes,
//! a live bot over loopback (including a resume), and REST semantics.
//!
//! One test binary, one module per concern, as the project's e2e tests are laid out.

// Helpers outside `#[test]` functions panic on failure by design, like the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chaos;
mod client;
mod harness;
mod payloads;
mod polls;
mod rest;
mod scheduled_events;
mod shards;
mod tls;

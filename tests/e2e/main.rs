//! End-to-end tests: the real bot (serenity + poise) against the project's fake
//! Discord over loopback sockets. One binary, one module per feature.

// A test fails by panicking; helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abuse;
mod agenda;
mod community;
mod contests;
mod events;
mod faults;
mod faults_announcements;
mod faults_network;
mod faults_storage;
mod feeds;
mod harness;
mod multiprocess;
mod nudges;
mod operations;
mod outbound;
#[path = "../../crates/core/tests/storage_contract/pg_server.rs"]
mod pg_server;
mod poll_create;
mod polls;
mod postgres;
mod preflight;
mod process;
mod questions;
mod render_parity;
mod scheduler;
mod shards;
mod slack;
mod stars;

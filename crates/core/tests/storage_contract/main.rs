//! The storage contract: every storage operation, written once, run against
//! both backends (`…::sqlite::…` on a temporary SQLite file, `…::postgres::…`
//! on a throwaway PostgreSQL server the tests start themselves, see
//! `pg_server.rs`). A backend passes when it gives the same answers.
//!
//! `cargo test -p emcee-core --test storage_contract postgres` runs one side.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fixture;
mod pg_server;

mod contests;
mod direct;
mod feeds;
mod health;
mod jobs;
mod leases;
mod migrations;
mod polls;
mod questions;
mod reminders;
mod scheduled_events;
mod secrets;
mod stars;
mod votes_anywhere;

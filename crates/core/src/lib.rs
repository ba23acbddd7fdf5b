//! emcee's platform-neutral core: everything the bot knows and decides, with no
//! knowledge of Discord, Slack or the terminal.
//!
//! # Layout
//! - [`access`]: who counts as an organiser.
//! - [`agenda`]: the programme (sessions, tracks, rooms) and the queries on it.
//! - [`app`]: the state of one process, shared by every adapter.
//! - [`chat`]: the chat port, what the core needs from a platform (post, edit,
//!   react, DM, resolve a channel) over opaque ids, and neutral rich text.
//! - [`feeds`]: subscribable calendar feeds (personal, conference, track).
//! - [`events`]: the platform's scheduled events (Discord's) for the
//!   keynotes and a rolling window of sessions, kept in step with the agenda.
//! - [`health`]: whether the database takes writes and every background task
//!   is alive, for `/healthz`; the supervisor that restarts a dead task.
//! - [`import`]: published schedules (schedule.json, frab XML, Sessionize, iCalendar), from a file or a URL.
//! - [`config`]: typed, validated `emcee.toml` and `agenda.toml`, with errors that
//!   point at file, line and column.
//! - [`contests`]: meme contests: image entries, reaction votes, results.
//! - [`polls`]: flash polls (declared questions and options).
//! - [`questions`]: session Q&A: questions, upvotes, host controls, the
//!   "next question" board and each session's thread.
//! - [`command`]: the command layer adapters share: a typed request in, a
//!   platform-neutral answer out; each adapter only renders.
//! - [`scheduler`]: what is posted when (announcements, poll openings,
//!   reminders, digests), planned from the programme and run exactly once.
//! - [`nudges`]: direct messages to speakers before their talk, and when
//!   questions wait at its end.
//! - [`reminders`]: personal reminders and the notice about missed ones.
//! - [`stars`]: starred sessions, "my day" with its clashes.
//! - [`store`]: SQLite persistence (bundled), migrations and leases.
//! - [`throttle`] and [`paging`]: a per-user command allowance, and the pages
//!   of long answers, keyed by opaque ids.
//! - [`telemetry`]: names of the operational metrics.
//! - [`clock`]: where "now" comes from (system, manual for tests, rehearsal).

pub mod access;
pub mod agenda;
pub mod app;
pub mod chat;
pub mod clock;
pub mod command;
pub mod config;
pub mod contests;
pub mod events;
pub mod feeds;
pub mod health;
pub mod import;
pub mod nudges;
pub mod paging;
pub mod polls;
pub mod programme;
pub mod questions;
pub mod reminders;
pub mod scheduler;
pub mod stars;
pub mod store;
pub mod telemetry;
pub mod throttle;

//! emcee's adapters: the command line, the console, and the chat platforms
//! (Discord and Slack). Each turns its own input into core requests and renders core
//! answers; none holds business rules (those live in `emcee-core`).
//!
//! # Layout
//! - [`cli`]: command-line definitions (clap).
//! - [`setup`]: loading config and agenda as the subcommands need them.
//! - [`check`]: `emcee check`'s summary.
//! - [`agenda_cli`]: `emcee agenda …`, text or JSON.
//! - [`import_cli`]: `emcee import`, published schedules into emcee's agenda.
//! - [`init`]: `emcee init`, a first config from a published schedule.
//! - [`progress`]: a spinner on stderr for slow steps, on a terminal only.
//! - [`console`]: the bot's command layer in a terminal.
//! - [`discord`], [`slack`]: the chat platforms.
//! - [`refresh`]: keeping a URL agenda fresh while the bot runs.
//! - [`scheduler`]: the core scheduler's task in this process, `/reload`, the console's voice.
//! - [`run`]: `emcee run`, Discord, Slack or both over one application.
//! - [`rehearse`]: `emcee rehearse`, the planned timeline at a glance.
//! - [`telemetry`]: Prometheus metrics and the health endpoint.
//! - [`web`]: the calendar feeds over HTTP.
//! - [`render`]: plain-text and JSON forms of core answers.

pub mod agenda_cli;
pub mod check;
pub mod cli;
pub mod console;
pub mod discord;
pub mod import_cli;
pub mod init;
pub mod progress;
pub mod refresh;
pub mod rehearse;
pub mod render;
pub mod run;
pub mod scheduler;
pub mod setup;
pub mod slack;
pub mod telemetry;
pub mod web;

//! The fake Slack driven by the real slack-morphism client over loopback: the
//! Web API, files, scheduled messages, rate limits, `response_url`s and Socket
//! Mode, as emcee's Slack adapter will use them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
mod interactions;
mod measure;
mod socket_mode;
mod web;

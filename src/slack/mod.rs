//! The Slack adapter: Socket Mode in, Block Kit out, the Web API sender.
//!
//! It has the Discord adapter's shape and owns only Slack's side of three
//! things: turning Slack's envelopes (slash commands, clicks, reactions) into
//! core requests, turning the core's answers into mrkdwn and Block Kit (with
//! every agenda and user text escaped, times as `<!date^…>`, option keys as
//! shortcodes), and the transport with Slack's rate limits. What is said,
//! who may, and when, is decided in `emcee-core`.

pub mod blocks;
pub mod bot;
pub mod both;
pub mod channels;
pub mod clicks;
pub mod commands;
pub mod community;
pub mod contests;
pub mod files;
pub mod listener;
pub mod markup;
pub mod modal;
pub mod outbound;
pub mod polls;
pub mod port;
pub mod preflight;
pub mod questions;
pub mod render;
pub mod respond;
pub mod seen;
pub mod stars;
pub mod start;
pub mod token;

pub use token::{SlackSecret, SlackTokens, TokenError};

/// slack-morphism's default Web API base; `EMCEE_SLACK_API` replaces it, in
/// the same form (no trailing slash), e.g. `http://127.0.0.1:PORT/api`.
pub const SLACK_API: &str = "https://slack.com/api";
/// The variable that points the Web API client elsewhere (the fake Slack in tests).
pub const API_VARIABLE: &str = "EMCEE_SLACK_API";

/// The Web API base: `EMCEE_SLACK_API` when set, else [`SLACK_API`].
pub fn api_base() -> String {
    std::env::var(API_VARIABLE)
        .ok()
        .map(|base| base.trim().trim_end_matches('/').to_owned())
        .filter(|base| !base.is_empty())
        .unwrap_or_else(|| SLACK_API.to_owned())
}

//! The Web API through slack-morphism, one module per area, with the small
//! helpers they share.

mod channels;
mod files;
mod identity;
mod messages;
mod rate_limits;
mod reactions;
mod schedule;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

fn api_code<T: std::fmt::Debug>(result: ClientResult<T>) -> String {
    match result {
        Err(SlackClientError::ApiError(e)) => e.code,
        other => panic!("expected a Slack API error, got {other:?}"),
    }
}

fn channel(id: &str) -> SlackChannelId {
    SlackChannelId::new(id.to_owned())
}

fn text(t: &str) -> SlackMessageContent {
    SlackMessageContent::new().with_text(t.to_owned())
}

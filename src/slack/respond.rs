//! Answers through an interaction's `response_url`: private (ephemeral) by
//! default, in the channel when shared, or replacing the message a button
//! was on (paging). A `response_url` takes 5 posts within 30 minutes and is
//! not a Web API method, so it is not paced by tier; a click's confirmation
//! goes this way, never through `chat.postEphemeral` (about 100 calls a
//! minute per workspace, which a busy poll would exhaust).

use super::outbound::{Client, SendError, Sender, Tier};
use crate::paced;
use slack_morphism::prelude::*;

/// Who sees an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only the user who asked.
    Private,
    /// Everyone in the channel.
    Channel,
    /// In place of the message the button was on.
    Replace,
}

#[derive(serde::Serialize)]
struct ResponseMessage<'a> {
    #[serde(flatten)]
    content: &'a SlackMessageContent,
    response_type: &'static str,
    /// Always said: for a click, Slack replaces the message clicked unless
    /// told `false`, and a vote's confirmation must not replace the poll.
    replace_original: bool,
}

/// Posts `content` to `url` for `visibility`.
///
/// # Errors
/// [`SendError`] when Slack refuses it or keeps failing.
pub async fn respond(
    sender: &Sender,
    url: &SlackResponseUrl,
    content: &SlackMessageContent,
    visibility: Visibility,
) -> Result<(), SendError> {
    let message = ResponseMessage {
        content,
        response_type: match visibility {
            Visibility::Channel => "in_channel",
            Visibility::Private | Visibility::Replace => "ephemeral",
        },
        replace_original: visibility == Visibility::Replace,
    };
    let span = tracing::debug_span!("slack response_url");
    paced!(sender, "response_url", Tier::Response, None, |session| {
        post(session.http_session_api.client, url, &message, &span)
    })
}

async fn post(
    client: &Client,
    url: &SlackResponseUrl,
    message: &ResponseMessage<'_>,
    span: &tracing::Span,
) -> ClientResult<()> {
    let context = SlackClientApiCallContext {
        rate_control_params: None,
        token: None,
        tracing_span: span,
        is_sensitive_url: true,
    };
    let _: serde_json::Value = client
        .http_api
        .connector
        .http_post_uri(url.0.clone(), message, context)
        .await?;
    Ok(())
}

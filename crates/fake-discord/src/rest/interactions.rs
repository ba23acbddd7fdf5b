//! The bot's answers to interactions: the callback, then the webhook that edits
//! `@original` and posts followups with the interaction's token.

use serde_json::{json, Value};

use super::channels::store_files;
use super::routes::id;
use super::Reply;
use crate::error::ApiError;
use crate::payloads;
use crate::record::RecordedRequest;
use crate::{lock, Inner};

/// `POST /interactions/{id}/{token}/callback` -> 204; a second one is a 400 with
/// code 40060.
pub(crate) fn callback(
    inner: &Inner,
    req: &RecordedRequest,
    interaction: u64,
    token: &str,
) -> Result<Reply, ApiError> {
    let body = req.body.clone().unwrap_or(Value::Null);
    let created = {
        let mut world = lock(&inner.world);
        let files = store_files(&world, &req.attachments);
        world.interaction_callback(interaction, token, &body, files)?;
        let original = world
            .interactions
            .get(&interaction)
            .and_then(|i| i.original_id);
        let kind = body.get("type").and_then(Value::as_u64);
        original
            .filter(|_| matches!(kind, Some(4 | 5 | 7)))
            .and_then(|id| world.messages.get(&id).cloned())
            .map(|message| (kind, message))
    };
    if let Some((kind, message)) = created {
        let event = if kind == Some(7) {
            "MESSAGE_UPDATE"
        } else {
            "MESSAGE_CREATE"
        };
        inner.dispatch_message(event, &message);
    }
    Ok(Reply::NoContent)
}

/// Routes `/webhooks/{app}/{token}/...`, the interaction webhook.
pub(crate) fn webhook(
    inner: &Inner,
    req: &RecordedRequest,
    app: &str,
    token: &str,
    rest: &[&str],
) -> Result<Reply, ApiError> {
    if id(app)? != inner.ids.application_id {
        return Err(ApiError::new(404, 10015, "Unknown Webhook"));
    }
    let body = req.body.clone().unwrap_or(json!({}));
    let viewer = inner.ids.bot_user_id;
    let mut world = lock(&inner.world);
    match (req.method.as_str(), rest) {
        ("POST", []) => {
            let files = store_files(&world, &req.attachments);
            let message = world.followup(token, &body, files)?;
            drop(world);
            inner.dispatch_message("MESSAGE_CREATE", &message);
            Ok(Reply::Json(payloads::message(&message, viewer)))
        }
        ("GET", ["messages", which]) => {
            let (channel, message) = world.webhook_message(token, which)?;
            Ok(Reply::Json(payloads::message(
                world.message(channel, message)?,
                viewer,
            )))
        }
        ("PATCH", ["messages", which]) => {
            let files = store_files(&world, &req.attachments);
            let message = world.edit_webhook_message(token, which, &body, files)?;
            drop(world);
            inner.dispatch_message("MESSAGE_UPDATE", &message);
            Ok(Reply::Json(payloads::message(&message, viewer)))
        }
        ("DELETE", ["messages", which]) => {
            let (channel, message) = world.webhook_message(token, which)?;
            world.delete_message(channel, message)?;
            Ok(Reply::NoContent)
        }
        _ => Err(ApiError::not_found()),
    }
}

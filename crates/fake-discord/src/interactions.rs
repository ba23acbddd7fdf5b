//! Interactions after they are dispatched: the one allowed callback, the message it
//! creates or edits, and the followup webhook that shares the interaction's token.

use serde_json::Value;

use crate::error::ApiError;
use crate::state::{StoredAttachment, StoredMessage, World};

/// Message flag of a deferred response still "thinking".
const LOADING: u64 = 1 << 7;

/// Message type of a reply to a slash command.
const CHAT_INPUT_COMMAND: u8 = 20;

/// An interaction the fake dispatched, and what the bot has done with it.
#[derive(Clone, Debug)]
pub(crate) struct InteractionState {
    pub(crate) id: u64,
    pub(crate) token: String,
    pub(crate) kind: u8,
    pub(crate) channel_id: u64,
    pub(crate) guild_id: Option<u64>,
    /// The message a component belongs to.
    pub(crate) message_id: Option<u64>,
    /// The callback body, once the bot answered.
    pub(crate) response: Option<Value>,
    /// The message `@original` refers to.
    pub(crate) original_id: Option<u64>,
}

impl World {
    /// Registers a new interaction with a fresh id and token.
    pub(crate) fn new_interaction(
        &mut self,
        kind: u8,
        channel_id: u64,
        message_id: Option<u64>,
    ) -> Result<InteractionState, ApiError> {
        let guild_id = self.channel_guild(channel_id)?;
        let id = self.snowflakes.next();
        let state = InteractionState {
            id,
            token: format!("fake-interaction-token-{id}"),
            kind,
            channel_id,
            guild_id,
            message_id,
            response: None,
            original_id: None,
        };
        self.interactions.insert(id, state.clone());
        Ok(state)
    }

    /// `POST /interactions/{id}/{token}/callback`: accepts the first response only.
    pub(crate) fn interaction_callback(
        &mut self,
        id: u64,
        token: &str,
        body: &Value,
        files: Vec<StoredAttachment>,
    ) -> Result<(), ApiError> {
        let state = self
            .interactions
            .get(&id)
            .filter(|i| i.token == token)
            .cloned()
            .ok_or_else(ApiError::unknown_interaction)?;
        if state.response.is_some() {
            return Err(ApiError::new(
                400,
                40060,
                "Interaction has already been acknowledged.",
            ));
        }
        let kind = body.get("type").and_then(Value::as_u64).unwrap_or(0);
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let original_id = match kind {
            4 => Some(self.response_message(&state, &data, files, 0)?),
            5 => Some(self.response_message(&state, &data, files, LOADING)?),
            6 => state.message_id,
            7 => {
                let message_id = state
                    .message_id
                    .ok_or_else(|| ApiError::bad_body("type 7 needs a component"))?;
                self.edit_message(state.channel_id, message_id, &data, files)?;
                Some(message_id)
            }
            8 | 9 => None,
            _ => return Err(ApiError::bad_body("unknown interaction response type")),
        };
        if let Some(stored) = self.interactions.get_mut(&id) {
            stored.response = Some(body.clone());
            stored.original_id = original_id;
        }
        Ok(())
    }

    fn response_message(
        &mut self,
        state: &InteractionState,
        data: &Value,
        files: Vec<StoredAttachment>,
        extra_flags: u64,
    ) -> Result<u64, ApiError> {
        let bot = self.bot();
        let mut message = self.create_message(state.channel_id, bot, data, files)?;
        message.flags |= extra_flags;
        message.webhook_id = Some(self.ids.application_id);
        message.interaction_id = Some(state.id);
        if state.kind == 2 {
            message.kind = CHAT_INPUT_COMMAND;
        }
        self.messages.insert(message.id, message.clone());
        Ok(message.id)
    }

    fn interaction_by_token(&self, token: &str) -> Result<&InteractionState, ApiError> {
        self.interactions
            .values()
            .find(|i| i.token == token)
            .ok_or_else(|| ApiError::new(404, 10015, "Unknown Webhook"))
    }

    /// `POST /webhooks/{app}/{token}`: a followup message in the interaction's
    /// channel.
    pub(crate) fn followup(
        &mut self,
        token: &str,
        body: &Value,
        files: Vec<StoredAttachment>,
    ) -> Result<StoredMessage, ApiError> {
        let state = self.interaction_by_token(token)?.clone();
        let bot = self.bot();
        let mut message = self.create_message(state.channel_id, bot, body, files)?;
        message.webhook_id = Some(self.ids.application_id);
        message.interaction_id = Some(state.id);
        self.messages.insert(message.id, message.clone());
        Ok(message)
    }

    /// The channel and id of `@original` or of a followup id, for webhook routes.
    pub(crate) fn webhook_message(&self, token: &str, which: &str) -> Result<(u64, u64), ApiError> {
        let state = self.interaction_by_token(token)?;
        let id = if which == "@original" {
            state.original_id.ok_or_else(ApiError::unknown_message)?
        } else {
            which.parse().map_err(|_| ApiError::unknown_message())?
        };
        let message = self.message(state.channel_id, id)?;
        Ok((message.channel_id, message.id))
    }

    /// `PATCH .../messages/@original` or a followup: editing ends "thinking".
    pub(crate) fn edit_webhook_message(
        &mut self,
        token: &str,
        which: &str,
        body: &Value,
        files: Vec<StoredAttachment>,
    ) -> Result<StoredMessage, ApiError> {
        let (channel_id, id) = self.webhook_message(token, which)?;
        let mut message = self.edit_message(channel_id, id, body, files)?;
        message.flags &= !LOADING;
        self.messages.insert(message.id, message.clone());
        Ok(message)
    }
}

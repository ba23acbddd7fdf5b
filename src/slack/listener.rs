//! Socket Mode in: the connections to Slack and the callbacks that hand each
//! envelope to the bot.
//!
//! slack-morphism acks an envelope only when its callback returns, and reads
//! that connection's next frame only then, so every callback here returns at
//! once: the bot checks and spawns ([`super::bot`]), and answers follow
//! through `response_url`. The one exception is a poll vote, stored (one
//! short commit) before its callback returns, so its ack means it is kept. A command's callback returns an error the error
//! handler recognises ([`Deferred`]) so the ack goes out bare, without a
//! payload that Slack would show as the answer.

use super::bot::{Asked, SlackBot};
use super::outbound::Client;
use super::polls::{on_reaction, ReactionEvent};
use super::token::SlackSecret;
use slack_morphism::prelude::*;
use std::sync::Arc;

/// The answer to this command comes later, through its `response_url`.
#[derive(Debug, thiserror::Error)]
#[error("answered later through response_url")]
pub struct Deferred;

/// Socket Mode connections, serving `bot` until [`Listening::stop`].
pub struct Listening {
    listener: SlackClientSocketModeListener<super::outbound::Connector>,
}

impl Listening {
    /// Opens the Socket Mode connections with the app-level token.
    ///
    /// # Errors
    /// When Slack refuses the token or cannot be reached.
    pub async fn start(
        client: Client,
        config: &SlackClientSocketModeConfig,
        app_token: &SlackSecret,
        bot: SlackBot,
    ) -> Result<Self, slack_morphism::errors::SlackClientError> {
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_command_events(on_command)
            .with_interaction_events(on_interaction)
            .with_push_events(on_push);
        let environment = Arc::new(
            SlackClientEventsListenerEnvironment::new(Arc::new(client))
                .with_error_handler(on_error)
                .with_user_state(bot),
        );
        let listener = SlackClientSocketModeListener::new(config, environment, callbacks);
        listener.listen_for(&app_token.api_token()).await?;
        listener.start().await;
        Ok(Self { listener })
    }

    /// Closes every connection.
    pub async fn stop(self) {
        self.listener.shutdown().await;
    }
}

async fn bot_of(state: &SlackClientEventsUserState) -> Option<SlackBot> {
    state.read().await.get_user_state::<SlackBot>().cloned()
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    if let Some(bot) = bot_of(&state).await {
        bot.command(Asked::from(&event));
    }
    Err(Box::new(Deferred))
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let Some(bot) = bot_of(&state).await else {
        return Ok(());
    };
    match event {
        SlackInteractionEvent::BlockActions(actions) => {
            super::clicks::on_block_actions(&bot, actions).await;
        }
        SlackInteractionEvent::ViewSubmission(submitted) => {
            super::polls::on_modal(&bot, &submitted);
        }
        _ => {}
    }
    Ok(())
}

async fn on_push(
    event: SlackPushEventCallback,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let Some(bot) = bot_of(&state).await else {
        return Ok(());
    };
    let (team, event_id) = (event.team_id.to_string(), event.event_id.to_string());
    let (user, reaction, item, added) = match event.event {
        SlackEventCallbackBody::ReactionAdded(e) => (e.user, e.reaction, e.item, true),
        SlackEventCallbackBody::ReactionRemoved(e) => (e.user, e.reaction, e.item, false),
        SlackEventCallbackBody::Message(message) => {
            super::contests::on_message(&bot, &team, &event_id, message);
            return Ok(());
        }
        _ => return Ok(()),
    };
    let SlackReactionsItem::Message(message) = item else {
        return Ok(());
    };
    let Some(channel) = message.origin.channel else {
        return Ok(());
    };
    let reacted = ReactionEvent {
        team,
        event_id,
        user: user.to_string(),
        reaction: reaction.to_string(),
        channel: channel.to_string(),
        ts: message.origin.ts.to_string(),
        added,
    };
    super::contests::on_reaction(&bot, reacted.clone());
    on_reaction(&bot, reacted);
    Ok(())
}

/// Acks a [`Deferred`] command bare; anything else is logged and acked too
/// (an envelope that failed here fails the same way when re-delivered).
fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> HttpStatusCode {
    if !error.is::<Deferred>() {
        tracing::warn!(%error, "a Slack envelope could not be handled");
    }
    HttpStatusCode::OK
}

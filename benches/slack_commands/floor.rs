//! The floor: a bare slack-morphism Socket Mode handler, on the client and
//! connector emcee uses and with the harness's Socket Mode settings, against
//! its own fake. It acks every slash command at once, bare, and posts a fixed
//! text to the command's `response_url` from a task: Slack's round trip and
//! slack-morphism's, with none of emcee's work.

use emcee::slack::outbound::{self, Connector};
use fake_slack::FakeSlack;
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(20);

/// The floor's fake and its listener.
pub struct Floor {
    pub fake: FakeSlack,
    listener: SlackClientSocketModeListener<Connector>,
}

impl Floor {
    pub async fn stop(self) {
        self.listener.shutdown().await;
    }
}

/// Starts a fake with `config` and the floor's listener on it.
pub async fn start(config: fake_slack::Config) -> Floor {
    let fake = FakeSlack::start_with(config).await.expect("fake slack");
    let client = Arc::new(outbound::client(&fake.api_url()).expect("client"));
    let callbacks = SlackSocketModeListenerCallbacks::new().with_command_events(on_command);
    let environment = Arc::new(SlackClientEventsListenerEnvironment::new(client));
    // The same Socket Mode settings as emcee's in the harness.
    let socket = SlackClientSocketModeConfig::new()
        .with_max_connections_count(1)
        .with_initial_backoff_in_seconds(0)
        .with_reconnect_timeout_in_seconds(1);
    let listener = SlackClientSocketModeListener::new(&socket, environment, callbacks);
    let app_token = SlackApiToken::new(fake.app_token().into());
    listener.listen_for(&app_token).await.expect("listens");
    listener.start().await;
    fake.wait_connected(1, PATIENCE).await.expect("socket open");
    Floor { fake, listener }
}

async fn on_command(
    event: SlackCommandEvent,
    client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    tokio::spawn(async move {
        let reply = SlackApiPostWebhookMessageRequest::new(
            SlackMessageContent::new().with_text("pong".into()),
        );
        if let Err(error) = client.respond_to_event(&event.response_url, &reply).await {
            eprintln!("floor: could not answer: {error}");
        }
    });
    Ok(SlackCommandEventResponse::new(SlackMessageContent::new()))
}

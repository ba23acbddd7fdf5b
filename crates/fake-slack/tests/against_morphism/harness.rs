//! A slack-morphism client and Socket Mode listener wired to a fake, built as
//! the crate docs tell the adapter to build them, and a listener whose
//! callbacks report what they saw.

use std::sync::Arc;
use std::time::Duration;

use fake_slack::{Config, FakeSlack};
use slack_morphism::prelude::*;
use tokio::sync::mpsc;

/// How long any wait in these tests may take before it counts as a failure.
pub const WAIT: Duration = Duration::from_secs(10);

/// A client for the fake: the plain-http connector, no rate control.
pub fn client(fake: &FakeSlack) -> Arc<SlackHyperClient> {
    Arc::new(SlackClient::new(connector(fake)))
}

/// A client whose rate control retries 429s `retries` times after `Retry-After`.
pub fn retrying_client(fake: &FakeSlack, retries: usize) -> Arc<SlackHyperClient> {
    let rate_control = SlackApiRateControlConfig::new().with_max_retries(retries);
    Arc::new(SlackClient::new(
        connector(fake).with_rate_control(rate_control),
    ))
}

fn connector(fake: &FakeSlack) -> SlackClientHyperHttpsConnector {
    let https_or_http = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .expect("native roots")
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    SlackClientHyperConnector::with_connector(https_or_http).with_slack_api_url(&fake.api_url())
}

pub fn bot_token(fake: &FakeSlack) -> SlackApiToken {
    SlackApiToken::new(fake.bot_token().into())
}

/// A fake and a client holding the bot's token: where Web API tests start.
pub struct Web {
    pub fake: FakeSlack,
    pub client: Arc<SlackHyperClient>,
    token: SlackApiToken,
}

impl Web {
    pub async fn start(config: Config) -> Self {
        let fake = FakeSlack::start_with(config).await.expect("fake starts");
        let client = client(&fake);
        let token = bot_token(&fake);
        Self {
            fake,
            client,
            token,
        }
    }

    pub fn session(&self) -> SlackClientSession<'_, SlackClientHyperHttpsConnector> {
        self.client.open_session(&self.token)
    }

    /// Posts `text` in `channel` as the bot.
    pub async fn post(&self, channel: &str, text: &str) -> SlackApiChatPostMessageResponse {
        let content = SlackMessageContent::new().with_text(text.to_owned());
        let request =
            SlackApiChatPostMessageRequest::new(SlackChannelId::new(channel.to_owned()), content);
        self.session()
            .chat_post_message(&request)
            .await
            .expect("posted")
    }
}

/// What a listener callback saw.
#[derive(Debug)]
pub enum Seen {
    Command(Box<SlackCommandEvent>),
    Interaction(Box<SlackInteractionEvent>),
    Event(Box<SlackPushEventCallback>),
}

type Tx = mpsc::UnboundedSender<Seen>;

async fn report(state: &SlackClientEventsUserState, seen: Seen) {
    if let Some(tx) = state.read().await.get_user_state::<Tx>() {
        let _ = tx.send(seen);
    }
}

/// Replies `echo: TEXT` in the ack, at once, as the adapter must; `fail`
/// makes it return an error instead.
async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let text = format!("echo: {}", event.text.clone().unwrap_or_default());
    let fail = event.text.as_deref() == Some("fail");
    report(&state, Seen::Command(Box::new(event))).await;
    if fail {
        return Err("the handler failed".into());
    }
    Ok(SlackCommandEventResponse::new(
        SlackMessageContent::new().with_text(text),
    ))
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    report(&state, Seen::Interaction(Box::new(event))).await;
    Ok(())
}

async fn on_event(
    event: SlackPushEventCallback,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    report(&state, Seen::Event(Box::new(event))).await;
    Ok(())
}

/// A running Socket Mode listener and what its callbacks saw.
pub struct Listener {
    pub client: Arc<SlackHyperClient>,
    listener: SlackClientSocketModeListener<SlackClientHyperHttpsConnector>,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl Listener {
    /// Starts `connections` Socket Mode connections, without the start-up
    /// backoff between them, reconnecting after 1 s.
    pub async fn start(fake: &FakeSlack, connections: u32) -> Self {
        let client = client(fake);
        let (tx, seen) = mpsc::unbounded_channel::<Seen>();
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_command_events(on_command)
            .with_interaction_events(on_interaction)
            .with_push_events(on_event);
        let environment = Arc::new(
            SlackClientEventsListenerEnvironment::new(Arc::clone(&client)).with_user_state(tx),
        );
        let config = SlackClientSocketModeConfig::new()
            .with_max_connections_count(connections)
            .with_initial_backoff_in_seconds(0)
            .with_reconnect_timeout_in_seconds(1);
        let listener = SlackClientSocketModeListener::new(&config, environment, callbacks);
        let app_token = SlackApiToken::new(fake.app_token().into());
        listener.listen_for(&app_token).await.expect("listen");
        listener.start().await;
        fake.wait_connected(connections as usize, WAIT)
            .await
            .expect("connected");
        Self {
            client,
            listener,
            seen,
        }
    }

    /// The next thing a callback saw.
    pub async fn next(&mut self) -> Seen {
        tokio::time::timeout(WAIT, self.seen.recv())
            .await
            .expect("a callback in time")
            .expect("listener alive")
    }

    /// Posts `text` with `blocks` (Block Kit JSON) in `channel` as the bot.
    pub async fn post_blocks(
        &self,
        fake: &FakeSlack,
        channel: &str,
        text: &str,
        blocks: serde_json::Value,
    ) -> SlackApiChatPostMessageResponse {
        let blocks: Vec<SlackBlock> = serde_json::from_value(blocks).expect("Block Kit JSON");
        let content = SlackMessageContent::new()
            .with_text(text.to_owned())
            .with_blocks(blocks);
        let request =
            SlackApiChatPostMessageRequest::new(SlackChannelId::new(channel.to_owned()), content);
        let token = bot_token(fake);
        let session = self.client.open_session(&token);
        session.chat_post_message(&request).await.expect("posted")
    }

    pub async fn stop(self) {
        self.listener.shutdown().await;
    }
}

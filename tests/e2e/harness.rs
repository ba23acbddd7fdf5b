//! Starting the bot against a fake Discord with a clock the test controls.

use chrono::{DateTime, Utc};
use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::{Bot, BotToken, Connection, Data};
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::store::Store;
use fake_discord::{FakeDiscord, FakeUser, InteractionHandle, RecordedRequest};
use poise::serenity_prelude::GuildId;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long any single expectation may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A running bot, its fake Discord and its clock.
pub struct TestBot {
    pub fake: FakeDiscord,
    pub clock: ManualClock,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestBot {
    /// Starts the bot on the sample config with its clock at `at` (RFC 3339), and
    /// waits until it is connected and has registered its commands.
    pub async fn start_at(at: &str) -> Self {
        let fake = FakeDiscord::start().await.expect("fake discord");
        let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml"))
            .expect("sample config");
        let clock = ManualClock::new(instant(at));
        let token = BotToken::new("fake-token".into()).unwrap();
        let outbound = Outbound::new(
            &fake.base_url(),
            &token,
            reqwest::Client::new(),
            Pacing::default(),
        );
        let store = Store::in_memory().expect("store");
        let data = Data::new(config.programme, Arc::new(clock.clone()), store, outbound);
        let connection = Connection {
            api_base: fake.base_url(),
            servers: vec![GuildId::new(fake.ids().guild_id)],
            client: None,
        };
        let bot = Bot::build(data, &token, connection)
            .await
            .expect("bot builds");
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let _ = bot.run_until(async { drop(stopped.await) }).await;
        });
        fake.wait_ready(PATIENCE).await.expect("bot connects");
        let guild = fake.ids().guild_id;
        let commands_path = format!(
            "/applications/{}/guilds/{guild}/commands",
            fake.ids().application_id
        );
        fake.wait_for_request(|r| r.method == "PUT" && r.path == commands_path, PATIENCE)
            .await
            .expect("commands registered");
        Self {
            fake,
            clock,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// An attendee runs `/name options` and the test gets the interaction callback body.
    pub async fn ask(&self, name: &str, options: Value) -> Value {
        let handle = self
            .fake
            .slash_command(&FakeUser::attendee(1), name, options)
            .await;
        self.response(&handle).await
    }

    /// The callback the bot posted for `handle`.
    pub async fn response(&self, handle: &InteractionHandle) -> Value {
        let request: RecordedRequest = self
            .fake
            .wait_for_interaction_response(handle, PATIENCE)
            .await
            .expect("interaction answered");
        request.body.expect("callback has a body")
    }

    /// Stops the bot cleanly and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(PATIENCE, task).await;
        }
    }
}

/// An RFC 3339 instant.
pub fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// The first embed of a type-4 (or type-7) callback.
pub fn embed(response: &Value) -> &Value {
    &response["data"]["embeds"][0]
}

/// True when the callback mentions nobody: `allowed_mentions.parse` empty and no
/// user or role lists.
pub fn mentions_nobody(response: &Value) -> bool {
    let mentions = &response["data"]["allowed_mentions"];
    let empty = |key: &str| mentions[key].as_array().is_none_or(Vec::is_empty);
    mentions.is_object() && empty("parse") && empty("users") && empty("roles")
}

//! Starting the bot against a fake Discord with a clock the test controls.

use chrono::{DateTime, Utc};
use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::port::DiscordPort;
use emcee::discord::{Bot, BotToken, Connection, Data};
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::scheduler::ChatAnnouncer;
use emcee_core::store::Store;
use fake_discord::{FakeDiscord, FakeUser, InteractionHandle, RecordedRequest};
use poise::serenity_prelude::GuildId;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long any single expectation may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A running bot, its fake Discord, its clock and its database.
pub struct TestBot {
    pub fake: FakeDiscord,
    pub clock: ManualClock,
    pub store: Store,
    pub data: Data,
    /// The scheduler task, when [`BotOptions::scheduler`] asked for one.
    pub scheduler: Option<emcee::scheduler::Running>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// How to start a bot; [`Default`] is the sample config, an in-memory store and
/// Discord's real pacing.
pub struct BotOptions {
    pub config: PathBuf,
    /// `None`: a fresh in-memory database. Pass one to share it across restarts.
    pub store: Option<Store>,
    pub pacing: Pacing,
    /// `None`: a fresh manual clock at the start instant.
    pub clock: Option<ManualClock>,
    /// `Some`: run the scheduler (as `main` does) with these options.
    pub scheduler: Option<emcee_core::scheduler::SchedulerOptions>,
    /// Serve every server the bot is in (`[discord] servers` empty), not only
    /// the fake's conference server.
    pub every_server: bool,
}

impl Default for BotOptions {
    fn default() -> Self {
        Self {
            config: Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml"),
            store: None,
            pacing: Pacing::default(),
            clock: None,
            scheduler: None,
            every_server: false,
        }
    }
}

impl TestBot {
    /// Starts the bot on the sample config with its clock at `at` (RFC 3339), and
    /// waits until it is connected and has registered its commands.
    pub async fn start_at(at: &str) -> Self {
        let fake = FakeDiscord::start().await.expect("fake discord");
        Self::start_with(fake, at, BotOptions::default()).await
    }

    /// Starts a bot against an existing fake (e.g. again after a restart).
    pub async fn start_with(fake: FakeDiscord, at: &str, options: BotOptions) -> Self {
        let config = Config::load(&options.config).expect("config loads");
        let settings = config.settings.clone();
        let clock = options
            .clock
            .unwrap_or_else(|| ManualClock::new(instant(at)));
        let token = BotToken::new("fake-token".into()).unwrap();
        let outbound = Outbound::new(
            &fake.base_url(),
            &token,
            reqwest::Client::new(),
            options.pacing,
        );
        let store = options
            .store
            .unwrap_or_else(|| Store::in_memory().expect("store"));
        let servers = if options.every_server {
            Vec::new()
        } else {
            vec![GuildId::new(fake.ids().guild_id)]
        };
        let named = emcee::discord::server_ids(settings.servers()).expect("server ids");
        let message_content = emcee::discord::wants_message_content(&settings, &config.programme);
        let port = DiscordPort::new(outbound, named.iter().map(|s| s.get()).collect())
            .with_direct_channels(Arc::new(store.clone()));
        let data = Data::new(
            config.programme,
            Arc::new(clock.clone()),
            store.clone(),
            Arc::new(port),
        )
        .with_community(emcee::discord::community::Community::serving(&servers));
        data.polls
            .configure(emcee_core::polls::PollConfig::from_settings(
                &config.settings,
            ));
        data.questions
            .configure(emcee_core::questions::QuestionConfig::from_settings(
                &config.settings,
            ));
        data.stars.configure(config.settings.stars.clone());
        let global = servers.is_empty();
        let connection = Connection {
            api_base: fake.base_url(),
            servers,
            client: None,
            message_content,
        };
        let registered_before = fake.requests().len();
        let bot = Bot::build(data.clone(), &token, connection)
            .await
            .expect("bot builds");
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let _ = bot.run_until(async { drop(stopped.await) }).await;
        });
        fake.wait_ready(PATIENCE).await.expect("bot connects");
        let guild = fake.ids().guild_id;
        let application = fake.ids().application_id;
        let commands_path = if global {
            format!("/applications/{application}/commands")
        } else {
            format!("/applications/{application}/guilds/{guild}/commands")
        };
        fake.wait_for_request(
            |r| r.index >= registered_before && r.method == "PUT" && r.path == commands_path,
            PATIENCE,
        )
        .await
        .expect("commands registered");
        let scheduler = options.scheduler.map(|scheduler| {
            let source = emcee::cli::SourceArgs {
                config: options.config.clone(),
                agenda: None,
                source_tz: None,
            };
            start_scheduler(&data, &settings, Some(source), scheduler)
        });
        Self {
            fake,
            clock,
            store,
            data,
            scheduler,
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

    /// Stops the bot cleanly and waits for it; returns the fake and the store so
    /// a test can start the bot again on the same Discord and database.
    pub async fn stop(mut self) -> (FakeDiscord, Store) {
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.stop().await;
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(PATIENCE, task).await;
        }
        (self.fake.clone(), self.store.clone())
    }

    /// Kills the bot as a crash would: its task is aborted, nothing shuts down.
    pub fn kill(mut self) -> (FakeDiscord, Store) {
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.abort();
        }
        self.stop.take();
        if let Some(task) = self.task.take() {
            task.abort();
        }
        (self.fake.clone(), self.store.clone())
    }
}

/// Starts a scheduler posting through `data`'s sender, as `main` does: channel
/// names resolve through `[discord] servers`, or every server the bot is in.
pub fn start_scheduler(
    data: &Data,
    settings: &emcee_core::config::Settings,
    source: Option<emcee::cli::SourceArgs>,
    options: emcee_core::scheduler::SchedulerOptions,
) -> emcee::scheduler::Running {
    let announcer =
        ChatAnnouncer::new(Arc::clone(&data.port) as Arc<dyn emcee_core::chat::ChatPort>)
            .with_polls(data.polls.clone())
            .with_questions(data.questions.clone());
    data.set_reload_source(source);
    emcee::scheduler::start_for_chat(data.app(), settings, Arc::new(announcer), options)
}

/// Waits until `check` yields a value, asking again every 10 ms: for state
/// outside the fake (the database), whose changes wake no waiter.
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
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

/// A fault scenario's seed: `EMCEE_FAULT_SEED` when set (a replay), else a
/// fresh odd one from the clock.
pub fn seed() -> u64 {
    std::env::var("EMCEE_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(7, |d| d.as_nanos() as u64 | 1)
        })
}

/// A tiny deterministic generator (xorshift64*), so seeded runs replay exactly
/// and the tests need no crate.
pub struct Rng(pub u64);

impl Rng {
    /// The next number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

//! Scheduled events end to end: the real bot's sync against the fake
//! Discord's Guild Scheduled Events, on the manual clock. Every wait is for
//! a state (the fake's events, the bot's stored ids, a log line), never a
//! fixed sleep.

mod big;
mod interested;
mod lease;
mod live;
mod restart;
mod window;
mod withdrawn;

use crate::harness::{instant, BotOptions, TestBot, PATIENCE};
use emcee::discord::events_sync::{self, SyncOptions};
use emcee_core::config::Config;
use emcee_core::events::StoredEvent;
use emcee_core::health::Supervised;
use emcee_core::store::Store;
use fake_discord::{FakeDiscord, FakeScheduledEvent};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The sample conference in `dir` with scheduled events on (`window_hours`)
/// and its agenda as `agenda` (the sample's when `None`).
fn conference(dir: &Path, window_hours: u32, agenda: Option<String>) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let agenda =
        agenda.unwrap_or_else(|| std::fs::read_to_string(sample.join("agenda.toml")).unwrap());
    std::fs::write(dir.join("agenda.toml"), agenda).unwrap();
    let config = std::fs::read_to_string(sample.join("emcee.toml")).unwrap();
    let on =
        format!("[discord.events]\nenabled = true\nwindow_hours = {window_hours}\n\n[metrics]");
    let config = config.replacen("[metrics]", &on, 1);
    assert!(
        config.contains("[discord.events]"),
        "the sample has a [metrics] table"
    );
    std::fs::write(dir.join("emcee.toml"), config).unwrap();
    dir.join("emcee.toml")
}

/// The sample agenda's text.
fn sample_agenda() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml");
    std::fs::read_to_string(path).unwrap()
}

/// A bot with its scheduled-events sync.
struct EventsBot {
    bot: TestBot,
    sync: Option<Supervised>,
}

impl EventsBot {
    /// Starts the bot on `config` and `store` at `at`, and its sync as `holder`.
    async fn start(fake: FakeDiscord, at: &str, config: &Path, store: Store, holder: &str) -> Self {
        let options = BotOptions {
            config: config.to_owned(),
            store: Some(store),
            ..BotOptions::default()
        };
        let bot = TestBot::start_with(fake, at, options).await;
        bot.data.set_reload_source(Some(emcee::cli::SourceArgs {
            config: config.to_owned(),
            agenda: None,
            source_tz: None,
        }));
        let settings = Config::load(config).unwrap().settings;
        let outbound = bot.data.port.outbound().clone();
        let options = SyncOptions {
            holder: holder.into(),
            lease_ttl: Duration::from_secs(1),
        };
        let servers = vec![bot.fake.ids().guild_id];
        let sync = events_sync::start(bot.data.app(), outbound, &settings, servers, options);
        assert!(sync.is_some(), "[discord.events] enabled starts the sync");
        Self { bot, sync }
    }

    /// Stops the sync and the bot; returns the fake and the store.
    async fn stop(mut self) -> (FakeDiscord, Store) {
        if let Some(sync) = self.sync.take() {
            sync.stop().await;
        }
        self.bot.stop().await
    }

    fn guild(&self) -> u64 {
        self.bot.fake.ids().guild_id
    }

    /// The event ids the bot stored for the conference's server.
    async fn stored(&self) -> Vec<StoredEvent> {
        let events = &self.bot.data.store.events;
        events.events_of(self.guild().to_string()).await.unwrap()
    }

    /// Waits until the bot's own events on the fake are exactly those of
    /// `sessions` (by name) and every one of them is stored (and nothing
    /// else but withdrawn ones), so the sync
    /// that made them has finished; returns them by session name.
    async fn settled(&self, names: &[&str]) -> Vec<FakeScheduledEvent> {
        let wanted: BTreeSet<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let ours = self.ours();
            let have: BTreeSet<String> = ours.iter().map(|e| e.name.clone()).collect();
            let stored = self.stored().await.into_iter().filter(|s| !s.withdrawn);
            let stored: BTreeSet<String> = stored.map(|s| s.event).collect();
            let ids: BTreeSet<String> = ours.iter().map(|e| e.id.to_string()).collect();
            if have == wanted && ours.len() == wanted.len() && stored == ids {
                return ours;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited {PATIENCE:?} for events {wanted:?}; the fake has {have:?}, {} stored",
                stored.len()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The bot's own uncompleted events on the fake.
    fn ours(&self) -> Vec<FakeScheduledEvent> {
        let bot = self.bot.fake.ids().bot_user_id;
        let events = self.bot.fake.scheduled_events(self.guild());
        let counting = |e: &FakeScheduledEvent| e.status == SCHEDULED || e.status == ACTIVE;
        events
            .into_iter()
            .filter(|e| e.creator_id == bot && counting(e))
            .collect()
    }

    /// The statuses PATCHed onto event `event`, in order.
    fn statuses(&self, event: u64) -> Vec<u64> {
        let path = format!("/guilds/{}/scheduled-events/{event}", self.guild());
        let requests = self.bot.fake.requests();
        let patches = requests.iter().filter(|r| r.is("PATCH", &path));
        patches
            .filter_map(|r| r.body.as_ref()?.get("status")?.as_u64())
            .collect()
    }

    /// Waits until event `event` is `status` on the fake and, when it is
    /// finished, forgotten by the bot (the sync is done with it).
    async fn reaches(&self, event: u64, status: u64) -> FakeScheduledEvent {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let found = self.bot.fake.scheduled_events(self.guild());
            let found = found.into_iter().find(|e| e.id == event);
            let stored = self.stored().await;
            let kept = stored.iter().any(|s| s.event == event.to_string());
            if let Some(found) = found.filter(|e| e.status == status) {
                if kept == (status <= ACTIVE) {
                    return found;
                }
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited {PATIENCE:?} for event {event} to be {status}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Asserts that Discord refused no request: no transition it forbids,
    /// no start moved under a live event.
    fn refused_nothing(&self) {
        let requests = self.bot.fake.requests();
        let refused: Vec<_> = requests.iter().filter(|r| r.status >= 400).collect();
        assert!(refused.is_empty(), "Discord refused {refused:?}");
    }

    /// REST calls on scheduled events with `method`, from request `since` on.
    fn calls(&self, method: &str, since: usize) -> Vec<fake_discord::RecordedRequest> {
        let path = format!("/guilds/{}/scheduled-events", self.guild());
        let requests = self.bot.fake.requests();
        requests
            .into_iter()
            .filter(|r| r.index >= since && r.method == method && r.path.starts_with(&path))
            .collect()
    }
}

/// The titles of the sample's sessions `ids`, as event names.
fn titles(config: &Path, ids: &[&str]) -> Vec<String> {
    let config = Config::load(config).unwrap();
    ids.iter()
        .map(|id| {
            let session = config
                .programme
                .agenda
                .sessions()
                .iter()
                .find(|s| s.id.0 == *id);
            session
                .unwrap_or_else(|| panic!("no session {id}"))
                .title
                .clone()
        })
        .collect()
}

/// `agenda` with sessions `ids` starting at `to` (a local time such as
/// `"T09:40:00-07:00"`) instead of `from`.
fn moved(agenda: &str, ids: &[&str], from: &str, to: &str) -> String {
    let mut blocks: Vec<String> = agenda.split("[[sessions]]").map(str::to_owned).collect();
    for block in &mut blocks {
        if ids
            .iter()
            .any(|id| block.contains(&format!("id = \"{id}\"")))
        {
            assert!(block.contains(from), "{block}");
            *block = block.replace(from, to);
        }
    }
    blocks.join("[[sessions]]")
}

/// Writes `agenda` as the conference's in `dir` and has an organiser
/// `/reload` it; returns once the bot answered.
async fn reload(bot: &EventsBot, dir: &Path, agenda: &str) {
    std::fs::write(dir.join("agenda.toml"), agenda).unwrap();
    let organiser = fake_discord::FakeUser::organiser(1);
    let asked = bot
        .bot
        .fake
        .slash_command(&organiser, "reload", serde_json::json!({}))
        .await;
    bot.bot.response(&asked).await;
}

/// The paced sender against `fake`, as the bot builds it.
fn outbound(fake: &FakeDiscord) -> emcee::discord::outbound::Outbound {
    let token = emcee::discord::BotToken::new("fake-token".into()).unwrap();
    emcee::discord::outbound::Outbound::new(
        &fake.base_url(),
        &token,
        reqwest::Client::new(),
        emcee::discord::outbound::Pacing::default(),
    )
}

/// A fresh SQLite file in `dir`, as `run` keeps one across restarts.
fn file_store(dir: &Path) -> Store {
    Store::open(&dir.join("emcee.sqlite3")).unwrap()
}

/// Discord's `status` values.
const SCHEDULED: u64 = 1;
const ACTIVE: u64 = 2;
const COMPLETED: u64 = 3;

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    instant(text)
}

//! The Discord adapter: serenity + poise around the core's command layer.
//!
//! It registers the slash commands, turns interactions into core requests,
//! renders answers as embeds, and flips pages of long answers. Business rules
//! stay in `emcee-core`; this module only translates.

pub mod access;
pub mod channels;
pub mod commands;
pub mod community;
pub mod contests;
pub mod embeds;
mod errors;
mod events;
pub mod events_sync;
pub mod markdown;
pub mod markup;
pub mod outbound;
pub mod polls;
pub mod port;
pub mod preflight;
pub mod render;
pub mod replies;
pub mod shards;
pub mod throttle;
pub mod token;

use emcee_core::app::App;
use emcee_core::clock::Clock;
use emcee_core::paging::PageStore;
use emcee_core::programme::Programme;
use emcee_core::store::Database;
use poise::serenity_prelude as serenity;
use std::sync::{Arc, OnceLock};
pub use token::{BotToken, TokenError};

/// Errors in handlers; core user errors are downcast in `on_error`.
pub type Error = anyhow::Error;
/// The poise context every command receives.
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// The default Discord API base; `EMCEE_DISCORD_API` points elsewhere (a proxy, the test fake).
pub const DISCORD_API: &str = "https://discord.com";

/// Intents the features need. Only `message_content` (the meme contest is
/// on) adds a privileged one: Message Content, with Guild Messages, so that
/// the bot sees the attachments of posts that do not mention it. Asking for
/// it where the portal has it off makes Discord refuse the connection, so a
/// bot without contests never asks. (`GUILD_SCHEDULED_EVENTS` carries
/// "Interested" on scheduled events.)
pub fn intents(message_content: bool) -> serenity::GatewayIntents {
    let always = serenity::GatewayIntents::GUILDS
        | serenity::GatewayIntents::GUILD_MESSAGE_REACTIONS
        | serenity::GatewayIntents::DIRECT_MESSAGES
        | serenity::GatewayIntents::GUILD_MESSAGE_POLLS
        | serenity::GatewayIntents::GUILD_SCHEDULED_EVENTS;
    if message_content {
        always
            | serenity::GatewayIntents::GUILD_MESSAGES
            | serenity::GatewayIntents::MESSAGE_CONTENT
    } else {
        always
    }
}

/// Whether the meme contest is on for Discord: the agenda declares a
/// contest, or `[discord] contests` lets organisers open them by command.
pub fn wants_message_content(
    settings: &emcee_core::config::Settings,
    programme: &Programme,
) -> bool {
    settings.discord.contests || !programme.contests.is_empty()
}

/// State shared by every handler: the core's [`App`] and what only Discord
/// needs beside it. Cheap to clone; derefs to the `App`.
#[derive(Clone)]
pub struct Data {
    app: App,
    /// Pages of long answers, for the ◀ / ▶ buttons.
    pub pages: PageStore<render::Page>,
    /// What `/healthz` reports.
    pub health: Arc<crate::telemetry::Health>,
    /// The core's chat port on Discord; everything the bot posts on its own
    /// goes through its paced sender ([`port::DiscordPort::outbound`]).
    pub port: Arc<port::DiscordPort>,
    /// Where `/reload` reads the agenda from, once the scheduler runs.
    reload: Arc<OnceLock<Option<crate::cli::SourceArgs>>>,
    /// The servers emcee serves; commands, clicks and reactions from others act on nothing.
    pub community: community::Community,
    /// Whether the bot asked for Message Content (the meme contest is on):
    /// without it Discord shows the bot no attachments, so no entries.
    pub message_content: bool,
}

impl std::ops::Deref for Data {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

impl Data {
    /// Shared state over a programme, a clock, the database and the Discord port.
    pub fn new(
        programme: Programme,
        clock: Arc<dyn Clock>,
        store: impl Into<Database>,
        port: Arc<port::DiscordPort>,
    ) -> Self {
        let store: Database = store.into();
        let polls = emcee_core::polls::PollService::new(
            Arc::clone(&store.polls),
            Arc::clone(&port) as Arc<dyn emcee_core::chat::ChatPort>,
            Arc::clone(&clock),
        );
        Self::over(App::new(programme, clock, store, polls), port)
    }

    /// Shared state over an application that another platform shares (Discord
    /// and Slack in one process: one programme, scheduler and store).
    pub fn over(app: App, port: Arc<port::DiscordPort>) -> Self {
        let health = crate::telemetry::Health::new(Some(Arc::clone(&app.store.health)));
        health.watch_tasks(Arc::clone(app.polls.tasks()));
        Self {
            health,
            app,
            port,
            pages: PageStore::default(),
            reload: Arc::new(OnceLock::new()),
            community: community::Community::default(),
            message_content: false,
        }
    }

    /// Serves only `community` (by default: every server).
    #[must_use]
    pub fn with_community(mut self, community: community::Community) -> Self {
        self.community = community;
        self
    }

    /// The platform-neutral application.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Where `/reload` reads from (`None`: reloading is off); the first call counts.
    pub fn set_reload_source(&self, source: Option<crate::cli::SourceArgs>) {
        let _ = self.reload.set(source);
    }

    /// Where `/reload` reads from, if it is on.
    pub fn reload_source(&self) -> Option<&crate::cli::SourceArgs> {
        self.reload.get().and_then(Option::as_ref)
    }
}

/// Where to reach Discord and which servers to register commands in.
#[derive(Debug, Clone)]
pub struct Connection {
    /// `https://discord.com`, or another Discord-compatible base URL.
    pub api_base: String,
    /// Servers to register commands in at start; empty registers globally.
    pub servers: Vec<serenity::GuildId>,
    /// The HTTP client for serenity's REST calls; `None` builds serenity's default.
    /// (Tests pass one that trusts the fake Discord's certificate.)
    pub client: Option<reqwest::Client>,
    /// Ask for Message Content, for the meme contest
    /// ([`wants_message_content`]).
    pub message_content: bool,
}

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("Discord rejected the bot token (check {})", token::TOKEN_VARIABLE)]
    TokenRejected,
    #[error("cannot reach Discord at {base}: {reason}")]
    Unreachable { base: String, reason: String },
    #[error("`[discord] servers` entry `{0}` is not a Discord server id")]
    BadServerId(String),
    #[error("the Discord client stopped: {0}")]
    Client(String),
    /// Discord closed a shard's session with 4010 or 4011 (the whole line).
    #[error("{0}")]
    ShardRefused(String),
}

/// Parses `[discord] servers` into guild ids.
///
/// # Errors
/// [`StartError::BadServerId`] for an entry that is not a snowflake.
pub fn server_ids(servers: &[String]) -> Result<Vec<serenity::GuildId>, StartError> {
    servers
        .iter()
        .map(|s| match s.trim().parse::<u64>() {
            Ok(id) if id != 0 => Ok(serenity::GuildId::new(id)),
            _ => Err(StartError::BadServerId(s.clone())),
        })
        .collect()
}

/// Whether `api_base` would send the bot token in clear over the network:
/// plain `http://` to a host other than loopback (a proxy on the same machine,
/// or the test fake, is fine).
pub fn sends_token_in_clear(api_base: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(api_base) else {
        return false;
    };
    if url.scheme() != "http" {
        return false;
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => !ip.is_loopback(),
        Err(_) => !host.eq_ignore_ascii_case("localhost"),
    }
}

/// Warns (once, at start) when `api_base` sends the token in clear.
pub fn warn_if_in_clear(api_base: &str) {
    if sends_token_in_clear(api_base) {
        tracing::warn!(
            "EMCEE_DISCORD_API is plain http:// to another host: the bot token and \
             every message cross the network unencrypted; use https:// or a proxy on this machine"
        );
    }
}

/// The HTTP client: through `api_base` with our own pacing when it is not
/// discord.com (serenity's proxy mode disables its ratelimiter), else serenity's.
pub fn http(token: &BotToken, api_base: &str, client: Option<reqwest::Client>) -> serenity::Http {
    let mut builder = serenity::HttpBuilder::new(token.expose());
    if let Some(client) = client {
        builder = builder.client(client);
    }
    if api_base.trim_end_matches('/') == DISCORD_API {
        builder.build()
    } else {
        builder
            .proxy(api_base.trim_end_matches('/'))
            .ratelimiter_disabled(true)
            .build()
    }
}

/// A built bot, ready to connect.
pub struct Bot {
    client: serenity::Client,
    /// The shard range this process runs; `None`: one shard, the whole bot.
    sharding: Option<shards::Sharding>,
}

impl Bot {
    /// Checks the token against Discord, then builds the client and framework.
    ///
    /// # Errors
    /// [`StartError`] when the token is rejected or Discord cannot be reached.
    pub async fn build(
        data: Data,
        token: &BotToken,
        connection: Connection,
    ) -> Result<Self, StartError> {
        let mut data = data;
        let message_content = connection.message_content;
        data.message_content = message_content;
        let http = http(token, &connection.api_base, connection.client.clone());
        if let Err(error) = http.get_current_user().await {
            return Err(classify(&error, &connection.api_base));
        }
        let framework = poise::Framework::builder()
            .options(poise::FrameworkOptions {
                commands: commands::all(),
                on_error: |error| Box::pin(errors::on_error(error)),
                post_command: |ctx| {
                    Box::pin(async move {
                        errors::count_command(ctx, "ok");
                        commands::remind::show_missed(ctx).await;
                    })
                },
                event_handler: |framework, event| Box::pin(events::dispatch(framework, event)),
                allowed_mentions: Some(embeds::no_mentions()),
                command_check: Some(|ctx| Box::pin(community::command_check(ctx))),
                ..Default::default()
            })
            .setup(move |ctx, _ready, framework| {
                Box::pin(async move {
                    register(ctx, framework, &connection.servers).await?;
                    Ok(data)
                })
            })
            .build();
        let client = serenity::ClientBuilder::new_with_http(http, intents(message_content))
            .framework(framework)
            .await
            .map_err(|e| StartError::Client(e.to_string()))?;
        Ok(Self {
            client,
            sharding: None,
        })
    }

    /// Runs only the shards of `range`, pacing their IDENTIFYs with other
    /// processes' through `leases` ([`shards`]).
    ///
    /// # Errors
    /// [`StartError::Client`] when the gateway's limits cannot be read.
    pub async fn sharded(
        mut self,
        range: emcee_core::config::ShardRange,
        leases: Arc<dyn emcee_core::scheduler::LeaseStorage>,
    ) -> Result<Self, StartError> {
        self.sharding = Some(shards::Sharding::plan(&self.client.http, range, leases).await?);
        Ok(self)
    }

    /// Runs until `shutdown` completes, then closes every shard cleanly.
    ///
    /// # Errors
    /// [`StartError`] when the gateway refuses the session or a shard.
    pub async fn run_until(
        mut self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), StartError> {
        let shards = Arc::clone(&self.client.shard_manager);
        let http = Arc::clone(&self.client.http);
        let sharding = self.sharding.take();
        let ours = |refusal: &shards::refusal::Refusal| match &sharding {
            Some(sharding) => sharding.owns(refusal),
            None => refusal.shard == 0 && refusal.total == 1,
        };
        let started = async {
            match &sharding {
                Some(sharding) => sharding.start(&mut self.client).await,
                None => self.client.start().await,
            }
        };
        tokio::select! {
            result = started => result.map_err(|e| match e {
                serenity::Error::Gateway(serenity::GatewayError::InvalidAuthentication) => StartError::TokenRejected,
                other => StartError::Client(other.to_string()),
            }),
            refusal = shards::refusal::refused(ours) => {
                tracing::error!(shard = refusal.shard, total = refusal.total, code = refusal.code, "Discord refused a shard; stopping");
                let recommended = http.get_bot_gateway().await.ok().map(|g| g.shards);
                // No shutdown_all: serenity's runner of a refused shard waits
                // for a close echo on a dead socket without yielding.
                Err(StartError::ShardRefused(shards::refusal_text(&refusal, recommended)))
            }
            () = shutdown => {
                tracing::info!("shutting down");
                shards.shutdown_all().await;
                Ok(())
            }
        }
    }
}

async fn register(
    ctx: &serenity::Context,
    framework: &poise::Framework<Data, Error>,
    servers: &[serenity::GuildId],
) -> Result<(), Error> {
    let commands = &framework.options().commands;
    if servers.is_empty() {
        poise::builtins::register_globally(ctx, commands).await?;
        tracing::info!(count = commands.len(), "registered commands globally");
    }
    for server in servers {
        poise::builtins::register_in_guild(ctx, commands, *server).await?;
        tracing::info!(count = commands.len(), server = %server, "registered commands");
    }
    Ok(())
}

fn classify(error: &serenity::Error, base: &str) -> StartError {
    match error {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response))
            if response.status_code.as_u16() == 401 =>
        {
            StartError::TokenRejected
        }
        other => StartError::Unreachable {
            base: base.to_owned(),
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::sends_token_in_clear;

    #[test]
    fn plain_http_is_flagged_only_off_this_machine() {
        for clear in [
            "http://proxy.example:8080",
            "http://10.0.0.5",
            "http://[2001:db8::1]/",
        ] {
            assert!(sends_token_in_clear(clear), "{clear}");
        }
        for fine in [
            "https://discord.com",
            "https://proxy.example",
            "http://127.0.0.1:4000",
            "http://127.8.0.1",
            "http://[::1]:80",
            "http://localhost:9000",
            "not a url",
        ] {
            assert!(!sends_token_in_clear(fine), "{fine}");
        }
    }
}

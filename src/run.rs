//! `emcee run`: which platforms to serve, and one application for them.
//!
//! Each platform whose section is configured and whose tokens are present is
//! started (Discord, Slack, or both); one that fails is reported in one line
//! and the other goes on. Both share one programme, one scheduler and one
//! store: the poll service and reminders post through the one platform's
//! port, or through [`crate::slack::both::RoutedPort`] when both run, and
//! scheduled posts go to every platform that started.

use crate::cli::{ConsoleArgs, RunArgs};
use crate::discord::{self, BotToken};
use crate::slack::both::{OnlyOwnPings, Platform};
use crate::slack::SlackTokens;
use emcee_core::app::App;
use emcee_core::chat::ChatPort;
use emcee_core::clock::Clock;
use emcee_core::health::{supervise, Policy};
use emcee_core::scheduler::ChatAnnouncer;
use std::future::Future;
use std::sync::Arc;

/// How `emcee run` ended.
#[derive(Debug)]
pub enum Outcome {
    /// Served until told to stop.
    Stopped,
    /// The config or agenda is broken.
    Config(emcee_core::config::ConfigError),
    /// What was needed to start failed (the store, the metrics listener).
    Start(String),
    /// No platform could start (each said why in one line).
    NothingStarted,
    /// A command-line value could not be used (`--at`).
    Usage(String),
    /// A background task kept dying; a restart may help.
    TaskDied(String),
    /// Discord refused one of the shards (the whole line). serenity's runner
    /// of that shard then spins without yielding, so the runtime could not
    /// shut down: the caller leaves the process at once.
    ShardRefused(String),
}

/// `emcee run`: serve Discord, Slack or both until Ctrl-C or SIGTERM. Each
/// platform whose section is configured and whose tokens are present is
/// started; one that fails is reported in one line and the other goes on.
pub async fn serve(
    run: &RunArgs,
    clock: impl FnOnce(chrono_tz::Tz) -> Result<Arc<dyn Clock>, String>,
    shutdown: impl Future<Output = ()> + Send,
) -> Outcome {
    let args = &run.console;
    let (config, source) = match crate::setup::load_for_bot(&args.source).await {
        Ok(loaded) => loaded,
        Err(error) => return Outcome::Config(error),
    };
    for warning in emcee_core::config::warnings(&args.source.config) {
        tracing::warn!(%warning, "config");
    }
    for note in config.programme.agenda.notes() {
        tracing::warn!(%note, "how the agenda was read");
    }
    let (discord_token, slack_tokens) = tokens(&config.settings);
    if discord_token.is_none() && slack_tokens.is_none() {
        return Outcome::NothingStarted;
    }
    let servers = match discord::server_ids(config.settings.servers()) {
        Ok(servers) => servers,
        Err(error) => return Outcome::Start(error.to_string()),
    };
    let store = match crate::scheduler::open_database(args, &config).await {
        Ok(store) => store,
        Err(error) => return Outcome::Start(error.to_string()),
    };
    let clock = match clock(config.programme.agenda.timezone()) {
        Ok(clock) => clock,
        Err(error) => return Outcome::Usage(error),
    };
    let settings = config.settings.clone();
    let channel_names = discord::channels::configured_names(&settings, &config.programme);
    let needs = emcee_core::config::needs::channel_needs(&settings, &config.programme);
    let kept = Arc::clone(&store.direct);
    let api_base =
        std::env::var("EMCEE_DISCORD_API").unwrap_or_else(|_| discord::DISCORD_API.to_owned());
    if discord_token.is_some() {
        discord::warn_if_in_clear(&api_base);
    }
    let discord_port = discord_token.as_ref().map(|token| {
        let outbound = discord::outbound::Outbound::new(
            &api_base,
            token,
            reqwest::Client::new(),
            discord::outbound::Pacing::default(),
        );
        let served = servers.iter().map(|s| s.get()).collect();
        let port = discord::port::DiscordPort::new(outbound, served);
        Arc::new(port.with_direct_channels(Arc::clone(&kept)))
    });
    let slack = slack_tokens.and_then(|(section, tokens)| prepare_slack(section, tokens, &kept));
    let Some(app) = app_over(
        &discord_port,
        &slack,
        config.programme,
        clock,
        &store,
        &settings,
    ) else {
        return Outcome::NothingStarted;
    };
    let health = crate::telemetry::Health::new(Some(Arc::clone(&app.store.health)));
    health.watch_tasks(Arc::clone(app.polls.tasks()));
    let data = discord_port.as_ref().map(|port| {
        let mut data = discord::Data::over(app.clone(), Arc::clone(port))
            .with_community(discord::community::Community::serving(&servers));
        data.health = Arc::clone(&health);
        data.set_reload_source(Some(args.source.clone()));
        data
    });
    if let Err(error) = crate::web::start(&settings, &app, Arc::clone(&health)).await {
        return Outcome::Start(error);
    }
    let discord_bot = match (data, &discord_token, &discord_port) {
        (Some(data), Some(token), Some(port)) => {
            let connection = discord::Connection {
                api_base: api_base.clone(),
                servers: servers.clone(),
                client: None,
                message_content: discord::wants_message_content(&settings, &app.programme()),
            };
            let shards = run.shards.or(settings.discord.shards);
            let shards = shards.map(|range| (range, Arc::clone(&store.leases)));
            let fallback = settings.announcements.default_channel.as_deref();
            let channels = (channel_names.as_slice(), needs.as_slice(), fallback);
            start_discord(data, token, port, connection, shards, channels).await
        }
        _ => None,
    };
    let slack = match slack {
        Some(prepared) => connect_slack(prepared, &app, &channel_names, args).await,
        None => None,
    };
    if slack.is_some() && discord_bot.is_none() {
        // Slack's Socket Mode stands for the gateway in /healthz.
        health.set_gateway_connected(true);
    }
    let discord_port = discord_port.filter(|_| discord_bot.is_some());
    let events = discord_port.as_ref().and_then(|port| {
        let served = servers.iter().map(|s| s.get()).collect();
        let options = discord::events_sync::SyncOptions::default();
        discord::events_sync::start(&app, port.outbound().clone(), &settings, served, options)
    });
    let fallback = settings.announcements.default_channel.clone();
    let Some(announcer) = announcer(&app, discord_port, slack.as_ref(), fallback) else {
        return Outcome::NothingStarted;
    };
    let refresh_every =
        std::time::Duration::from_secs(u64::from(settings.agenda.refresh_minutes) * 60);
    let tasks = Arc::clone(app.polls.tasks());
    let refresher = source.map(|source| {
        let (app, mut source) = (app.clone(), Some(source));
        // The refresh owns its source: it cannot start again, so its death
        // stops the process (which the service manager restarts).
        supervise(
            &tasks,
            "agenda refresh",
            Policy::vital_once(),
            move |stop| {
                let (app, source) = (app.clone(), source.take());
                async move {
                    if let Some(source) = source {
                        crate::refresh::keep_fresh(source, &app, refresh_every, stop.requested())
                            .await;
                    }
                }
            },
        )
    });
    // One scheduler task for the process, started here and never from READY.
    let scheduler = crate::scheduler::start_for_chat(
        &app,
        &settings,
        announcer,
        emcee_core::scheduler::SchedulerOptions::default().with_settings(&settings),
    );
    let mut gave_up = None;
    let stopped = async {
        tokio::select! {
            () = shutdown => {}
            reason = tasks.fatal() => {
                tracing::error!(%reason, "stopping: a background task cannot be kept running");
                gave_up = Some(reason);
            }
        }
    };
    let outcome = run_until_stopped(discord_bot, scheduler, stopped).await;
    if let Some(events) = events {
        events.stop().await;
    }
    if let Some(running) = slack {
        running.stop().await;
    }
    if let Some(refresher) = refresher {
        refresher.stop().await;
    }
    match (outcome, gave_up) {
        (Err(discord::StartError::ShardRefused(line)), _) => Outcome::ShardRefused(line),
        (Err(error), _) => Outcome::Start(error.to_string()),
        (Ok(()), Some(reason)) => Outcome::TaskDied(reason.to_string()),
        (Ok(()), None) => Outcome::Stopped,
    }
}

/// The tokens of each platform to try, each failure reported in one line.
/// Discord is tried when its token is set, or when Slack is not configured
/// (then a missing token is the one thing to say).
fn tokens(
    settings: &emcee_core::config::Settings,
) -> (
    Option<BotToken>,
    Option<(emcee_core::config::SlackSettings, SlackTokens)>,
) {
    let discord = match BotToken::from_env() {
        Ok(token) => Some(token),
        Err(_) if settings.slack.is_some() && std::env::var_os("DISCORD_TOKEN").is_none() => None,
        Err(error) => {
            eprintln!("error: {error}");
            None
        }
    };
    let slack = settings
        .slack
        .clone()
        .and_then(|section| match SlackTokens::from_env() {
            Ok(tokens) => Some((section, tokens)),
            Err(error) => {
                eprintln!("error: Slack: {error}");
                None
            }
        });
    (discord, slack)
}

fn prepare_slack(
    section: emcee_core::config::SlackSettings,
    tokens: SlackTokens,
    kept: &Arc<dyn emcee_core::chat::DirectChannels>,
) -> Option<crate::slack::start::Prepared> {
    let connection = crate::slack::start::Connection::default();
    match crate::slack::start::prepare(tokens, &section, &connection, Arc::clone(kept)) {
        Ok(prepared) => Some(prepared),
        Err(error) => {
            eprintln!("error: Slack did not start: {error}");
            None
        }
    }
}

/// The application over the platforms' ports: the poll service posts through
/// the one platform, or through a port that routes between both.
fn app_over(
    discord: &Option<Arc<discord::port::DiscordPort>>,
    slack: &Option<crate::slack::start::Prepared>,
    programme: emcee_core::programme::Programme,
    clock: Arc<dyn Clock>,
    store: &emcee_core::store::Database,
    settings: &emcee_core::config::Settings,
) -> Option<App> {
    let port: Arc<dyn ChatPort> = match (discord, slack) {
        (Some(d), Some(s)) => Arc::new(crate::slack::both::RoutedPort::new(
            Arc::clone(d) as Arc<dyn ChatPort>,
            Arc::clone(&s.port) as Arc<dyn ChatPort>,
        )),
        (Some(d), None) => Arc::clone(d) as Arc<dyn ChatPort>,
        (None, Some(s)) => Arc::clone(&s.port) as Arc<dyn ChatPort>,
        (None, None) => return None,
    };
    let polls =
        emcee_core::polls::PollService::new(Arc::clone(&store.polls), port, Arc::clone(&clock));
    polls.configure(emcee_core::polls::PollConfig::from_settings(settings));
    let app = App::new(programme, clock, store.clone(), polls);
    app.questions
        .configure(emcee_core::questions::QuestionConfig::from_settings(
            settings,
        ));
    app.stars.configure(settings.stars.clone());
    Some(app)
}

async fn connect_slack(
    prepared: crate::slack::start::Prepared,
    app: &App,
    channel_names: &[String],
    args: &ConsoleArgs,
) -> Option<crate::slack::start::Running> {
    let reload = Some(args.source.clone());
    match prepared.connect(app.clone(), channel_names, reload).await {
        Ok(running) => {
            for problem in &running.problems {
                eprintln!("warning: Slack: {problem}");
            }
            Some(running)
        }
        Err(error) => {
            eprintln!("error: Slack did not start: {error}");
            None
        }
    }
}

/// The scheduler's voice: the platform that started, or both. Posts for a
/// channel a platform does not have go to `fallback` there, with a note.
fn announcer(
    app: &App,
    discord: Option<Arc<discord::port::DiscordPort>>,
    slack: Option<&crate::slack::start::Running>,
    fallback: Option<String>,
) -> Option<Arc<dyn emcee_core::scheduler::Announcer>> {
    let over = |port: Arc<dyn ChatPort>, platform| -> Arc<dyn emcee_core::scheduler::Announcer> {
        let announcer = ChatAnnouncer::new(port)
            .with_polls(app.polls.clone())
            .with_questions(app.questions.clone())
            .with_fallback_channel(fallback.clone());
        let announcer = Arc::new(announcer);
        Arc::new(OnlyOwnPings::new(announcer, platform))
    };
    let slack = slack.map(|s| {
        over(
            Arc::clone(&s.bot.port) as Arc<dyn ChatPort>,
            Platform::Slack,
        )
    });
    let discord = discord.map(|d| over(d as Arc<dyn ChatPort>, Platform::Discord));
    Some(match (discord, slack) {
        (Some(d), Some(s)) => Arc::new(crate::slack::both::FanOut::new(d, s)),
        (Some(d), None) => d,
        (None, Some(s)) => s,
        (None, None) => return None,
    })
}

/// Serves until `shutdown`, then stops the scheduler (and Discord).
async fn run_until_stopped(
    discord: Option<discord::Bot>,
    scheduler: crate::scheduler::Running,
    shutdown: impl Future<Output = ()>,
) -> Result<(), discord::StartError> {
    match discord {
        Some(bot) => {
            bot.run_until(async {
                shutdown.await;
                scheduler.stop().await;
            })
            .await
        }
        None => {
            shutdown.await;
            tracing::info!("shutting down");
            scheduler.stop().await;
            Ok(())
        }
    }
}

/// The shards to run (`--shards`, else `[discord] shards`) and the leases
/// that pace their IDENTIFYs.
type ShardPlan = (
    emcee_core::config::ShardRange,
    Arc<dyn emcee_core::scheduler::LeaseStorage>,
);

/// Builds the Discord bot and resolves its channels; `None` (reported in
/// one line) when Discord cannot start.
async fn start_discord(
    data: discord::Data,
    token: &BotToken,
    port: &Arc<discord::port::DiscordPort>,
    connection: discord::Connection,
    shards: Option<ShardPlan>,
    (channel_names, needs, fallback): (
        &[String],
        &[emcee_core::config::needs::ChannelNeed],
        Option<&str>,
    ),
) -> Option<discord::Bot> {
    let servers = connection.servers.clone();
    let built = match discord::Bot::build(data, token, connection).await {
        Ok(bot) => match shards {
            Some((range, leases)) => bot.sharded(range, leases).await,
            None => Ok(bot),
        },
        Err(error) => Err(error),
    };
    let bot = match built {
        Ok(bot) => bot,
        Err(error) => {
            eprintln!("error: {error}");
            return None;
        }
    };
    // Before anything is posted: a configured name in two servers stops Discord.
    let served: Vec<u64> = servers.iter().map(|s| s.get()).collect();
    let resolved = discord::channels::resolve_at_start(
        port.outbound(),
        &served,
        channel_names,
        needs,
        fallback,
    );
    match resolved.await {
        Ok(channels) => port.remember_channels(channels),
        Err(error) => {
            eprintln!("error: {error}");
            return None;
        }
    }
    Some(bot)
}

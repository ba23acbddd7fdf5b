//! The `emcee` binary: parse arguments, set up logging, run one subcommand.

use anyhow::Context as _;
use clap::Parser;
use emcee::cli::{Cli, Command, ConsoleArgs};
use emcee::console::Console;
use emcee::discord::{self, BotToken};
use emcee::render::text::TextStyle;
use emcee::slack::SlackTokens;
use emcee_core::app::App;
use emcee_core::chat::ChatPort;
use emcee_core::clock::{Clock, RehearsalClock, SystemClock};
use emcee_core::scheduler::ChatAnnouncer;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit status for a usage or argument error (unknown name, missing value).
const EXIT_USER_ERROR: u8 = 1;
/// Exit status for a broken config or agenda.
const EXIT_CONFIG_ERROR: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => Ok(match emcee::setup::load(&args).await {
            Ok(config) => {
                for warning in emcee_core::config::warnings(&args.config) {
                    eprintln!("warning: {warning}");
                }
                print!("{}", emcee::check::summary(&config));
                ExitCode::SUCCESS
            }
            Err(error) => config_error(&error),
        }),
        Command::Agenda(args) => {
            let config = match emcee::setup::load(&args.source).await {
                Ok(config) => config,
                Err(error) => return Ok(config_error(&error)),
            };
            Ok(match emcee::agenda_cli::answer(&args, &config) {
                Ok(printed) => {
                    eprint!("{}", printed.stderr);
                    print!("{}", printed.stdout);
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("{error}");
                    ExitCode::from(EXIT_USER_ERROR)
                }
            })
        }
        Command::Console(args) => console(args).await,
        Command::Run(args) => serve(args).await,
        Command::Import(args) => Ok(match emcee::import_cli::run(&args).await {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(error) => config_error(&error),
        }),
        Command::Polls(emcee::cli::PollsCommand::Export {
            source,
            format,
            database,
        }) => emcee::discord::polls::export(&source, format, database.as_deref()),
        Command::Rehearse(args) => Ok(match emcee::setup::load(&args.source).await {
            Ok(config) => {
                let tz = args.tz.unwrap_or(config.programme.agenda.timezone());
                print!(
                    "{}",
                    emcee::rehearse::timeline(&config, args.from, args.to, tz)
                );
                ExitCode::SUCCESS
            }
            Err(error) => config_error(&error),
        }),
    }
}

/// `emcee run`: serve Discord, Slack or both until Ctrl-C or SIGTERM. Each
/// platform whose section is configured and whose tokens are present is
/// started; one that fails is reported in one line and the other goes on.
async fn serve(args: ConsoleArgs) -> anyhow::Result<ExitCode> {
    let (config, source) = match emcee::setup::load_for_bot(&args.source).await {
        Ok(loaded) => loaded,
        Err(error) => return Ok(config_error(&error)),
    };
    for warning in emcee_core::config::warnings(&args.source.config) {
        tracing::warn!(%warning, "config");
    }
    // Discord is tried when its token is set, or when Slack is not configured
    // (then a missing token is the one thing to say).
    let slack_section = config.settings.slack.clone();
    let discord_token = match BotToken::from_env() {
        Ok(token) => Some(token),
        Err(_) if slack_section.is_some() && std::env::var_os("DISCORD_TOKEN").is_none() => None,
        Err(error) => {
            eprintln!("error: {error}");
            None
        }
    };
    let slack = slack_section.and_then(|settings| match SlackTokens::from_env() {
        Ok(tokens) => Some((settings, tokens)),
        Err(error) => {
            eprintln!("error: Slack: {error}");
            None
        }
    });
    if discord_token.is_none() && slack.is_none() {
        return Ok(ExitCode::from(EXIT_CONFIG_ERROR));
    }
    let servers = match discord::server_ids(config.settings.servers()) {
        Ok(servers) => servers,
        Err(error) => return Ok(start_error(&error)),
    };
    let store = match emcee_core::store::Store::open_capped(
        &emcee::scheduler::database_path(&args, &config),
        config.settings.store.max_bytes(),
    ) {
        Ok(store) => store,
        Err(error) => return Ok(start_error(&error)),
    };
    let settings = config.settings.clone();
    let channel_names = discord::channels::configured_names(&settings, &config.programme);
    let kept: Arc<dyn emcee_core::chat::DirectChannels> = Arc::new(store.clone());
    let api_base =
        std::env::var("EMCEE_DISCORD_API").unwrap_or_else(|_| discord::DISCORD_API.to_owned());
    let served: Vec<u64> = servers.iter().map(|s| s.get()).collect();
    let discord_port = discord_token.as_ref().map(|token| {
        let outbound = discord::outbound::Outbound::new(
            &api_base,
            token,
            reqwest::Client::new(),
            discord::outbound::Pacing::default(),
        );
        Arc::new(
            discord::port::DiscordPort::new(outbound, served.clone())
                .with_direct_channels(Arc::clone(&kept)),
        )
    });
    let slack = match slack {
        Some((section, tokens)) => {
            let connection = emcee::slack::start::Connection::default();
            match emcee::slack::start::prepare(tokens, &section, &connection, Arc::clone(&kept)) {
                Ok(prepared) => Some(prepared),
                Err(error) => {
                    eprintln!("error: Slack did not start: {error}");
                    None
                }
            }
        }
        None => None,
    };
    let poll_port: Arc<dyn ChatPort> = match (&discord_port, &slack) {
        (Some(d), Some(s)) => Arc::new(emcee::slack::both::RoutedPort::new(
            Arc::clone(d) as Arc<dyn ChatPort>,
            Arc::clone(&s.port) as Arc<dyn ChatPort>,
        )),
        (Some(d), None) => Arc::clone(d) as Arc<dyn ChatPort>,
        (None, Some(s)) => Arc::clone(&s.port) as Arc<dyn ChatPort>,
        (None, None) => return Ok(ExitCode::from(EXIT_CONFIG_ERROR)),
    };
    let clock = clock(&args);
    let polls =
        emcee_core::polls::PollService::new(Arc::new(store.clone()), poll_port, Arc::clone(&clock));
    polls.configure(emcee_core::polls::PollConfig::from_settings(&settings));
    let app = App::new(config.programme, clock, store.clone(), polls);
    let health = match &discord_port {
        Some(_) => emcee::telemetry::Health::new(Some(store.clone())),
        None => emcee::telemetry::Health::for_console(Some(store.clone())),
    };
    let data = discord_port.as_ref().map(|port| {
        let mut data = discord::Data::over(app.clone(), Arc::clone(port))
            .with_community(discord::community::Community::serving(&servers));
        data.health = Arc::clone(&health);
        data
    });
    if let Some(listen) = settings.metrics.listen {
        if let Err(error) = emcee::telemetry::start(listen, Arc::clone(&health)).await {
            return Ok(start_error(&error));
        }
    }
    let discord_bot = match (data.clone(), &discord_token, &discord_port) {
        (Some(data), Some(token), Some(port)) => {
            start_discord(data, token, port, &api_base, &servers, &channel_names).await
        }
        _ => None,
    };
    let slack_running = match slack {
        Some(prepared) => {
            let reload = Some(args.source.clone());
            match prepared.connect(app.clone(), &channel_names, reload).await {
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
        None => None,
    };
    let announcer: Arc<dyn emcee_core::scheduler::Announcer> =
        match (&discord_bot, &discord_port, &slack_running) {
            (Some(_), Some(d), Some(s)) => Arc::new(emcee::slack::both::FanOut::new(
                Arc::new(
                    ChatAnnouncer::new(Arc::clone(d) as Arc<dyn ChatPort>)
                        .with_polls(app.polls.clone()),
                ),
                Arc::new(
                    ChatAnnouncer::new(Arc::clone(&s.bot.port) as Arc<dyn ChatPort>)
                        .with_polls(app.polls.clone()),
                ),
            )),
            (Some(_), Some(d), None) => Arc::new(
                ChatAnnouncer::new(Arc::clone(d) as Arc<dyn ChatPort>)
                    .with_polls(app.polls.clone()),
            ),
            (_, _, Some(s)) => Arc::new(
                ChatAnnouncer::new(Arc::clone(&s.bot.port) as Arc<dyn ChatPort>)
                    .with_polls(app.polls.clone()),
            ),
            _ => return Ok(ExitCode::from(EXIT_CONFIG_ERROR)),
        };
    let refresh_every =
        std::time::Duration::from_secs(u64::from(settings.agenda.refresh_minutes) * 60);
    let (stop_refresh, refresh_stopped) = tokio::sync::oneshot::channel::<()>();
    let refresher = source.map(|source| {
        let app = app.clone();
        tokio::spawn(async move {
            let stopped = async {
                let _ = refresh_stopped.await;
            };
            emcee::refresh::keep_fresh(source, &app, refresh_every, stopped).await;
        })
    });
    // One scheduler task for the process, started here and never from READY.
    if let Some(data) = &data {
        data.set_reload_source(Some(args.source.clone()));
    }
    let scheduler = emcee::scheduler::start_for_chat(
        &app,
        &settings,
        announcer,
        emcee_core::scheduler::SchedulerOptions::default().with_settings(&settings),
    );
    let outcome = match discord_bot {
        Some(bot) => {
            bot.run_until(async {
                shutdown_signal().await;
                scheduler.stop().await;
            })
            .await
        }
        None => {
            shutdown_signal().await;
            tracing::info!("shutting down");
            scheduler.stop().await;
            Ok(())
        }
    };
    if let Some(running) = slack_running {
        running.stop().await;
    }
    let _ = stop_refresh.send(());
    if let Some(refresher) = refresher {
        let _ = refresher.await;
    }
    match outcome {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => Ok(start_error(&error)),
    }
}

/// Builds the Discord bot and resolves its channels; `None` (reported in
/// one line) when Discord cannot start.
async fn start_discord(
    data: discord::Data,
    token: &BotToken,
    port: &Arc<discord::port::DiscordPort>,
    api_base: &str,
    servers: &[poise::serenity_prelude::GuildId],
    channel_names: &[String],
) -> Option<discord::Bot> {
    let connection = discord::Connection {
        api_base: api_base.to_owned(),
        servers: servers.to_vec(),
        client: None,
    };
    let bot = match discord::Bot::build(data, token, connection).await {
        Ok(bot) => bot,
        Err(error) => {
            eprintln!("error: {error}");
            return None;
        }
    };
    // Before anything is posted: a configured name in two servers stops Discord.
    let served: Vec<u64> = servers.iter().map(|s| s.get()).collect();
    match discord::channels::resolve_at_start(port.outbound(), &served, channel_names).await {
        Ok(channels) => port.remember_channels(channels),
        Err(error) => {
            eprintln!("error: {error}");
            return None;
        }
    }
    Some(bot)
}

fn start_error(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_CONFIG_ERROR)
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what service managers send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// The system clock, or a rehearsal clock when `--at` or `--speed` is given.
fn clock(args: &ConsoleArgs) -> Arc<dyn Clock> {
    match (args.time.at, args.speed) {
        (None, 1.0) => Arc::new(SystemClock),
        (at, speed) => Arc::new(RehearsalClock::new(
            at.unwrap_or_else(chrono::Utc::now),
            speed,
        )),
    }
}

async fn console(args: ConsoleArgs) -> anyhow::Result<ExitCode> {
    let config = match emcee::setup::load(&args.source).await {
        Ok(config) => Arc::new(config),
        Err(error) => return Ok(config_error(&error)),
    };
    let clock: Arc<dyn Clock> = match (args.time.at, args.speed) {
        (None, 1.0) => Arc::new(SystemClock),
        (at, speed) => Arc::new(RehearsalClock::new(
            at.unwrap_or_else(chrono::Utc::now),
            speed,
        )),
    };
    let agenda = &config.programme.agenda;
    let style = TextStyle {
        timezone: args.time.tz.unwrap_or(agenda.timezone()),
        conference: agenda.name().to_owned(),
    };
    let interactive = std::io::stdin().is_terminal();
    let store = match &args.database {
        Some(path) => {
            emcee_core::store::Store::open_capped(path, config.settings.store.max_bytes())?
        }
        None => emcee_core::store::Store::in_memory()?,
    };
    if let Some(listen) = config.settings.metrics.listen {
        let health = emcee::telemetry::Health::for_console(None);
        if let Err(error) = emcee::telemetry::start(listen, health).await {
            return Ok(start_error(&error));
        }
    }
    let console = Console::new(
        Arc::clone(&config),
        Arc::clone(&clock),
        style,
        store.clone(),
    );
    let scheduler =
        (args.announce || args.speed != 1.0).then(|| console_scheduler(&config, &console));
    let input = tokio::io::BufReader::new(tokio::io::stdin());
    console
        .run(input, tokio::io::stdout(), interactive)
        .await
        .context("console input/output failed")?;
    if let Some(scheduler) = scheduler {
        scheduler.stop().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// The console's scheduler: each post is printed as it fires, declared
/// polls open and every poll closes on the console's poll service; its
/// marks go to the console's database (in memory unless `--database` names
/// one).
fn console_scheduler(
    config: &Arc<emcee_core::config::Config>,
    console: &Console,
) -> emcee::scheduler::Running {
    let app = console.app();
    let announcer =
        emcee_core::scheduler::ChatAnnouncer::new(console.port()).with_polls(app.polls.clone());
    emcee::scheduler::start_for_chat(
        app,
        &config.settings,
        Arc::new(announcer),
        emcee_core::scheduler::SchedulerOptions::default().with_settings(&config.settings),
    )
}

fn config_error(error: &emcee_core::config::ConfigError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_CONFIG_ERROR)
}

/// Logs go to stderr; `RUST_LOG` sets the level (default: warnings), and
/// `EMCEE_LOG_FORMAT=json` switches to JSON lines for log collectors.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("EMCEE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

//! The `emcee` binary: parse arguments, set up logging, run one subcommand.

use anyhow::Context as _;
use clap::Parser;
use emcee::cli::{Cli, Command, ConsoleArgs};
use emcee::console::Console;
use emcee::discord::{self, BotToken};
use emcee::render::text::for_terminal;
use emcee::render::text::TextStyle;
use emcee_core::clock::{Clock, RehearsalClock, SystemClock};
use emcee_core::health::{supervise, Policy};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit status for a question the agenda cannot answer (unknown name).
const EXIT_USER_ERROR: u8 = 1;
/// Exit status for a command line that cannot be used (unknown flag, bad
/// value, a local time that does not exist): sysexits' EX_USAGE, distinct
/// from a broken config (2), which clap's own default would collide with.
const EXIT_USAGE: u8 = 64;
/// Exit status for a broken config or agenda.
const EXIT_CONFIG_ERROR: u8 = 2;
/// Exit status when a background task kept dying: worth a restart, unlike 2.
const EXIT_TASK_DIED: u8 = 1;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
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
        Command::Check(args) => Ok(match emcee::setup::load(&args.source).await {
            Ok(config) => {
                for warning in emcee_core::config::warnings(&args.source.config) {
                    eprintln!("warning: {warning}");
                }
                // Names and warnings quote the agenda: printed, never obeyed.
                print!("{}", for_terminal(&emcee::check::summary(&config)));
                if args.online {
                    let zone = config.programme.agenda.timezone();
                    match emcee::cli::resolve_moment(args.at, zone) {
                        Ok(at) => check_online(&config, at.unwrap_or_else(chrono::Utc::now)).await,
                        Err(error) => usage_error(&error),
                    }
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(error) => config_error(&error),
        }),
        Command::Agenda(args) => {
            let config = match emcee::setup::load(&args.source).await {
                Ok(config) => config,
                Err(error) => return Ok(config_error(&error)),
            };
            let zone = config.programme.agenda.timezone();
            let now = match emcee::cli::resolve_moment(args.time.at, zone) {
                Ok(at) => at.unwrap_or_else(chrono::Utc::now),
                Err(error) => return Ok(usage_error(&error)),
            };
            for note in config.programme.agenda.notes() {
                eprintln!("note: {}", for_terminal(note));
            }
            Ok(match emcee::agenda_cli::answer(&args, &config, now) {
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
        Command::Run(args) => discord(args).await,
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
        Command::Completions { shell } => {
            print_bytes(&emcee::cli::completions(shell))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut page = Vec::new();
            emcee::cli::write_man_page(&mut page)?;
            print_bytes(&page)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rehearse(args) => Ok(match emcee::setup::load(&args.source).await {
            Ok(config) => {
                let zone = config.programme.agenda.timezone();
                let tz = args.tz.unwrap_or(zone);
                let window = emcee::cli::resolve_moment(args.from, zone)
                    .and_then(|from| Ok((from, emcee::cli::resolve_moment(args.to, zone)?)));
                match window {
                    Ok((from, to)) => {
                        print!("{}", emcee::rehearse::timeline(&config, from, to, tz));
                        ExitCode::SUCCESS
                    }
                    Err(error) => usage_error(&error),
                }
            }
            Err(error) => config_error(&error),
        }),
    }
}

/// `emcee run`: serve Discord until Ctrl-C or SIGTERM.
async fn discord(args: ConsoleArgs) -> anyhow::Result<ExitCode> {
    let (config, source) = match emcee::setup::load_for_bot(&args.source).await {
        Ok(loaded) => loaded,
        Err(error) => return Ok(config_error(&error)),
    };
    for warning in emcee_core::config::warnings(&args.source.config) {
        tracing::warn!(%warning, "config");
    }
    for note in config.programme.agenda.notes() {
        tracing::warn!(%note, "how the agenda was read");
    }
    let token = match BotToken::from_env() {
        Ok(token) => token,
        Err(error) => return Ok(start_error(&error)),
    };
    let servers = match discord::server_ids(config.settings.servers()) {
        Ok(servers) => servers,
        Err(error) => return Ok(start_error(&error)),
    };
    let api_base =
        std::env::var("EMCEE_DISCORD_API").unwrap_or_else(|_| discord::DISCORD_API.to_owned());
    discord::warn_if_in_clear(&api_base);
    let refresh_every =
        std::time::Duration::from_secs(u64::from(config.settings.agenda.refresh_minutes) * 60);
    let store = match emcee::scheduler::open_database(&args, &config).await {
        Ok(store) => store,
        Err(error) => return Ok(start_error(&error)),
    };
    let client = reqwest::Client::new();
    let outbound = discord::outbound::Outbound::new(
        &api_base,
        &token,
        client,
        discord::outbound::Pacing::default(),
    );
    let settings = config.settings.clone();
    let channel_names = discord::channels::configured_names(&settings, &config.programme);
    let served: Vec<u64> = servers.iter().map(|s| s.get()).collect();
    let port = Arc::new(
        discord::port::DiscordPort::new(outbound, served.clone())
            .with_direct_channels(Arc::clone(&store.direct)),
    );
    let clock = match clock(&args, config.programme.agenda.timezone()) {
        Ok(clock) => clock,
        Err(error) => return Ok(usage_error(&error)),
    };
    let data = discord::Data::new(config.programme, clock, store, Arc::clone(&port))
        .with_community(discord::community::Community::serving(&servers));
    data.polls
        .configure(emcee_core::polls::PollConfig::from_settings(
            &config.settings,
        ));
    if let Some(listen) = config.settings.metrics.listen {
        if let Err(error) = emcee::telemetry::start(listen, Arc::clone(&data.health)).await {
            return Ok(start_error(&error));
        }
    }
    let connection = discord::Connection {
        api_base,
        servers: servers.clone(),
        client: None,
    };
    let bot = match discord::Bot::build(data.clone(), &token, connection).await {
        Ok(bot) => bot,
        Err(error) => return Ok(start_error(&error)),
    };
    // Before anything is posted: a configured name in two servers stops the bot.
    let channels =
        match discord::channels::resolve_at_start(port.outbound(), &served, &channel_names).await {
            Ok(channels) => channels,
            Err(error) => return Ok(start_error(&error)),
        };
    port.remember_channels(channels);
    let announcer = emcee_core::scheduler::ChatAnnouncer::new(port).with_polls(data.polls.clone());
    let tasks = Arc::clone(data.polls.tasks());
    let refresher = source.map(|source| {
        let (app, mut source) = (data.app().clone(), Some(source));
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
                        emcee::refresh::keep_fresh(source, &app, refresh_every, stop.requested())
                            .await;
                    }
                }
            },
        )
    });
    // One scheduler task for the process, started here and never from READY.
    data.set_reload_source(Some(args.source.clone()));
    let scheduler = emcee::scheduler::start_for_chat(
        data.app(),
        &settings,
        Arc::new(announcer),
        emcee_core::scheduler::SchedulerOptions::default().with_settings(&settings),
    );
    let mut gave_up = None;
    let outcome = bot
        .run_until(async {
            tokio::select! {
                () = shutdown_signal() => {}
                reason = tasks.fatal() => {
                    tracing::error!(%reason, "stopping: a background task cannot be kept running");
                    gave_up = Some(reason);
                }
            }
            scheduler.stop().await;
        })
        .await;
    if let Some(refresher) = refresher {
        refresher.stop().await;
    }
    match (outcome, gave_up) {
        (Err(error), _) => Ok(start_error(&error)),
        (Ok(()), Some(reason)) => {
            eprintln!("error: {reason}");
            Ok(ExitCode::from(EXIT_TASK_DIED))
        }
        (Ok(()), None) => Ok(ExitCode::SUCCESS),
    }
}

/// `emcee check --online`: the preflight against Discord; any problem is a
/// broken config (status 2), as a bad key would be.
async fn check_online(
    config: &emcee_core::config::Config,
    now: chrono::DateTime<chrono::Utc>,
) -> ExitCode {
    let token = match BotToken::from_env() {
        Ok(token) => token,
        Err(error) => return start_error(&error),
    };
    let servers = match discord::server_ids(config.settings.servers()) {
        Ok(servers) => servers,
        Err(error) => return start_error(&error),
    };
    let api_base =
        std::env::var("EMCEE_DISCORD_API").unwrap_or_else(|_| discord::DISCORD_API.to_owned());
    let outbound = discord::outbound::Outbound::new(
        &api_base,
        &token,
        reqwest::Client::new(),
        discord::outbound::Pacing::default(),
    );
    let served: Vec<u64> = servers.iter().map(|s| s.get()).collect();
    let report =
        match discord::preflight::check(&outbound, &served, &config.settings, &config.programme)
            .await
        {
            Ok(report) => report,
            Err(error) => return start_error(&error),
        };
    print!(
        "{}",
        for_terminal(&emcee::check::online(&report, config, now))
    );
    if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        for problem in &report.problems {
            eprintln!("error: {}", for_terminal(&problem.to_string()));
        }
        ExitCode::from(EXIT_CONFIG_ERROR)
    }
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

/// The system clock, or a rehearsal clock when `--at` or `--speed` is given;
/// a local `--at` is read in the conference's `zone`.
fn clock(args: &ConsoleArgs, zone: chrono_tz::Tz) -> Result<Arc<dyn Clock>, String> {
    let at = emcee::cli::resolve_moment(args.time.at, zone)?;
    Ok(match (at, args.speed) {
        (None, 1.0) => Arc::new(SystemClock),
        (at, speed) => Arc::new(RehearsalClock::new(
            at.unwrap_or_else(chrono::Utc::now),
            speed,
        )),
    })
}

/// Writes `bytes` to stdout; a reader that stopped early (`| head`) is fine.
fn print_bytes(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A command-line value that could not be used: said on stderr, exit 64.
fn usage_error(error: &str) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_USAGE)
}

async fn console(args: ConsoleArgs) -> anyhow::Result<ExitCode> {
    let config = match emcee::setup::load(&args.source).await {
        Ok(config) => Arc::new(config),
        Err(error) => return Ok(config_error(&error)),
    };
    let clock = match clock(&args, config.programme.agenda.timezone()) {
        Ok(clock) => clock,
        Err(error) => return Ok(usage_error(&error)),
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
    let problems = error.problems();
    for problem in &problems {
        eprintln!("error: {problem}");
        if let Some(location) = problem.location() {
            eprint!("{}", location.snippet());
        }
    }
    if problems.len() > 1 {
        eprintln!("{} problems", problems.len());
    }
    ExitCode::from(EXIT_CONFIG_ERROR)
}

/// Logs go to stderr, interaction tokens redacted; `RUST_LOG` sets the level
/// (default: warnings), and
/// `EMCEE_LOG_FORMAT=json` switches to JSON lines for log collectors.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("warn,{}=info", emcee::telemetry::STATUS))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(emcee::telemetry::RedactingStderr);
    if std::env::var("EMCEE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

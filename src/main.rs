//! The `emcee` binary: parse arguments, set up logging, run one subcommand.

use anyhow::Context as _;
use clap::Parser;
use emcee::cli::{Cli, Command, ConsoleArgs};
use emcee::console::Console;
use emcee::render::text::TextStyle;
use emcee_core::clock::{Clock, RehearsalClock, SystemClock};
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
        Command::Run(args) => Ok(
            match emcee::run::serve(&args, clock(&args), shutdown_signal()).await {
                emcee::run::Outcome::Stopped => ExitCode::SUCCESS,
                emcee::run::Outcome::Config(error) => config_error(&error),
                emcee::run::Outcome::Start(error) => start_error(&error),
                emcee::run::Outcome::NothingStarted => ExitCode::from(EXIT_CONFIG_ERROR),
            },
        ),
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

//! The `emcee` binary: parse arguments, set up logging, run one subcommand.

use anyhow::Context as _;
use clap::Parser;
use emcee::cli::{Cli, Command, ConsoleArgs, RunArgs};
use emcee::console::Console;
use emcee::discord::{self, BotToken};
use emcee::render::text::for_terminal;
use emcee::render::text::TextStyle;
use emcee_core::clock::{Clock, RehearsalClock, SystemClock};
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
        Command::Run(args) => Ok(match dead_run_flag(&args.console) {
            Some(why) => usage_error(why),
            None => serve(args).await,
        }),
        Command::Import(args) => Ok(match emcee::import_cli::run(&args).await {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(emcee::import_cli::ImportFailure::Config(error)) => config_error(&error),
            Err(write @ emcee::import_cli::ImportFailure::Write { .. }) => start_error(&write),
            Err(exists) => usage_error(&exists.to_string()),
        }),
        Command::Init(args) => Ok(match emcee::init::run(&args).await {
            Ok(summary) => {
                print!("{summary}");
                ExitCode::SUCCESS
            }
            Err(emcee::init::InitError::Config(error)) => config_error(&error),
            Err(write @ emcee::init::InitError::Write(_)) => start_error(&write),
            Err(refused) => usage_error(&refused.to_string()),
        }),
        Command::Polls(emcee::cli::PollsCommand::Export { source, .. })
            if source.agenda.is_some() =>
        {
            Ok(usage_error(
                "`polls export --agenda` does nothing: the export reads the database's polls, \
                 not an agenda; leave --agenda out",
            ))
        }
        Command::Polls(emcee::cli::PollsCommand::Export {
            source,
            format,
            database,
        }) => emcee::discord::polls::export(&source, format, database.as_deref()).await,
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

/// Why a flag `run` shares with `console` would do nothing there, if given:
/// refused rather than silently ignored.
fn dead_run_flag(args: &ConsoleArgs) -> Option<&'static str> {
    if args.time.tz.is_some() {
        Some(
            "`run --tz` does nothing: on Discord and Slack every reader sees times in their \
             own zone; leave --tz out (it is for `agenda` and `console`)",
        )
    } else if args.announce {
        Some(
            "`run --announce` does nothing: the running bot always posts its announcements; \
             leave --announce out (it is for `console`)",
        )
    } else {
        None
    }
}

/// `emcee run`: serve Discord, Slack or both until Ctrl-C or SIGTERM
/// ([`emcee::run`]).
async fn serve(args: RunArgs) -> ExitCode {
    use emcee::run::Outcome;
    let clock_of = |zone| clock(&args.console, zone);
    match emcee::run::serve(&args, clock_of, shutdown_signal()).await {
        Outcome::Stopped => ExitCode::SUCCESS,
        Outcome::Config(error) => config_error(&error),
        Outcome::Start(error) => start_error(&error),
        Outcome::Usage(error) => usage_error(&error),
        Outcome::NothingStarted => ExitCode::from(EXIT_CONFIG_ERROR),
        Outcome::TaskDied(reason) => {
            eprintln!("error: {reason}");
            ExitCode::from(EXIT_TASK_DIED)
        }
        Outcome::ShardRefused(line) => {
            // The refused shard's serenity runner spins and would keep the
            // runtime from shutting down: leave now, output flushed.
            eprintln!("error: {line}");
            let _ = std::io::Write::flush(&mut std::io::stdout());
            std::process::exit(i32::from(EXIT_CONFIG_ERROR));
        }
    }
}

/// `emcee check --online`: the preflight against Discord, and against Slack
/// when `[slack]` is configured and its tokens are set; any problem is a
/// broken config (status 2), as a bad key would be.
async fn check_online(
    config: &emcee_core::config::Config,
    now: chrono::DateTime<chrono::Utc>,
) -> ExitCode {
    let slack = config
        .settings
        .slack
        .as_ref()
        .and_then(|section| Some((section, emcee::slack::SlackTokens::from_env().ok()?)));
    let mut problems: Vec<String> = Vec::new();
    let discord = std::env::var_os("DISCORD_TOKEN").is_some() || slack.is_none();
    if discord {
        match check_discord(config, now).await {
            Ok(found) => problems.extend(found),
            Err(code) => return code,
        }
    }
    if let Some((section, tokens)) = slack {
        let api = emcee::slack::api_base();
        let programme = &config.programme;
        match emcee::slack::preflight::check(&tokens, section, &api, &config.settings, programme)
            .await
        {
            Ok(report) => {
                print!("{}", for_terminal(&emcee::check::slack_online(&report)));
                problems.extend(report.problems);
            }
            Err(error) => return start_error(&error),
        }
        if !discord {
            print!("{}", for_terminal(&emcee::check::next_posts(config, now)));
        }
    }
    if problems.is_empty() {
        return ExitCode::SUCCESS;
    }
    for problem in &problems {
        eprintln!("error: {}", for_terminal(problem));
    }
    ExitCode::from(EXIT_CONFIG_ERROR)
}

/// The Discord preflight, printed; its problems, or the exit code of a
/// preflight that could not run.
async fn check_discord(
    config: &emcee_core::config::Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<String>, ExitCode> {
    let token = BotToken::from_env().map_err(|error| start_error(&error))?;
    let servers =
        discord::server_ids(config.settings.servers()).map_err(|error| start_error(&error))?;
    let api_base =
        std::env::var("EMCEE_DISCORD_API").unwrap_or_else(|_| discord::DISCORD_API.to_owned());
    let outbound = discord::outbound::Outbound::new(
        &api_base,
        &token,
        reqwest::Client::new(),
        discord::outbound::Pacing::default(),
    );
    let served: Vec<u64> = servers.iter().map(|s| s.get()).collect();
    let report = discord::preflight::check(&outbound, &served, &config.settings, &config.programme)
        .await
        .map_err(|error| start_error(&error))?;
    print!(
        "{}",
        for_terminal(&emcee::check::online(&report, config, now))
    );
    Ok(report.problems.iter().map(ToString::to_string).collect())
}

fn start_error(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_CONFIG_ERROR)
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what service managers send).
///
/// The handlers are installed here, at once, not when the future is first
/// polled: `run` polls it only once everything has started, and a SIGTERM
/// in between (the bot already answering) would otherwise kill the process
/// with the default action instead of stopping it cleanly. A signal that
/// arrives before the first poll is kept and ends the wait at once.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let wait = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => drop(signal.recv().await),
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {}
                () = wait(terminate) => {}
            }
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
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
    let console = Console::new(
        Arc::clone(&config),
        Arc::clone(&clock),
        style,
        store.clone(),
    );
    let health = emcee::telemetry::Health::for_console(None);
    if let Err(error) = emcee::web::start(&config.settings, console.app(), health).await {
        return Ok(start_error(&error));
    }
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
    let announcer = emcee_core::scheduler::ChatAnnouncer::new(console.port())
        .with_polls(app.polls.clone())
        .with_questions(app.questions.clone());
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

/// Logs go to stderr, interaction tokens redacted, coloured only on a
/// terminal without `NO_COLOR`; `RUST_LOG` sets the level (default:
/// warnings), and `EMCEE_LOG_FORMAT=json` switches to JSON lines for log
/// collectors. Beside them, serenity's gateway warnings are watched for
/// Discord refusing a shard, which serenity reports nowhere else
/// ([`emcee::discord::shards::refusal`]).
fn init_tracing() {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("warn,{}=info", emcee::telemetry::STATUS))
    });
    let output = tracing_subscriber::fmt::layer()
        .with_ansi(emcee::telemetry::log_colour())
        .with_writer(emcee::telemetry::RedactingStderr);
    let output = if std::env::var("EMCEE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        output.json().boxed()
    } else {
        output.boxed()
    };
    tracing_subscriber::registry()
        .with(output.with_filter(filter))
        .with(emcee::discord::shards::refusal::layer())
        .init();
}

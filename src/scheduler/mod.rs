//! Running the core scheduler inside the bot process: starting its one task,
//! stopping it on shutdown, reloading the agenda, and its text form.
//!
//! `main` starts the task once (never from READY, which can fire again); chat
//! commands reach the scheduler through the handle attached to the shared
//! [`App`], so adding a reminder or reloading the agenda wakes the loop at once.

pub mod text;

use crate::cli::SourceArgs;
use emcee_core::agenda::diff::AgendaDiff;
use emcee_core::app::App;
use emcee_core::health::{supervise, Policy, Supervised, Tasks};
use emcee_core::scheduler::{Announcer, ProgrammeSource, Scheduler};
use emcee_core::store::{Backend, Database, StoreError};
use std::sync::Arc;

/// The running scheduler task, supervised: a panic is logged, shown in
/// `/healthz` and the task started again (see [`emcee_core::health`]).
pub struct Running {
    task: Supervised,
}

impl Running {
    /// Asks the loop to stop and waits for sends in flight to be recorded.
    pub async fn stop(self) {
        self.task.stop().await;
    }

    /// Stops the task at once, as a crash would (tests).
    pub fn abort(&self) {
        self.task.abort();
    }
}

/// Starts the scheduler's one task under `tasks`' supervision.
pub fn spawn(
    scheduler: Scheduler,
    announcer: Arc<dyn Announcer>,
    programme: ProgrammeSource,
    tasks: &Arc<Tasks>,
) -> Running {
    let task = supervise(tasks, "scheduler", Policy::vital(), move |stopping| {
        let (scheduler, announcer) = (scheduler.clone(), Arc::clone(&announcer));
        let programme = Arc::clone(&programme);
        async move {
            scheduler
                .run(announcer, programme, stopping.requested())
                .await
        }
    });
    Running { task }
}

/// Why `/reload` did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error("reloading is not available in this bot")]
    Unavailable,
    #[error("the agenda could not be loaded, so the current one stays: {0}")]
    Load(#[from] emcee_core::config::ConfigError),
}

/// Loads the agenda again, swaps it in and reschedules; returns what changed.
///
/// # Errors
/// [`ReloadError`] when there is nothing to reload from or it fails to load.
pub async fn reload(app: &App, source: Option<&SourceArgs>) -> Result<AgendaDiff, ReloadError> {
    let source = source.ok_or(ReloadError::Unavailable)?;
    let config = crate::setup::load(source).await?;
    let current = app.programme();
    let diff = AgendaDiff::between(&current.agenda, &config.programme.agenda);
    app.replace_programme(config.programme, &diff).await;
    Ok(diff)
}

/// The database the bot's scheduler uses: `--database`, else a rehearsal's own
/// file when rehearsing, else `[store] database`.
pub fn database_path(
    args: &crate::cli::ConsoleArgs,
    config: &emcee_core::config::Config,
) -> std::path::PathBuf {
    match (&args.database, args.rehearsing()) {
        (Some(path), _) => path.clone(),
        (None, true) => config.base_dir.join("emcee-rehearsal.sqlite3"),
        (None, false) => config.database_path(),
    }
}

/// The database the bot runs on: `--database` (a SQLite file, or a
/// `postgres://` URL) and rehearsals always use their own (so a rehearsal
/// never marks the real day's posts as done); otherwise
/// `EMCEE_DATABASE_URL`, else `[store] url` (PostgreSQL), else the
/// `[store] database` file.
///
/// # Errors
/// [`StoreError`] when the URL is wrong or the database cannot be opened.
pub async fn open_database(
    args: &crate::cli::ConsoleArgs,
    config: &emcee_core::config::Config,
) -> Result<Database, StoreError> {
    let named = args.database.as_ref().and_then(|path| path.to_str());
    let backend = match named {
        // A rehearsal of several processes names its PostgreSQL database
        // itself, never the real day's from the environment or the config.
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Backend::Postgres(emcee_core::store::DatabaseUrl::parse(url)?)
        }
        _ if args.database.is_some() || args.rehearsing() => {
            Backend::Sqlite(database_path(args, config))
        }
        _ => Backend::choose(config.settings.store.url.as_ref(), config.database_path())?,
    };
    let database = Database::open(&backend, config.settings.store.max_bytes()).await?;
    tracing::info!(database = %database.describe(), "opened the database");
    Ok(database)
}

/// Starts the scheduler for a chat bot over `app` and attaches it for the
/// commands (reminders, `/reload`).
pub fn start_for_chat(
    app: &App,
    settings: &emcee_core::config::Settings,
    announcer: Arc<dyn Announcer>,
    options: emcee_core::scheduler::SchedulerOptions,
) -> Running {
    let scheduler = Scheduler::with_storage(
        app.store.scheduler_storage(),
        Arc::clone(&app.clock),
        emcee_core::scheduler::PlanSettings::from_settings(settings),
        options,
    );
    app.attach_scheduler(scheduler.clone());
    spawn(
        scheduler,
        announcer,
        app.programme_source(),
        app.polls.tasks(),
    )
}

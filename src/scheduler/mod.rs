//! Running the core scheduler inside the bot process: starting its one task,
//! stopping it on shutdown, reloading the agenda, and its text form.
//!
//! `main` starts the task once (never from READY, which can fire again); chat
//! commands reach the scheduler through the handle attached to the shared
//! `Data`, so adding a reminder or reloading the agenda wakes the loop at once.

pub mod text;

use crate::cli::SourceArgs;
use crate::discord::Data;
use emcee_core::agenda::diff::AgendaDiff;
use emcee_core::programme::Programme;
use emcee_core::scheduler::{Announcer, ProgrammeSource, Scheduler};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What chat commands need of the scheduler: the handle, and where the agenda
/// comes from for `/reload`.
#[derive(Clone)]
pub struct Scheduling {
    pub scheduler: Scheduler,
    /// The config and agenda the bot started from; `None`: `/reload` is off.
    pub source: Option<SourceArgs>,
}

/// The running scheduler task.
pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// Asks the loop to stop and waits for sends in flight to be recorded.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Stops the task at once, as a crash would (tests).
    pub fn abort(&self) {
        self.task.abort();
    }
}

/// Starts the scheduler's one task.
pub fn spawn(
    scheduler: Scheduler,
    announcer: Arc<dyn Announcer>,
    programme: ProgrammeSource,
) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        scheduler.run(announcer, programme, shutdown).await;
    });
    Running {
        stop: Some(stop),
        task,
    }
}

/// The programme as `Data` holds it now.
pub fn programme_of(data: &Data) -> ProgrammeSource {
    let data = data.clone();
    Arc::new(move || data.programme())
}

/// Swaps in `programme` and reschedules from `diff`.
pub fn replace(data: &Data, programme: Programme, diff: &AgendaDiff) {
    let programme = Arc::new(programme);
    data.replace_programme((*programme).clone());
    if let Some(scheduling) = data.scheduling() {
        if let Err(error) = scheduling.scheduler.reschedule(&programme, diff) {
            tracing::error!(%error, "could not reschedule after the agenda changed");
        }
    }
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
pub async fn reload(data: &Data) -> Result<AgendaDiff, ReloadError> {
    let source = data
        .scheduling()
        .and_then(|s| s.source.clone())
        .ok_or(ReloadError::Unavailable)?;
    let config = crate::setup::load(&source).await?;
    let current = data.programme();
    let diff = AgendaDiff::between(&current.agenda, &config.programme.agenda);
    replace(data, config.programme, &diff);
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

/// Starts the scheduler for a chat bot over `data` and attaches it for the commands.
pub fn start_for_chat(
    data: &Data,
    settings: &emcee_core::config::Settings,
    source: Option<SourceArgs>,
    announcer: Arc<dyn Announcer>,
    options: emcee_core::scheduler::SchedulerOptions,
) -> Running {
    let scheduler = Scheduler::new(
        data.store.clone(),
        Arc::clone(&data.clock),
        emcee_core::scheduler::PlanSettings::from_settings(settings),
        options,
    );
    data.attach_scheduling(Scheduling {
        scheduler: scheduler.clone(),
        source,
    });
    // Poll closes become the scheduler's jobs: one process closes each poll.
    data.polls.attach_deadlines(Arc::new(scheduler.clone()));
    spawn(scheduler, announcer, programme_of(data))
}

//! The application: everything one emcee process holds, whichever chat
//! platform it serves. Adapters wrap it (Discord's `Data`, the console) and
//! add only what their platform needs; `/reload`, agenda refresh and the
//! scheduler's start take it.

use crate::clock::Clock;
use crate::contests::ContestService;
use crate::polls::PollService;
use crate::programme::Programme;
use crate::questions::QuestionService;
use crate::reminders::ReminderService;
use crate::scheduler::Scheduler;
use crate::stars::StarService;
use crate::store::Database;
use crate::throttle::Throttle;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// The shared state of one process; cheap to clone.
#[derive(Clone)]
pub struct App {
    programme: Arc<RwLock<Arc<Programme>>>,
    pub clock: Arc<dyn Clock>,
    /// The database (votes, deadlines, announcement marks, reminders), on
    /// whichever backend.
    pub store: Database,
    /// Flash polls: commands, reaction votes, and the scheduler's declared polls.
    pub polls: PollService,
    /// Session Q&A, on the poll service's platform (configure it with
    /// `[questions]`: [`QuestionService::configure`]).
    pub questions: QuestionService,
    /// Starred sessions, "my day" (configure it with `[stars]`:
    /// [`StarService::configure`]).
    pub stars: StarService,
    /// Meme contests, on the poll service's platform.
    pub contests: ContestService,
    /// Per-user command allowance.
    pub throttle: Throttle,
    /// Subscribable calendar feeds (configure them with
    /// [`crate::feeds::Feeds::configure`]).
    pub feeds: crate::feeds::Feeds,
    /// The scheduler and its reminders, once one runs in this process.
    scheduling: Arc<OnceLock<(Scheduler, ReminderService)>>,
    /// Ticks each time the programme is replaced, for tasks that follow it.
    changes: Arc<tokio::sync::watch::Sender<u64>>,
}

impl App {
    /// An application over a programme, a clock, the database (a SQLite
    /// `Store` or any [`Database`]) and the poll service (which carries the
    /// platform).
    pub fn new(
        programme: Programme,
        clock: Arc<dyn Clock>,
        store: impl Into<Database>,
        polls: PollService,
    ) -> Self {
        let store: Database = store.into();
        let questions = QuestionService::new(
            Arc::clone(&store.questions),
            polls.shared_port(),
            Arc::clone(&clock),
        );
        let stars = StarService::new(Arc::clone(&store.stars), Arc::clone(&clock));
        let feeds = crate::feeds::Feeds::new(store.clone(), Arc::clone(&clock));
        let contests = ContestService::new(
            Arc::clone(&store.contests),
            polls.shared_port(),
            Arc::clone(&clock),
        );
        let app = Self {
            programme: Arc::new(RwLock::new(Arc::new(programme))),
            clock,
            store,
            polls,
            questions,
            stars,
            contests,
            throttle: Throttle::default(),
            feeds,
            scheduling: Arc::new(OnceLock::new()),
            changes: Arc::new(tokio::sync::watch::Sender::new(0)),
        };
        // The programme cell alone, not the whole application: the service
        // lives inside the application and must not keep it alive.
        let cell = Arc::clone(&app.programme);
        let source: crate::scheduler::ProgrammeSource =
            Arc::new(move || Arc::clone(&cell.read().unwrap_or_else(PoisonError::into_inner)));
        app.questions.attach_programme(Arc::clone(&source));
        app.stars.attach_programme(source);
        app
    }

    /// Hands the running scheduler to the commands; only the first call
    /// counts. Poll closes then become the scheduler's jobs, so one process
    /// closes each poll.
    pub fn attach_scheduler(&self, scheduler: Scheduler) {
        if self.scheduling.get().is_some() {
            return;
        }
        self.polls.attach_deadlines(Arc::new(scheduler.clone()));
        self.contests.attach_deadlines(Arc::new(scheduler.clone()));
        scheduler.attach_contests(Arc::new(self.contests.clone()));
        self.questions.resume_threads();
        let reminders = ReminderService::new(scheduler.clone());
        self.stars.attach_reminders(reminders.clone());
        let _ = self.scheduling.set((scheduler, reminders));
    }

    /// The scheduler, if one runs in this process.
    pub fn scheduler(&self) -> Option<&Scheduler> {
        self.scheduling.get().map(|(scheduler, _)| scheduler)
    }

    /// Reminders, if a scheduler runs in this process to send them.
    pub fn reminders(&self) -> Option<&ReminderService> {
        self.scheduling.get().map(|(_, reminders)| reminders)
    }

    /// The current programme; the lock is held only to clone the `Arc`.
    pub fn programme(&self) -> Arc<Programme> {
        Arc::clone(
            &self
                .programme
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Swaps in `programme` and, when a scheduler runs, reschedules from
    /// `diff`; answers in flight keep the programme they started with.
    pub async fn replace_programme(
        &self,
        programme: Programme,
        diff: &crate::agenda::diff::AgendaDiff,
    ) {
        let programme = Arc::new(programme);
        *self
            .programme
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::clone(&programme);
        self.changes.send_modify(|version| *version += 1);
        if let Some(scheduler) = self.scheduler() {
            if let Err(error) = scheduler.reschedule(&programme, diff).await {
                tracing::error!(%error, "could not reschedule after the agenda changed");
            }
        }
    }

    /// Ticks whenever the programme is replaced (`/reload`, the refresh).
    pub fn programme_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// The programme as a source the scheduler reads on every due job.
    pub fn programme_source(&self) -> crate::scheduler::ProgrammeSource {
        let app = self.clone();
        Arc::new(move || app.programme())
    }
}

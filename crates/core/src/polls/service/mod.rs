//! The poll service: a flash poll's whole life on any chat platform, through
//! the [`ChatPort`].
//!
//! The `/poll` commands, the platform's reaction events and the scheduler
//! (for polls declared in `agenda.toml`) all call it. Votes are counted by the
//! [`Recorder`], which stores each change before the tally shows it; this
//! service acts on the recorder's verdicts (remove a foreign emoji, remove a
//! moved vote's old reaction, double-check a suspect mark) and does the
//! posting: the poll message, its live tally (throttled to the config and to
//! the platform's edit rate), the close and the result with its chart, and
//! recovery after a restart or a gap in the platform's events.
//!
//! - `create`: a poll request, its checks and its option keys.
//! - `lifecycle`: posting, closing, announcing.
//! - `deadline`: closing on time, through the scheduler when one runs.
//! - `live`: tally edits, restart recovery and reconciliation.
//! - `reactions`: a platform's reaction events, as votes.
//! - `clicks`: a button poll's clicks, as votes.
//! - `native`: native polls (Discord's): which polls can be one, and their votes.
//! - `posts`: what the poll and result messages say.
//! - `lookup`: which poll a command means.

mod clicks;
mod create;
mod deadline;
mod lifecycle;
mod live;
mod lookup;
mod native;
mod posts;
mod reactions;

pub use create::{gather_options, split_options, PollRequest};
pub use deadline::PollDeadlines;
pub use posts::{click_answer, result_text};

use super::{MessageKey, PollLimits, Recorder};
use crate::chat::ChatPort;
use crate::clock::Clock;
use crate::config::Settings;
use crate::health::Tasks;
use crate::store::PollStore;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::Duration;

/// How polls behave, from `[polls]` and `[organisers]` in emcee.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct PollConfig {
    /// At most one live tally edit per poll this often.
    pub tally_every: Duration,
    /// Hide running tallies until close (organisers may override per poll).
    pub hide_tally: bool,
    /// Voting time when a command gives none.
    pub default_minutes: u32,
    pub limits: PollLimits,
    /// Role ids (platform ids) whose members are organisers.
    pub organiser_roles: Vec<String>,
    /// The style a poll that asks for none gets, where the platform has it
    /// (`[polls] style`); `None`: the platform's default.
    pub style: Option<super::PollStyle>,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self::from_settings(&Settings::defaults_for(String::new(), chrono_tz::UTC))
    }
}

impl PollConfig {
    /// The poll settings of a loaded config.
    pub fn from_settings(settings: &Settings) -> Self {
        let polls = &settings.polls;
        Self {
            tally_every: Duration::from_secs(u64::from(polls.tally_every_seconds)),
            hide_tally: polls.hide_tally,
            default_minutes: polls.default_minutes.max(1),
            limits: polls.limits(),
            organiser_roles: settings
                .organisers
                .roles
                .iter()
                .map(|r| r.trim().to_owned())
                .collect(),
            style: polls.style,
        }
    }
}

/// Flash polls for one bot on one platform; cheap to clone.
#[derive(Clone)]
pub struct PollService {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: Recorder,
    port: Arc<dyn ChatPort>,
    clock: Arc<dyn Clock>,
    config: RwLock<PollConfig>,
    /// Recovery runs once per process, however often the platform reconnects.
    recovered: AtomicBool,
    /// Open polls with a vote that could not be stored: reconciled before closing.
    unsure: Mutex<HashSet<MessageKey>>,
    /// The scheduler that closes polls once across processes; unset: this
    /// service closes its polls itself.
    deadlines: OnceLock<Arc<dyn PollDeadlines>>,
    /// Where the tasks beside each open poll are supervised; the process's
    /// other tasks join them ([`PollService::tasks`]).
    tasks: Arc<Tasks>,
    /// Stray-emoji clean-ups running (see `reactions`).
    clearing: Mutex<reactions::Clearing>,
}

impl PollService {
    /// A service over the poll store, the platform and the clock, with
    /// default settings until [`Self::configure`].
    pub fn new(store: Arc<dyn PollStore>, port: Arc<dyn ChatPort>, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                recorder: Recorder::start_with_clock(store, Arc::clone(&clock)),
                port,
                clock,
                config: RwLock::new(PollConfig::default()),
                recovered: AtomicBool::new(false),
                unsure: Mutex::default(),
                deadlines: OnceLock::new(),
                tasks: Arc::default(),
                clearing: Mutex::default(),
            }),
        }
    }

    /// Applies `[polls]` and `[organisers]`.
    pub fn configure(&self, config: PollConfig) {
        *self
            .inner
            .config
            .write()
            .unwrap_or_else(PoisonError::into_inner) = config;
    }

    /// The settings in force.
    pub fn config(&self) -> PollConfig {
        self.inner
            .config
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The limits a new poll must keep: the config's, capped by what the
    /// platform can show.
    pub fn limits(&self) -> PollLimits {
        let reactions = self.port().limits().reactions_per_message;
        self.config().limits.capped(reactions)
    }

    /// The supervised tasks of this process (see [`crate::health`]): each
    /// open poll's tally and deadline, and those the adapter adds.
    pub fn tasks(&self) -> &Arc<Tasks> {
        &self.inner.tasks
    }

    /// The vote recorder (tallies, results, latencies).
    pub fn recorder(&self) -> &Recorder {
        &self.inner.recorder
    }

    /// The platform this service posts on.
    pub fn port(&self) -> &dyn ChatPort {
        self.inner.port.as_ref()
    }

    /// The platform, shared (the Q&A posts on the same one).
    pub fn shared_port(&self) -> Arc<dyn ChatPort> {
        Arc::clone(&self.inner.port)
    }

    /// The platform's session (re)started: the first time, resumes every open
    /// poll; later, catches up on the reactions of the gap, which the platform
    /// does not replay. Returns at once; the work runs in the background.
    pub fn session_started(&self) {
        let first = !self.inner.recovered.swap(true, Ordering::SeqCst);
        let service = self.clone();
        tokio::spawn(async move {
            let done = if first {
                service.recover().await
            } else {
                service.catch_up().await
            };
            if let Err(error) = done {
                tracing::error!(error = %error, "could not resume the open polls");
            }
        });
    }

    /// Notes that a vote on `message` could not be stored.
    fn mark_unsure(&self, message: &MessageKey) {
        let mut unsure = self
            .inner
            .unsure
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        unsure.insert(message.clone());
    }

    /// Whether a vote on `message` could not be stored; forgets it.
    fn take_unsure(&self, message: &MessageKey) -> bool {
        let mut unsure = self
            .inner
            .unsure
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        unsure.remove(message)
    }

    fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    /// The gap between two tally edits: the config's, and never shorter than
    /// the platform tolerates.
    fn tally_gap(&self) -> Duration {
        let floor = self.port().limits().min_edit_gap;
        self.config().tally_every.max(floor)
    }
}

/// Why the poll service could not do something.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request breaks the poll rules; tell the organiser.
    #[error(transparent)]
    Invalid(#[from] super::PollError),
    #[error(transparent)]
    Record(#[from] super::RecordError),
    #[error("the platform failed: {0}")]
    Port(#[from] crate::chat::PortError),
    /// The channel is not one of the request's community (or does not exist).
    #[error("no such channel here: {0}")]
    NoSuchChannel(String),
    #[error("the result chart could not be drawn: {0}")]
    Chart(#[from] super::chart::ChartError),
}

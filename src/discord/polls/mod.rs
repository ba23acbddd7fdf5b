//! Flash polls on Discord: posting, counting reactions, live tallies, closing
//! and restart recovery, around the core's vote recorder.
//!
//! [`PollService`] is the one entry point: the `/poll` commands, the reaction
//! events and the scheduler (for polls declared in `agenda.toml`) all call it.
//! Everything it posts goes through the paced `outbound` sender. Votes are
//! counted by `emcee_core::polls::Recorder`, which stores each change before the
//! tally shows it; this module only translates Discord's events and acts on the
//! recorder's verdicts (remove a foreign emoji, remove a moved vote's old
//! reaction, double-check a suspect mark).
//!
//! Layout: `commands` (the slash commands), `reactions` (gateway events),
//! `lifecycle` (posting, closing, announcing), `live` (tally edits, deadlines,
//! restart reconciliation), `render` (message JSON), `chart` (the PNG) and
//! `export` (`emcee polls export`).

pub mod chart;
pub mod commands;
mod export;
mod lifecycle;
mod live;
mod reactions;
pub mod render;

pub use export::export;
pub use lifecycle::PollRequest;
pub use reactions::{on_reaction, on_ready};

use super::outbound::Outbound;
use emcee_core::clock::Clock;
use emcee_core::config::Settings;
use emcee_core::polls::{FlashPoll, MessageKey, Poll, PollLimits, PollState, Recorder};
use emcee_core::store::Store;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

/// The shortest gap between two tally edits of one poll message, whatever the
/// config says: Discord allows about five edits per five seconds per channel.
const MIN_TALLY_GAP: Duration = Duration::from_secs(1);

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
    /// Role ids whose members are organisers.
    pub organiser_roles: Vec<u64>,
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
            tally_every: Duration::from_secs(u64::from(polls.tally_every_seconds))
                .max(MIN_TALLY_GAP),
            hide_tally: polls.hide_tally,
            default_minutes: polls.default_minutes.max(1),
            limits: polls.limits(),
            organiser_roles: settings
                .organisers
                .roles
                .iter()
                .filter_map(|r| r.trim().parse().ok())
                .collect(),
        }
    }
}

/// Flash polls for one bot; cheap to clone.
#[derive(Clone)]
pub struct PollService {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: Recorder,
    outbound: Outbound,
    clock: Arc<dyn Clock>,
    config: RwLock<PollConfig>,
    /// The bot's own user id, once READY told it; its reactions never count.
    bot_user: AtomicU64,
    /// Recovery runs once per process, however often READY comes.
    recovered: AtomicBool,
    /// Open polls with a vote that could not be stored: reconciled before closing.
    unsure: Mutex<HashSet<MessageKey>>,
}

impl PollService {
    /// A service over the database, the sender and the clock, with default
    /// settings until [`Self::configure`].
    pub fn new(store: Store, outbound: Outbound, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Inner {
                recorder: Recorder::start(Arc::new(store)),
                outbound,
                clock,
                config: RwLock::new(PollConfig::default()),
                bot_user: AtomicU64::new(0),
                recovered: AtomicBool::new(false),
                unsure: Mutex::default(),
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

    /// The vote recorder (tallies, results, latencies).
    pub fn recorder(&self) -> &Recorder {
        &self.inner.recorder
    }

    /// Opens a poll declared in `agenda.toml` in `channel_id`: posts it, stores
    /// it and starts counting. For the scheduler. Idempotent: a poll already
    /// opened for `poll.id` is returned as it is (the post itself also carries a
    /// nonce, so a retry after a crash does not post twice). Voting ends at
    /// `poll.closes_at`, or at once if that has passed.
    ///
    /// # Errors
    /// When Discord refuses the post or the database the poll.
    pub async fn open_declared(&self, poll: &FlashPoll, channel_id: u64) -> anyhow::Result<Poll> {
        if let Some(existing) = self.recorder().declared(&poll.id).await? {
            return Ok(existing);
        }
        let request = PollRequest {
            channel_id,
            question: poll.question.clone(),
            options: poll.options.clone(),
            closes_at: poll.closes_at,
            multi: poll.multi,
            hide_tally: self.config().hide_tally,
            declared_id: Some(poll.id.clone()),
            created_by: None,
        };
        self.post(request).await
    }

    /// Closes the poll declared as `declared_id` now and posts its result; for
    /// the scheduler. `None` if it was never opened or is already closed.
    ///
    /// # Errors
    /// When the database or Discord fails.
    pub async fn close_declared(&self, declared_id: &str) -> anyhow::Result<Option<Poll>> {
        match self.recorder().declared(declared_id).await? {
            Some(poll) => self.finish(&poll.message, PollState::Closed).await,
            None => Ok(None),
        }
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

    fn bot_user(&self) -> u64 {
        self.inner.bot_user.load(Ordering::Relaxed)
    }

    fn outbound(&self) -> &Outbound {
        &self.inner.outbound
    }

    fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }
}

/// Discord ids of a message key (the core keeps them as strings).
fn ids(message: &MessageKey) -> Option<(u64, u64)> {
    Some((message.channel.parse().ok()?, message.message.parse().ok()?))
}

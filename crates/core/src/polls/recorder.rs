//! The vote recorder: every open poll's ballots, with each change written to
//! the [`PollStore`] before the tally shows it.
//!
//! Callers queue their job, then whichever of them finds the writer free runs
//! everything queued, its own job and the others', as one batch (flat
//! combining). A burst thus costs one commit per batch, and no vote waits for
//! another thread to be scheduled.
//!
//! This is the one storage path that stays on the caller's thread, on
//! purpose: a batch is one short WAL commit (no checkpoint, `synchronous =
//! NORMAL`), and every hand-off measured worse on a busy two-core machine.
//! Same-run `poll_votes`, p99 received → stored: inline 0.15–0.33 ms; a
//! blocking-pool thread per batch 3.1–4.2 ms; `block_in_place` 4.2–5.8 ms; a
//! dedicated writer thread (an earlier design) 2–8 ms. Every other storage
//! call (jobs, lease, reminders, DM channels, the health probe) runs off the
//! async workers. A store whose calls wait on the network (PostgreSQL, see
//! [`PollStore::runs_inline`]) is the exception to the exception: its
//! batches run on a blocking thread, with the same flat combining.
//!
//! Adapters hand it raw reactions ([`Recorder::react`]) or button clicks
//! ([`Recorder::click`], for button polls) and act on the
//! [`Verdict`]: remove a foreign emoji, remove the reactions a single-choice
//! vote moved away from, double-check a suspect mark with the platform
//! ([`Recorder::observe`]). Opening, closing, reconciling after a restart and
//! reading results go through the same queue, so "votes after close do not
//! count" holds exactly. Live tallies are published on a `watch` per poll.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use emcee_core::polls::{MessageKey, Reaction, Recorder, Verdict};
//! use emcee_core::store::Store;
//! use std::sync::Arc;
//!
//! let recorder = Recorder::start(Arc::new(Store::in_memory()?));
//! let reaction = Reaction {
//!     message: MessageKey::new("c1", "m1"),
//!     voter: "alice".into(),
//!     key: "🇦".into(),
//!     added: true,
//!     by_self: false,
//! };
//! let verdict = recorder.react(reaction, std::time::Instant::now()).await?;
//! assert_eq!(verdict, Verdict::NotAPoll);
//! # Ok(()) }
//! ```

use super::ballot::{Ballots, Tally};
use super::metrics::LatencySummary;
use super::model::{Click, MessageKey, NativeVote, NewPoll, Poll, PollState, Reaction};
use super::results::Results;
use super::writer::{Job, OpenPoll, Shared, Vote, Writer};
use crate::clock::Clock;
use crate::store::{PollStore, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::time::Instant;
use tokio::sync::{oneshot, watch};

/// Why the recorder could not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("the poll store failed: {0}")]
    Store(String),
    #[error("the vote recorder has stopped")]
    Stopped,
}

impl From<StoreError> for RecordError {
    fn from(error: StoreError) -> Self {
        Self::Store(error.to_string())
    }
}

/// What became of one reaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not on an open poll (another message, or voting has closed): ignore it.
    NotAPoll,
    /// The bot's own reaction: never a vote.
    Ignored,
    /// An emoji that is no option of the poll: an added one should be removed.
    Foreign,
    /// Stored and counted.
    Counted {
        /// Reaction keys of this voter's to remove (a single-choice vote moved).
        displaced: Vec<String>,
        /// Ask the platform whether this reaction is really there, then
        /// [`Recorder::observe`] the answer.
        suspect: bool,
    },
}

/// What became of one button click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClickVerdict {
    /// Not a button on an open poll (closed meanwhile, or unknown): nothing changed.
    NotAPoll,
    /// Stored and counted.
    Counted {
        /// The clicked option's label.
        option: String,
        /// The voter now votes for it (false: the click took the vote back).
        voted: bool,
        /// The labels of every option the voter now votes for.
        chosen: Vec<String>,
        multi: bool,
    },
}

/// What became of the platform's answer on a suspect mark.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observed {
    /// Still suspect: the mark changed meanwhile; ask again later.
    pub suspect: bool,
    /// Reaction keys of this voter's to remove: in a single-choice poll, the
    /// answer made another option count.
    pub extras: Vec<String>,
}

/// An open poll with its stored tally, as published to watchers.
#[derive(Debug, Clone, PartialEq)]
pub struct PollView {
    pub poll: Poll,
    pub tally: Tally,
}

/// A handle on the recorder; cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
    shared: Arc<Shared>,
}

struct Inner {
    /// Jobs waiting for whoever holds the writer next.
    queue: Mutex<Vec<Job>>,
    writer: Mutex<Writer>,
    /// Whether batches run on the caller's thread ([`PollStore::runs_inline`]).
    inline: bool,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder on `store`, with every open poll and its votes loaded. If
    /// that load fails, every call answers with the error instead of counting
    /// against an incomplete state.
    /// A store that does not run inline loads them as the first job of
    /// its queue, off the caller's thread.
    /// Deadlines are then the caller's: a poll counts until closed or retired.
    pub fn start(store: Arc<dyn PollStore>) -> Self {
        Self::start_with(store, None)
    }

    /// [`Self::start`], with `clock` saying when a poll's deadline has
    /// passed: a vote on it then counts in no process, and a poll another
    /// process opened is not adopted (the poll service's recorder).
    pub fn start_with_clock(store: Arc<dyn PollStore>, clock: Arc<dyn Clock>) -> Self {
        Self::start_with(store, Some(clock))
    }

    fn start_with(store: Arc<dyn PollStore>, clock: Option<Arc<dyn Clock>>) -> Self {
        let shared = Arc::new(Shared::default());
        let inline = store.runs_inline();
        let mut writer = Writer::new(store, Arc::clone(&shared));
        writer.clock = clock;
        if inline {
            writer.load_open();
        }
        let inner = Inner {
            queue: Mutex::new(Vec::new()),
            writer: Mutex::new(writer),
            inline,
        };
        let recorder = Self {
            inner: Arc::new(inner),
            shared,
        };
        if !inline {
            recorder.submit(Job::Run(Box::new(Writer::load_open)));
        }
        recorder
    }

    /// Queues `job` and runs the queue unless someone else is running it; they
    /// then run `job` before they let the writer go. For a store that does
    /// not run inline, the queue runs on a blocking thread, never on the
    /// caller's async worker.
    fn submit(&self, job: Job) {
        lock(&self.inner.queue).push(job);
        if !self.inner.inline {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let recorder = self.clone();
                drop(runtime.spawn_blocking(move || recorder.run_queue()));
                return;
            }
        }
        self.run_queue();
    }

    /// Runs every queued job unless someone else holds the writer.
    fn run_queue(&self) {
        loop {
            let mut writer = match self.inner.writer.try_lock() {
                Ok(writer) => writer,
                Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => return,
            };
            loop {
                let jobs = std::mem::take(&mut *lock(&self.inner.queue));
                if jobs.is_empty() {
                    break;
                }
                writer.drain(jobs);
            }
            drop(writer);
            // A job queued after the last take, while the writer was still
            // held, has nobody else to run it.
            if lock(&self.inner.queue).is_empty() {
                return;
            }
        }
    }

    /// Handles one reaction, `received` when the platform's event arrived;
    /// answers once any change is stored.
    ///
    /// # Errors
    /// [`RecordError`] when the change could not be stored (it is then not counted).
    pub async fn react(
        &self,
        reaction: Reaction,
        received: Instant,
    ) -> Result<Verdict, RecordError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Reaction {
            reaction: Vote::Reaction(reaction),
            received,
            reply,
        };
        self.submit(job);
        answer.await.map_err(|_| RecordError::Stopped)?
    }

    /// Handles one click on a button poll, `received` when the platform's
    /// event arrived; answers once the change is stored, in the same batches
    /// as reactions.
    ///
    /// # Errors
    /// [`RecordError`] when the change could not be stored (it is then not counted).
    pub async fn click(
        &self,
        click: Click,
        received: Instant,
    ) -> Result<ClickVerdict, RecordError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Click {
            click,
            received,
            reply,
        });
        answer.await.map_err(|_| RecordError::Stopped)?
    }

    /// Handles one vote on a native poll, `received` when the platform's
    /// event arrived; answers once the change is stored, in the same batches
    /// as reactions and with the same rules (one vote each in single choice).
    ///
    /// # Errors
    /// [`RecordError`] when the change could not be stored (it is then not counted).
    pub async fn native_vote(
        &self,
        vote: NativeVote,
        received: Instant,
    ) -> Result<Verdict, RecordError> {
        let (reply, answer) = oneshot::channel();
        self.submit(Job::Reaction {
            reaction: Vote::Native(vote),
            received,
            reply,
        });
        answer.await.map_err(|_| RecordError::Stopped)?
    }

    /// Stores a posted poll; from now on its reactions are votes.
    ///
    /// # Errors
    /// [`RecordError`] when the store refuses it.
    pub async fn open(&self, new: NewPoll) -> Result<Poll, RecordError> {
        self.call(move |writer| {
            let poll = writer.store.insert_poll(&new)?;
            let ballots = Ballots::new(poll.multi, poll.choices.len());
            writer.add_open(OpenPoll {
                poll: poll.clone(),
                ballots,
            });
            Ok(poll)
        })
        .await
    }

    /// Ends voting on an open poll (`Closed` or `Cancelled`) and returns it with
    /// its final result; `None` if it was not open (closing twice is harmless).
    /// A poll this process does not count (another process opened it, or it
    /// was retired here at its deadline) is closed from its stored votes. The
    /// store moves a poll out of `open` only once, so of two processes closing
    /// the same poll only one gets it back.
    ///
    /// # Errors
    /// [`RecordError`] when the new state cannot be stored.
    pub async fn close(
        &self,
        message: &MessageKey,
        state: PollState,
        at: DateTime<Utc>,
    ) -> Result<Option<(Poll, Results)>, RecordError> {
        let message = message.clone();
        self.call(move |writer| {
            let Some(open) = writer.open.get(&message) else {
                return writer.close_stored(&message, state, at);
            };
            let closed = writer.store.set_state(open.poll.id, state, at)?;
            let Some(mut open) = writer.remove_open(&message) else {
                return Ok(None);
            };
            if !closed {
                return Ok(None);
            }
            open.poll.state = state;
            open.poll.closed_at = Some(at);
            // Other processes may have stored votes on it too: count the store's.
            let results = writer.stored_results(&open.poll)?;
            Ok(Some((open.poll, results)))
        })
        .await
    }

    /// Stops counting the poll posted as `message` in this process without
    /// closing it: another process (the scheduler's lease holder) closes it
    /// and announces the result. Its tally watchers end. False if it was not
    /// counted here.
    ///
    /// # Errors
    /// [`RecordError`] when the recorder has stopped.
    pub async fn retire(&self, message: &MessageKey) -> Result<bool, RecordError> {
        let message = message.clone();
        self.call(move |writer| {
            writer.retire(&message);
            Ok(writer.remove_open(&message).is_some())
        })
        .await
    }

    /// The stored tally of the poll posted as `message`, with the votes every
    /// process stored (the live tally edits show it); `None` if it is no poll.
    ///
    /// # Errors
    /// [`RecordError`] when the store cannot be read.
    pub async fn stored_tally(&self, message: &MessageKey) -> Result<Option<Tally>, RecordError> {
        Ok(self
            .results(message)
            .await?
            .map(|(_, results)| results.tally()))
    }

    /// Polls this process began counting because a vote on them arrived
    /// here though another process opened them; each is returned once.
    pub fn take_adopted(&self) -> Vec<Poll> {
        std::mem::take(&mut *lock(&self.shared.adopted))
    }

    /// The stored poll posted as `message` and its (running or final) result.
    ///
    /// # Errors
    /// [`RecordError`] when the store cannot be read.
    pub async fn results(
        &self,
        message: &MessageKey,
    ) -> Result<Option<(Poll, Results)>, RecordError> {
        let message = message.clone();
        self.call(move |writer| {
            let poll = match writer.open.get(&message) {
                Some(open) => open.poll.clone(),
                None => match writer.store.poll_by_message(&message)? {
                    Some(poll) => poll,
                    None => return Ok(None),
                },
            };
            // Read from the store even when counted here: another process
            // may count the same poll.
            let results = writer.stored_results(&poll)?;
            Ok(Some((poll, results)))
        })
        .await
    }

    /// Sets an open poll's marks to what the platform shows: `present[i]` holds
    /// the voters reacting with option `i` (the bot excluded), as fetched from a
    /// point after recorder version `since` ([`Self::version`]). Marks changed
    /// since then are left to their events. Returns, per voter of a
    /// single-choice poll, the extra reaction keys to remove.
    ///
    /// # Errors
    /// [`RecordError`] when the changes cannot be stored.
    pub async fn reconcile(
        &self,
        message: &MessageKey,
        present: Vec<BTreeSet<String>>,
        since: u64,
    ) -> Result<Vec<(String, Vec<String>)>, RecordError> {
        let message = message.clone();
        self.call(move |writer| {
            let version = writer.next_version();
            let Some(open) = writer.open.get_mut(&message) else {
                return Ok(Vec::new());
            };
            let mut voters: BTreeSet<String> = present.iter().flatten().cloned().collect();
            voters.extend(open.ballots.voters().map(str::to_owned));
            let mut rows = Vec::new();
            for voter in &voters {
                for option in 0..open.poll.choices.len() {
                    let there = present.get(option).is_some_and(|set| set.contains(voter));
                    if let Some(row) = open.ballots.observe(voter, option, there, since, version) {
                        rows.push((open.poll.id, row));
                    }
                }
            }
            let extras = voters
                .iter()
                .map(|voter| {
                    let keys = open.ballots.extras(voter).into_iter();
                    (
                        voter.clone(),
                        keys.map(|o| open.poll.choices[o].key.clone())
                            .collect::<Vec<_>>(),
                    )
                })
                .filter(|(_, keys)| !keys.is_empty())
                .collect();
            writer.save(&message, rows)?;
            Ok(extras)
        })
        .await
    }

    /// Takes the platform's answer on one suspect mark (`present`: the voter's
    /// reaction `key` is there), asked after version `since`.
    ///
    /// # Errors
    /// [`RecordError`] when the change cannot be stored.
    pub async fn observe(
        &self,
        message: &MessageKey,
        voter: &str,
        key: &str,
        present: bool,
        since: u64,
    ) -> Result<Observed, RecordError> {
        let (message, voter, key) = (message.clone(), voter.to_owned(), key.to_owned());
        self.call(move |writer| {
            let version = writer.next_version();
            let Some(open) = writer.open.get_mut(&message) else {
                return Ok(Observed::default());
            };
            let Some(option) = open.poll.option_of(&key) else {
                return Ok(Observed::default());
            };
            let row = open
                .ballots
                .observe(&voter, option, present, since, version);
            let suspect = open
                .ballots
                .marks(&voter)
                .is_some_and(|m| m[option].suspect);
            // A reaction found present may now outrank another of a single-choice voter.
            let extras = match row {
                Some(_) => open.ballots.extras(&voter),
                None => Vec::new(),
            };
            let extras = extras.iter().map(|&o| open.poll.choices[o].key.clone());
            let observed = Observed {
                suspect,
                extras: extras.collect(),
            };
            let id = open.poll.id;
            writer.save(&message, row.map(|r| vec![(id, r)]).unwrap_or_default())?;
            Ok(observed)
        })
        .await
    }

    /// The poll opened for the agenda's `[[polls]]` entry `declared_id`, if any.
    ///
    /// # Errors
    /// [`RecordError`] when the store cannot be read.
    pub async fn declared(&self, declared_id: &str) -> Result<Option<Poll>, RecordError> {
        let id = declared_id.to_owned();
        self.call(move |writer| Ok(writer.store.poll_by_declared(&id)?))
            .await
    }

    /// Every stored poll, oldest first.
    ///
    /// # Errors
    /// [`RecordError`] when the store cannot be read.
    pub async fn all_polls(&self) -> Result<Vec<Poll>, RecordError> {
        self.call(|writer| Ok(writer.store.all_polls()?)).await
    }

    /// Records that a poll's result (or cancellation) was posted.
    ///
    /// # Errors
    /// [`RecordError`] when the store refuses it.
    pub async fn set_announced(&self, poll_id: i64) -> Result<(), RecordError> {
        self.call(move |writer| Ok(writer.store.set_announced(poll_id)?))
            .await
    }

    /// The version of the last stored change; pass it as `since` to
    /// [`Self::reconcile`] or [`Self::observe`] before asking the platform.
    pub fn version(&self) -> u64 {
        self.shared.committed.load(Ordering::Acquire)
    }

    /// The open polls, oldest first.
    ///
    /// # Errors
    /// [`RecordError`] when the recorder could not load them.
    pub async fn open_polls(&self) -> Result<Vec<Poll>, RecordError> {
        self.call(|writer| {
            let mut polls: Vec<Poll> = writer.open.values().map(|o| o.poll.clone()).collect();
            polls.sort_by_key(|p| p.id);
            Ok(polls)
        })
        .await
    }

    /// Stored tallies of an open poll as they change; ends when it closes.
    pub fn watch(&self, message: &MessageKey) -> Option<watch::Receiver<PollView>> {
        lock_views(&self.shared)
            .get(message)
            .map(watch::Sender::subscribe)
    }

    /// Received-to-stored latencies of the votes so far.
    pub fn latencies(&self) -> LatencySummary {
        self.shared.latencies.summary()
    }

    async fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Writer) -> Result<T, RecordError> + Send + 'static,
    ) -> Result<T, RecordError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Run(Box::new(move |writer: &mut Writer| {
            let outcome = match writer.broken.clone() {
                Some(error) => Err(RecordError::Store(error)),
                None => work(writer),
            };
            let _ = reply.send(outcome);
        }));
        self.submit(job);
        answer.await.map_err(|_| RecordError::Stopped)?
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn lock_views(
    shared: &Shared,
) -> std::sync::MutexGuard<'_, HashMap<MessageKey, watch::Sender<PollView>>> {
    shared.views.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
#[path = "recorder_tests.rs"]
mod tests;

//! The recorder's state and its batch loop: every open poll's ballots.
//!
//! Whoever holds the writer (see `recorder`) takes every queued job at once and
//! writes the reactions' marks in one transaction (group commit), so a burst
//! costs one commit per batch instead of one per click. A batch's replies and
//! its tally updates go out only after the commit: nothing is shown that is not
//! stored. If a commit fails, the ballots touched are reloaded from the store.
//!
//! A vote can reach any process: Slack hands each envelope to one of the
//! app's connections, and a Discord guild's events go to the process holding
//! its shard, not to the one whose scheduler opened the poll. A vote on a
//! message this writer does not count is therefore looked up in the store
//! and, if that is an open poll, the poll is adopted (options, style, mode,
//! deadline and stored marks) and counted as if opened here. A message found
//! to be no open poll is remembered for [`MISS_TTL`], so reactions on
//! ordinary messages do not each cost a read; known polls cost none.

use super::ballot::{Ballots, MarkRow};
use super::metrics::Latencies;
use super::model::{Click, MessageKey, NativeVote, Poll, PollState, PollStyle, Reaction};
use super::recorder::{ClickVerdict, PollView, RecordError, Verdict};
use super::results::Results;
use crate::clock::Clock;
use crate::store::{PollStore, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, watch};

/// Most reactions written in one transaction.
const MAX_BATCH: usize = 256;

/// How long a message found to be no open poll is not looked up again. Short,
/// because a poll another process posts is stored a moment after its message
/// exists: a reaction in that moment must not hide the poll for long.
const MISS_TTL: Duration = Duration::from_secs(2);

/// Most messages remembered as no open poll; past it the oldest are dropped.
const MAX_MISSES: usize = 4096;

/// Work for the writer.
pub(crate) enum Job {
    Reaction {
        reaction: Vote,
        received: Instant,
        reply: oneshot::Sender<Result<Verdict, RecordError>>,
    },
    Click {
        click: Click,
        received: Instant,
        reply: oneshot::Sender<Result<ClickVerdict, RecordError>>,
    },
    Run(Box<dyn FnOnce(&mut Writer) + Send>),
}

/// A reaction, or a vote on a native poll: both mark or unmark one option.
pub(crate) enum Vote {
    Reaction(Reaction),
    Native(NativeVote),
}

impl Vote {
    fn message(&self) -> &MessageKey {
        match self {
            Self::Reaction(reaction) => &reaction.message,
            Self::Native(vote) => &vote.message,
        }
    }

    fn by_self(&self) -> bool {
        matches!(self, Self::Reaction(reaction) if reaction.by_self)
    }

    fn voter(&self) -> &str {
        match self {
            Self::Reaction(reaction) => &reaction.voter,
            Self::Native(vote) => &vote.voter,
        }
    }

    fn added(&self) -> bool {
        match self {
            Self::Reaction(reaction) => reaction.added,
            Self::Native(vote) => vote.added,
        }
    }

    /// Whether this vote counts on `poll` at all: reactions on reaction
    /// polls, the platform's votes on native polls from the poll's own
    /// community; a button poll counts clicks only.
    fn fits(&self, poll: &Poll) -> bool {
        match self {
            Self::Reaction(_) => poll.style == PollStyle::Reactions,
            Self::Native(vote) => {
                let crosses = matches!((&vote.community, &poll.community), (Some(from), Some(of)) if from != of);
                poll.style == PollStyle::Native && !crosses
            }
        }
    }

    /// The option voted for; `None`: none of the poll's (a stray emoji).
    fn option(&self, poll: &Poll) -> Option<usize> {
        match self {
            Self::Reaction(reaction) => poll.option_of(&reaction.key),
            Self::Native(vote) => (vote.option < poll.choices.len()).then_some(vote.option),
        }
    }
}

/// One open poll in the writer.
pub(crate) struct OpenPoll {
    pub(crate) poll: Poll,
    pub(crate) ballots: Ballots,
}

/// What the writer shares with the handles without being held.
#[derive(Default)]
pub(crate) struct Shared {
    /// Open polls and their published (stored) tallies.
    pub(crate) views: Mutex<HashMap<MessageKey, watch::Sender<PollView>>>,
    pub(crate) latencies: Latencies,
    /// The version of the last committed change.
    pub(crate) committed: AtomicU64,
    /// Polls adopted from the store since the service last asked: it starts
    /// their deadline and tally here (see [`Writer::known`]).
    pub(crate) adopted: Mutex<Vec<Poll>>,
}

/// The writer's state.
pub(crate) struct Writer {
    pub(crate) store: Arc<dyn PollStore>,
    /// Whose time says a poll's deadline has passed (its votes no longer
    /// count, nor is it adopted); none: deadlines are left to the caller.
    pub(crate) clock: Option<Arc<dyn Clock>>,
    pub(crate) open: HashMap<MessageKey, OpenPoll>,
    pub(crate) shared: Arc<Shared>,
    /// Why loading the open polls failed; every job is refused then.
    pub(crate) broken: Option<String>,
    version: u64,
    /// Messages found to be no open poll, and when.
    misses: HashMap<MessageKey, Instant>,
    /// Polls this process stopped counting at their deadline: never adopted
    /// again, though the store says open until their close job runs.
    retired: HashSet<MessageKey>,
}

/// A staged vote's answer, sent once its batch is committed (or failed).
enum Answer {
    Reaction(oneshot::Sender<Result<Verdict, RecordError>>, Verdict),
    Click(
        oneshot::Sender<Result<ClickVerdict, RecordError>>,
        ClickVerdict,
    ),
}

impl Answer {
    fn send(self, failed: Option<&RecordError>) {
        match (self, failed) {
            (Self::Reaction(reply, verdict), None) => drop(reply.send(Ok(verdict))),
            (Self::Reaction(reply, _), Some(error)) => drop(reply.send(Err(error.clone()))),
            (Self::Click(reply, verdict), None) => drop(reply.send(Ok(verdict))),
            (Self::Click(reply, _), Some(error)) => drop(reply.send(Err(error.clone()))),
        }
    }
}

struct Pending {
    answer: Answer,
    received: Instant,
}

#[derive(Default)]
struct Batch {
    rows: Vec<(i64, MarkRow)>,
    pending: Vec<Pending>,
    touched: HashSet<MessageKey>,
}

impl Writer {
    pub(crate) fn new(store: Arc<dyn PollStore>, shared: Arc<Shared>) -> Self {
        Self {
            store,
            clock: None,
            open: HashMap::new(),
            shared,
            broken: None,
            version: 0,
            misses: HashMap::new(),
            retired: HashSet::new(),
        }
    }

    /// Loads the open polls with their votes; if that fails, every job is
    /// refused with the reason.
    pub(crate) fn load_open(&mut self) {
        if let Err(error) = self.load() {
            tracing::error!(error = %error, "could not load the open polls");
            self.broken = Some(error.to_string());
        }
    }

    /// Runs `jobs` in order: reactions are staged and committed together (at
    /// most [`MAX_BATCH`] per transaction), other work runs between batches.
    pub(crate) fn drain(&mut self, jobs: Vec<Job>) {
        let mut batch = Batch::default();
        for job in jobs {
            match job {
                Job::Reaction {
                    reaction,
                    received,
                    reply,
                } => self.stage(&reaction, received, reply, &mut batch),
                Job::Click {
                    click,
                    received,
                    reply,
                } => self.stage_click(&click, received, reply, &mut batch),
                Job::Run(work) => {
                    self.flush(&mut batch);
                    work(self);
                }
            }
            if batch.pending.len() >= MAX_BATCH {
                self.flush(&mut batch);
            }
        }
        self.flush(&mut batch);
    }

    fn load(&mut self) -> Result<(), StoreError> {
        for poll in self.store.all_polls()? {
            if poll.state != PollState::Open {
                continue;
            }
            let rows = self.store.marks(poll.id)?;
            let ballots = Ballots::restore(poll.multi, poll.choices.len(), rows);
            self.add_open(OpenPoll { poll, ballots });
        }
        Ok(())
    }

    /// Starts counting an open poll and publishing its tally.
    pub(crate) fn add_open(&mut self, open: OpenPoll) {
        let view = PollView {
            poll: open.poll.clone(),
            tally: open.ballots.tally().clone(),
        };
        let mut views = self
            .shared
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        views.insert(open.poll.message.clone(), watch::channel(view).0);
        drop(views);
        self.open.insert(open.poll.message.clone(), open);
        metrics::gauge!(crate::telemetry::OPEN_POLLS).set(self.open.len() as f64);
    }

    /// Stops counting an open poll and ends its tally watchers.
    pub(crate) fn remove_open(&mut self, message: &MessageKey) -> Option<OpenPoll> {
        let open = self.open.remove(message)?;
        self.shared
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(message);
        metrics::gauge!(crate::telemetry::OPEN_POLLS).set(self.open.len() as f64);
        Some(open)
    }

    /// Closes a poll that is open in the store but not counted here (another
    /// process opened it, or it was retired here), with its stored votes.
    pub(crate) fn close_stored(
        &mut self,
        message: &MessageKey,
        state: PollState,
        at: DateTime<Utc>,
    ) -> Result<Option<(Poll, Results)>, RecordError> {
        let Some(mut poll) = self.store.poll_by_message(message)? else {
            return Ok(None);
        };
        if poll.state != PollState::Open || !self.store.set_state(poll.id, state, at)? {
            return Ok(None);
        }
        poll.state = state;
        poll.closed_at = Some(at);
        let results = self.stored_results(&poll)?;
        Ok(Some((poll, results)))
    }

    /// Makes sure a poll open in the store as `message` is counted here,
    /// adopting it if another process opened it; false if `message` is no
    /// open poll. Polls counted here cost no store read.
    fn known(&mut self, message: &MessageKey) -> Result<bool, RecordError> {
        if self.open.contains_key(message) {
            return Ok(true);
        }
        if self
            .misses
            .get(message)
            .is_some_and(|at| at.elapsed() < MISS_TTL)
        {
            return Ok(false);
        }
        if self.retired.contains(message) {
            return Ok(false);
        }
        let poll = self
            .store
            .poll_by_message(message)?
            .filter(|poll| poll.state == PollState::Open && !self.past_deadline(poll));
        let Some(poll) = poll else {
            self.miss(message);
            return Ok(false);
        };
        let rows = self.store.marks(poll.id)?;
        let ballots = Ballots::restore(poll.multi, poll.choices.len(), rows);
        tracing::info!(
            poll = poll.id,
            "counting votes on a poll another process opened"
        );
        self.shared
            .adopted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(poll.clone());
        self.misses.remove(message);
        self.add_open(OpenPoll { poll, ballots });
        Ok(true)
    }

    /// Whether `poll`'s deadline has passed by the clock, if there is one.
    fn past_deadline(&self, poll: &Poll) -> bool {
        self.clock
            .as_ref()
            .is_some_and(|clock| poll.closes_at <= clock.now())
    }

    /// Notes that this process stopped counting `message` at its deadline.
    pub(crate) fn retire(&mut self, message: &MessageKey) {
        self.retired.insert(message.clone());
    }

    /// Remembers that `message` is no open poll, for [`MISS_TTL`].
    fn miss(&mut self, message: &MessageKey) {
        if self.misses.len() >= MAX_MISSES {
            self.misses.retain(|_, at| at.elapsed() < MISS_TTL);
        }
        if self.misses.len() >= MAX_MISSES {
            self.misses.clear();
        }
        self.misses.insert(message.clone(), Instant::now());
    }

    /// The stored result of the poll `poll`, with every vote any process
    /// stored: what a close and `poll results` show.
    pub(crate) fn stored_results(&self, poll: &Poll) -> Result<Results, RecordError> {
        let rows = self.store.marks(poll.id)?;
        let ballots = Ballots::restore(poll.multi, poll.choices.len(), rows);
        Ok(Results::new(poll, ballots.tally()))
    }

    /// The next change's version.
    pub(crate) fn next_version(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    fn stage(
        &mut self,
        vote: &Vote,
        received: Instant,
        reply: oneshot::Sender<Result<Verdict, RecordError>>,
        batch: &mut Batch,
    ) {
        if let Some(error) = self.broken.clone() {
            let _ = reply.send(Err(RecordError::Store(error)));
            return;
        }
        // The bot's own reactions are never votes: no need to look them up.
        if !vote.by_self() {
            if let Err(error) = self.known(vote.message()) {
                let _ = reply.send(Err(error));
                return;
            }
        }
        let version = self.next_version();
        let now = self.clock.as_ref().map(|clock| clock.now());
        let verdict = match self.open.get_mut(vote.message()) {
            None => Verdict::NotAPoll,
            // Past its deadline, before this process retired it: whichever
            // process closes it may already have counted.
            Some(open) if now.is_some_and(|now| open.poll.closes_at <= now) => Verdict::NotAPoll,
            // Reactions on a button or native poll are chatter.
            Some(open) if !vote.fits(&open.poll) => Verdict::NotAPoll,
            Some(_) if vote.by_self() => Verdict::Ignored,
            Some(open) => match vote.option(&open.poll) {
                None => Verdict::Foreign,
                Some(option) => {
                    let change = open
                        .ballots
                        .apply(vote.voter(), option, vote.added(), version);
                    batch.rows.push((open.poll.id, change.row));
                    batch.touched.insert(vote.message().clone());
                    let keys = change.displaced.iter();
                    Verdict::Counted {
                        displaced: keys.map(|&o| open.poll.choices[o].key.clone()).collect(),
                        suspect: change.suspect,
                    }
                }
            },
        };
        if matches!(verdict, Verdict::Counted { .. }) {
            batch.pending.push(Pending {
                answer: Answer::Reaction(reply, verdict),
                received,
            });
        } else {
            let _ = reply.send(Ok(verdict));
        }
    }

    /// Stages a button click: the voter's marks as the click leaves them.
    fn stage_click(
        &mut self,
        click: &Click,
        received: Instant,
        reply: oneshot::Sender<Result<ClickVerdict, RecordError>>,
        batch: &mut Batch,
    ) {
        if let Some(error) = self.broken.clone() {
            let _ = reply.send(Err(RecordError::Store(error)));
            return;
        }
        if let Err(error) = self.known(&click.message) {
            let _ = reply.send(Err(error));
            return;
        }
        let version = self.next_version();
        let now = self.clock.as_ref().map(|clock| clock.now());
        let open = self
            .open
            .get_mut(&click.message)
            .filter(|open| now.is_none_or(|now| open.poll.closes_at > now))
            .filter(|open| open.poll.style == PollStyle::Buttons)
            .filter(|open| click.option < open.poll.choices.len());
        let Some(open) = open else {
            let _ = reply.send(Ok(ClickVerdict::NotAPoll));
            return;
        };
        let clicked = open
            .ballots
            .click(&click.voter, click.option, click.at, version);
        // A click seen before is answered with the vote as it stands.
        let (rows, voted) = clicked.unwrap_or_else(|| {
            let chosen = open.ballots.chosen(&click.voter);
            (Vec::new(), chosen.contains(&click.option))
        });
        let label = |o: usize| open.poll.choices[o].label.clone();
        let verdict = ClickVerdict::Counted {
            option: label(click.option),
            voted,
            chosen: open
                .ballots
                .chosen(&click.voter)
                .into_iter()
                .map(label)
                .collect(),
            multi: open.poll.multi,
        };
        let id = open.poll.id;
        batch.rows.extend(rows.into_iter().map(|row| (id, row)));
        batch.touched.insert(click.message.clone());
        batch.pending.push(Pending {
            answer: Answer::Click(reply, verdict),
            received,
        });
    }

    fn flush(&mut self, batch: &mut Batch) {
        if batch.pending.is_empty() && batch.rows.is_empty() {
            return;
        }
        let batch = std::mem::take(batch);
        match self.store.save_marks(&batch.rows) {
            Ok(()) => {
                self.shared.committed.store(self.version, Ordering::Release);
                metrics::counter!(crate::telemetry::VOTES).increment(batch.rows.len() as u64);
                metrics::gauge!(crate::telemetry::OPEN_POLLS).set(self.open.len() as f64);
                for message in &batch.touched {
                    self.publish(message);
                }
                for pending in batch.pending {
                    self.shared.latencies.record(pending.received.elapsed());
                    pending.answer.send(None);
                }
            }
            Err(error) => {
                // The store counted the failed write.
                tracing::error!(error = %error, "could not store votes; reloading the polls touched");
                for message in &batch.touched {
                    self.reload(message);
                }
                let failed = RecordError::Store(error.to_string());
                for pending in batch.pending {
                    pending.answer.send(Some(&failed));
                }
            }
        }
    }

    /// Writes marks changed outside a batch (reconciliation), then publishes.
    pub(crate) fn save(
        &mut self,
        message: &MessageKey,
        rows: Vec<(i64, MarkRow)>,
    ) -> Result<(), RecordError> {
        if rows.is_empty() {
            return Ok(());
        }
        if let Err(error) = self.store.save_marks(&rows) {
            self.reload(message);
            return Err(RecordError::Store(error.to_string()));
        }
        self.shared.committed.store(self.version, Ordering::Release);
        self.publish(message);
        Ok(())
    }

    /// Sends the stored tally of an open poll to its watchers.
    pub(crate) fn publish(&self, message: &MessageKey) {
        let Some(open) = self.open.get(message) else {
            return;
        };
        let views = self
            .shared
            .views
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(view) = views.get(message) {
            view.send_replace(PollView {
                poll: open.poll.clone(),
                tally: open.ballots.tally().clone(),
            });
        }
    }

    fn reload(&mut self, message: &MessageKey) {
        let Some(open) = self.open.get_mut(message) else {
            return;
        };
        match self.store.marks(open.poll.id) {
            Ok(rows) => {
                open.ballots = Ballots::restore(open.poll.multi, open.poll.choices.len(), rows);
            }
            Err(error) => tracing::error!(error = %error, "could not reload a poll's votes"),
        }
    }
}

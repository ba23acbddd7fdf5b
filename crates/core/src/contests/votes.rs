//! The contest's vote desk: one task that stores every vote change before it
//! counts, in batches.
//!
//! Reaction handlers queue their change and wait; the task takes everything
//! queued at once and writes it in one transaction (group commit), so a
//! burst of 500 voters costs a handful of commits, and a vote is answered
//! only once stored. Reconciling an entry with the platform's reactions goes
//! through the same queue, so it cannot interleave with a batch: each
//! (entry, voter, emoji) carries the version of its last event, and a
//! platform read taken before that event leaves the event's outcome alone.

use super::model::VoteChange;
use super::ContestError;
use crate::store::StoreError;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

use super::store::ContestStore;

/// Most changes written in one transaction.
const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<(), ContestError>>;

/// The platform's reactions with one emoji on one entry, as read after
/// version `since`.
pub(crate) struct Present {
    pub entry_id: i64,
    pub emoji: String,
    /// Who reacted (the bot excluded).
    pub voters: BTreeSet<String>,
    /// The entrant, whose own reaction never counts.
    pub entrant: String,
    pub since: u64,
}

enum Job {
    Vote(VoteChange, Reply),
    /// A change the platform confirmed, taken unless a newer event came.
    Checked(VoteChange, u64, Reply),
    Reconcile(Present, Reply),
}

/// A handle on the desk; cheap to clone.
#[derive(Clone)]
pub(crate) struct VoteDesk {
    queue: mpsc::UnboundedSender<Job>,
    seen: Arc<AtomicU64>,
}

impl VoteDesk {
    /// Starts the desk's task on `store`; needs a tokio runtime.
    pub(crate) fn start(store: Arc<dyn ContestStore>) -> Self {
        let (queue, jobs) = mpsc::unbounded_channel();
        let seen = Arc::new(AtomicU64::new(0));
        let desk = Desk {
            store,
            jobs,
            seen: Arc::clone(&seen),
            versions: HashMap::new(),
        };
        tokio::spawn(desk.run());
        Self { queue, seen }
    }

    /// The version of the last event taken; read it before asking the
    /// platform, and pass it with the answer.
    pub(crate) fn version(&self) -> u64 {
        self.seen.load(Ordering::Acquire)
    }

    /// Stores one vote change; answers once it is stored.
    pub(crate) async fn vote(&self, change: VoteChange) -> Result<(), ContestError> {
        self.call(|reply| Job::Vote(change, reply)).await
    }

    /// Stores what the platform said of one vote, asked after `since`.
    pub(crate) async fn checked(&self, change: VoteChange, since: u64) -> Result<(), ContestError> {
        self.call(|reply| Job::Checked(change, since, reply)).await
    }

    /// Sets one entry's stored votes with one emoji to the platform's.
    pub(crate) async fn reconcile(&self, present: Present) -> Result<(), ContestError> {
        self.call(|reply| Job::Reconcile(present, reply)).await
    }

    async fn call(&self, job: impl FnOnce(Reply) -> Job) -> Result<(), ContestError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(job(reply))
            .map_err(|_| ContestError::Stopped)?;
        answer.await.map_err(|_| ContestError::Stopped)?
    }
}

type Key = (i64, String, String);

struct Desk {
    store: Arc<dyn ContestStore>,
    jobs: mpsc::UnboundedReceiver<Job>,
    seen: Arc<AtomicU64>,
    /// The version of each vote's last event.
    versions: HashMap<Key, u64>,
}

fn key(change: &VoteChange) -> Key {
    (change.entry_id, change.voter.clone(), change.emoji.clone())
}

impl Desk {
    async fn run(mut self) {
        while let Some(first) = self.jobs.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match self.jobs.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            self.drain(jobs).await;
        }
    }

    async fn drain(&mut self, jobs: Vec<Job>) {
        let mut rows = Vec::new();
        let mut replies = Vec::new();
        for job in jobs {
            match job {
                Job::Vote(change, reply) => {
                    let version = self.seen.fetch_add(1, Ordering::AcqRel) + 1;
                    self.versions.insert(key(&change), version);
                    rows.push(change);
                    replies.push(reply);
                }
                Job::Checked(change, since, reply) => {
                    self.flush(&mut rows, &mut replies).await;
                    let newer = self.versions.get(&key(&change)).is_some_and(|&v| v > since);
                    let changes = if newer { Vec::new() } else { vec![change] };
                    let _ = reply.send(self.save(changes).await);
                }
                Job::Reconcile(present, reply) => {
                    self.flush(&mut rows, &mut replies).await;
                    let outcome = self.reconcile(present).await;
                    let _ = reply.send(outcome);
                }
            }
        }
        self.flush(&mut rows, &mut replies).await;
    }

    async fn flush(&mut self, rows: &mut Vec<VoteChange>, replies: &mut Vec<Reply>) {
        if replies.is_empty() {
            return;
        }
        let outcome = self.save(std::mem::take(rows)).await;
        if let Err(error) = &outcome {
            tracing::error!(%error, "could not store contest votes");
        }
        for reply in replies.drain(..) {
            let _ = reply.send(outcome.clone());
        }
    }

    async fn save(&self, rows: Vec<VoteChange>) -> Result<(), ContestError> {
        if rows.is_empty() {
            return Ok(());
        }
        self.store.save_votes(rows).await.map_err(store_error)
    }

    async fn reconcile(&mut self, present: Present) -> Result<(), ContestError> {
        let stored: BTreeSet<String> = self
            .store
            .votes(present.entry_id)
            .await
            .map_err(store_error)?
            .into_iter()
            .filter(|(_, emoji)| *emoji == present.emoji)
            .map(|(voter, _)| voter)
            .collect();
        let mut changes = Vec::new();
        for voter in stored.union(&present.voters) {
            let change = VoteChange {
                entry_id: present.entry_id,
                voter: voter.clone(),
                emoji: present.emoji.clone(),
                present: present.voters.contains(voter) && *voter != present.entrant,
            };
            let newer = self
                .versions
                .get(&key(&change))
                .is_some_and(|&v| v > present.since);
            if !newer && change.present != stored.contains(voter) {
                changes.push(change);
            }
        }
        self.save(changes).await
    }
}

fn store_error(error: StoreError) -> ContestError {
    ContestError::Store(error.to_string())
}

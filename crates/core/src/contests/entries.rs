//! Events from the platform: image posts that become entries, reactions that
//! become votes, and the reconciliation with the platform's reactions after
//! a restart or a gap in the event stream.

use super::model::{Contest, ContestState, Entry, EntryAdded, NewEntry, Upload, VoteChange};
use super::service::{ContestService, OPEN_TTL};
use super::votes::Present;
use super::ContestError;
use crate::chat::MessageKey;
use crate::polls::Reaction;
use std::sync::atomic::Ordering;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

/// How long after a removed vote the platform is asked whether the reaction
/// is really gone: events handled out of order (a remove before its add) end
/// at what the platform shows.
const SETTLE: Duration = Duration::from_millis(500);

/// A message someone posted, as the adapter saw it.
#[derive(Debug, Clone)]
pub struct Submission {
    pub community: Option<String>,
    pub message: MessageKey,
    pub author: String,
    /// Shown in the result as inert text.
    pub author_name: String,
    /// The poster is a bot (this one or another): never an entry.
    pub by_bot: bool,
    pub uploads: Vec<Upload>,
    /// A link to the message, where the platform has one.
    pub link: Option<String>,
}

/// What became of a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// No contest takes it (no image, no open contest here, out of the window).
    NotAnEntry,
    Entered(Entry),
    /// Over the entrant's limit: not counted; `told` when they were told.
    OverLimit {
        told: bool,
    },
}

/// What became of a reaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voted {
    /// Not a vote: not on an entry, not a vote emoji, the entrant's or the
    /// bot's own, or after the close.
    NotAVote,
    /// Stored; it counts.
    Counted,
}

impl ContestService {
    /// The open contests, read again when the last read is older than
    /// [`OPEN_TTL`].
    ///
    /// # Errors
    /// [`ContestError::Store`] when they cannot be read.
    pub async fn open_contests(&self) -> Result<Vec<Contest>, ContestError> {
        {
            let cached = self
                .inner
                .open
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some((at, open)) = cached.as_ref() {
                if at.elapsed() < OPEN_TTL {
                    return Ok(open.clone());
                }
            }
        }
        let open = self.stored_open().await?;
        *self
            .inner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), open.clone()));
        Ok(open)
    }

    /// The contest taking entries in `channel` now, if any.
    async fn contest_in(&self, channel: &str) -> Result<Option<Contest>, ContestError> {
        let now = self.now();
        Ok(self
            .open_contests()
            .await?
            .into_iter()
            .find(|contest| contest.rules.channel == channel && contest.takes_part_at(now)))
    }

    /// A post in some channel: stored as an entry when it carries an image,
    /// in a contest's channel, during its window, within its entrant's limit.
    ///
    /// # Errors
    /// [`ContestError::Store`] when it cannot be stored.
    pub async fn on_post(&self, post: Submission) -> Result<Submitted, ContestError> {
        let image = post.uploads.iter().find(|upload| upload.is_image());
        let (false, Some(image)) = (post.by_bot, image) else {
            return Ok(Submitted::NotAnEntry);
        };
        let Some(contest) = self.contest_in(&post.message.channel).await? else {
            return Ok(Submitted::NotAnEntry);
        };
        if post.community.is_some()
            && contest.rules.community.is_some()
            && post.community != contest.rules.community
        {
            return Ok(Submitted::NotAnEntry);
        }
        let new = NewEntry {
            contest_id: contest.id,
            message: post.message.clone(),
            entrant: post.author.clone(),
            entrant_name: post.author_name.clone(),
            image_url: image.url.clone(),
            link: post.link.clone(),
            posted_at: self.now(),
        };
        match self
            .inner
            .store
            .add_entry(new, contest.rules.per_person)
            .await?
        {
            EntryAdded::Added(entry) | EntryAdded::Known(entry) => {
                self.remember(&entry);
                Ok(Submitted::Entered(entry))
            }
            EntryAdded::OverLimit { first } => {
                if first {
                    self.tell_over_limit(&contest, &post.author).await;
                }
                Ok(Submitted::OverLimit { told: first })
            }
        }
    }

    fn remember(&self, entry: &Entry) {
        let mut entries = self
            .inner
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        entries.insert(entry.entry.message.clone(), entry.clone());
    }

    /// The entry posted as `message`, from memory or the store.
    async fn entry(&self, message: &MessageKey) -> Result<Option<Entry>, ContestError> {
        let known = {
            let entries = self
                .inner
                .entries
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            entries.get(message).cloned()
        };
        if known.is_some() {
            return Ok(known);
        }
        let found = self.inner.store.entry_by_message(message.clone()).await?;
        if let Some(entry) = &found {
            self.remember(entry);
        }
        Ok(found)
    }

    /// A reaction added or removed: a vote when it is a vote emoji on an
    /// entry of an open contest, by someone other than the entrant and the
    /// bot. Answers once the vote is stored.
    ///
    /// # Errors
    /// [`ContestError::Store`] when it cannot be stored (it does not count
    /// then, until a reconciliation finds the reaction).
    pub async fn on_reaction(&self, reaction: Reaction) -> Result<Voted, ContestError> {
        if reaction.by_self {
            return Ok(Voted::NotAVote);
        }
        let Some(contest) = self.contest_in(&reaction.message.channel).await? else {
            return Ok(Voted::NotAVote);
        };
        if !contest.is_vote(&reaction.key) {
            return Ok(Voted::NotAVote);
        }
        let Some(entry) = self.entry(&reaction.message).await? else {
            return Ok(Voted::NotAVote);
        };
        if entry.entry.contest_id != contest.id || entry.entry.entrant == reaction.voter {
            return Ok(Voted::NotAVote);
        }
        let change = VoteChange {
            entry_id: entry.id,
            voter: reaction.voter.clone(),
            emoji: reaction.key.clone(),
            present: reaction.added,
        };
        self.desk().vote(change.clone()).await?;
        if !reaction.added {
            let service = self.clone();
            tokio::spawn(async move { service.check(reaction.message, change).await });
        }
        Ok(Voted::Counted)
    }

    /// After [`SETTLE`], asks the platform whether a removed vote's reaction
    /// is there, and stores its answer unless a newer event came meanwhile.
    async fn check(&self, message: MessageKey, mut change: VoteChange) {
        tokio::time::sleep(SETTLE).await;
        let since = self.desk().version();
        let port = &self.inner.port;
        match port
            .has_reacted(&message, &change.emoji, &change.voter)
            .await
        {
            Ok(present) => {
                change.present = present;
                if let Err(error) = self.desk().checked(change, since).await {
                    tracing::warn!(%error, "could not store a checked contest vote");
                }
            }
            Err(error) => tracing::warn!(%error, "could not check a removed contest vote"),
        }
    }

    /// The platform's session (re)started: the first time, reconciles every
    /// open contest and posts the results a crash left unposted; later,
    /// reconciles the open contests (the platform replays no gap). Returns at
    /// once; the work runs in the background.
    pub fn session_started(&self) {
        let first = !self.inner.recovering.swap(true, Ordering::SeqCst);
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(error) = service.recover(first).await {
                tracing::error!(%error, "could not resume the meme contests");
            }
            if first {
                service.inner.recovered.send_replace(true);
            }
        });
    }

    async fn recover(&self, first: bool) -> Result<(), ContestError> {
        self.forget_open();
        for contest in self.inner.store.contests().await? {
            match contest.state {
                ContestState::Open => self.reconcile(&contest).await?,
                ContestState::Closed if first && !contest.announced => {
                    self.announce(&contest).await?;
                }
                ContestState::Closed => {}
            }
        }
        Ok(())
    }

    /// Sets the stored votes of every entry of `contest` to the reactions
    /// the platform shows, so votes made while the bot was down count and
    /// removed ones go.
    ///
    /// # Errors
    /// The store's or the platform's failure.
    pub async fn reconcile(&self, contest: &Contest) -> Result<(), ContestError> {
        let emoji = &contest.rules.emoji;
        for entry in self.inner.store.entries(contest.id).await? {
            self.remember(&entry);
            let since = self.desk().version();
            let mut read = self
                .inner
                .port
                .reactors_of(&entry.entry.message, emoji)
                .await?;
            for emoji in emoji {
                let present = Present {
                    entry_id: entry.id,
                    emoji: emoji.clone(),
                    voters: read.remove(emoji).unwrap_or_default(),
                    entrant: entry.entry.entrant.clone(),
                    since,
                };
                self.desk().reconcile(present).await?;
            }
        }
        tracing::info!(contest = contest.id, "reconciled the contest's votes");
        Ok(())
    }
}

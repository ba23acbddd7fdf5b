//! A contest's life on a chat platform: opening it (by command or from the
//! agenda), closing it once at its deadline, and posting the result from the
//! stored votes.

use super::model::{rank, Contest, ContestState, NewContest, Standing};
use super::posts;
use super::spec::{self, DeclaredContest};
use super::store::ContestStore;
use super::votes::VoteDesk;
use super::ContestError;
use crate::chat::{ChatPort, MessageKey, PortError};
use crate::clock::Clock;
use crate::store::StoreFuture;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long the list of open contests is trusted before it is read again
/// (another process may have opened or closed one).
pub(super) const OPEN_TTL: Duration = Duration::from_secs(2);

/// How long a close waits for the start-up reconciliation to finish.
const RECOVERY_WAIT: Duration = Duration::from_secs(60);

/// Who closes contests at their deadline (the scheduler: one process does).
pub trait ContestDeadlines: Send + Sync {
    /// Plans the close of `contest` at its `closes_at`.
    fn close_at<'a>(&'a self, contest: &'a Contest) -> StoreFuture<'a, ()>;
}

/// A contest an organiser asks for.
#[derive(Debug, Clone)]
pub struct OpenContest {
    pub community: Option<String>,
    /// A channel id, name or mention.
    pub channel: String,
    pub title: String,
    pub minutes: u32,
    pub template: Option<String>,
    pub created_by: Option<String>,
}

/// Meme contests on one platform; cheap to clone.
#[derive(Clone)]
pub struct ContestService {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Arc<dyn ContestStore>,
    pub(super) port: Arc<dyn ChatPort>,
    pub(super) clock: Arc<dyn Clock>,
    desk: OnceLock<VoteDesk>,
    deadlines: OnceLock<Arc<dyn ContestDeadlines>>,
    /// Open contests as last read, and when.
    pub(super) open: Mutex<Option<(Instant, Vec<Contest>)>>,
    /// Entries seen, by message.
    pub(super) entries: Mutex<HashMap<MessageKey, super::Entry>>,
    pub(super) recovering: AtomicBool,
    /// True once the start-up reconciliation is done (or not needed).
    pub(super) recovered: watch::Sender<bool>,
}

impl ContestService {
    /// A service storing in `store` and posting through `port`.
    pub fn new(
        store: Arc<dyn ContestStore>,
        port: Arc<dyn ChatPort>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                port,
                clock,
                desk: OnceLock::new(),
                deadlines: OnceLock::new(),
                open: Mutex::new(None),
                entries: Mutex::new(HashMap::new()),
                recovering: AtomicBool::new(false),
                recovered: watch::channel(false).0,
            }),
        }
    }

    /// Hands contest closes to `deadlines` (the scheduler); only the first
    /// call counts. Without it contests close only by command.
    pub fn attach_deadlines(&self, deadlines: Arc<dyn ContestDeadlines>) {
        let _ = self.inner.deadlines.set(deadlines);
    }

    /// The vote desk, started on first use (inside the runtime).
    pub(super) fn desk(&self) -> &VoteDesk {
        self.inner
            .desk
            .get_or_init(|| VoteDesk::start(Arc::clone(&self.inner.store)))
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Opens a contest an organiser asked for, with the default rules, and
    /// posts the call for entries in its channel.
    ///
    /// # Errors
    /// [`ContestError::Rules`] for a contest that cannot run as asked,
    /// [`ContestError::NoSuchChannel`], or the store's or platform's failure.
    pub async fn open(&self, request: OpenContest) -> Result<Contest, ContestError> {
        let channel = self
            .resolve(request.community.as_deref(), &request.channel)
            .await?;
        let (per_person, top, emoji) = spec::command_defaults();
        let opens_at = self.now();
        let closes_at = opens_at + TimeDelta::minutes(i64::from(request.minutes));
        let template = request.template.filter(|t| !t.trim().is_empty());
        spec::check(
            &request.title,
            (opens_at, closes_at),
            per_person,
            top,
            &emoji,
            template.as_deref(),
        )?;
        let rules = NewContest {
            community: request.community,
            declared_id: None,
            title: request.title.trim().to_owned(),
            channel,
            template,
            per_person,
            emoji,
            top,
            opens_at,
            closes_at,
            created_by: request.created_by,
        };
        self.start(rules).await
    }

    /// Opens the agenda's contest `declared` in `channel` (a config key);
    /// opening it again (a retried job, another process) changes nothing.
    ///
    /// # Errors
    /// As [`Self::open`].
    pub async fn open_declared(
        &self,
        declared: &DeclaredContest,
        channel: &str,
    ) -> Result<Contest, ContestError> {
        declared.check()?;
        let channel = self.resolve(None, channel).await?;
        let rules = NewContest {
            community: None,
            declared_id: Some(declared.id.clone()),
            title: declared.title.clone(),
            channel,
            template: declared.template.clone(),
            per_person: declared.per_person,
            // The agenda's spelling (`:joy:` on Slack, `<:ferris:1>` on
            // Discord) as the key the platform's reactions come with.
            emoji: declared
                .emoji
                .iter()
                .map(|typed| {
                    self.inner
                        .port
                        .emoji_key(typed)
                        .unwrap_or_else(|| typed.clone())
                })
                .collect(),
            top: declared.top,
            opens_at: declared.opens_at,
            closes_at: declared.closes_at,
            created_by: None,
        };
        self.start(rules).await
    }

    async fn start(&self, rules: NewContest) -> Result<Contest, ContestError> {
        let (contest, fresh) = self.inner.store.insert_contest(rules).await?;
        self.forget_open();
        // The close is planned first: a call for entries that cannot be
        // posted must not leave the contest open for ever.
        if contest.state == ContestState::Open {
            if let Some(deadlines) = self.inner.deadlines.get() {
                deadlines.close_at(&contest).await?;
            }
        }
        if fresh {
            self.inner
                .port
                .post(&contest.rules.channel, &posts::opened_post(&contest))
                .await?;
            tracing::info!(contest = contest.id, "opened a meme contest");
        }
        Ok(contest)
    }

    async fn resolve(&self, community: Option<&str>, typed: &str) -> Result<String, ContestError> {
        let name = typed.trim().trim_start_matches("<#").trim_end_matches('>');
        let name = name.trim_start_matches('#');
        match self.inner.port.resolve_channel(community, name).await {
            Ok(id) => Ok(id),
            Err(PortError::Refused(_)) => Err(ContestError::NoSuchChannel(typed.to_owned())),
            Err(other) => Err(other.into()),
        }
    }

    /// Closes contest `id` and posts its result; `None` if it was closed
    /// already. After a restart it first waits (a bounded time) for the
    /// reactions made meanwhile to be reconciled.
    ///
    /// # Errors
    /// The store's or the platform's failure; a result that could not be
    /// posted is posted again at the next start.
    pub async fn close(&self, id: i64) -> Result<Option<Contest>, ContestError> {
        self.wait_recovered().await;
        let at = self.now();
        if !self.inner.store.close_contest(id, at).await? {
            return Ok(None);
        }
        self.forget_open();
        let Some(contest) = self.inner.store.contest(id).await? else {
            return Ok(None);
        };
        self.announce(&contest).await?;
        Ok(Some(contest))
    }

    /// Closes the open contest in `channel` (else the only open one in
    /// `community`) for `/contest close`; `None` when there is none.
    ///
    /// # Errors
    /// As [`Self::close`].
    pub async fn close_here(
        &self,
        community: Option<&str>,
        channel: &str,
    ) -> Result<Option<Contest>, ContestError> {
        let open: Vec<Contest> = self
            .stored_open()
            .await?
            .into_iter()
            .filter(|c| community.is_none() || c.rules.community.as_deref() == community)
            .collect();
        let here = open.iter().rev().find(|c| c.rules.channel == channel);
        let chosen = match (here, open.as_slice()) {
            (Some(contest), _) => contest,
            (None, [only]) => only,
            (None, _) => return Ok(None),
        };
        self.close(chosen.id).await
    }

    /// Every entry of contest `id` with its stored votes, best first.
    ///
    /// # Errors
    /// [`ContestError::Store`] when the store cannot be read.
    pub async fn standings(&self, id: i64) -> Result<Vec<Standing>, ContestError> {
        Ok(rank(self.inner.store.standings(id).await?))
    }

    /// Posts a closed contest's result and records that it went out.
    pub(super) async fn announce(&self, contest: &Contest) -> Result<(), ContestError> {
        let ranked = self.standings(contest.id).await?;
        for post in posts::result_posts(contest, &ranked) {
            self.inner.port.post(&contest.rules.channel, &post).await?;
        }
        self.inner.store.set_announced(contest.id).await?;
        tracing::info!(
            contest = contest.id,
            entries = ranked.len(),
            "posted a contest result"
        );
        Ok(())
    }

    /// Tells `entrant` privately that a post over the limit is not counted.
    pub(super) async fn tell_over_limit(&self, contest: &Contest, entrant: &str) {
        let post = posts::over_limit_post(contest);
        if let Err(error) = self.inner.port.direct(entrant, &post).await {
            tracing::info!(%error, "could not tell an entrant about the entry limit");
        }
    }

    async fn wait_recovered(&self) {
        let mut recovered = self.inner.recovered.subscribe();
        if !self
            .inner
            .recovering
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let done = recovered.wait_for(|done| *done);
        if tokio::time::timeout(RECOVERY_WAIT, done).await.is_err() {
            tracing::warn!("closing a contest before the start-up reconciliation finished");
        }
    }

    /// The open contests as stored now (no cache).
    pub(super) async fn stored_open(&self) -> Result<Vec<Contest>, ContestError> {
        let all = self.inner.store.contests().await?;
        Ok(all
            .into_iter()
            .filter(|c| c.state == ContestState::Open)
            .collect())
    }

    pub(super) fn forget_open(&self) {
        *self
            .inner
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }
}

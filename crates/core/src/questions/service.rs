//! The Q&A's life through the chat port: filing a question (which session,
//! limits, duplicates), posting it with its ▲, votes, host controls, and the
//! debounced "next question" board.
//!
//! Every vote and question is stored before the platform is told, so what
//! the room sees never runs ahead of the database: a restart loses nothing
//! that was confirmed, and since a vote is a row keyed by question and user,
//! nothing is counted twice.

use super::model::{normalise, Click, Filed, NewQuestion, Question, QuestionState, Voted};
use super::posts::{self, Action};
use super::settings::{QuestionSettings, ThreadSettings};
use super::store::QuestionStore;
use crate::agenda::{Agenda, Session, SessionId};
use crate::chat::{ChatPort, PortError};
use crate::clock::Clock;
use crate::store::StoreError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use tokio::sync::Notify;

/// Why a Q&A request was refused; the text is for the user.
#[derive(Debug, thiserror::Error)]
pub enum QuestionError {
    #[error("No session matches “{0}”; pick one from the list.")]
    UnknownSession(String),
    #[error(
        "Which session is your question for? Nothing is live here now: name it with `session`."
    )]
    NoSession,
    #[error("Your question is empty.")]
    Empty,
    #[error("Questions are at most {0} characters; yours is {1}.")]
    TooLong(usize, usize),
    #[error("You have asked {0} question(s) for this session already, which is the limit.")]
    LimitReached(usize),
    #[error("That question is no longer here.")]
    UnknownQuestion,
    #[error("That question was hidden by a host.")]
    Hidden,
    #[error("Only the session's speakers, its host and organisers can do that.")]
    NotHost,
    #[error("could not reach the chat platform: {0}")]
    Port(#[from] PortError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

/// How the Q&A behaves: `[questions]` plus the track→channel routing that
/// tells which session is live in a channel.
#[derive(Debug, Clone, Default)]
pub struct QuestionConfig {
    pub settings: QuestionSettings,
    /// `[threads]`.
    pub threads: ThreadSettings,
    /// Track name → channel key (a name or id), from `[announcements.tracks]`.
    pub track_channels: BTreeMap<String, String>,
}

impl QuestionConfig {
    /// The Q&A settings of a loaded config.
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        Self {
            settings: settings.questions.clone(),
            threads: settings.threads.clone(),
            track_channels: settings
                .announcements
                .tracks
                .iter()
                .map(|(track, channel)| (track.clone(), channel.clone()))
                .collect(),
        }
    }
}

/// A question to ask, as a user typed it.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    pub community: &'a str,
    /// Where the command was run.
    pub channel: &'a str,
    pub user: &'a str,
    /// The user's display name, shown when not anonymous.
    pub user_name: &'a str,
    /// The session as typed (id or title); `None`: the one live here.
    pub session: Option<&'a str>,
    pub text: &'a str,
    pub anonymous: bool,
}

/// What asking did.
#[derive(Debug, Clone)]
pub struct Asked {
    pub question: Question,
    pub session_title: String,
    /// The same question was there already; the asker's upvote joined it.
    pub merged: bool,
}

impl Asked {
    /// The private answer to the asker.
    pub fn reply(&self) -> String {
        let votes = self.question.votes;
        if self.merged {
            format!(
                "Someone asked that already for {}; your upvote counts (▲ {votes}).",
                self.session_title
            )
        } else {
            format!("Your question for {} is up.", self.session_title)
        }
    }
}

/// Who is asking to moderate, as the adapter knows them.
#[derive(Debug, Clone, Copy)]
pub struct Host<'a> {
    pub community: &'a str,
    pub user: &'a str,
    /// An organiser by the platform's rules ([`crate::access::is_organiser`]).
    pub organiser: bool,
}

/// The Q&A service; cheap to clone.
#[derive(Clone)]
pub struct QuestionService {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Arc<dyn QuestionStore>,
    pub(super) port: Arc<dyn ChatPort>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) config: RwLock<QuestionConfig>,
    /// Boards waiting for an edit, by (community, session), with the title.
    pub(super) dirty: Mutex<BTreeMap<(String, SessionId), String>>,
    /// Questions whose count changed by votes, with their session's title:
    /// each click updates its own message at once, but clicks answered in
    /// another order could leave an older count showing, so each changed
    /// question is shown again, from the store, on the board's beat.
    pub(super) recount: Mutex<BTreeMap<i64, String>>,
    pub(super) wake: Notify,
    pub(super) board_task: OnceLock<()>,
    /// The current programme, once the application attached it (thread
    /// archiving reads session ends from it).
    pub(super) programme: OnceLock<crate::scheduler::ProgrammeSource>,
    /// Click to stored, per upvote.
    pub(super) votes: crate::polls::Latencies,
}

impl QuestionService {
    /// A service over the store, the platform and the clock, with default
    /// settings until [`Self::configure`].
    pub fn new(
        store: Arc<dyn QuestionStore>,
        port: Arc<dyn ChatPort>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                port,
                clock,
                config: RwLock::default(),
                dirty: Mutex::default(),
                recount: Mutex::default(),
                wake: Notify::new(),
                board_task: OnceLock::new(),
                programme: OnceLock::new(),
                votes: crate::polls::Latencies::default(),
            }),
        }
    }

    /// Applies `[questions]` and the track routing.
    pub fn configure(&self, config: QuestionConfig) {
        *self
            .inner
            .config
            .write()
            .unwrap_or_else(PoisonError::into_inner) = config;
    }

    /// The settings in force.
    pub fn config(&self) -> QuestionConfig {
        self.inner
            .config
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How long upvotes took from the click reaching the service to the
    /// vote committed (for benchmarks and `/metrics`-style reports).
    pub fn vote_latencies(&self) -> crate::polls::LatencySummary {
        self.inner.votes.summary()
    }

    /// The store underneath.
    pub fn store(&self) -> &dyn QuestionStore {
        self.inner.store.as_ref()
    }

    /// Reads the current programme from `source` (the application's); the
    /// first call counts.
    pub fn attach_programme(&self, source: crate::scheduler::ProgrammeSource) {
        let _ = self.inner.programme.set(source);
    }

    pub(super) fn port(&self) -> &dyn ChatPort {
        self.inner.port.as_ref()
    }

    pub(super) fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    pub(super) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// When `session` ends in the current programme; `None` when it is gone
    /// or no programme is attached.
    pub(super) fn session_end(&self, session: &SessionId) -> Option<chrono::DateTime<chrono::Utc>> {
        let programme = (self.inner.programme.get()?)();
        programme.agenda.session(session).map(|s| s.end)
    }

    /// Files a question and posts it (in the session's thread if it has one,
    /// else where it was asked); a duplicate joins the first one instead.
    ///
    /// # Errors
    /// [`QuestionError`]: the user's mistake (say it privately), or the
    /// store or platform failing.
    pub async fn ask(&self, agenda: &Agenda, ask: Ask<'_>) -> Result<Asked, QuestionError> {
        let settings = self.config().settings;
        let text = ask.text.trim();
        let normal = normalise(text);
        if normal.is_empty() {
            return Err(QuestionError::Empty);
        }
        let length = text.chars().count();
        if length > settings.max_chars {
            return Err(QuestionError::TooLong(settings.max_chars, length));
        }
        let session = self.session_for(agenda, ask.channel, ask.session).await?;
        let new = NewQuestion {
            community: ask.community.to_owned(),
            session: session.id.clone(),
            asker: ask.user.to_owned(),
            asker_name: ask.user_name.to_owned(),
            anonymous: ask.anonymous,
            text: text.to_owned(),
            normal,
            asked_at: self.inner.clock.now(),
        };
        let filed = self
            .inner
            .store
            .file_question(&new, settings.per_person)
            .await?;
        let (question, merged) = match filed {
            Filed::LimitReached => return Err(QuestionError::LimitReached(settings.per_person)),
            Filed::New(mut question) => {
                let place = self.place_for(&session.id, ask.channel).await?;
                let post = posts::question_post(&question, &session.title);
                let key = self.inner.port.post(&place, &post).await?;
                self.inner.store.set_message(question.id, &key).await?;
                question.message = Some(key);
                (question, false)
            }
            Filed::Merged { question, .. } => {
                self.show(&question, &session.title).await;
                (question, true)
            }
        };
        self.nudge(&question, &session.title);
        Ok(Asked {
            question,
            session_title: session.title.clone(),
            merged,
        })
    }

    /// Toggles `user`'s upvote of question `id`; returns the question as it
    /// now stands, and whether the vote counts. The vote is stored first.
    /// Every click toggles ([`Click::Plain`]).
    ///
    /// # Errors
    /// [`QuestionError::UnknownQuestion`] for a question of another
    /// community (nothing crosses communities), `Hidden`, or storage.
    pub async fn upvote(
        &self,
        agenda: &Agenda,
        community: &str,
        id: i64,
        user: &str,
    ) -> Result<(Question, bool), QuestionError> {
        self.upvote_click(agenda, community, id, user, Click::Plain)
            .await
    }

    /// [`Self::upvote`] for a click (`click`: the platform's id of it) this
    /// process answers once it returns, on a platform that never delivers
    /// a click twice: tell
    /// [`Self::answered`] whether the answer went out. Until then the
    /// change is unanswered, and if this process dies or the answer fails,
    /// the user's next click (their retry) changes nothing.
    ///
    /// # Errors
    /// As [`Self::upvote`].
    pub async fn upvote_to_answer(
        &self,
        agenda: &Agenda,
        community: &str,
        id: i64,
        (user, click): (&str, u64),
    ) -> Result<(Question, bool), QuestionError> {
        let click = Click::Answered {
            by: crate::scheduler::holder::me(),
            click,
        };
        self.upvote_click(agenda, community, id, user, click).await
    }

    /// Records whether the answer to `user`'s click `click` (as given to
    /// [`Self::upvote_to_answer`]) went out. A failure to record it is
    /// logged: at worst the user's next click counts as a retry and changes
    /// nothing, which they can see.
    pub async fn answered(&self, id: i64, (user, click): (&str, u64), delivered: bool) {
        let by = crate::scheduler::holder::me();
        let recorded = self
            .inner
            .store
            .vote_answered(id, user, (by, click), delivered)
            .await;
        if let Err(error) = recorded {
            tracing::warn!(%error, question = id, "could not record an upvote's answer");
        }
    }

    /// [`Self::upvote`] for a click the platform delivers as [`Click`]
    /// says: a click delivered again, also to a restarted process, changes
    /// nothing and answers with the vote as it stands.
    ///
    /// # Errors
    /// As [`Self::upvote`].
    pub async fn upvote_click(
        &self,
        agenda: &Agenda,
        community: &str,
        id: i64,
        user: &str,
        click: Click,
    ) -> Result<(Question, bool), QuestionError> {
        let clicked = std::time::Instant::now();
        let now = self.inner.clock.now();
        let (question, voted) = match self
            .inner
            .store
            .vote(community, id, user, now, click)
            .await?
        {
            Voted::Toggled { question, counts } => (*question, counts),
            Voted::Hidden => return Err(QuestionError::Hidden),
            Voted::Unknown => return Err(QuestionError::UnknownQuestion),
        };
        self.inner.votes.record(clicked.elapsed());
        let title = title_in(agenda, &question.session);
        self.inner
            .recount
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(question.id, title.clone());
        self.nudge(&question, &title);
        Ok((question, voted))
    }

    /// Marks answered, pins or hides question `id` (each toggles) for a
    /// host of its session, and updates its message.
    ///
    /// # Errors
    /// [`QuestionError::NotHost`] for anyone else; storage or platform.
    pub async fn moderate(
        &self,
        agenda: &Agenda,
        host: Host<'_>,
        action: Action,
        id: i64,
    ) -> Result<Question, QuestionError> {
        let question = self.question_in(host.community, id).await?;
        let session = agenda.session(&question.session);
        if !self.is_host(session, host) {
            return Err(QuestionError::NotHost);
        }
        let store = &self.inner.store;
        let toggled = |on: QuestionState| {
            if question.state == on {
                QuestionState::Open
            } else {
                on
            }
        };
        match action {
            Action::Answered => {
                store
                    .set_state(id, toggled(QuestionState::Answered))
                    .await?
            }
            Action::Hide => store.set_state(id, toggled(QuestionState::Hidden)).await?,
            Action::Pin => store.set_pinned(id, !question.pinned).await?,
            Action::Upvote => {}
        }
        let question = self.question_in(host.community, id).await?;
        let title = title_in(agenda, &question.session);
        self.show(&question, &title).await;
        self.nudge(&question, &title);
        Ok(question)
    }

    /// The hosts' list of a session: every question, pinned first, then by
    /// votes, then oldest, with the session's title.
    ///
    /// # Errors
    /// [`QuestionError::NotHost`], an unknown session, or storage.
    pub async fn host_list(
        &self,
        agenda: &Agenda,
        host: Host<'_>,
        channel: &str,
        typed: Option<&str>,
    ) -> Result<(Session, Vec<Question>), QuestionError> {
        let session = self.session_for(agenda, channel, typed).await?;
        if !self.is_host(Some(&session), host) {
            return Err(QuestionError::NotHost);
        }
        let questions = self
            .inner
            .store
            .session_questions(Some(host.community), &session.id)
            .await?;
        let ranked = posts::ranked(&questions).into_iter().cloned().collect();
        Ok((session, ranked))
    }

    /// The top `[questions] on_demand` questions of a session, every
    /// community together (the on-demand post goes wherever the scheduler
    /// posts), hidden ones left out.
    ///
    /// # Errors
    /// Storage.
    pub async fn top(&self, session: &SessionId) -> Result<Vec<Question>, QuestionError> {
        let limit = self.config().settings.on_demand;
        if limit == 0 {
            return Ok(Vec::new());
        }
        let questions = self.inner.store.session_questions(None, session).await?;
        let mut top: Vec<Question> = questions
            .into_iter()
            .filter(|q| q.state != QuestionState::Hidden)
            .collect();
        top.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.id.cmp(&b.id)));
        top.truncate(limit);
        Ok(top)
    }

    /// How many questions of `session` (every community) are still open:
    /// neither answered nor hidden.
    ///
    /// # Errors
    /// Storage.
    pub async fn open_count(&self, session: &SessionId) -> Result<usize, QuestionError> {
        let questions = self.inner.store.session_questions(None, session).await?;
        Ok(questions
            .iter()
            .filter(|q| q.state == QuestionState::Open)
            .count())
    }

    async fn question_in(&self, community: &str, id: i64) -> Result<Question, QuestionError> {
        match self.inner.store.question(id).await? {
            Some(question) if question.community == community => Ok(question),
            _ => Err(QuestionError::UnknownQuestion),
        }
    }

    /// Edits a question's message to show it as it now stands.
    pub(super) async fn show(&self, question: &Question, title: &str) {
        let Some(message) = &question.message else {
            return;
        };
        let post = posts::question_post(question, title);
        if let Err(error) = self.inner.port.edit(message, &post).await {
            tracing::warn!(question = question.id, %error, "could not update a question");
        }
    }
}

/// A session's title, or its id when the agenda no longer has it.
fn title_in(agenda: &Agenda, session: &SessionId) -> String {
    agenda
        .session(session)
        .map_or_else(|| session.to_string(), |s| s.title.clone())
}

//! Stars, "my own day": a user stars the sessions they mean to attend
//! (`/star`, the ☆ button under a session's details, and on Discord
//! "Interested" on a session's scheduled event) and `/mytalks` lists them by
//! day with the clashes flagged, for every platform.
//!
//! Like polls and questions, a star belongs to the community (server or
//! workspace) it was made in. Starring also sets a reminder through the
//! reminder service, `[stars] reminder_minutes` (10) before the session,
//! unless the user holds one for it already, the session has started or the
//! setting is 0. The star remembers the lead time of the reminder it set,
//! and unstarring cancels that reminder only while it is still the one the
//! star set: a reminder the user had before starring, or whose lead time
//! they changed with `/remind` since, is theirs and stays.
//!
//! - `day`: the starred sessions planned by day, clashes and suggestions.
//! - `store`: what stars need from a database (both backends).
//! - `settings`: `[stars]`.

mod day;
mod settings;
mod store;
#[cfg(test)]
mod tests;

pub use day::{plan, Clash, Day, Entry, MyDay, Suggestion};
pub use settings::StarSettings;
pub use store::{Star, StarStore};

use crate::agenda::SessionId;
use crate::chat::Text;
use crate::clock::Clock;
use crate::programme::Programme;
use crate::reminders::{ReminderError, ReminderService};
use crate::scheduler::ProgrammeSource;
use crate::store::{Added, StoreError};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// Why a star request failed.
#[derive(Debug, thiserror::Error)]
pub enum StarError {
    /// The text is for the user.
    #[error("I found no session matching “{0}”.")]
    UnknownSession(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ReminderError> for StarError {
    fn from(error: ReminderError) -> Self {
        match error {
            ReminderError::Store(error) => Self::Store(error),
        }
    }
}

/// What starring did to the session's reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StarReminder {
    /// A reminder this many minutes before.
    Set(u32),
    /// The user holds a reminder for it already; it stays as it is.
    Kept,
    /// The user holds the most reminders allowed; none was set.
    LimitReached(usize),
    /// None: stars set no reminder, the session has started, or no
    /// scheduler runs in this process to send one.
    None,
}

/// What a star request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Starred {
    pub session: SessionId,
    pub title: String,
    /// False: it was starred already, and nothing changed.
    pub new: bool,
    pub reminder: StarReminder,
}

impl Starred {
    /// The answer for the user.
    pub fn text(&self) -> Text {
        let title = &self.title;
        if !self.new {
            return Text::plain(format!("“{title}” is starred already; see /mytalks."));
        }
        let starred = format!("⭐ Starred “{title}”.");
        Text::plain(match self.reminder {
            StarReminder::Set(minutes) => format!("{starred} I'll DM you {minutes} min before."),
            StarReminder::Kept => format!("{starred} Your reminder for it stays as it is."),
            StarReminder::LimitReached(limit) => {
                format!("{starred} You hold {limit} reminders already, so I set none for it.")
            }
            StarReminder::None => starred,
        })
    }
}

/// What an unstar request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unstarred {
    pub session: SessionId,
    pub title: String,
    /// False: it was not starred, and nothing changed.
    pub was_starred: bool,
    /// The reminder the star had set was cancelled.
    pub reminder_cancelled: bool,
}

impl Unstarred {
    /// The answer for the user.
    pub fn text(&self) -> Text {
        let title = &self.title;
        Text::plain(match (self.was_starred, self.reminder_cancelled) {
            (false, _) => format!("“{title}” was not starred."),
            (true, true) => format!("Unstarred “{title}”, and cancelled the reminder it set."),
            (true, false) => format!("Unstarred “{title}”."),
        })
    }
}

/// Stars over the database; cheap to clone.
#[derive(Clone)]
pub struct StarService {
    store: Arc<dyn StarStore>,
    clock: Arc<dyn Clock>,
    settings: Arc<RwLock<StarSettings>>,
    programme: Arc<OnceLock<ProgrammeSource>>,
    reminders: Arc<OnceLock<ReminderService>>,
}

impl StarService {
    /// Stars kept in `store`, timed by `clock`, with the default settings.
    pub fn new(store: Arc<dyn StarStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            settings: Arc::default(),
            programme: Arc::default(),
            reminders: Arc::default(),
        }
    }

    /// Applies `[stars]`.
    pub fn configure(&self, settings: StarSettings) {
        *self
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner) = settings;
    }

    /// Reads the current programme from `source` (the application's); the
    /// first call counts.
    pub fn attach_programme(&self, source: ProgrammeSource) {
        let _ = self.programme.set(source);
    }

    /// The reminders stars set from now on; the first call counts.
    pub fn attach_reminders(&self, reminders: ReminderService) {
        let _ = self.reminders.set(reminders);
    }

    fn agenda_now(&self) -> Option<Arc<Programme>> {
        self.programme.get().map(|cell| cell())
    }

    /// Stars `session` for `user` in `community` and sets its reminder (see
    /// the module docs); starring it again changes nothing.
    ///
    /// # Errors
    /// [`StarError::UnknownSession`] when the agenda has no such session,
    /// [`StarError::Store`] when the database fails.
    pub async fn star(
        &self,
        community: &str,
        user: &str,
        session: &SessionId,
    ) -> Result<Starred, StarError> {
        let programme = self.agenda_now();
        let found = programme.as_ref().and_then(|p| p.agenda.session(session));
        let Some(found) = found else {
            return Err(StarError::UnknownSession(session.to_string()));
        };
        let star = Star {
            community: community.to_owned(),
            user: user.to_owned(),
            session: session.clone(),
            reminder_minutes: None,
            starred_at: self.clock.now(),
        };
        let new = self.store.add_star(&star).await?;
        let mut starred = Starred {
            session: session.clone(),
            title: found.title.clone(),
            new,
            reminder: StarReminder::None,
        };
        if new {
            starred.reminder = self.remind(found, user).await?;
            if let StarReminder::Set(minutes) = starred.reminder {
                let store = &self.store;
                store
                    .set_star_reminder(community, user, session, Some(minutes))
                    .await?;
            }
        }
        Ok(starred)
    }

    /// The reminder a new star of `session` sets for `user`.
    async fn remind(
        &self,
        session: &crate::agenda::Session,
        user: &str,
    ) -> Result<StarReminder, StarError> {
        let minutes = self
            .settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .reminder_minutes;
        let Some(reminders) = self.reminders.get() else {
            return Ok(StarReminder::None);
        };
        if minutes == 0 || session.start <= self.clock.now() {
            return Ok(StarReminder::None);
        }
        if reminders.lead_of(user, &session.id).await?.is_some() {
            return Ok(StarReminder::Kept);
        }
        Ok(match reminders.set(session, user, minutes).await? {
            Added::New => StarReminder::Set(minutes),
            Added::Replaced => StarReminder::Kept,
            Added::LimitReached => StarReminder::LimitReached(reminders.limit()),
        })
    }

    /// Unstars `session` for `user` in `community`, cancelling the reminder
    /// the star set while it is still that one.
    ///
    /// # Errors
    /// [`StarError::Store`] when the database fails.
    pub async fn unstar(
        &self,
        community: &str,
        user: &str,
        session: &SessionId,
    ) -> Result<Unstarred, StarError> {
        let title = self
            .agenda_now()
            .and_then(|p| p.agenda.session(session).map(|s| s.title.clone()))
            .unwrap_or_else(|| session.to_string());
        let removed = self.store.remove_star(community, user, session).await?;
        let mut unstarred = Unstarred {
            session: session.clone(),
            title,
            was_starred: removed.is_some(),
            reminder_cancelled: false,
        };
        let set = removed.and_then(|star| star.reminder_minutes);
        if let (Some(minutes), Some(reminders)) = (set, self.reminders.get()) {
            if reminders.lead_of(user, session).await? == Some(minutes) {
                unstarred.reminder_cancelled = reminders.cancel(user, session).await?;
            }
        }
        Ok(unstarred)
    }

    /// Stars the session `typed` (an id, a button's session ref, or a title
    /// naming one); the answer for the user.
    ///
    /// # Errors
    /// As [`Self::star`].
    pub async fn star_typed(
        &self,
        community: &str,
        user: &str,
        typed: &str,
    ) -> Result<Text, StarError> {
        let id = self.find(typed)?;
        Ok(self.star(community, user, &id).await?.text())
    }

    /// Unstars the session `typed` names; the answer for the user.
    ///
    /// # Errors
    /// As [`Self::unstar`], and [`StarError::UnknownSession`].
    pub async fn unstar_typed(
        &self,
        community: &str,
        user: &str,
        typed: &str,
    ) -> Result<Text, StarError> {
        let id = self.find(typed)?;
        Ok(self.unstar(community, user, &id).await?.text())
    }

    /// The ☆ button: stars the session `typed` names, or unstars it when it
    /// was starred; the answer for the user.
    ///
    /// # Errors
    /// As [`Self::star`] and [`Self::unstar`].
    pub async fn toggle(
        &self,
        community: &str,
        user: &str,
        typed: &str,
    ) -> Result<Text, StarError> {
        let id = self.find(typed)?;
        let starred = self.star(community, user, &id).await?;
        if starred.new {
            return Ok(starred.text());
        }
        Ok(self.unstar(community, user, &id).await?.text())
    }

    fn find(&self, typed: &str) -> Result<SessionId, StarError> {
        let programme = self.agenda_now();
        programme
            .as_ref()
            .and_then(|p| crate::reminders::find(&p.agenda, typed))
            .map(|(id, _)| id)
            .ok_or_else(|| StarError::UnknownSession(typed.trim().to_owned()))
    }

    /// The sessions `user` starred in `community`, in the order they
    /// starred them (by id within one second), for their calendar feed
    /// among others.
    ///
    /// # Errors
    /// [`StarError::Store`] when the database fails.
    pub async fn starred_sessions(
        &self,
        community: &str,
        user: &str,
    ) -> Result<Vec<SessionId>, StarError> {
        let stars = self.store.stars_of(community, user).await?;
        Ok(stars.into_iter().map(|star| star.session).collect())
    }

    /// `user`'s starred sessions in `community`, planned by day against the
    /// current agenda, clashes flagged.
    ///
    /// # Errors
    /// [`StarError::Store`] when the database fails.
    pub async fn my_day(&self, community: &str, user: &str) -> Result<MyDay, StarError> {
        let starred = self.starred_sessions(community, user).await?;
        Ok(match self.agenda_now() {
            Some(programme) => plan(&programme.agenda, &starred),
            None => MyDay {
                days: Vec::new(),
                gone: starred,
            },
        })
    }
}

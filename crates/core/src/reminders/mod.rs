//! Personal reminders: `/remind`, `/reminders`, `/mycal` and the notice about
//! reminders a user's closed direct messages kept from them, for every
//! platform. The service decides and words the answers (as neutral rich
//! text); the scheduler sends the DMs through the chat port.
//!
//! - `missed`: who has missed reminders waiting, without a database write
//!   per command.
//! - `storage`: what the service needs from a database (async).

mod missed;
mod storage;

pub use missed::{MissedNotice, MissedUsers, NoticePart};
pub use storage::ReminderStorage;

use crate::agenda::{Agenda, Session, SessionId};
use crate::chat::{Span, Text, TimeStyle};
use crate::programme::Programme;
use crate::scheduler::{ical, reminder_job, wording, JobKind, Reminder, Scheduler};
use crate::store::{Added, StoreError};

/// Lead time when the user gives none (and for a "Remind me" button).
pub const DEFAULT_MINUTES: u32 = 10;

/// Why a reminder request failed.
#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reminders over one scheduler; cheap to clone.
#[derive(Clone)]
pub struct ReminderService {
    scheduler: Scheduler,
}

/// A user's calendar of reminded sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// An iCalendar file.
    pub ics: String,
    pub sessions: usize,
}

impl ReminderService {
    /// Reminders sent by `scheduler`.
    pub fn new(scheduler: Scheduler) -> Self {
        Self { scheduler }
    }

    /// Reminds `user` of the session `typed` (an id, or a title naming one)
    /// `minutes` before it starts; the answer in words for the user.
    ///
    /// # Errors
    /// [`ReminderError::Store`] when the database fails.
    pub async fn remind(
        &self,
        programme: &Programme,
        user: &str,
        typed: &str,
        minutes: u32,
    ) -> Result<Text, ReminderError> {
        let Some((id, title)) = find(&programme.agenda, typed) else {
            return Ok(Text::plain(format!(
                "I found no session matching “{typed}”."
            )));
        };
        let Some(session) = programme.agenda.session(&id) else {
            return Ok(Text::plain(format!(
                "I found no session matching “{typed}”."
            )));
        };
        let now = self.scheduler.clock().now();
        if session.start <= now {
            return Ok(Text::plain(format!("“{title}” has already started")));
        }
        let added = self.set(session, user, minutes).await?;
        if added == Added::LimitReached {
            let limit = self.limit();
            return Ok(Text::plain(format!(
                "you already have {limit} reminders; cancel one with /reminders first"
            )));
        }
        let done = match added {
            Added::Replaced => "Updated: I'll DM you",
            _ => "I'll DM you",
        };
        Ok(Text::plain(format!(
            "{done} {minutes} min before “{title}”."
        )))
    }

    /// Reminds `user` of `session` `minutes` before it starts (replacing the
    /// lead time of a reminder they hold for it) and plans its DM; nothing
    /// changes when they hold `[announcements] reminder_limit` already.
    ///
    /// # Errors
    /// [`ReminderError::Store`] when the database fails.
    pub async fn set(
        &self,
        session: &Session,
        user: &str,
        minutes: u32,
    ) -> Result<Added, ReminderError> {
        let reminder = Reminder {
            user: user.to_owned(),
            session: session.id.clone(),
            minutes_before: minutes,
        };
        let limit = self.scheduler.settings().announcements.reminder_limit;
        let now = self.scheduler.clock().now();
        let storage = self.scheduler.reminder_storage();
        let added = storage.add_reminder(reminder.clone(), limit, now).await?;
        if added == Added::LimitReached {
            return Ok(added);
        }
        self.cancel_jobs(user, &session.id).await?;
        let job = reminder_job(session, &reminder, self.scheduler.settings());
        self.scheduler.jobs().add_jobs(vec![job]).await?;
        self.scheduler.wake();
        Ok(added)
    }

    /// How many reminders one user may hold (`[announcements] reminder_limit`).
    pub fn limit(&self) -> usize {
        self.scheduler.settings().announcements.reminder_limit
    }

    /// The lead time of `user`'s reminder for `session`, if they hold one.
    ///
    /// # Errors
    /// [`ReminderError::Store`] when the database fails.
    pub async fn lead_of(
        &self,
        user: &str,
        session: &SessionId,
    ) -> Result<Option<u32>, ReminderError> {
        let storage = self.scheduler.reminder_storage();
        let held = storage.reminders_of(user.to_owned()).await?;
        Ok(held
            .into_iter()
            .find(|r| &r.session == session)
            .map(|r| r.minutes_before))
    }

    /// Cancels `user`'s reminder for `session` and its DM; false if they
    /// held none.
    ///
    /// # Errors
    /// [`ReminderError::Store`] when the database fails.
    pub async fn cancel(&self, user: &str, session: &SessionId) -> Result<bool, ReminderError> {
        let storage = self.scheduler.reminder_storage();
        let removed = storage
            .remove_reminder(user.to_owned(), session.clone())
            .await?;
        self.cancel_jobs(user, session).await?;
        self.scheduler.wake();
        Ok(removed)
    }

    /// `user`'s reminders, after cancelling the one for session `cancel`
    /// (id or title) if given; the answer as lines.
    ///
    /// # Errors
    /// [`ReminderError::Store`] when the database fails.
    pub async fn list(
        &self,
        agenda: &Agenda,
        user: &str,
        cancel: Option<&str>,
    ) -> Result<Vec<Text>, ReminderError> {
        let mut lines = Vec::new();
        if let Some(typed) = cancel {
            let id = find(agenda, typed).map_or(SessionId::new(typed), |(id, _)| id);
            let removed = self.cancel(user, &id).await?;
            lines.push(Text::plain(if removed {
                "Cancelled that reminder."
            } else {
                "You had no reminder for that session."
            }));
        }
        let reminders = self
            .scheduler
            .reminder_storage()
            .reminders_of(user.to_owned())
            .await?;
        lines.extend(listing(agenda, &reminders));
        Ok(lines)
    }

    /// `user`'s reminded sessions as a calendar file.
    ///
    /// # Errors
    /// [`ReminderError::Store`] when the database fails.
    pub async fn calendar(&self, agenda: &Agenda, user: &str) -> Result<Calendar, ReminderError> {
        let storage = self.scheduler.reminder_storage();
        let reminders = storage.reminders_of(user.to_owned()).await?;
        let ics = ical::calendar(agenda, &reminders, self.scheduler.clock().now());
        Ok(Calendar {
            ics,
            sessions: reminders.len(),
        })
    }

    /// The notice about reminders `user` missed because their DMs were
    /// closed; `None` (and no database access) when there are none. They
    /// stay stored until [`Self::forget_missed`] names them delivered.
    ///
    /// # Errors
    /// [`ReminderError::Store`] when the database fails.
    pub async fn missed(&self, user: &str) -> Result<Option<MissedNotice>, ReminderError> {
        let missed = self.scheduler.missed();
        let storage = self.scheduler.reminder_storage();
        if !missed.may_have(user, storage).await {
            return Ok(None);
        }
        let messages = storage.missed_of(user.to_owned()).await?;
        if messages.is_empty() {
            missed.taken(user);
            return Ok(None);
        }
        let entries = messages
            .iter()
            .map(|(id, message)| (*id, wording::missed_entry(message)))
            .collect();
        Ok(Some(MissedNotice::new(
            Text::plain(wording::MISSED_HEADER),
            entries,
        )))
    }

    /// Forgets `user`'s missed reminders `ids` once the notice showed them
    /// (see [`MissedNotice::delivered`]); the rest are shown next time.
    ///
    /// # Errors
    /// [`ReminderError::Store`] when the database fails.
    pub async fn forget_missed(&self, user: &str, ids: Vec<i64>) -> Result<(), ReminderError> {
        let storage = self.scheduler.reminder_storage();
        let all = ids.len();
        storage.forget_missed(user.to_owned(), ids).await?;
        if storage.missed_of(user.to_owned()).await?.is_empty() {
            self.scheduler.missed().taken(user);
        } else {
            tracing::debug!(
                forgotten = all,
                "some missed reminders wait for the next notice"
            );
        }
        Ok(())
    }

    async fn cancel_jobs(&self, user: &str, session: &SessionId) -> Result<(), StoreError> {
        let subject = crate::scheduler::reminder_subject(user, session);
        let jobs = self.scheduler.jobs();
        jobs.cancel_jobs(JobKind::Reminder, subject).await?;
        Ok(())
    }
}

/// Session ids longer than this are referred to by their hash.
const LONGEST_REF: usize = 64;

/// A short, stable reference to session `id` for a platform's button or
/// autocomplete value (Discord allows 100 characters, and calendar UIDs are
/// often longer): the id itself, or `#` and its hash. [`find`] reads both.
pub fn session_ref(id: &SessionId) -> String {
    let id = id.to_string();
    if id.chars().count() <= LONGEST_REF {
        id
    } else {
        crate::chat::dedupe_key("#", &id)
    }
}

/// A session by id (or [`session_ref`]), else by a title that names exactly one.
pub fn find(agenda: &Agenda, typed: &str) -> Option<(SessionId, String)> {
    let typed = typed.trim();
    if let Some(session) = agenda.session(&SessionId::new(typed)) {
        return Some((session.id.clone(), session.title.clone()));
    }
    if typed.starts_with('#') {
        let by_ref = agenda
            .sessions()
            .iter()
            .find(|s| session_ref(&s.id) == typed);
        if let Some(session) = by_ref {
            return Some((session.id.clone(), session.title.clone()));
        }
    }
    match agenda.find_sessions(typed).as_slice() {
        [one] => Some((one.id.clone(), one.title.clone())),
        _ => None,
    }
}

fn listing(agenda: &Agenda, reminders: &[Reminder]) -> Vec<Text> {
    if reminders.is_empty() {
        return vec![Text::plain("You have no reminders. Add one with /remind.")];
    }
    let mut lines = vec![Text::plain(format!(
        "Your reminders ({}):",
        reminders.len()
    ))];
    for reminder in reminders {
        let line = match agenda.session(&reminder.session) {
            Some(s) => Text::plain("• ")
                .and(s.title.clone())
                .and(format!(" — {} min before ", reminder.minutes_before))
                .with(Span::Time(s.start, TimeStyle::DateTime)),
            None => Text::plain(format!("• {} (no longer in the agenda)", reminder.session)),
        };
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{Conference, Session, SessionKind};

    fn agenda_with(id: &str) -> Agenda {
        agenda_of(&[id])
    }

    fn agenda_of(ids: &[&str]) -> Agenda {
        let start: chrono::DateTime<chrono::Utc> = "2021-10-07T16:00:00Z".parse().unwrap();
        let sessions = ids.iter().map(|id| Session {
            id: SessionId::new(*id),
            title: "Keynote".into(),
            abstract_text: String::new(),
            kind: SessionKind::Keynote,
            track: None,
            room: None,
            speakers: Vec::new(),
            start,
            end: start + chrono::TimeDelta::minutes(30),
            links: Vec::new(),
        });
        let conference = Conference {
            name: "C".into(),
            timezone: chrono_tz::UTC,
            tracks: Vec::new(),
            rooms: Vec::new(),
            sessions: sessions.collect(),
        };
        Agenda::new(conference).unwrap()
    }

    /// Reminder jobs were cancelled by a LIKE pattern on their key
    /// (`%:u/{user}:%:{session}`): ASCII-case-insensitive, and a session id
    /// ending in `:b` matched session `b`. Now they are cancelled by their
    /// exact (user, session).
    #[tokio::test]
    async fn cancelling_a_reminder_cancels_its_own_job_and_no_other() {
        use crate::store::{JobState, JobStore, Store};
        let store = Store::in_memory().unwrap();
        let programme = Programme {
            agenda: agenda_of(&["b", "a:b", "B", "x_b"]),
            polls: Vec::new(),
            contests: Vec::new(),
        };
        let clock = crate::clock::ManualClock::new("2021-10-07T12:00:00Z".parse().unwrap());
        let settings = crate::scheduler::PlanSettings {
            announcements: crate::config::AnnouncementSettings::default(),
            poll_channel: None,
            nudges: None,
        };
        let options = crate::scheduler::SchedulerOptions::default();
        let clock = std::sync::Arc::new(clock);
        let scheduler = Scheduler::new(store.clone(), clock, settings, options);
        let reminders = ReminderService::new(scheduler);
        for id in ["b", "a:b", "B", "x_b"] {
            reminders.remind(&programme, "7", id, 10).await.unwrap();
        }
        reminders
            .list(&programme.agenda, "7", Some("b"))
            .await
            .unwrap();
        let mut states: Vec<(String, JobState)> = store
            .job_records()
            .unwrap()
            .into_iter()
            .map(|job| (job.key.rsplit(':').next().unwrap().to_owned(), job.state))
            .collect();
        states.sort_by_key(|(id, state)| (id.clone(), state.as_str()));
        assert_eq!(
            states,
            [
                ("B".into(), JobState::Pending),
                ("b".into(), JobState::Cancelled),
                ("b".into(), JobState::Pending),
                ("x_b".into(), JobState::Pending),
            ],
            "only the job of session `b` is cancelled (the second `b` is `a:b`'s)"
        );
    }

    #[test]
    fn a_long_calendar_uid_is_referred_to_by_a_short_ref_that_finds_it() {
        let uid = format!(
            "040000008200E00074C5B7101A82E008{}@outlook.com",
            "0".repeat(90)
        );
        let agenda = agenda_with(&uid);
        let short = session_ref(&SessionId::new(&uid));
        assert!(short.len() <= 20 && short.starts_with('#'), "{short}");
        assert_eq!(
            find(&agenda, &short).map(|(id, _)| id.to_string()),
            Some(uid)
        );
        assert_eq!(
            session_ref(&SessionId::new("g1")),
            "g1",
            "short ids stay as they are"
        );
        assert!(find(&agenda, "#0000000000000000").is_none());
    }
}

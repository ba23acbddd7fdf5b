//! Subscribable calendar feeds: a personal one per user and community
//! (`/cal/<token>.ics`, "my sessions"), the whole conference's
//! (`/cal/conference.ics`) and each track's (`/cal/track/<slug>.ics`).
//!
//! Every feed is written from the current programme at each request, so a
//! calendar app that subscribes sees a moved session at its new time (same
//! UID, higher `SEQUENCE`) and a removed one disappear. The HTTP side lives
//! in the adapter (`src/web`); what a feed holds and who may read it is
//! decided here.
//!
//! - `token`: tokens, nonces and the feed key; only a hash is stored.
//! - `storage`: what the feeds need from a database.
//! - `revisions`: each session's `SEQUENCE` and `LAST-MODIFIED`.
//! - `settings`: `[web]`.
//! - `wording`: what `/mycal` says.

mod revisions;
mod settings;
mod storage;
mod token;
pub mod wording;

pub use revisions::revisions;
pub use settings::{check as check_settings, WebSettings};
pub use storage::{FeedRow, FeedStorage, StoredRevision};
pub use token::{FeedKey, FeedToken, NoRandomness, MIN_KEY_CHARS};

use crate::agenda::{Agenda, Session, SessionId};
use crate::clock::Clock;
use crate::scheduler::ical::{self, Calendar, Event};
use crate::store::{Database, StoreError};
use std::sync::{Arc, Mutex, PoisonError};

/// How often subscribers are asked to fetch a feed again, in minutes.
pub const REFRESH_MINUTES: u32 = 15;

/// Why a feed could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Random(#[from] NoRandomness),
}

/// How feeds are offered: the URL they are written with and the key tokens
/// are derived under.
#[derive(Debug, Clone, Default)]
pub struct FeedConfig {
    /// `[web] public_url`, checked, without a trailing `/`; none: no URLs.
    pub public_url: Option<String>,
    /// `EMCEE_FEED_KEY`; none: the database keeps a key of its own.
    pub key: Option<FeedKey>,
}

/// One session of a user's personal feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalSession {
    pub id: SessionId,
    /// The user's reminder lead time, as the event's alarm; none: no alarm.
    pub alarm_minutes: Option<u32>,
}

/// The sessions in `user`'s personal feed in `community`, by start time:
/// the sessions they starred there and the ones they have reminders for
/// (sessions no longer in `agenda` left out), each with its reminder's lead
/// as the alarm where there is one. Reminders are kept per user id, which is
/// already unique to its platform; stars are kept per community.
///
/// # Errors
/// [`StoreError`] when the database fails.
pub async fn personal_sessions(
    store: &Database,
    agenda: &Agenda,
    community: &str,
    user: &str,
) -> Result<Vec<PersonalSession>, StoreError> {
    let reminders = store.reminders.reminders_of(user.to_owned()).await?;
    let starred = store.stars.stars_of(community, user).await?;
    let mut alarms: std::collections::BTreeMap<SessionId, Option<u32>> = starred
        .into_iter()
        .map(|star| (star.session, None))
        .collect();
    for reminder in reminders {
        alarms.insert(reminder.session, Some(reminder.minutes_before));
    }
    let mut sessions: Vec<(&Session, PersonalSession)> = alarms
        .into_iter()
        .filter_map(|(id, alarm_minutes)| {
            let session = agenda.session(&id)?;
            Some((session, PersonalSession { id, alarm_minutes }))
        })
        .collect();
    sessions.sort_by(|a, b| (a.0.start, &a.0.id).cmp(&(b.0.start, &b.0.id)));
    Ok(sessions.into_iter().map(|(_, personal)| personal).collect())
}

/// The feeds of one process; cheap to clone.
#[derive(Clone)]
pub struct Feeds {
    store: Database,
    clock: Arc<dyn Clock>,
    config: Arc<Mutex<FeedConfig>>,
    /// The database's key, once read (when `EMCEE_FEED_KEY` is not set).
    stored_key: Arc<tokio::sync::OnceCell<FeedKey>>,
}

impl Feeds {
    /// Feeds over `store`, offering no URL until [`Feeds::configure`] gives one.
    pub fn new(store: Database, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            config: Arc::default(),
            stored_key: Arc::default(),
        }
    }

    /// Sets the public URL and the key (at start).
    pub fn configure(&self, config: FeedConfig) {
        *self.config.lock().unwrap_or_else(PoisonError::into_inner) = config;
    }

    fn config(&self) -> FeedConfig {
        self.config
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `user`'s personal feed URL in `community`, made on first use; none
    /// when no `[web] public_url` is configured.
    ///
    /// # Errors
    /// [`FeedError`] when the database or the random generator fails.
    pub async fn personal_url(
        &self,
        community: &str,
        user: &str,
    ) -> Result<Option<String>, FeedError> {
        let Some(base) = self.config().public_url else {
            return Ok(None);
        };
        let key = self.key().await?;
        let (community, user) = (community.to_owned(), user.to_owned());
        let row = match self
            .store
            .feeds
            .feed_of(community.clone(), user.clone())
            .await?
        {
            Some(row) => row,
            None => {
                let fresh = new_row(&key, &community, &user)?;
                let now = self.clock.now();
                if !self.store.feeds.insert_feed(fresh.clone(), now).await? {
                    // Another process made one meanwhile: that one is the URL.
                    let made = self.store.feeds.feed_of(community, user).await?;
                    made.unwrap_or(fresh)
                } else {
                    fresh
                }
            }
        };
        let token = key.token(&row.nonce);
        if token.hash() != row.token_hash {
            // The key changed since the token was made: the URL changes too.
            let row = FeedRow {
                token_hash: token.hash(),
                ..row
            };
            self.store.feeds.replace_feed(row, self.clock.now()).await?;
        }
        Ok(Some(personal_url(&base, &token)))
    }

    /// Gives `user` a new personal feed URL in `community`; the old one
    /// stops working. None (and nothing changed) without a public URL.
    ///
    /// # Errors
    /// [`FeedError`] when the database or the random generator fails.
    pub async fn reset(&self, community: &str, user: &str) -> Result<Option<String>, FeedError> {
        let Some(base) = self.config().public_url else {
            return Ok(None);
        };
        let key = self.key().await?;
        let row = new_row(&key, community, user)?;
        let token = key.token(&row.nonce);
        self.store.feeds.replace_feed(row, self.clock.now()).await?;
        Ok(Some(personal_url(&base, &token)))
    }

    /// The personal feed `token` names, from `agenda`; none when no feed
    /// has that token (never made, or reset).
    ///
    /// # Errors
    /// [`FeedError::Store`] when the database fails.
    pub async fn personal_calendar(
        &self,
        agenda: &Agenda,
        token: &FeedToken,
    ) -> Result<Option<String>, FeedError> {
        let Some((community, user)) = self.store.feeds.feed_owner(token.hash()).await? else {
            return Ok(None);
        };
        let sessions = personal_sessions(&self.store, agenda, &community, &user).await?;
        let events = sessions.iter().filter_map(|personal| {
            let session = agenda.session(&personal.id)?;
            Some((session, personal.alarm_minutes))
        });
        let name = format!("{} · my sessions", agenda.name());
        Ok(Some(self.feed(name, events.collect()).await?))
    }

    /// The whole conference's feed.
    ///
    /// # Errors
    /// [`FeedError::Store`] when the sessions' revisions cannot be kept.
    pub async fn conference_calendar(&self, agenda: &Agenda) -> Result<String, FeedError> {
        let events = agenda.sessions().iter().map(|session| (session, None));
        self.feed(agenda.name().to_owned(), events.collect()).await
    }

    /// The feed of the track whose [`track_slug`] is `slug`; none when no
    /// track has it.
    ///
    /// # Errors
    /// As [`Self::conference_calendar`].
    pub async fn track_calendar(
        &self,
        agenda: &Agenda,
        slug: &str,
    ) -> Result<Option<String>, FeedError> {
        let Some(track) = agenda.tracks().iter().find(|t| track_slug(&t.name) == slug) else {
            return Ok(None);
        };
        let events = agenda
            .sessions()
            .iter()
            .filter(|s| s.track.as_deref() == Some(track.name.as_str()))
            .map(|session| (session, None));
        let name = format!("{} · {}", agenda.name(), track.name);
        Ok(Some(self.feed(name, events.collect()).await?))
    }

    async fn feed(
        &self,
        name: String,
        sessions: Vec<(&Session, Option<u32>)>,
    ) -> Result<String, FeedError> {
        let now = self.clock.now();
        let published: Vec<&Session> = sessions.iter().map(|(session, _)| *session).collect();
        let mut revised = revisions(self.store.feeds.as_ref(), &published, now).await?;
        let events = sessions
            .into_iter()
            .map(|(session, alarm_minutes)| Event {
                session,
                alarm_minutes,
                revision: revised.remove(session.id.as_str()),
            })
            .collect();
        Ok(ical::write(&Calendar {
            name,
            events,
            now,
            refresh_minutes: Some(REFRESH_MINUTES),
        }))
    }

    /// `EMCEE_FEED_KEY`, else the database's own (made once).
    async fn key(&self) -> Result<FeedKey, FeedError> {
        if let Some(key) = self.config().key {
            return Ok(key);
        }
        let key = self
            .stored_key
            .get_or_try_init(|| async {
                let candidate = FeedKey::generate()?;
                let stored = self
                    .store
                    .feeds
                    .feed_key(candidate.expose().to_owned())
                    .await?;
                Ok::<_, FeedError>(FeedKey::stored(stored))
            })
            .await?;
        Ok(key.clone())
    }
}

fn new_row(key: &FeedKey, community: &str, user: &str) -> Result<FeedRow, FeedError> {
    let nonce = token::nonce()?;
    Ok(FeedRow {
        community: community.to_owned(),
        user: user.to_owned(),
        token_hash: key.token(&nonce).hash(),
        nonce,
    })
}

fn personal_url(base: &str, token: &FeedToken) -> String {
    format!("{base}/cal/{}.ics", token.expose())
}

/// A track's name as it appears in its feed's URL: letters folded to ASCII
/// and lower case, digits kept, everything else one `-`.
pub fn track_slug(name: &str) -> String {
    let folded = deunicode::deunicode(name).to_lowercase();
    let mut slug = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn track_slugs_are_ascii_words_joined_by_dashes() {
        assert_eq!(super::track_slug("Observability"), "observability");
        assert_eq!(super::track_slug("  Rust & Café / I/O "), "rust-cafe-i-o");
    }
}

//! Which database a process uses, and the one handle every part of the bot
//! takes on it, whatever the backend.
//!
//! SQLite (one bundled file) is the default and needs nothing installed.
//! `[store] url = "postgres://…"`, or the `EMCEE_DATABASE_URL` environment
//! variable, which takes precedence, selects PostgreSQL instead, for several
//! processes on several machines. The URL may carry a password: it is kept
//! in a [`DatabaseUrl`], whose `Display` and `Debug` never show it, so no
//! log line, error or `emcee check` output can.

use super::{Store, StoreError};
use crate::chat::direct::DirectChannels;
use crate::contests::ContestStore;
use crate::feeds::FeedStorage;
use crate::health::StorageHealth;
use crate::polls::PollStore;
use crate::questions::QuestionStore;
use crate::reminders::ReminderStorage;
use crate::scheduler::{JobStorage, LeaseStorage};
use crate::stars::StarStore;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The environment variable that names the database, ahead of `[store] url`.
pub const DATABASE_URL_VAR: &str = "EMCEE_DATABASE_URL";

/// A PostgreSQL URL (`postgres://user:password@host:port/database?…`); shown
/// with its password replaced by `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Checks that `url` is a `postgres://` or `postgresql://` URL.
    ///
    /// # Errors
    /// [`StoreError::BadUrl`] naming the problem (never the password).
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        let known = ["postgres://", "postgresql://"];
        if !known.iter().any(|scheme| url.starts_with(scheme)) {
            let shown = Self(url.to_owned()).redacted();
            return Err(StoreError::BadUrl(format!(
                "{shown}: only postgres:// and postgresql:// URLs are supported \
                 (leave the URL unset for the SQLite file)"
            )));
        }
        Ok(Self(url.to_owned()))
    }

    /// The URL itself, password included: only for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password (in the user part or a `password=`
    /// parameter) replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let authority = match authority.rsplit_once('@') {
            Some((user, host)) => match user.split_once(':') {
                Some((name, _)) => format!("{name}:***@{host}"),
                None => format!("{user}@{host}"),
            },
            None => authority.to_owned(),
        };
        let tail = match tail.split_once('?') {
            Some((path, query)) => {
                let parameters: Vec<String> = query
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                            format!("{key}=***")
                        }
                        _ => pair.to_owned(),
                    })
                    .collect();
                format!("{path}?{}", parameters.join("&"))
            }
            None => tail.to_owned(),
        };
        if scheme.is_empty() {
            format!("{authority}{tail}")
        } else {
            format!("{scheme}://{authority}{tail}")
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The bundled SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server shared by several processes.
    Postgres(DatabaseUrl),
}

impl Backend {
    /// `EMCEE_DATABASE_URL` if set, else `configured` (`[store] url`), else
    /// the SQLite file at `sqlite`.
    ///
    /// # Errors
    /// [`StoreError::BadUrl`] when the variable holds no PostgreSQL URL.
    pub fn choose(configured: Option<&DatabaseUrl>, sqlite: PathBuf) -> Result<Self, StoreError> {
        let from_env = std::env::var(DATABASE_URL_VAR)
            .ok()
            .filter(|url| !url.trim().is_empty());
        match (from_env, configured) {
            (Some(url), _) => Ok(Self::Postgres(DatabaseUrl::parse(&url)?)),
            (None, Some(url)) => Ok(Self::Postgres(url.clone())),
            (None, None) => Ok(Self::Sqlite(sqlite)),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "SQLite {}", path.display()),
            Self::Postgres(url) => write!(f, "PostgreSQL {url}"),
        }
    }
}

/// The storage of one process, one trait object per aggregate; cheap to
/// clone. Built from a SQLite [`Store`] (`From`) or by [`Database::open`].
#[derive(Clone)]
pub struct Database {
    pub polls: Arc<dyn PollStore>,
    pub jobs: Arc<dyn JobStorage>,
    pub leases: Arc<dyn LeaseStorage>,
    pub reminders: Arc<dyn ReminderStorage>,
    pub health: Arc<dyn StorageHealth>,
    pub direct: Arc<dyn DirectChannels>,
    /// Session Q&A: questions, votes, boards and threads.
    pub questions: Arc<dyn QuestionStore>,
    /// Starred sessions ("my day").
    pub stars: Arc<dyn StarStore>,
    /// Personal calendar feed tokens.
    pub feeds: Arc<dyn FeedStorage>,
    /// The scheduled events emcee made, per community and session.
    pub events: Arc<dyn crate::events::EventStore>,
    /// Meme contests: contests, entries and votes.
    pub contests: Arc<dyn ContestStore>,
    /// The SQLite store behind it, when that is the backend.
    sqlite: Option<Store>,
    backend: String,
}

impl Database {
    /// Opens (creating and migrating if needed) the database `backend`
    /// names; `max_bytes` caps a SQLite file (`[store] max_size_mb`).
    ///
    /// # Errors
    /// [`StoreError`] when it cannot be reached, opened or migrated.
    pub async fn open(backend: &Backend, max_bytes: Option<u64>) -> Result<Self, StoreError> {
        match backend {
            Backend::Sqlite(path) => {
                let path = path.clone();
                let store =
                    tokio::task::spawn_blocking(move || Store::open_capped(&path, max_bytes))
                        .await
                        .map_err(|error| StoreError::Interrupted(error.to_string()))??;
                Ok(store.into())
            }
            Backend::Postgres(url) => Ok(super::postgres::PgStore::open(url).await?.into()),
        }
    }

    /// The scheduler's part.
    pub fn scheduler_storage(&self) -> crate::scheduler::Storage {
        crate::scheduler::Storage {
            jobs: Arc::clone(&self.jobs),
            leases: Arc::clone(&self.leases),
            reminders: Arc::clone(&self.reminders),
        }
    }

    /// Why writes are failing, if a write failed for a storage reason within
    /// the last minute.
    pub fn writes_failing(&self) -> Option<String> {
        self.health.writes_failing()
    }

    /// The SQLite store, when that is the backend.
    pub fn sqlite(&self) -> Option<&Store> {
        self.sqlite.as_ref()
    }

    /// Which backend this is, password redacted.
    pub fn describe(&self) -> &str {
        &self.backend
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl From<Store> for Database {
    fn from(store: Store) -> Self {
        Self {
            polls: Arc::new(store.clone()),
            jobs: Arc::new(store.clone()),
            leases: Arc::new(store.clone()),
            reminders: Arc::new(store.clone()),
            health: Arc::new(store.clone()),
            direct: Arc::new(store.clone()),
            questions: Arc::new(store.clone()),
            stars: Arc::new(store.clone()),
            feeds: Arc::new(store.clone()),
            events: Arc::new(store.clone()),
            contests: Arc::new(store.clone()),
            backend: format!("SQLite {}", store.path()),
            sqlite: Some(store),
        }
    }
}

impl From<super::postgres::PgStore> for Database {
    fn from(store: super::postgres::PgStore) -> Self {
        Self {
            polls: Arc::new(store.polls()),
            jobs: Arc::new(store.clone()),
            leases: Arc::new(store.clone()),
            reminders: Arc::new(store.clone()),
            health: Arc::new(store.clone()),
            direct: Arc::new(store.clone()),
            questions: Arc::new(store.clone()),
            stars: Arc::new(store.clone()),
            feeds: Arc::new(store.clone()),
            events: Arc::new(store.clone()),
            contests: Arc::new(store.clone()),
            backend: format!("PostgreSQL {}", store.url()),
            sqlite: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        let url = DatabaseUrl::parse(
            "postgres://emcee:s3cr%40t@db.example:5432/emcee?sslmode=prefer&password=other",
        )
        .unwrap();
        for shown in [
            url.to_string(),
            format!("{url:?}"),
            Backend::Postgres(url.clone()).to_string(),
        ] {
            assert!(
                !shown.contains("s3cr") && !shown.contains("other"),
                "{shown}"
            );
            assert!(shown.contains("emcee:***@db.example:5432/emcee"), "{shown}");
        }
        assert_eq!(
            DatabaseUrl::parse("postgresql://db/emcee")
                .unwrap()
                .to_string(),
            "postgresql://db/emcee"
        );
        let socket = DatabaseUrl::parse("postgres://emcee@%2Frun%2Fpostgresql/emcee").unwrap();
        assert_eq!(
            socket.to_string(),
            "postgres://emcee@%2Frun%2Fpostgresql/emcee"
        );
        let wrong = DatabaseUrl::parse("mysql://root:hunter2@db/x").unwrap_err();
        assert!(!wrong.to_string().contains("hunter2"), "{wrong}");
        assert!(wrong.to_string().contains("postgres://"), "{wrong}");
    }

    /// The only test that touches `EMCEE_DATABASE_URL`.
    #[test]
    fn the_environment_wins_over_the_config_and_sqlite_is_the_default() {
        let file = PathBuf::from("emcee.sqlite3");
        let configured = DatabaseUrl::parse("postgres://config-host/emcee").unwrap();
        std::env::remove_var(DATABASE_URL_VAR);
        assert_eq!(
            Backend::choose(None, file.clone()).unwrap(),
            Backend::Sqlite(file.clone())
        );
        assert_eq!(
            Backend::choose(Some(&configured), file.clone()).unwrap(),
            Backend::Postgres(configured.clone())
        );
        std::env::set_var(DATABASE_URL_VAR, "postgres://env-host/emcee");
        let chosen = Backend::choose(Some(&configured), file.clone()).unwrap();
        std::env::set_var(DATABASE_URL_VAR, "sqlite:emcee.sqlite3");
        let refused = Backend::choose(None, file.clone());
        std::env::remove_var(DATABASE_URL_VAR);
        assert_eq!(chosen.to_string(), "PostgreSQL postgres://env-host/emcee");
        assert!(refused.is_err());
    }

    #[test]
    fn store_url_is_read_from_the_config_without_showing_its_password() {
        let settings: crate::config::StoreSettings =
            toml::from_str("url = \"postgres://emcee:pw-in-file@db/emcee\"").unwrap();
        let shown = format!("{settings:?}");
        assert!(
            shown.contains("emcee:***@db/emcee") && !shown.contains("pw-in-file"),
            "{shown}"
        );
        let wrong: Result<crate::config::StoreSettings, _> = toml::from_str("url = \"db/emcee\"");
        assert!(wrong.is_err());
    }
}

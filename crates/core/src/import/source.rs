//! A schedule source kept fresh: fetch, import, validate, remember the last good
//! copy, and tell the scheduler what changed.
//!
//! The rules a running bot needs, in one place so the adapter only calls them on
//! an interval: a source that is down at startup is replaced by the last good copy
//! on disk; a refresh that fails to fetch, parse or validate leaves the current
//! agenda alone (the caller logs the error and keeps serving); a refresh that
//! succeeds yields the new agenda and an [`AgendaDiff`] for rescheduling and
//! announcements. Only versions that imported cleanly are ever written to the
//! cache, so one bad upload cannot poison the next restart. "Cleanly" includes
//! the import budget: a version too large, too deep or too slow to read is
//! refused like a broken one, and at startup the last good copy is used instead,
//! with the refusal as the [`Origin::Cache`] reason.

use super::cache::Cache;
use super::fetch::{self, FetchError, FetchOptions, Fetched, SourceLocation, Validators};
use super::{import, ImportError, ImportOptions, Imported};
use crate::agenda::diff::AgendaDiff;
use crate::agenda::{Agenda, AgendaError};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Mutex;

/// How a source is read and where its last good copy is kept.
#[derive(Debug, Clone)]
pub struct SourceOptions {
    pub import: ImportOptions,
    pub fetch: FetchOptions,
    /// The last-good-copy file; `None` keeps nothing on disk.
    pub cache_file: Option<PathBuf>,
}

/// Where a loaded agenda came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Fetched now (or revalidated: the cached copy is current).
    Source,
    /// The last good copy, because the source failed for `reason`.
    Cache { reason: String },
}

/// A schedule read and validated.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub imported: Imported,
    pub agenda: Agenda,
    pub origin: Origin,
}

/// A new version of the schedule, ready to replace the current agenda.
#[derive(Debug, Clone)]
pub struct Update {
    pub imported: Imported,
    pub agenda: Agenda,
    /// May be empty when only details (abstracts, rooms, speakers) changed.
    pub diff: AgendaDiff,
}

/// The outcome of a refresh.
#[derive(Debug, Clone)]
pub enum Refresh {
    /// The source has not changed since the last good version.
    Unchanged,
    Updated(Box<Update>),
}

/// Why a load or refresh failed; on a refresh the current agenda stays.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{location}: {source}")]
    Import {
        location: String,
        source: ImportError,
    },
    #[error("{location}: {source}")]
    Invalid {
        location: String,
        source: AgendaError,
    },
}

/// What the last good version was, to revalidate against and to spot no-op changes.
#[derive(Debug, Default)]
struct Current {
    validators: Validators,
    digest: Option<u64>,
}

/// A schedule source: a file or URL, with revalidation and a last good copy.
#[derive(Debug)]
pub struct AgendaSource {
    location: SourceLocation,
    client: reqwest::Client,
    options: SourceOptions,
    cache: Option<Cache>,
    current: Mutex<Current>,
}

impl AgendaSource {
    /// A source read with `client` (share the adapter's; see [`fetch::client`]).
    pub fn new(location: SourceLocation, options: SourceOptions, client: reqwest::Client) -> Self {
        let cache = options.cache_file.as_deref().map(Cache::new);
        Self {
            location,
            client,
            options,
            cache,
            current: Mutex::new(Current::default()),
        }
    }

    /// Where this source reads from.
    pub fn location(&self) -> &SourceLocation {
        &self.location
    }

    /// Loads the schedule at startup: from the source, else from the last good copy.
    ///
    /// # Errors
    /// A [`SourceError`] when the source fails and no good copy exists (the source's
    /// error), or when neither the source's version nor the copy imports.
    pub async fn load(&self) -> Result<Loaded, SourceError> {
        let cached = match &self.cache {
            Some(cache) => cache.load().await,
            None => None,
        };
        let known = cached
            .as_ref()
            .map(|(_, validators)| validators.clone())
            .unwrap_or_default();
        let fetched = fetch::fetch(&self.client, &self.location, &known, &self.options.fetch).await;
        let fallback = match fetched {
            Ok(Fetched::Body { bytes, validators }) => {
                match self.accept(&bytes, validators).await {
                    Ok((imported, agenda)) => {
                        return Ok(Loaded {
                            imported,
                            agenda,
                            origin: Origin::Source,
                        })
                    }
                    Err(error) => error,
                }
            }
            Ok(Fetched::NotModified) => match cached {
                Some((bytes, validators)) => {
                    let (imported, agenda) = self.accept(&bytes, validators).await?;
                    return Ok(Loaded {
                        imported,
                        agenda,
                        origin: Origin::Source,
                    });
                }
                None => {
                    return Err(FetchError::Status {
                        url: self.location.to_string(),
                        status: 304,
                    }
                    .into())
                }
            },
            Err(error) => SourceError::Fetch(error),
        };
        let Some((bytes, validators)) = cached else {
            return Err(fallback);
        };
        tracing::warn!(source = %self.location, error = %fallback, "schedule source failed; starting from the last good copy");
        let (imported, agenda) = self.import(&bytes).await?;
        self.remember(&bytes, validators);
        Ok(Loaded {
            imported,
            agenda,
            origin: Origin::Cache {
                reason: fallback.to_string(),
            },
        })
    }

    /// Fetches again and, if the schedule changed, imports it and diffs it against `current`.
    ///
    /// # Errors
    /// A [`SourceError`] when fetching, importing or validating fails; the caller keeps
    /// its current agenda and logs why.
    pub async fn refresh(&self, current: &Agenda) -> Result<Refresh, SourceError> {
        let known = self.lock().validators.clone();
        let Fetched::Body { bytes, validators } =
            fetch::fetch(&self.client, &self.location, &known, &self.options.fetch).await?
        else {
            return Ok(Refresh::Unchanged);
        };
        if self.lock().digest == Some(digest(&bytes)) {
            self.lock().validators = validators;
            return Ok(Refresh::Unchanged);
        }
        let (imported, agenda) = self.accept(&bytes, validators).await?;
        let diff = AgendaDiff::between(current, &agenda);
        tracing::info!(
            source = %self.location,
            added = diff.added.len(),
            removed = diff.removed.len(),
            moved = diff.moved.len(),
            renamed = diff.renamed.len(),
            "schedule refreshed"
        );
        Ok(Refresh::Updated(Box::new(Update {
            imported,
            agenda,
            diff,
        })))
    }

    /// Imports `bytes` and, when they are good, makes them the last good version.
    async fn accept(
        &self,
        bytes: &[u8],
        validators: Validators,
    ) -> Result<(Imported, Agenda), SourceError> {
        let imported = self.import(bytes).await?;
        if let Some(cache) = &self.cache {
            if let Err(error) = cache.store(bytes, &validators).await {
                tracing::warn!(source = %self.location, %error, "cannot write the schedule cache");
            }
        }
        self.remember(bytes, validators);
        Ok(imported)
    }

    /// Imports on a blocking thread within the import budget (see [`import`]).
    async fn import(&self, bytes: &[u8]) -> Result<(Imported, Agenda), SourceError> {
        let location = self.location.to_string();
        let imported = import(bytes.into(), self.options.import.clone())
            .await
            .map_err(|source| SourceError::Import {
                location: location.clone(),
                source,
            })?;
        let agenda = Agenda::new(imported.conference.clone())
            .map_err(|source| SourceError::Invalid { location, source })?;
        Ok((imported, agenda))
    }

    fn remember(&self, bytes: &[u8], validators: Validators) {
        let mut current = self.lock();
        current.validators = validators;
        current.digest = Some(digest(bytes));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        // A panic while holding this lock cannot leave `Current` half-updated (plain
        // field stores), so a poisoned lock is still safe to use.
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn digest(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

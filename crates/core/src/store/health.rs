//! Whether the database takes writes: every write goes through [`WriteHealth`],
//! which counts failures and says so in the log once, not once per event.
//!
//! On a full disk (or a reached `[store] max_size_mb`) every vote, reminder and
//! job outcome fails, possibly hundreds a minute. Operators need one clear line
//! when it starts, a reminder now and then while it lasts, and one line when it
//! is over; `/healthz` and the chat commands ask [`WriteHealth::failing`].

use super::StoreError;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// After this long without a failed write, the next successful one means the
/// database is writable again.
const QUIET: Duration = Duration::from_secs(60);
/// While writes keep failing, the error is logged again this often.
const REMIND_EVERY: Duration = Duration::from_secs(300);

/// Whether a failed operation counts in the write-failure metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counted {
    /// The store counts it.
    Here,
    /// Not a write (the health probe): state and log only.
    Never,
}

/// The write-failure state of one database.
#[derive(Debug, Default)]
pub(crate) struct WriteHealth {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Set while writes fail: since when, the last failure and its reason.
    failing: Option<Failing>,
}

#[derive(Debug)]
struct Failing {
    since: Instant,
    last: Instant,
    reason: String,
    logged: Instant,
    /// Failures since the last log line.
    unlogged: u64,
    total: u64,
}

impl WriteHealth {
    /// Notes the outcome of a write on the database at `path`.
    pub(crate) fn note<T>(&self, path: &str, result: &Result<T, StoreError>, counted: Counted) {
        match result {
            Ok(_) => self.succeeded(path),
            Err(error) => {
                if counted == Counted::Here {
                    metrics::counter!(crate::telemetry::STORE_WRITE_FAILURES).increment(1);
                }
                if error.is_storage_failure() {
                    self.failed(path, error);
                }
            }
        }
    }

    /// The reason writes fail, if one failed within the last minute.
    pub(crate) fn failing(&self) -> Option<String> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state
            .failing
            .as_ref()
            .filter(|f| f.last.elapsed() < QUIET)
            .map(|f| f.reason.clone())
    }

    fn failed(&self, path: &str, error: &StoreError) {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut state.failing {
            None => {
                tracing::error!(
                    database = path,
                    %error,
                    "the database cannot be written (full disk, [store] max_size_mb reached, read-only \
                     or locked file): changes are not being saved; read-only commands keep answering"
                );
                state.failing = Some(Failing {
                    since: now,
                    last: now,
                    reason: error.to_string(),
                    logged: now,
                    unlogged: 0,
                    total: 1,
                });
            }
            Some(failing) => {
                failing.last = now;
                failing.reason = error.to_string();
                failing.total += 1;
                failing.unlogged += 1;
                if now.duration_since(failing.logged) >= REMIND_EVERY {
                    tracing::error!(
                        database = path,
                        %error,
                        failed_since_last_report = failing.unlogged,
                        minutes = failing.since.elapsed().as_secs() / 60,
                        "the database still cannot be written"
                    );
                    failing.logged = now;
                    failing.unlogged = 0;
                }
            }
        }
    }

    fn succeeded(&self, path: &str) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let recovered = state
            .failing
            .as_ref()
            .is_some_and(|f| f.last.elapsed() >= QUIET);
        if recovered {
            if let Some(failing) = state.failing.take() {
                tracing::warn!(
                    database = path,
                    failed_writes = failing.total,
                    seconds = failing.since.elapsed().as_secs(),
                    "the database takes writes again"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> StoreError {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        ))
    }

    #[test]
    fn storage_failures_mark_the_database_failing_and_logic_errors_do_not() {
        let health = WriteHealth::default();
        health.note::<()>(
            "db",
            &Err(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows)),
            Counted::Here,
        );
        assert_eq!(health.failing(), None);
        health.note::<()>("db", &Err(full()), Counted::Here);
        health.note::<()>("db", &Err(full()), Counted::Never);
        let reason = health.failing().unwrap();
        assert!(reason.contains("full"), "{reason}");
        // A success right after a failure does not end it: a full database
        // still takes updates that need no new page.
        health.note("db", &Ok(()), Counted::Here);
        assert!(health.failing().is_some());
    }

    #[test]
    fn a_capped_database_fills_up_like_a_full_disk_and_keeps_answering_reads() {
        use crate::scheduler::Reminder;
        use crate::store::{ReminderStore, Store};
        let store = Store::in_memory().unwrap();
        let now = chrono::DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let open = store.cap_size(None).unwrap();
        assert!(store.check_writable().is_ok());
        let cap = store.cap_size(Some(open.used_bytes + 16 * 1024)).unwrap();
        assert!(!cap.reached(), "{cap:?}");
        let mut added = 0;
        let error = loop {
            let reminder = Reminder {
                user: format!("user-{added}"),
                session: crate::agenda::SessionId::new("a-session-with-a-long-enough-id"),
                minutes_before: 10,
            };
            match store.add_reminder(&reminder, 100, now) {
                Ok(_) => added += 1,
                Err(error) => break error,
            }
            assert!(added < 10_000, "the cap never bit");
        };
        assert!(added > 0);
        assert!(error.is_storage_failure(), "{error}");
        assert!(error.to_string().contains("full"), "{error}");
        assert!(store.check_writable().is_err());
        assert!(store.writes_failing().is_some());
        assert_eq!(store.reminders_of("user-0").unwrap().len(), 1, "reads work");
        store.cap_size(None).unwrap();
        assert!(store
            .add_reminder(
                &Reminder {
                    user: "late".into(),
                    session: crate::agenda::SessionId::new("s"),
                    minutes_before: 5,
                },
                100,
                now
            )
            .is_ok());
    }
}

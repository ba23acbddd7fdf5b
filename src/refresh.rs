//! Keeping a URL agenda fresh while the bot runs.
//!
//! The programme changes on the day (a talk moves, a speaker cancels). A URL
//! source is fetched again every `refresh_minutes`; a version that fails to
//! fetch or parse keeps the current agenda and is logged, and a good one
//! replaces it, with the diff logged for organisers, and the scheduler
//! reschedules from the same diff.

use emcee_core::agenda::diff::AgendaDiff;
use emcee_core::import::source::{AgendaSource, Refresh};
use emcee_core::programme::Programme;
use std::future::Future;
use std::time::Duration;

/// Where a refreshed programme goes.
pub trait ProgrammeSink: Send + Sync {
    /// The programme in use now.
    fn current(&self) -> std::sync::Arc<Programme>;
    /// Replaces the programme; `diff` says what moved.
    fn replace(&self, programme: Programme, diff: &AgendaDiff);
}

impl ProgrammeSink for emcee_core::app::App {
    fn current(&self) -> std::sync::Arc<Programme> {
        self.programme()
    }

    fn replace(&self, programme: Programme, diff: &AgendaDiff) {
        self.replace_programme(programme, diff);
    }
}

/// Refreshes `source` every `every` until `shutdown` completes.
pub async fn keep_fresh(
    source: AgendaSource,
    sink: &dyn ProgrammeSink,
    every: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => refresh_once(&source, sink).await,
        }
    }
}

/// One refresh: replace the programme on a good new version, keep it otherwise.
pub async fn refresh_once(source: &AgendaSource, sink: &dyn ProgrammeSink) {
    let current = sink.current();
    match source.refresh(&current.agenda).await {
        Ok(Refresh::Unchanged) => tracing::debug!(source = %source.location(), "agenda unchanged"),
        Ok(Refresh::Updated(update)) => {
            let diff = update.diff;
            tracing::info!(
                source = %source.location(),
                added = diff.added.len(),
                removed = diff.removed.len(),
                moved = diff.moved.len(),
                renamed = diff.renamed.len(),
                "agenda refreshed"
            );
            // Declared flash polls belong to emcee's own config, not to a published schedule.
            sink.replace(
                Programme {
                    agenda: update.agenda,
                    polls: current.polls.clone(),
                },
                &diff,
            );
        }
        Err(error) => {
            tracing::warn!(source = %source.location(), %error, "agenda refresh failed; keeping the current agenda")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emcee_core::import::fetch::{FetchOptions, SourceLocation};
    use emcee_core::import::source::SourceOptions;
    use emcee_core::import::ImportOptions;
    use std::sync::{Arc, Mutex};

    struct Recorder {
        programme: Mutex<Arc<Programme>>,
        diffs: Mutex<Vec<AgendaDiff>>,
    }

    impl ProgrammeSink for Recorder {
        fn current(&self) -> Arc<Programme> {
            Arc::clone(&self.programme.lock().unwrap())
        }
        fn replace(&self, programme: Programme, diff: &AgendaDiff) {
            *self.programme.lock().unwrap() = Arc::new(programme);
            self.diffs.lock().unwrap().push(diff.clone());
        }
    }

    const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:a@test\r\nDTSTART:20211007T160000Z\r\nDTEND:20211007T162500Z\r\nSUMMARY:First talk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[tokio::test]
    async fn a_moved_session_replaces_the_programme_and_a_broken_version_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("schedule.ics");
        std::fs::write(&file, CALENDAR).unwrap();
        let options = SourceOptions {
            import: ImportOptions::new(chrono_tz::UTC),
            fetch: FetchOptions::default(),
            cache_file: None,
        };
        let client = emcee_core::import::fetch::client().unwrap();
        let source = AgendaSource::new(
            SourceLocation::parse(file.to_str().unwrap()),
            options,
            client,
        );
        let loaded = source.load().await.unwrap();
        let sink = Recorder {
            programme: Mutex::new(Arc::new(Programme {
                agenda: loaded.agenda,
                polls: Vec::new(),
            })),
            diffs: Mutex::new(Vec::new()),
        };

        refresh_once(&source, &sink).await;
        assert!(
            sink.diffs.lock().unwrap().is_empty(),
            "unchanged source, nothing replaced"
        );

        std::fs::write(
            &file,
            CALENDAR
                .replace("T160000Z", "T163000Z")
                .replace("T162500Z", "T165500Z"),
        )
        .unwrap();
        refresh_once(&source, &sink).await;
        assert_eq!(sink.diffs.lock().unwrap().last().unwrap().moved.len(), 1);
        assert_eq!(
            sink.current().agenda.sessions()[0].start.to_rfc3339(),
            "2021-10-07T16:30:00+00:00"
        );

        std::fs::write(&file, "this is not a schedule").unwrap();
        refresh_once(&source, &sink).await;
        assert_eq!(
            sink.diffs.lock().unwrap().len(),
            1,
            "a broken version changes nothing"
        );
        assert_eq!(sink.current().agenda.sessions().len(), 1);
    }
}

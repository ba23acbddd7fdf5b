//! Keeping a URL agenda fresh while the bot runs.
//!
//! The programme changes on the day (a talk moves, a speaker cancels). A URL
//! source is fetched again every `refresh_minutes`; a version that fails to
//! fetch or parse, or that the import refuses as too deep, too large or over its
//! time and memory budget (read on a blocking thread, see
//! `emcee_core::import::import`), keeps the current agenda and is logged with
//! the reason, and a good one
//! replaces it, with the diff logged for organisers, and the scheduler
//! reschedules from the same diff.

use emcee_core::app::App;
use emcee_core::import::source::{AgendaSource, Refresh};
use emcee_core::programme::Programme;
use std::future::Future;
use std::time::Duration;

/// Refreshes `source` every `every` until `shutdown` completes.
pub async fn keep_fresh(
    source: AgendaSource,
    app: &App,
    every: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => refresh_once(&source, app).await,
        }
    }
}

/// One refresh: replace the programme on a good new version, keep it otherwise.
pub async fn refresh_once(source: &AgendaSource, app: &App) {
    let current = app.programme();
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
            let programme = Programme {
                agenda: update.agenda,
                polls: current.polls.clone(),
                contests: current.contests.clone(),
            };
            app.replace_programme(programme, &diff).await;
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
    use std::sync::Arc;

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
        let programme = Programme {
            agenda: loaded.agenda,
            polls: Vec::new(),
            contests: Vec::new(),
        };
        let app = app(programme);
        let first = app.programme();

        refresh_once(&source, &app).await;
        assert!(
            Arc::ptr_eq(&first, &app.programme()),
            "unchanged source, nothing replaced"
        );

        std::fs::write(
            &file,
            CALENDAR
                .replace("T160000Z", "T163000Z")
                .replace("T162500Z", "T165500Z"),
        )
        .unwrap();
        refresh_once(&source, &app).await;
        let moved = app.programme();
        assert_eq!(
            moved.agenda.sessions()[0].start.to_rfc3339(),
            "2021-10-07T16:30:00+00:00"
        );

        // Broken, then hostile: 2,000 levels of XML overflowed the stack of the
        // worker running the refresh before the import ran on a blocking thread
        // with a depth limit.
        let deep = format!(
            "<schedule>{}{}</schedule>",
            "<p>".repeat(2_000),
            "</p>".repeat(2_000)
        );
        for version in ["this is not a schedule", deep.as_str()] {
            std::fs::write(&file, version).unwrap();
            refresh_once(&source, &app).await;
            assert!(
                Arc::ptr_eq(&moved, &app.programme()),
                "a broken version changes nothing"
            );
        }
        assert_eq!(app.programme().agenda.sessions().len(), 1);
    }

    /// The core's application over an in-memory platform and database.
    fn app(programme: Programme) -> App {
        let clock: Arc<dyn emcee_core::clock::Clock> =
            Arc::new(emcee_core::clock::ManualClock::new(chrono::Utc::now()));
        let store = emcee_core::store::Store::in_memory().unwrap();
        let port = Arc::new(emcee_core::chat::memory::MemoryPort::default());
        let polls =
            emcee_core::polls::PollService::new(Arc::new(store.clone()), port, Arc::clone(&clock));
        App::new(programme, clock, store, polls)
    }
}

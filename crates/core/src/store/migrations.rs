//! Numbered schema migrations, applied in order once each.
//!
//! SQLite's `user_version` records how far a database has been migrated; a
//! database from a newer build is refused rather than misread.

use super::StoreError;
use rusqlite::Connection;

/// Every migration, in order. Append only: never edit one that has shipped.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_leases",
        include_str!("../../migrations/0001_leases.sql"),
    ),
    (
        "0002_polls",
        include_str!("../../migrations/0002_polls.sql"),
    ),
    ("0003_jobs", include_str!("../../migrations/0003_jobs.sql")),
    (
        "0004_reminders",
        include_str!("../../migrations/0004_reminders.sql"),
    ),
    (
        "0005_neutral_option_keys",
        include_str!("../../migrations/0005_neutral_option_keys.sql"),
    ),
    (
        "0006_poll_communities",
        include_str!("../../migrations/0006_poll_communities.sql"),
    ),
    (
        "0007_dm_channels",
        include_str!("../../migrations/0007_dm_channels.sql"),
    ),
    (
        "0008_claim_tokens",
        include_str!("../../migrations/0008_claim_tokens.sql"),
    ),
    (
        "0009_poll_styles",
        include_str!("../../migrations/0009_poll_styles.sql"),
    ),
    (
        "0010_questions",
        include_str!("../../migrations/0010_questions.sql"),
    ),
    (
        "0011_stars",
        include_str!("../../migrations/0011_stars.sql"),
    ),
    (
        "0012_feed_tokens",
        include_str!("../../migrations/0012_feed_tokens.sql"),
    ),
    (
        "0013_scheduled_events",
        include_str!("../../migrations/0013_scheduled_events.sql"),
    ),
    (
        "0014_contests",
        include_str!("../../migrations/0014_contests.sql"),
    ),
    (
        "0015_question_clicks",
        include_str!("../../migrations/0015_question_clicks.sql"),
    ),
    (
        "0016_question_vote_counts",
        include_str!("../../migrations/0016_question_vote_counts.sql"),
    ),
    (
        "0017_unanswered_upvotes",
        include_str!("../../migrations/0017_unanswered_upvotes.sql"),
    ),
    (
        "0018_feed_revisions",
        include_str!("../../migrations/0018_feed_revisions.sql"),
    ),
    (
        "0019_withdrawn_events",
        include_str!("../../migrations/0019_withdrawn_events.sql"),
    ),
];

/// Brings the schema up to date, one transaction per migration. Each step
/// re-reads the version inside its write transaction, so two processes opening
/// the same new database at once apply every migration exactly once.
pub fn apply(connection: &Connection, path: &str) -> Result<(), StoreError> {
    loop {
        connection.execute_batch("BEGIN IMMEDIATE")?;
        let step = next_step(connection, path);
        let outcome = match step {
            Ok(Some((version, name, sql))) => connection
                .execute_batch(&format!("{sql}\nPRAGMA user_version = {version};"))
                .map(|()| Some((version, name)))
                .map_err(StoreError::from),
            Ok(None) => Ok(None),
            Err(error) => Err(error),
        };
        match outcome {
            Ok(Some((version, name))) => {
                connection.execute_batch("COMMIT")?;
                tracing::info!(migration = name, version, "migrated the database");
            }
            Ok(None) => return Ok(connection.execute_batch("COMMIT")?),
            Err(error) => {
                let _ = connection.execute_batch("ROLLBACK");
                return Err(error);
            }
        }
    }
}

/// The schema version of the database on `connection`, refused when it is
/// newer than this build's or negative (no emcee wrote it).
pub fn check_version(connection: &Connection, path: &str) -> Result<i64, StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found < 0 {
        return Err(StoreError::BadVersion {
            path: path.to_owned(),
            found,
        });
    }
    if found > known {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found,
            known,
        });
    }
    Ok(found)
}

/// The next migration to apply, if any, as (version, name, sql).
fn next_step(
    connection: &Connection,
    path: &str,
) -> Result<Option<(i64, &'static str, &'static str)>, StoreError> {
    let current = check_version(connection, path)?;
    Ok(MIGRATIONS
        .get(current as usize)
        .map(|(name, sql)| (current + 1, *name, *sql)))
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[test]
    fn migrating_twice_is_harmless_and_newer_databases_are_refused() {
        let dir = std::env::temp_dir().join(format!("emcee-migrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.sqlite3");
        let _ = std::fs::remove_file(&path);
        drop(Store::open(&path).unwrap());
        drop(Store::open(&path).unwrap());
        {
            let store = Store::open(&path).unwrap();
            store
                .connection()
                .execute_batch("PRAGMA user_version = 999;")
                .unwrap();
        }
        let error = Store::open(&path).unwrap_err();
        assert!(error.to_string().contains("newer emcee"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A database file in rollback-journal mode at schema `version`, holding
    /// one poll when the schema has polls.
    fn plain_database(path: &std::path::Path, version: i64) {
        let connection = rusqlite::Connection::open(path).unwrap();
        for (_, sql) in super::MIGRATIONS.iter().take(version.max(0) as usize) {
            connection.execute_batch(sql).unwrap();
        }
        if version >= 2 {
            connection
                .execute_batch(
                    "INSERT INTO polls (id, channel, message, question, multi, hide_tally, opened_at, closes_at, state)
                     VALUES (1, 'c', 'm', 'q', 0, 0, 0, 60, 'closed');",
                )
                .unwrap();
        }
        connection
            .pragma_update(None, "user_version", version)
            .unwrap();
    }

    fn journal_mode(path: &std::path::Path) -> String {
        let connection = rusqlite::Connection::open(path).unwrap();
        connection
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_database_refused_as_too_new_or_negative_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        for (name, version, message) in [
            ("new.sqlite3", 999, "newer emcee"),
            ("negative.sqlite3", -1, "no valid emcee schema version"),
        ] {
            let path = dir.path().join(name);
            plain_database(&path, version);
            let before = std::fs::read(&path).unwrap();
            let error = Store::open(&path).unwrap_err();
            assert!(error.to_string().contains(message), "{error}");
            assert_eq!(std::fs::read(&path).unwrap(), before, "{name} unchanged");
            assert_eq!(journal_mode(&path), "delete", "{name} not switched to WAL");
            assert!(!dir.path().join(format!("{name}-wal")).exists());
        }
    }

    #[test]
    fn a_snapshot_reads_an_older_database_without_touching_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        plain_database(&path, 5);
        let before = std::fs::read(&path).unwrap();
        let snapshot = Store::snapshot(&path).unwrap();
        let polls: i64 = snapshot
            .connection()
            .query_row("SELECT count(*) FROM polls", [], |row| row.get(0))
            .unwrap();
        assert_eq!(polls, 1);
        let version: i64 = snapshot
            .connection()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(
            version,
            super::MIGRATIONS.len() as i64,
            "the copy is migrated"
        );
        drop(snapshot);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the file is unchanged"
        );
        assert_eq!(journal_mode(&path), "delete");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["old.sqlite3"], "no -wal, -shm or journal file");

        plain_database(&dir.path().join("new.sqlite3"), 999);
        let error = Store::snapshot(&dir.path().join("new.sqlite3")).unwrap_err();
        assert!(error.to_string().contains("newer emcee"), "{error}");
        assert!(Store::snapshot(&dir.path().join("missing.sqlite3")).is_err());
    }

    /// Reminder jobs stored before 0008 get the exact subject that new ones
    /// get from `Job::subject`, so cancelling them still finds them.
    #[test]
    fn stored_reminder_jobs_get_their_exact_subject() {
        use crate::scheduler::{reminder_job, Reminder};
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        for (_, sql) in &super::MIGRATIONS[..7] {
            connection.execute_batch(sql).unwrap();
        }
        let at = chrono::DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let session = crate::agenda::Session {
            id: crate::agenda::SessionId::new("a:b \"é\""),
            title: "T".into(),
            abstract_text: String::new(),
            kind: crate::agenda::SessionKind::Talk,
            track: None,
            room: None,
            speakers: Vec::new(),
            start: at,
            end: at + chrono::TimeDelta::minutes(30),
            links: Vec::new(),
        };
        let reminder = Reminder {
            user: "7".into(),
            session: session.id.clone(),
            minutes_before: 10,
        };
        let settings = crate::scheduler::PlanSettings {
            announcements: crate::config::AnnouncementSettings::default(),
            poll_channel: None,
            nudges: None,
        };
        let job = reminder_job(&session, &reminder, &settings);
        connection
            .execute(
                "INSERT INTO jobs (key, kind, due_at, expires_at, target, payload)
                 VALUES (?1, 'reminder', 0, 0, ?2, ?3)",
                rusqlite::params![
                    job.key,
                    serde_json::to_string(&job.target).unwrap(),
                    serde_json::to_string(&job.message).unwrap()
                ],
            )
            .unwrap();
        connection.execute_batch(super::MIGRATIONS[7].1).unwrap();
        let subject: Option<String> = connection
            .query_row("SELECT subject FROM jobs", [], |row| row.get(0))
            .unwrap();
        assert_eq!(subject, job.subject());
    }

    #[test]
    fn stored_regional_indicator_keys_become_letters() {
        let store = Store::in_memory().unwrap();
        let connection = store.connection();
        connection
            .execute_batch(
                "INSERT INTO polls (id, channel, message, question, multi, hide_tally, opened_at, closes_at, state)
                 VALUES (1, 'c', 'm', 'q', 0, 0, 0, 60, 'open');
                 INSERT INTO poll_options VALUES (1, 0, '🇦', 'a'), (1, 1, '🇹', 't'), (1, 2, '🦀', 'crab');",
            )
            .unwrap();
        connection.execute_batch(super::MIGRATIONS[4].1).unwrap();
        let keys: Vec<String> = connection
            .prepare("SELECT reaction FROM poll_options ORDER BY position")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(keys, ["A", "T", "🦀"]);
    }

    #[test]
    fn vote_counts_are_filled_from_the_stored_votes() {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        let before = super::MIGRATIONS
            .iter()
            .position(|(name, _)| *name == "0016_question_vote_counts")
            .unwrap();
        for (_, sql) in &super::MIGRATIONS[..before] {
            connection.execute_batch(sql).unwrap();
        }
        connection
            .execute_batch(
                "INSERT INTO questions (id, community, session_id, asker, asker_name, anonymous, body, normal, asked_at)
                 VALUES (1, 'g', 's', 'u', 'U', 0, 'a?', 'a', 0), (2, 'g', 's', 'u', 'U', 0, 'b?', 'b', 0);
                 INSERT INTO question_votes VALUES (1, 'x', 0), (1, 'y', 0), (1, 'z', 0);",
            )
            .unwrap();
        connection
            .execute_batch(super::MIGRATIONS[before].1)
            .unwrap();
        let votes: Vec<i64> = connection
            .prepare("SELECT votes FROM questions ORDER BY id")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(votes, [3, 0]);
    }
}

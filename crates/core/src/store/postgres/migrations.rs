//! PostgreSQL's own numbered migrations, applied at start under an advisory
//! lock: processes starting together on a new database wait for each other,
//! and each migration is applied once. `emcee_schema` records how far a
//! database is migrated; one from a newer emcee is refused, unchanged.

use super::super::StoreError;
use deadpool_postgres::Object;

/// Every migration, in order. Append only: never edit one that has shipped.
/// The first is SQLite's 0001-0008 as one clean schema.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_schema",
        include_str!("../../../migrations/postgres/0001_schema.sql"),
    ),
    (
        "0002_poll_styles",
        include_str!("../../../migrations/postgres/0002_poll_styles.sql"),
    ),
    (
        "0003_questions",
        include_str!("../../../migrations/postgres/0003_questions.sql"),
    ),
    (
        "0004_stars",
        include_str!("../../../migrations/postgres/0004_stars.sql"),
    ),
    (
        "0005_feed_tokens",
        include_str!("../../../migrations/postgres/0005_feed_tokens.sql"),
    ),
    (
        "0006_scheduled_events",
        include_str!("../../../migrations/postgres/0006_scheduled_events.sql"),
    ),
    (
        "0007_contests",
        include_str!("../../../migrations/postgres/0007_contests.sql"),
    ),
    (
        "0008_question_clicks",
        include_str!("../../../migrations/postgres/0008_question_clicks.sql"),
    ),
    (
        "0009_question_vote_counts",
        include_str!("../../../migrations/postgres/0009_question_vote_counts.sql"),
    ),
    (
        "0010_unanswered_upvotes",
        include_str!("../../../migrations/postgres/0010_unanswered_upvotes.sql"),
    ),
    (
        "0011_feed_revisions",
        include_str!("../../../migrations/postgres/0011_feed_revisions.sql"),
    ),
    (
        "0012_withdrawn_events",
        include_str!("../../../migrations/postgres/0012_withdrawn_events.sql"),
    ),
];

/// The advisory lock key migrations run under ("emcee" in ASCII).
const LOCK: i64 = 0x65_6d_63_65_65;

/// Brings the schema up to date.
pub(super) async fn apply(client: &mut Object, label: &str) -> Result<(), StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .await?;
    let outcome = migrate(client, label).await;
    // The lock is the session's: it also ends with the connection.
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK])
        .await;
    outcome
}

async fn migrate(client: &mut Object, label: &str) -> Result<(), StoreError> {
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    let exists = client
        .query_one("SELECT to_regclass('emcee_schema') IS NOT NULL", &[])
        .await?
        .try_get::<_, bool>(0)?;
    let current = if exists {
        let row = client
            .query_opt("SELECT version FROM emcee_schema", &[])
            .await?;
        row.map(|row| row.try_get::<_, i64>(0))
            .transpose()?
            .unwrap_or(0)
    } else {
        0
    };
    if current > known {
        return Err(StoreError::TooNew {
            path: label.to_owned(),
            found: current,
            known,
        });
    }
    let Ok(done) = usize::try_from(current) else {
        return Err(StoreError::Decode(format!(
            "the schema version of {label} is {current}, which no emcee writes"
        )));
    };
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(done) {
        let version = i64::try_from(index + 1).unwrap_or(i64::MAX);
        let transaction = client.transaction().await?;
        transaction
            .batch_execute("CREATE TABLE IF NOT EXISTS emcee_schema (version BIGINT NOT NULL)")
            .await?;
        transaction.batch_execute(sql).await?;
        transaction.execute("DELETE FROM emcee_schema", &[]).await?;
        transaction
            .execute(
                "INSERT INTO emcee_schema (version) VALUES ($1)",
                &[&version],
            )
            .await?;
        transaction.commit().await?;
        tracing::info!(
            migration = name,
            version,
            database = label,
            "migrated the database"
        );
    }
    Ok(())
}

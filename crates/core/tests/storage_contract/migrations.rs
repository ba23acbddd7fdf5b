//! Migrations: applied once, also when processes start together on a new
//! database; a database from a newer emcee is refused.

use crate::fixture::{contract, Fixture};
use emcee_core::store::{Database, StoreError};

contract!(
    opening_again_is_harmless_and_a_newer_database_is_refused,
    processes_starting_together_on_a_new_database_all_open_it,
);

async fn opening_again_is_harmless_and_a_newer_database_is_refused(f: Fixture) {
    drop(f.another().await);
    drop(f.another().await);
    f.set_schema_version(999).await;
    let error = Database::open(&f.backend, None).await.unwrap_err();
    assert!(
        matches!(error, StoreError::TooNew { found: 999, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("newer emcee"), "{error}");
}

async fn processes_starting_together_on_a_new_database_all_open_it(f: Fixture) {
    // The fixture's own database is migrated already; start four more
    // processes' handles at once on a brand-new one of the same backend.
    let fresh = match f.kind {
        "sqlite" => crate::fixture::sqlite_backend_in(&f),
        _ => crate::fixture::postgres_backend().await,
    };
    let opening = (0..4).map(|_| {
        let backend = fresh.clone();
        tokio::spawn(async move { Database::open(&backend, None).await.map(drop) })
    });
    for opened in opening.collect::<Vec<_>>() {
        opened.await.unwrap().unwrap();
    }
    let db = Database::open(&fresh, None).await.unwrap();
    db.jobs.all_jobs().await.unwrap();
}

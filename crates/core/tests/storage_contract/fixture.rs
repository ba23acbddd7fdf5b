//! One database per test, on either backend, and the macro that runs each
//! contract test once per backend.

use emcee_core::store::{Backend, Database, DatabaseUrl};
use std::path::PathBuf;

/// A fresh database of one backend, and the means to open it again (as a
/// second process would).
pub struct Fixture {
    pub db: Database,
    pub backend: Backend,
    /// "sqlite" or "postgres".
    pub kind: &'static str,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    /// Another handle on the same database, as another process opens it.
    pub async fn another(&self) -> Database {
        Database::open(&self.backend, None)
            .await
            .expect("open again")
    }

    /// Sets the stored schema version, as a newer emcee would have left it.
    pub async fn set_schema_version(&self, version: i64) {
        match &self.backend {
            Backend::Sqlite(path) => {
                let connection = rusqlite::Connection::open(path).unwrap();
                connection
                    .pragma_update(None, "user_version", version)
                    .unwrap();
            }
            Backend::Postgres(url) => {
                let (client, connection) =
                    tokio_postgres::connect(url.expose(), tokio_postgres::NoTls)
                        .await
                        .unwrap();
                tokio::spawn(connection);
                client
                    .execute("UPDATE emcee_schema SET version = $1", &[&version])
                    .await
                    .unwrap();
            }
        }
    }
}

/// A fresh SQLite file.
pub async fn sqlite() -> Option<Fixture> {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("contract.sqlite3");
    let backend = Backend::Sqlite(path);
    let db = Database::open(&backend, None).await.unwrap();
    Some(Fixture {
        db,
        backend,
        kind: "sqlite",
        _dir: Some(dir),
    })
}

/// A fresh PostgreSQL database on the test server; `None` when opted out.
pub async fn postgres() -> Option<Fixture> {
    let url = crate::pg_server::fresh_database().await?;
    let backend = Backend::Postgres(DatabaseUrl::parse(&url).unwrap());
    let db = Database::open(&backend, None).await.unwrap();
    Some(Fixture {
        db,
        backend,
        kind: "postgres",
        _dir: None,
    })
}

/// Runs each named test body (`async fn name(Fixture)`) once per backend,
/// as `…::sqlite::name` and `…::postgres::name`.
macro_rules! contract {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let fixture = crate::fixture::sqlite().await.unwrap();
                    super::$test(fixture).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    if let Some(fixture) = crate::fixture::postgres().await {
                        super::$test(fixture).await;
                    }
                }
            )*
        }
    };
}
pub(crate) use contract;

/// A new SQLite file beside the fixture's.
pub fn sqlite_backend_in(f: &Fixture) -> Backend {
    match &f.backend {
        Backend::Sqlite(path) => Backend::Sqlite(path.with_file_name("fresh.sqlite3")),
        Backend::Postgres(_) => unreachable!("a SQLite fixture"),
    }
}

/// A new, empty PostgreSQL database, not yet migrated.
pub async fn postgres_backend() -> Backend {
    let url = crate::pg_server::fresh_database()
        .await
        .expect("not skipped");
    Backend::Postgres(DatabaseUrl::parse(&url).unwrap())
}

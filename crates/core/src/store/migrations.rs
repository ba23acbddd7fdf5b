//! Numbered schema migrations, applied in order once each.
//!
//! SQLite's `user_version` records how far a database has been migrated; a
//! database from a newer build is refused rather than misread.

use super::StoreError;
use rusqlite::Connection;

/// Every migration, in order. Append only: never edit one that has shipped.
const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_leases",
    include_str!("../../migrations/0001_leases.sql"),
)];

/// Brings the schema up to date inside one transaction per migration.
pub fn apply(connection: &Connection, path: &str) -> Result<(), StoreError> {
    let current: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(StoreError::TooNew {
            path: path.to_owned(),
            found: current,
            known,
        });
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        connection.execute_batch(&format!(
            "BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
        ))?;
        tracing::info!(migration = name, version, "migrated the database");
    }
    Ok(())
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
}

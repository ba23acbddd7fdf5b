//! WAL checkpoints off the write path.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL
//! pages: that commit copies the pages into the database file and syncs it,
//! and every vote queued behind it waits milliseconds. Instead, the store's
//! own connection never checkpoints and this thread, on a second connection,
//! runs a passive checkpoint every second; passive checkpoints never block
//! the writer. When the last handle on the store is gone, the thread stops.

use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, Weak};
use std::time::Duration;

/// How often the WAL is folded back into the database file.
const EVERY: Duration = Duration::from_secs(1);

/// Starts checkpointing the database at `path` for as long as `store` lives.
pub(super) fn start(path: &Path, store: Weak<Mutex<Connection>>) {
    let path = path.to_owned();
    let spawned = std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || run(&path, &store));
    if let Err(error) = spawned {
        tracing::warn!(error = %error, "no checkpoint thread; the WAL grows until the bot stops");
    }
}

fn run(path: &Path, store: &Weak<Mutex<Connection>>) {
    let connection = match Connection::open(path) {
        Ok(connection) => connection,
        Err(error) => {
            tracing::warn!(error = %error, "the checkpoint thread cannot open the database");
            return;
        }
    };
    let mut failing = false;
    loop {
        std::thread::sleep(EVERY);
        if store.strong_count() == 0 {
            return;
        }
        let outcome = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        match outcome {
            Err(error) if !failing => {
                failing = true;
                tracing::warn!(error = %error, "WAL checkpoint failed; retrying every second");
            }
            Err(_) => {}
            Ok(()) => failing = false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[test]
    fn the_wal_is_folded_back_by_the_thread_not_by_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.sqlite3");
        let store = Store::open(&path).unwrap();
        let autocheckpoint: i64 = store
            .connection()
            .query_row("PRAGMA wal_autocheckpoint", [], |row| row.get(0))
            .unwrap();
        assert_eq!(autocheckpoint, 0, "commits never checkpoint");
        store
            .connection()
            .execute_batch(
                "CREATE TABLE filler (x BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO filler SELECT randomblob(1000) FROM n;",
            )
            .unwrap();
        let wal = path.with_extension("sqlite3-wal");
        let database_before = std::fs::metadata(&path).unwrap().len();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::fs::metadata(&path).unwrap().len() <= database_before {
            assert!(std::time::Instant::now() < deadline, "no checkpoint ran");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert!(wal.exists());
    }
}

//! Leases: at most one process acts for a role at a time.
//!
//! Two bot processes pointed at one database (a blue/green deploy, an operator
//! mistake) must not both post announcements. Whoever holds the lease acts; the
//! other keeps trying and takes over when the holder stops renewing.

use super::{Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::params;

/// A named lease held by one process.
#[derive(Debug, Clone)]
pub struct Lease {
    store: Store,
    name: String,
    holder: String,
}

impl Lease {
    /// A lease `name` that this process (identified by `holder`) may take.
    pub fn new(store: Store, name: impl Into<String>, holder: impl Into<String>) -> Self {
        Self {
            store,
            name: name.into(),
            holder: holder.into(),
        }
    }

    /// Takes or renews the lease until `now + ttl` if it is free, expired or
    /// already ours. Returns whether we hold it.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    pub fn acquire(&self, now: DateTime<Utc>, ttl: TimeDelta) -> Result<bool, StoreError> {
        self.store.write(|connection| {
            let changed = connection.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET holder = ?2, expires_at = ?3
                 WHERE leases.holder = ?2 OR leases.expires_at <= ?4",
                params![
                    self.name,
                    self.holder,
                    (now + ttl).timestamp(),
                    now.timestamp()
                ],
            )?;
            Ok(changed == 1)
        })
    }

    /// Who holds the lease now (expired or not), if anyone.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn holder(&self) -> Result<Option<String>, StoreError> {
        let connection = self.store.connection();
        let mut query = connection.prepare_cached("SELECT holder FROM leases WHERE name = ?1")?;
        let mut rows = query.query(params![self.name])?;
        Ok(match rows.next()? {
            Some(row) => Some(row.get(0)?),
            None => None,
        })
    }

    /// Takes the lease from `from` (a holder known to be gone) until
    /// `now + ttl`, unless it changed hands meanwhile. Returns whether we hold it.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    pub fn take_over(
        &self,
        from: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<bool, StoreError> {
        self.store.write(|connection| {
            let changed = connection.execute(
                "UPDATE leases SET holder = ?2, expires_at = ?3 WHERE name = ?1 AND holder = ?4",
                params![self.name, self.holder, (now + ttl).timestamp(), from],
            )?;
            Ok(changed == 1)
        })
    }

    /// Gives the lease up so another process can take it at once.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    pub fn release(&self) -> Result<(), StoreError> {
        self.store.write(|connection| {
            connection.execute(
                "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
                params![self.name, self.holder],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_until_expiry_or_release() {
        let store = Store::in_memory().unwrap();
        let a = Lease::new(store.clone(), "scheduler", "a");
        let b = Lease::new(store, "scheduler", "b");
        let t0 = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let ttl = TimeDelta::seconds(30);
        assert!(a.acquire(t0, ttl).unwrap());
        assert!(!b.acquire(t0 + TimeDelta::seconds(10), ttl).unwrap());
        assert!(
            a.acquire(t0 + TimeDelta::seconds(20), ttl).unwrap(),
            "renewal"
        );
        assert!(!b.acquire(t0 + TimeDelta::seconds(49), ttl).unwrap());
        assert!(
            b.acquire(t0 + TimeDelta::seconds(50), ttl).unwrap(),
            "expired"
        );
        b.release().unwrap();
        assert_eq!(b.holder().unwrap(), None);
        assert!(
            a.acquire(t0 + TimeDelta::seconds(51), ttl).unwrap(),
            "released"
        );
    }

    #[test]
    fn a_gone_holder_is_taken_over_before_expiry_but_only_from_that_holder() {
        let store = Store::in_memory().unwrap();
        let gone = Lease::new(store.clone(), "scheduler", "gone");
        let next = Lease::new(store, "scheduler", "next");
        let t0 = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
        let ttl = TimeDelta::seconds(30);
        assert!(gone.acquire(t0, ttl).unwrap());
        assert!(!next.acquire(t0, ttl).unwrap());
        assert_eq!(next.holder().unwrap().as_deref(), Some("gone"));
        assert!(!next.take_over("someone-else", t0, ttl).unwrap());
        assert!(next.take_over("gone", t0, ttl).unwrap());
        assert_eq!(gone.holder().unwrap().as_deref(), Some("next"));
        assert!(!gone.acquire(t0, ttl).unwrap(), "not back before expiry");
    }
}

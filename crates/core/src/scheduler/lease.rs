//! Keeping the scheduler's lease: only its holder sends.
//!
//! The lease runs on real time, not on the scheduler's clock: it is about
//! whether a process is alive, and a rehearsal or test clock may jump hours.
//! A holder whose process is gone from this host (a crash) is taken over at
//! once instead of after the lease's time; claims it left are released so
//! their jobs run again (the send's nonce covers a repeat).

use super::Scheduler;
use chrono::{TimeDelta, Utc};

/// The scheduler's lease name in the store.
pub(super) const LEASE: &str = "scheduler";

impl Scheduler {
    fn lease_ttl(&self) -> TimeDelta {
        TimeDelta::from_std(self.inner.options.lease_ttl).unwrap_or_default()
    }

    /// Takes or renews the lease; returns whether this process holds it.
    pub(super) async fn keep_lease(&self, holding: bool) -> bool {
        let me = self.inner.options.holder.clone();
        let acquired = self
            .inner
            .leases
            .acquire_lease(LEASE.into(), me, Utc::now(), self.lease_ttl())
            .await;
        let taken = match acquired {
            Ok(true) if holding => return true,
            Ok(true) => true,
            Ok(false) => self.take_from_gone().await,
            // The store already said the database refuses writes; renewing is
            // retried every few seconds, so that would be one line each time.
            Err(error) if error.is_storage_failure() => {
                tracing::debug!(%error, "could not renew the scheduler lease");
                false
            }
            Err(error) => {
                tracing::error!(%error, "could not renew the scheduler lease");
                false
            }
        };
        if taken {
            let released = self.inner.jobs.release_claims().await.unwrap_or_default();
            tracing::info!(holder = %self.inner.options.holder, released, "took the scheduler lease");
        } else if holding {
            tracing::warn!("lost the scheduler lease to another process");
        }
        taken
    }

    /// Takes the lease from a holder whose process is gone from this host.
    async fn take_from_gone(&self) -> bool {
        let me = &self.inner.options.holder;
        let Ok(Some(holder)) = self.inner.leases.lease_holder(LEASE.into()).await else {
            return false;
        };
        if !super::holder::is_gone(&holder, me) {
            return false;
        }
        let taken = self
            .inner
            .leases
            .take_lease_over(
                LEASE.into(),
                holder.clone(),
                me.clone(),
                Utc::now(),
                self.lease_ttl(),
            )
            .await
            .unwrap_or(false);
        if taken {
            tracing::info!(gone = %holder, "the previous lease holder is no longer running");
        }
        taken
    }
}

//! The sync loop: one task per process, started once beside the scheduler.
//!
//! It syncs every community at start, whenever the programme changes
//! (`/reload`, the refresh) and whenever the window rolls on the injected
//! clock (a session enters it, starts or ends), sleeping in between like the
//! scheduler does: a test or rehearsal clock moved by hand wakes it. Only
//! the holder of the [`LEASE`] syncs, so processes sharing a database do
//! not race each other to create the same events; a failed sync is tried
//! again at the next lease tick.

use super::plan::next_change;
use super::sync::EventSync;
use crate::clock::{sleep_until, Clock};
use crate::scheduler::{LeaseStorage, ProgrammeSource};
use chrono::{DateTime, TimeDelta, Utc};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The lease name in the store.
pub const LEASE: &str = "scheduled-events";

/// What the loop runs on.
pub struct Runner {
    pub sync: EventSync,
    pub leases: Arc<dyn LeaseStorage>,
    pub clock: Arc<dyn Clock>,
    /// Identifies this process in the lease.
    pub holder: String,
    /// How long the lease lasts without renewal (real time).
    pub lease_ttl: Duration,
    /// The communities to keep in step (Discord server ids).
    pub communities: Vec<String>,
}

/// Syncs until `shutdown` completes; `changes` ticks when the programme changes.
pub async fn run(
    runner: Runner,
    programme: ProgrammeSource,
    mut changes: watch::Receiver<u64>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let (mut holding, mut dirty) = (false, true);
    let mut next: Option<DateTime<Utc>> = None;
    // False once the application is gone: nothing will change again.
    let mut followed = true;
    loop {
        let held = runner.keep_lease(holding).await;
        dirty |= held && !holding;
        holding = held;
        let now = runner.clock.now();
        if holding && (dirty || next.is_some_and(|at| at <= now)) {
            let programme = programme();
            dirty = !runner.sync_all(&programme.agenda, now).await;
            next = next_change(&programme.agenda, runner.sync.window(), now);
        }
        let due = async {
            match (next, runner.clock.moved()) {
                (Some(at), _) => sleep_until(runner.clock.as_ref(), at).await,
                (None, Some(moved)) => moved.notified().await,
                (None, None) => std::future::pending().await,
            }
        };
        let changed = async {
            if followed {
                changes.changed().await.is_ok()
            } else {
                std::future::pending().await
            }
        };
        tokio::select! {
            () = &mut shutdown => break,
            open = changed => {
                followed = open;
                dirty |= open;
            }
            () = tokio::time::sleep(runner.lease_ttl / 3) => {}
            () = due => {}
        }
    }
    if holding {
        let _ = runner
            .leases
            .release_lease(LEASE.into(), runner.holder.clone())
            .await;
    }
}

impl Runner {
    /// Syncs every community; false when one of them failed.
    async fn sync_all(&self, agenda: &crate::agenda::Agenda, now: DateTime<Utc>) -> bool {
        let mut all = true;
        for community in &self.communities {
            match self.sync.sync(community, agenda, now).await {
                Ok(counts) => tracing::info!(
                    community,
                    planned = counts.planned,
                    created = counts.created,
                    updated = counts.updated,
                    deleted = counts.deleted,
                    adopted = counts.adopted,
                    started = counts.started,
                    completed = counts.completed,
                    withdrawn = counts.withdrawn,
                    "scheduled events in step"
                ),
                Err(error) => {
                    tracing::warn!(community, %error, "could not sync the scheduled events; trying again shortly");
                    all = false;
                }
            }
        }
        all
    }

    async fn keep_lease(&self, holding: bool) -> bool {
        let ttl = TimeDelta::from_std(self.lease_ttl).unwrap_or(TimeDelta::seconds(15));
        let me = self.holder.clone();
        let acquired = self
            .leases
            .acquire_lease(LEASE.into(), me.clone(), Utc::now(), ttl)
            .await;
        match acquired {
            Ok(true) => true,
            Ok(false) => {
                let Ok(Some(holder)) = self.leases.lease_holder(LEASE.into()).await else {
                    return false;
                };
                if !crate::scheduler::holder::is_gone(&holder, &me) {
                    return false;
                }
                let over = self
                    .leases
                    .take_lease_over(LEASE.into(), holder, me, Utc::now(), ttl);
                over.await.unwrap_or(false)
            }
            Err(error) => {
                if holding {
                    tracing::warn!(%error, "could not renew the scheduled-events lease");
                }
                false
            }
        }
    }
}

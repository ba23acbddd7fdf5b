//! One reconciliation of a community's scheduled events with the plan.
//!
//! The platform's events are read first, so the sync works from what is
//! there, not from what it believes: an event it made whose id is stored is
//! updated when its session moved or was renamed, deleted when its session
//! was cancelled, is over or left the plan (its slot under the cap goes to
//! the next session), and forgotten once it is gone from the platform. An event it made but did not get to store (a crash
//! between the two) is recognised by its creator, name and start, and
//! adopted. Every other event (an organiser's) is never touched, but counts
//! against the platform's cap, which the plan stays under. Deletions go
//! before creations, so the cap holds at every step.

use super::plan::{plan, PlannedEvent};
use super::store::EventStore;
use super::EventError;
use crate::agenda::{Agenda, SessionId};
use crate::chat::{PortError, PortFuture};
use crate::scheduler::PlanSettings;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// An event as the platform shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// Scheduled or running: it counts against the cap.
    pub uncompleted: bool,
    /// Made by this bot; an organiser's own events are never touched.
    pub ours: bool,
}

impl LiveEvent {
    /// Whether it already says what `planned` says.
    fn matches(&self, planned: &PlannedEvent) -> bool {
        self.name == planned.name
            && self.description == planned.description
            && self.location.as_deref() == Some(planned.location.as_str())
            && self.start == planned.start
            && self.end == Some(planned.end)
    }
}

/// What the core needs from a platform's scheduled events.
pub trait EventPlatform: Send + Sync {
    /// How many uncompleted events one community may hold (Discord: 100).
    fn limit(&self) -> usize;
    /// Every event of `community`, whoever made it.
    fn list<'a>(&'a self, community: &'a str) -> PortFuture<'a, Vec<LiveEvent>>;
    /// Makes an event; returns its id.
    fn create<'a>(&'a self, community: &'a str, event: &'a PlannedEvent) -> PortFuture<'a, String>;
    /// Makes event `id` say what `event` says.
    fn update<'a>(
        &'a self,
        community: &'a str,
        id: &'a str,
        event: &'a PlannedEvent,
    ) -> PortFuture<'a, ()>;
    /// Deletes event `id`.
    fn delete<'a>(&'a self, community: &'a str, id: &'a str) -> PortFuture<'a, ()>;
}

/// What one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub adopted: usize,
    /// Stored events found gone from the platform, and forgotten.
    pub forgotten: usize,
    /// Planned events, after the cap.
    pub planned: usize,
}

/// Reconciles communities' events with the programme; cheap to clone.
#[derive(Clone)]
pub struct EventSync {
    store: Arc<dyn EventStore>,
    platform: Arc<dyn EventPlatform>,
    routing: PlanSettings,
    window: TimeDelta,
}

impl EventSync {
    /// A sync over `store` and `platform`; `routing` names each session's
    /// channel (its event's location), `window` is the rolling window.
    pub fn new(
        store: Arc<dyn EventStore>,
        platform: Arc<dyn EventPlatform>,
        routing: PlanSettings,
        window: TimeDelta,
    ) -> Self {
        Self {
            store,
            platform,
            routing,
            window,
        }
    }

    /// The rolling window.
    pub fn window(&self) -> TimeDelta {
        self.window
    }

    /// The session an event of `community` stands for, if emcee made it.
    ///
    /// # Errors
    /// [`EventError::Store`] when the database fails.
    pub async fn session_of(
        &self,
        community: &str,
        event: &str,
    ) -> Result<Option<SessionId>, EventError> {
        let found = self.store.session_of_event(community.into(), event.into());
        Ok(found.await?)
    }

    /// Brings `community`'s events in line with `agenda` at `now`.
    ///
    /// # Errors
    /// [`EventError`] when the platform cannot be read or the database
    /// fails; a single event the platform refuses is logged and skipped.
    pub async fn sync(
        &self,
        community: &str,
        agenda: &Agenda,
        now: DateTime<Utc>,
    ) -> Result<SyncCounts, EventError> {
        let live = self.platform.list(community).await?;
        let stored = self.store.events_of(community.into()).await?;
        let stored_ids: BTreeSet<&str> = stored.iter().map(|s| s.event.as_str()).collect();
        let foreign = live
            .iter()
            .filter(|e| e.uncompleted && !e.ours && !stored_ids.contains(e.id.as_str()))
            .count();
        let cap = self.platform.limit().saturating_sub(foreign);
        let planned = plan(agenda, &self.routing, self.window, now, cap);
        let wanted: BTreeMap<&SessionId, &PlannedEvent> =
            planned.iter().map(|p| (&p.session, p)).collect();
        let by_id: BTreeMap<&str, &LiveEvent> = live.iter().map(|e| (e.id.as_str(), e)).collect();
        let mut counts = SyncCounts {
            planned: planned.len(),
            ..SyncCounts::default()
        };
        let mut present: BTreeSet<SessionId> = BTreeSet::new();
        for kept in &stored {
            let event = by_id.get(kept.event.as_str()).filter(|e| e.uncompleted);
            match (event, wanted.get(&kept.session)) {
                (Some(event), Some(planned)) => {
                    if !event.matches(planned) {
                        self.update(community, &event.id, planned, &mut counts)
                            .await;
                    }
                    present.insert(kept.session.clone());
                    continue;
                }
                // Cancelled, over, moved out of the window or over the cap:
                // its slot goes to a session that needs it.
                (Some(event), None) => {
                    if !self.delete(community, &event.id, &mut counts).await {
                        continue;
                    }
                }
                (None, _) => counts.forgotten += 1,
            }
            let (session, id) = (kept.session.clone(), kept.event.clone());
            self.store
                .forget_event(community.into(), session, id)
                .await?;
        }
        let mut orphans: Vec<&LiveEvent> = live
            .iter()
            .filter(|e| e.ours && e.uncompleted && !stored_ids.contains(e.id.as_str()))
            .collect();
        for planned in &planned {
            if present.contains(&planned.session) {
                continue;
            }
            let orphan = orphans
                .iter()
                .position(|e| e.name == planned.name && e.start == planned.start);
            let id = match orphan {
                Some(index) => {
                    let orphan = orphans.swap_remove(index);
                    counts.adopted += 1;
                    if !orphan.matches(planned) {
                        self.update(community, &orphan.id, planned, &mut counts)
                            .await;
                    }
                    orphan.id.clone()
                }
                // The platform takes no event that starts in the past.
                None if planned.start <= now => continue,
                None => match self.platform.create(community, planned).await {
                    Ok(id) => {
                        counts.created += 1;
                        id
                    }
                    Err(error) => {
                        refused(&error, "create", &planned.session)?;
                        continue;
                    }
                },
            };
            let session = planned.session.clone();
            self.store
                .keep_event(community.into(), session, id, now)
                .await?;
        }
        Ok(counts)
    }

    async fn update(
        &self,
        community: &str,
        id: &str,
        planned: &PlannedEvent,
        counts: &mut SyncCounts,
    ) {
        match self.platform.update(community, id, planned).await {
            Ok(()) => counts.updated += 1,
            Err(error) => {
                tracing::warn!(%error, event = id, session = %planned.session, "could not update a scheduled event");
            }
        }
    }

    /// Deletes an event emcee made; true when it is gone.
    async fn delete(&self, community: &str, id: &str, counts: &mut SyncCounts) -> bool {
        match self.platform.delete(community, id).await {
            Ok(()) => {
                counts.deleted += 1;
                true
            }
            Err(error) => {
                tracing::warn!(%error, event = id, "could not delete a scheduled event");
                false
            }
        }
    }
}

/// A refusal of one event is logged and skipped; a passing failure stops
/// the sync, to be tried again whole.
fn refused(error: &PortError, what: &str, session: &SessionId) -> Result<(), EventError> {
    match error {
        PortError::Transient(_) => Err(EventError::Platform(error.clone())),
        _ => {
            tracing::warn!(%error, %session, "the platform refused to {what} a scheduled event");
            Ok(())
        }
    }
}

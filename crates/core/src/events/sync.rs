//! One reconciliation of a community's scheduled events with the plan.
//!
//! The platform's events are read first, so the sync works from what is
//! there, not from what it believes. An event it made whose id is stored:
//! - goes live (ACTIVE) when its session starts and is completed when the
//!   session ends, since the platform starts no EXTERNAL event by itself
//!   and counts it against the cap until it ends; one the bot was down for
//!   is started and completed at once. These are the platform's only moves:
//!   SCHEDULED to ACTIVE (or CANCELED), ACTIVE to COMPLETED; a finished
//!   event never changes again;
//! - is updated when its session moved or was renamed, but a live one
//!   keeps its start (the platform refuses to move a started event) and
//!   stays live until its session ends;
//! - is deleted when its session was cancelled or left the plan before it
//!   started (out of the window, or over the cap: its slot goes to a
//!   sooner session);
//! - when an organiser deleted, cancelled or ended it by hand, is
//!   remembered as withdrawn and not made again, unless its session itself
//!   changes (moved or renamed): then it is a new event, worth making.
//!
//! An event it made but did not get to store (a crash between the two) is
//! recognised by its creator, name and start, and adopted. Every other
//! event (an organiser's) is never touched, but counts against the cap
//! while scheduled or live, which the plan stays under. Deletions and
//! completions go before creations, so the cap holds at every step.

use super::plan::{event_text, plan, PlannedEvent};
use super::port::{EventPlatform, EventStatus, LiveEvent};
use super::store::{EventShape, EventStore, StoredEvent};
use super::EventError;
use crate::agenda::{Agenda, SessionId};
use crate::chat::PortError;
use crate::scheduler::PlanSettings;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What a planned event says of its session.
fn shape(planned: &PlannedEvent) -> EventShape {
    EventShape {
        start: planned.start,
        end: planned.end,
        name: planned.name.clone(),
    }
}

/// What one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    pub adopted: usize,
    /// Events made live as their session started.
    pub started: usize,
    /// Events completed as their session ended.
    pub completed: usize,
    /// Events an organiser deleted, cancelled or ended by hand, found so
    /// and remembered as withdrawn.
    pub withdrawn: usize,
    /// Stored events forgotten: deleted, completed, or gone with their session.
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

/// One community's sync in progress.
struct Pass<'a> {
    sync: &'a EventSync,
    community: &'a str,
    agenda: &'a Agenda,
    now: DateTime<Utc>,
    counts: SyncCounts,
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
        let mut pass = Pass {
            sync: self,
            community,
            agenda,
            now,
            counts: SyncCounts::default(),
        };
        pass.run(&live, &stored).await?;
        Ok(pass.counts)
    }
}

impl Pass<'_> {
    async fn run(&mut self, live: &[LiveEvent], stored: &[StoredEvent]) -> Result<(), EventError> {
        let stored_ids: BTreeSet<&str> = stored.iter().map(|s| s.event.as_str()).collect();
        let foreign = live
            .iter()
            .filter(|e| e.status.counts() && !e.ours && !stored_ids.contains(e.id.as_str()))
            .count();
        let by_id: BTreeMap<&str, &LiveEvent> = live.iter().map(|e| (e.id.as_str(), e)).collect();
        let mut held: Vec<(&StoredEvent, &LiveEvent)> = Vec::new();
        let mut withdrawn: BTreeMap<&SessionId, Option<&EventShape>> = BTreeMap::new();
        for kept in stored {
            let event = by_id.get(kept.event.as_str()).copied();
            match event.filter(|e| !kept.withdrawn && e.status.counts()) {
                Some(event) => held.push((kept, event)),
                None if self.upcoming(&kept.session) => {
                    if !kept.withdrawn {
                        self.withdraw(kept, event).await?;
                    }
                    withdrawn.insert(&kept.session, kept.shape.as_ref());
                }
                None => self.forget(kept).await?,
            }
        }
        // Live events stay live until their session ends, in the plan or not.
        let live_now: BTreeSet<&SessionId> = held
            .iter()
            .filter(|(kept, e)| e.status == EventStatus::Active && self.upcoming(&kept.session))
            .map(|(kept, _)| &kept.session)
            .collect();
        let sync = self.sync;
        let all = plan(
            self.agenda,
            &sync.routing,
            sync.window,
            self.now,
            usize::MAX,
        );
        let cap = sync.platform.limit().saturating_sub(foreign);
        let mut room = cap.saturating_sub(live_now.len());
        let planned: Vec<PlannedEvent> = all
            .into_iter()
            .filter(|p| match withdrawn.get(&p.session) {
                // A withdrawn event stays so while its session is unchanged.
                Some(was) => was.is_some_and(|was| *was != shape(p)),
                None => true,
            })
            .filter(|p| {
                let fits = live_now.contains(&p.session) || room > 0;
                if fits && !live_now.contains(&p.session) {
                    room -= 1;
                }
                fits
            })
            .collect();
        self.counts.planned = planned.len();
        let wanted: BTreeMap<&SessionId, &PlannedEvent> =
            planned.iter().map(|p| (&p.session, p)).collect();
        let mut present: BTreeSet<&SessionId> = BTreeSet::new();
        for (kept, event) in held {
            if self
                .follow(kept, event, wanted.get(&kept.session).copied())
                .await?
            {
                present.insert(&kept.session);
            }
        }
        let mut orphans: Vec<&LiveEvent> = live
            .iter()
            .filter(|e| e.ours && e.status.counts() && !stored_ids.contains(e.id.as_str()))
            .collect();
        for planned in planned.iter().filter(|p| !present.contains(&p.session)) {
            self.make(planned, &mut orphans).await?;
        }
        Ok(())
    }

    /// Whether `session` is still to come or running.
    fn upcoming(&self, session: &SessionId) -> bool {
        let found = self.agenda.session(session);
        found.is_some_and(|s| s.end > self.now)
    }

    /// Keeps a stored, uncompleted event in step with its session; true
    /// when it stays.
    async fn follow(
        &mut self,
        kept: &StoredEvent,
        event: &LiveEvent,
        planned: Option<&PlannedEvent>,
    ) -> Result<bool, EventError> {
        let session = self.agenda.session(&kept.session);
        let ended = session.is_some_and(|s| s.end <= self.now);
        let started = event.status == EventStatus::Active;
        if ended || (started && session.is_none()) {
            // Over (or cancelled while live): a live event can only end.
            let live = started || self.set_status(event, EventStatus::Active).await?;
            if live && self.set_status(event, EventStatus::Completed).await? {
                self.counts.completed += 1;
                self.forget(kept).await?;
            }
            return Ok(false);
        }
        let Some(planned) = planned else {
            if started {
                return Ok(true);
            }
            if self.delete(&event.id).await {
                self.forget(kept).await?;
            }
            return Ok(false);
        };
        let starting = planned.start <= self.now;
        let updated =
            !event.matches(planned) && self.update(&event.id, planned, started || starting).await;
        if updated || kept.shape.is_none() {
            let keep = self.sync.store.keep_event(
                self.community.into(),
                kept.session.clone(),
                event.id.clone(),
                shape(planned),
                self.now,
            );
            keep.await?;
        }
        if !started && starting && self.set_status(event, EventStatus::Active).await? {
            self.counts.started += 1;
        }
        Ok(true)
    }

    /// Makes (or adopts) the event of `planned`, and keeps its id.
    async fn make(
        &mut self,
        planned: &PlannedEvent,
        orphans: &mut Vec<&LiveEvent>,
    ) -> Result<(), EventError> {
        let orphan = orphans
            .iter()
            .position(|e| e.name == planned.name && e.start == planned.start);
        let id = match orphan {
            Some(index) => {
                let orphan = orphans.swap_remove(index);
                self.counts.adopted += 1;
                let started = orphan.status == EventStatus::Active;
                let starting = planned.start <= self.now;
                if !orphan.matches(planned) {
                    self.update(&orphan.id, planned, started || starting).await;
                }
                if !started && starting && self.set_status(orphan, EventStatus::Active).await? {
                    self.counts.started += 1;
                }
                orphan.id.clone()
            }
            // The platform takes no event that starts in the past.
            None if planned.start <= self.now => return Ok(()),
            None => match self.sync.platform.create(self.community, planned).await {
                Ok(id) => {
                    self.counts.created += 1;
                    id
                }
                Err(error) => return refused(&error, "create", &planned.session),
            },
        };
        let (session, community) = (planned.session.clone(), self.community.into());
        let keep = self
            .sync
            .store
            .keep_event(community, session, id, shape(planned), self.now);
        Ok(keep.await?)
    }

    /// Remembers that an organiser withdrew `kept` (its event `event` is
    /// cancelled or ended, or gone when `None`).
    async fn withdraw(
        &mut self,
        kept: &StoredEvent,
        event: Option<&LiveEvent>,
    ) -> Result<(), EventError> {
        let said = event
            .and_then(LiveEvent::shape)
            .or_else(|| kept.shape.clone());
        let session = self.agenda.session(&kept.session);
        let said = said.or_else(|| {
            let planned = event_text(self.agenda, &self.sync.routing, session?);
            Some(shape(&planned))
        });
        let Some(said) = said else {
            return self.forget(kept).await;
        };
        tracing::info!(session = %kept.session, event = %kept.event, "an organiser withdrew a session's scheduled event; it is not made again while the session stays as it is");
        self.counts.withdrawn += 1;
        let withdraw = self.sync.store.withdraw_event(
            self.community.into(),
            kept.session.clone(),
            kept.event.clone(),
            said,
            self.now,
        );
        Ok(withdraw.await?)
    }

    async fn forget(&mut self, kept: &StoredEvent) -> Result<(), EventError> {
        self.counts.forgotten += 1;
        let (session, id) = (kept.session.clone(), kept.event.clone());
        let forget = self
            .sync
            .store
            .forget_event(self.community.into(), session, id);
        Ok(forget.await?)
    }

    /// Moves an event to `status`; true when it did.
    async fn set_status(
        &mut self,
        event: &LiveEvent,
        status: EventStatus,
    ) -> Result<bool, EventError> {
        let platform = &self.sync.platform;
        match platform.set_status(self.community, &event.id, status).await {
            Ok(()) => Ok(true),
            Err(PortError::Transient(error)) => {
                Err(EventError::Platform(PortError::Transient(error)))
            }
            Err(error) => {
                tracing::warn!(%error, event = %event.id, ?status, "the platform refused a scheduled event's status");
                Ok(false)
            }
        }
    }

    /// Updates an event; true when it did.
    async fn update(&mut self, id: &str, planned: &PlannedEvent, started: bool) -> bool {
        let platform = &self.sync.platform;
        match platform.update(self.community, id, planned, started).await {
            Ok(()) => {
                self.counts.updated += 1;
                true
            }
            Err(error) => {
                tracing::warn!(%error, event = id, session = %planned.session, "could not update a scheduled event");
                false
            }
        }
    }

    /// Deletes an event emcee made; true when it is gone.
    async fn delete(&mut self, id: &str) -> bool {
        match self.sync.platform.delete(self.community, id).await {
            Ok(()) => {
                self.counts.deleted += 1;
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

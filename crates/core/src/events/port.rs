//! The platform port for scheduled events: what the sync reads of a
//! platform's events ([`LiveEvent`], with its [`EventStatus`]) and what it
//! asks the platform to do ([`EventPlatform`]). The Discord adapter
//! implements it; the core knows no Discord type.

use super::plan::PlannedEvent;
use super::store::EventShape;
use crate::chat::PortFuture;
use chrono::{DateTime, Utc};

/// Where an event is in its life, as the platform says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Scheduled,
    /// Live: its session has started.
    Active,
    Completed,
    Canceled,
}

impl EventStatus {
    /// Scheduled or live: it counts against the cap.
    pub fn counts(self) -> bool {
        matches!(self, Self::Scheduled | Self::Active)
    }
}

/// An event as the platform shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub status: EventStatus,
    /// Made by this bot; an organiser's own events are never touched.
    pub ours: bool,
}

impl LiveEvent {
    /// Whether it already says what `planned` says; a live event's start
    /// is its own.
    pub(super) fn matches(&self, planned: &PlannedEvent) -> bool {
        self.name == planned.name
            && self.description == planned.description
            && self.location.as_deref() == Some(planned.location.as_str())
            && (self.start == planned.start || self.status == EventStatus::Active)
            && self.end == Some(planned.end)
    }

    pub(super) fn shape(&self) -> Option<EventShape> {
        Some(EventShape {
            start: self.start,
            end: self.end?,
            name: self.name.clone(),
        })
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
    /// Makes event `id` say what `event` says; a `started` one keeps its
    /// start.
    fn update<'a>(
        &'a self,
        community: &'a str,
        id: &'a str,
        event: &'a PlannedEvent,
        started: bool,
    ) -> PortFuture<'a, ()>;
    /// Moves event `id` to `status` (ACTIVE or COMPLETED).
    fn set_status<'a>(
        &'a self,
        community: &'a str,
        id: &'a str,
        status: EventStatus,
    ) -> PortFuture<'a, ()>;
    /// Deletes event `id`.
    fn delete<'a>(&'a self, community: &'a str, id: &'a str) -> PortFuture<'a, ()>;
}

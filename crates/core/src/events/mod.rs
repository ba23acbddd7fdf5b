//! Scheduled events: the platform's own calendar entries for sessions
//! (Discord's Guild Scheduled Events), kept in step with the agenda.
//!
//! A platform caps them (Discord: 100 scheduled or active events per
//! server, the organisers' own included), so not the whole programme gets
//! one: the keynotes do, and every other session starting within a rolling
//! window (6 hours by default). [`plan`] decides which, pure; [`EventSync`]
//! reconciles one community's events with that plan through an
//! [`EventPlatform`], remembering each event's id per (community, session)
//! in the store ([`EventStore`]), so a restart adopts what it made instead
//! of making it again and an event an organiser made by hand is never
//! touched. An event goes live when its session starts and is completed
//! when it ends (the platform does neither by itself for an event held
//! outside it); one an organiser deleted or cancelled by hand stays so
//! until its session changes. [`run`] keeps doing so as the programme changes and as the
//! window rolls on the injected clock, under a lease so that one process
//! of several sharing a database syncs.
//!
//! - `plan.rs`: which sessions get an event, and what it says.
//! - `port.rs`: the platform port: its events, their statuses, its calls.
//! - `sync.rs`: one reconciliation.
//! - `runner.rs`: the loop, its lease and its wake-ups.
//! - `store.rs`: the storage trait.

mod plan;
mod port;
mod runner;
mod store;
mod sync;

pub use plan::{event_text, plan, PlannedEvent, DESCRIPTION_CHARS, NAME_CHARS};
pub use port::{EventPlatform, EventStatus, LiveEvent};
pub use runner::{run, Runner, LEASE};
pub use store::{EventShape, EventStore, StoredEvent};
pub use sync::{EventSync, SyncCounts};

use crate::store::StoreError;
use chrono::TimeDelta;
use serde::{Deserialize, Deserializer};

/// Why a sync did not finish.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the platform: {0}")]
    Platform(#[from] crate::chat::PortError),
}

/// `[discord.events]`: which sessions get a scheduled event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventSettings {
    /// Off by default (`[discord] scheduled_events = true` turns it on too).
    pub enabled: bool,
    /// Sessions starting within this many hours get an event (default 6,
    /// 1 to 168); keynotes get one whenever they are.
    #[serde(deserialize_with = "window_hours")]
    pub window_hours: u32,
}

impl Default for EventSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            window_hours: 6,
        }
    }
}

impl EventSettings {
    /// The rolling window.
    pub fn window(&self) -> TimeDelta {
        TimeDelta::hours(i64::from(self.window_hours))
    }
}

fn window_hours<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let hours = u32::deserialize(deserializer)?;
    if (1..=168).contains(&hours) {
        Ok(hours)
    } else {
        Err(serde::de::Error::custom(format!(
            "window_hours must be 1 to 168 (a week), not {hours}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_defaults_to_six_hours_and_must_be_sensible() {
        let settings: EventSettings = toml::from_str("enabled = true").unwrap();
        assert_eq!(settings.window(), TimeDelta::hours(6));
        let wrong = toml::from_str::<EventSettings>("window_hours = 0").unwrap_err();
        assert!(wrong.to_string().contains("1 to 168"), "{wrong}");
        assert!(toml::from_str::<EventSettings>("windows = 3").is_err());
    }
}

//! `[stars]` in emcee.toml.

use serde::Deserialize;

/// `[stars]`: what starring a session does besides adding it to one's day.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StarSettings {
    /// Minutes before a starred session that its reminder DM goes out
    /// (default 10); 0: stars set no reminder.
    pub reminder_minutes: u32,
}

impl Default for StarSettings {
    fn default() -> Self {
        Self {
            reminder_minutes: crate::reminders::DEFAULT_MINUTES,
        }
    }
}

//! Names of the operational metrics, shared by the core (scheduler, polls) and
//! the adapters, so dashboards and code agree. Recording goes through the
//! `metrics` facade: free when no recorder is installed.

pub const COMMANDS: &str = "emcee_commands_total";
pub const COMMAND_SECONDS: &str = "emcee_command_duration_seconds";
pub const GATEWAY_CONNECTS: &str = "emcee_gateway_connects_total";
pub const REST_REQUESTS: &str = "emcee_rest_requests_total";
pub const RATE_LIMITED: &str = "emcee_rate_limited_total";
pub const ANNOUNCEMENTS: &str = "emcee_announcements_total";
pub const ANNOUNCEMENT_LATENESS: &str = "emcee_announcement_lateness_seconds";
pub const OPEN_POLLS: &str = "emcee_open_polls";
pub const VOTES: &str = "emcee_votes_recorded_total";
pub const REMINDERS: &str = "emcee_reminders_sent_total";
pub const STORE_WRITE_FAILURES: &str = "emcee_store_write_failures_total";

//! `emcee.toml`: how the bot runs (as opposed to `agenda.toml`, what the day holds).
//!
//! Each feature owns one section and one typed struct; unknown keys are errors so
//! a typo never silently turns a feature off. Platform ids (Discord channel and
//! role snowflakes, Slack channel ids) are opaque strings here: the core routes by
//! key, the adapter knows what the key means. No secret ever lives in this file.

use crate::polls::PollLimits;
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The whole of `emcee.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub conference: ConferenceSettings,
    #[serde(default)]
    pub store: StoreSettings,
    pub agenda: AgendaSettings,
    #[serde(default)]
    pub announcements: AnnouncementSettings,
    #[serde(default)]
    pub organisers: OrganiserSettings,
    #[serde(default)]
    pub polls: PollSettings,
    /// The old home of `servers`, still read; `emcee check` says to move it.
    #[serde(default)]
    pub chat: ChatSettings,
    #[serde(default)]
    pub discord: DiscordSettings,
    /// Absent: emcee does not serve Slack.
    #[serde(default)]
    pub slack: Option<SlackSettings>,
    #[serde(default)]
    pub metrics: MetricsSettings,
    #[serde(default)]
    pub questions: crate::questions::QuestionSettings,
    #[serde(default)]
    pub threads: crate::questions::ThreadSettings,
    #[serde(default)]
    pub stars: crate::stars::StarSettings,
    #[serde(default)]
    pub web: crate::feeds::WebSettings,
    #[serde(default)]
    pub nudges: crate::nudges::NudgeSettings,
}

/// `[metrics]`: the optional Prometheus and health listener.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Address for `/metrics` and `/healthz`, e.g. "127.0.0.1:9187"; none: off.
    #[serde(default)]
    pub listen: Option<std::net::SocketAddr>,
}

impl Settings {
    /// Default settings for an agenda `source` in `timezone`.
    pub fn defaults_for(source: String, timezone: Tz) -> Self {
        Self {
            conference: ConferenceSettings { timezone },
            store: StoreSettings::default(),
            agenda: AgendaSettings {
                source,
                refresh_minutes: default_refresh_minutes(),
                allow_private: false,
                timezone: None,
            },
            announcements: AnnouncementSettings::default(),
            organisers: OrganiserSettings::default(),
            polls: PollSettings::default(),
            chat: ChatSettings::default(),
            discord: DiscordSettings::default(),
            slack: None,
            metrics: MetricsSettings::default(),
            questions: crate::questions::QuestionSettings::default(),
            threads: crate::questions::ThreadSettings::default(),
            stars: crate::stars::StarSettings::default(),
            web: crate::feeds::WebSettings::default(),
            nudges: crate::nudges::NudgeSettings::default(),
        }
    }

    /// The Discord server ids emcee serves: `[discord] servers`, or the old
    /// `[chat] servers` when only that is set. Empty: every server the bot is in.
    pub fn servers(&self) -> &[String] {
        if self.discord.servers.is_empty() {
            &self.chat.servers
        } else {
            &self.discord.servers
        }
    }
}

/// `[conference]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConferenceSettings {
    /// IANA zone: local days, console times, and times given without an offset.
    pub timezone: Tz,
}

/// `[chat]`: where `servers` lived before `[discord]`; read for compatibility.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSettings {
    /// Deprecated: the same as `[discord] servers`.
    #[serde(default)]
    pub servers: Vec<String>,
}

/// `[discord]`: the Discord adapter's ids.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordSettings {
    /// Server (guild) ids emcee serves: commands are registered there at start,
    /// which is instant, channel names resolve only there, and commands from any
    /// other server are refused. Empty: every server the bot is in is served and
    /// commands are registered globally, which can take up to an hour.
    #[serde(default)]
    pub servers: Vec<String>,
    /// The shards this process runs, `"FIRST-LAST/TOTAL"` (`--shards` wins);
    /// none: one process runs them all (one shard, today's default).
    #[serde(default)]
    pub shards: Option<super::ShardRange>,
    /// Keep Guild Scheduled Events for the keynotes and the next sessions
    /// (`[discord.events]` says more); off by default.
    #[serde(default)]
    pub scheduled_events: bool,
    /// `[discord.events]`: `enabled`, `window_hours`.
    #[serde(default)]
    pub events: crate::events::EventSettings,
    /// Meme contests opened by `/contest open` without a `[[contests]]` in
    /// the agenda: asks Discord for the Message Content intent (privileged:
    /// turn it on in the developer portal first). A declared contest asks
    /// for it on its own.
    #[serde(default)]
    pub contests: bool,
}

impl DiscordSettings {
    /// The scheduled-events settings when the feature is on
    /// (`scheduled_events = true` or `[discord.events] enabled = true`).
    pub fn scheduled_events(&self) -> Option<crate::events::EventSettings> {
        (self.scheduled_events || self.events.enabled).then(|| crate::events::EventSettings {
            enabled: true,
            ..self.events.clone()
        })
    }
}

/// `[slack]`: the Slack adapter's ids. Channels are routed by the same names
/// as on Discord (`[announcements]`, `[polls] channel`), resolved in the
/// workspace; the tokens come from the environment only.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSettings {
    /// The workspace (team) id emcee serves, e.g. `T0123ABCD`: channel names
    /// resolve there, and commands, clicks and reactions from any other
    /// workspace act on nothing.
    pub workspace: String,
    /// User ids (`U…`, `W…`) and user-group ids (`S…`) who may run organiser
    /// commands, besides the workspace's admins and owners.
    #[serde(default)]
    pub organisers: Vec<String>,
}

/// `[store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// SQLite file; relative paths are relative to the config file's folder.
    #[serde(default = "default_database")]
    pub database: PathBuf,
    /// Largest the database may grow, in MiB; none: as far as the disk allows.
    /// Past it, writes fail as on a full disk (the bot keeps answering reads),
    /// so a runaway table cannot fill the disk other services share.
    #[serde(default)]
    pub max_size_mb: Option<u32>,
    /// A PostgreSQL URL (`postgres://…`) instead of the SQLite file, for
    /// several processes; `EMCEE_DATABASE_URL` takes precedence. Shown
    /// without its password.
    #[serde(default)]
    pub url: Option<crate::store::DatabaseUrl>,
}

impl StoreSettings {
    /// `max_size_mb` in bytes.
    pub fn max_bytes(&self) -> Option<u64> {
        self.max_size_mb.map(|mb| u64::from(mb) * 1024 * 1024)
    }
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            database: default_database(),
            max_size_mb: None,
            url: None,
        }
    }
}

fn default_database() -> PathBuf {
    PathBuf::from("emcee.sqlite3")
}

/// `[agenda]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaSettings {
    /// A path (relative to the config file's folder) or an http(s) URL.
    pub source: String,
    /// How often a URL source is fetched again, in minutes.
    #[serde(default = "default_refresh_minutes")]
    pub refresh_minutes: u32,
    /// Let the source's redirects reach loopback, private and link-local
    /// addresses. Off: only the configured URL's own host may be one.
    #[serde(default)]
    pub allow_private: bool,
    /// The zone the source's times without an offset are in, and its days are
    /// counted in when the file names none. Default: `[conference] timezone`.
    #[serde(default)]
    pub timezone: Option<Tz>,
}

impl Settings {
    /// The zone an agenda source's offset-less times are read in: `[agenda]
    /// timezone`, else `[conference] timezone`.
    pub fn source_timezone(&self) -> Tz {
        self.agenda.timezone.unwrap_or(self.conference.timezone)
    }
}

fn default_refresh_minutes() -> u32 {
    5
}

/// `[announcements]`: where and when sessions are announced.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnouncementSettings {
    /// Minutes before each session's start to announce it; 0 means "starting now".
    #[serde(default = "default_lead_minutes")]
    pub lead_minutes: Vec<u32>,
    /// Channel for sessions whose track and room have no channel of their own.
    #[serde(default)]
    pub default_channel: Option<String>,
    /// Keynotes are also announced here.
    #[serde(default)]
    pub main_channel: Option<String>,
    /// Track name -> channel.
    #[serde(default)]
    pub tracks: BTreeMap<String, String>,
    /// Room name -> channel.
    #[serde(default)]
    pub rooms: BTreeMap<String, String>,
    /// Post "now available on demand" after a session with a video link ends.
    #[serde(default = "yes")]
    pub on_demand: bool,
    /// Local time (conference timezone) of the daily programme digest, "HH:MM"; none: no digest.
    #[serde(default, deserialize_with = "crate::scheduler::local_time")]
    pub digest_at: Option<chrono::NaiveTime>,
    /// After a restart, jobs that fell due at most this many minutes ago are still run.
    #[serde(default = "default_catch_up_minutes")]
    pub catch_up_minutes: u32,
    /// Post a short "schedule change" notice in the default channel when sessions move or are cancelled.
    #[serde(default)]
    pub change_notices: bool,
    /// Channel -> role id to ping with announcements there (the only mention ever sent):
    /// a Discord role, or a Slack user group (`S…`) when `[slack]` is set.
    #[serde(default)]
    pub channel_roles: BTreeMap<String, String>,
    /// Session kind ("keynote", "talk", ...) -> role id to ping, where the channel has none.
    #[serde(default)]
    pub kind_roles: BTreeMap<String, String>,
    /// Personal reminders one user may hold at a time.
    #[serde(default = "default_reminder_limit")]
    pub reminder_limit: usize,
    /// How long before its due instant a reminder DM may go out, so that a
    /// burst of same-minute reminders is spread under the platform's limits
    /// (a reminder says "starts in …", true a few seconds early). 0 to 300.
    #[serde(default = "default_reminders_ahead_seconds")]
    pub reminders_ahead_seconds: u32,
}

impl Default for AnnouncementSettings {
    fn default() -> Self {
        Self {
            lead_minutes: default_lead_minutes(),
            default_channel: None,
            main_channel: None,
            tracks: BTreeMap::new(),
            rooms: BTreeMap::new(),
            on_demand: true,
            digest_at: None,
            catch_up_minutes: default_catch_up_minutes(),
            change_notices: false,
            channel_roles: BTreeMap::new(),
            kind_roles: BTreeMap::new(),
            reminder_limit: default_reminder_limit(),
            reminders_ahead_seconds: default_reminders_ahead_seconds(),
        }
    }
}

fn default_lead_minutes() -> Vec<u32> {
    vec![5, 0]
}

fn default_catch_up_minutes() -> u32 {
    10
}

fn default_reminder_limit() -> usize {
    100
}

/// Chosen with `benches/reminder_burst.rs` (see `SchedulerOptions`).
fn default_reminders_ahead_seconds() -> u32 {
    45
}

fn yes() -> bool {
    true
}

/// `[organisers]`: who may run organiser commands (create polls, reload).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganiserSettings {
    /// Role ids whose members are organisers (besides those who may manage the server).
    #[serde(default)]
    pub roles: Vec<String>,
}

/// `[polls]`: defaults for flash polls.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollSettings {
    /// Channel for polls that do not name one.
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default = "default_poll_minutes")]
    pub default_minutes: u32,
    /// Seconds between live tally edits of a poll message.
    #[serde(default = "default_tally_seconds")]
    pub tally_every_seconds: u32,
    /// Keep the running tally hidden until the poll closes.
    #[serde(default)]
    pub hide_tally: bool,
    #[serde(default = "default_max_options")]
    pub max_options: usize,
    /// How polls take votes where the platform can: `reactions`, `buttons`
    /// (Slack) or `native` (Discord's own polls); unset: buttons on Slack,
    /// reactions on Discord.
    #[serde(default)]
    pub style: Option<crate::polls::PollStyle>,
}

impl Default for PollSettings {
    fn default() -> Self {
        Self {
            channel: None,
            default_minutes: default_poll_minutes(),
            tally_every_seconds: default_tally_seconds(),
            hide_tally: false,
            max_options: default_max_options(),
            style: None,
        }
    }
}

impl PollSettings {
    /// The limits every poll is checked against.
    pub fn limits(&self) -> PollLimits {
        PollLimits {
            max_options: self.max_options,
            ..PollLimits::default()
        }
    }
}

fn default_poll_minutes() -> u32 {
    5
}

fn default_tally_seconds() -> u32 {
    5
}

fn default_max_options() -> usize {
    10
}

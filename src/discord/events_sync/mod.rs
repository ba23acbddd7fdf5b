//! Discord's Guild Scheduled Events in step with the agenda: the core's
//! [`EventSync`] decides, this module only speaks Discord.
//!
//! [`DiscordEvents`] is the core's [`EventPlatform`] over the paced sender:
//! EXTERNAL events (they need no voice or stage channel, only a location,
//! the track's channel, and an end time), read back with their creator so
//! that the organisers' own events are told apart and left alone, and
//! started and completed with their sessions (Discord starts no EXTERNAL
//! event by itself). [`start`]
//! runs the core's loop in one supervised task, started once from `run`
//! beside the scheduler. The bot needs the Manage Events permission (or
//! Create Events, for events it made) and the `GUILD_SCHEDULED_EVENTS`
//! intent for "Interested" ([`interested`]).

mod interested;

pub use interested::{interested, on_interest, Interest};

use crate::discord::outbound::Outbound;
use crate::discord::port::classify;
use chrono::{DateTime, SecondsFormat, Utc};
use emcee_core::app::App;
use emcee_core::chat::{PortError, PortFuture};
use emcee_core::events::{EventPlatform, EventStatus, EventSync, LiveEvent, PlannedEvent, Runner};
use emcee_core::health::{supervise, Policy, Supervised};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// Discord's cap of scheduled or active events per server.
pub const DISCORD_LIMIT: usize = 100;
/// `entity_type` EXTERNAL.
const EXTERNAL: u64 = 3;
/// `privacy_level` GUILD_ONLY, the only one there is.
const GUILD_ONLY: u64 = 2;
/// How long to wait before asking Discord again who the bot is.
const DISCOVERY_RETRY: Duration = Duration::from_secs(10);

/// Scheduled events on Discord, through the paced sender.
pub struct DiscordEvents {
    outbound: Outbound,
    /// The bot's own user id: events it created are emcee's.
    bot: u64,
}

impl DiscordEvents {
    /// Events of the bot `bot` (its user id) over `outbound`.
    pub fn new(outbound: Outbound, bot: u64) -> Self {
        Self { outbound, bot }
    }
}

/// A server or event id as Discord takes it.
fn id(text: &str) -> Result<u64, PortError> {
    text.parse()
        .map_err(|_| PortError::Refused(format!("{text} is not a Discord id")))
}

impl DiscordEvents {
    async fn patch(&self, community: &str, event: &str, body: &Value) -> Result<(), PortError> {
        let edit = self
            .outbound
            .edit_scheduled_event(id(community)?, id(event)?, body);
        edit.await.map(drop).map_err(|e| classify(&e))
    }
}

/// Discord's `status` values: 1 SCHEDULED, 2 ACTIVE, 3 COMPLETED, 4 CANCELED.
fn status_code(status: EventStatus) -> u64 {
    match status {
        EventStatus::Scheduled => 1,
        EventStatus::Active => 2,
        EventStatus::Completed => 3,
        EventStatus::Canceled => 4,
    }
}

fn status_of(code: u64) -> Option<EventStatus> {
    [
        EventStatus::Scheduled,
        EventStatus::Active,
        EventStatus::Completed,
        EventStatus::Canceled,
    ]
    .into_iter()
    .find(|s| status_code(*s) == code)
}

impl EventPlatform for DiscordEvents {
    fn limit(&self) -> usize {
        DISCORD_LIMIT
    }

    fn list<'a>(&'a self, community: &'a str) -> PortFuture<'a, Vec<LiveEvent>> {
        Box::pin(async move {
            let listed = self.outbound.scheduled_events(id(community)?).await;
            let listed = listed.map_err(|e| classify(&e))?;
            let events = listed.as_array().map(Vec::as_slice).unwrap_or_default();
            Ok(events.iter().filter_map(|e| live(e, self.bot)).collect())
        })
    }

    fn create<'a>(&'a self, community: &'a str, event: &'a PlannedEvent) -> PortFuture<'a, String> {
        Box::pin(async move {
            let mut body = fields(event);
            body["privacy_level"] = json!(GUILD_ONLY);
            let made = self.outbound.create_scheduled_event(id(community)?, &body);
            let made = made.await.map_err(|e| classify(&e))?;
            snowflake(&made["id"])
                .map(|id| id.to_string())
                .ok_or_else(|| PortError::Transient("no event id in Discord's answer".into()))
        })
    }

    fn update<'a>(
        &'a self,
        community: &'a str,
        event_id: &'a str,
        event: &'a PlannedEvent,
        started: bool,
    ) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let mut body = fields(event);
            if started {
                // Discord refuses to move the start of an event under way.
                body.as_object_mut()
                    .map(|b| b.remove("scheduled_start_time"));
            }
            self.patch(community, event_id, &body).await
        })
    }

    fn set_status<'a>(
        &'a self,
        community: &'a str,
        event_id: &'a str,
        status: EventStatus,
    ) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let body = json!({ "status": status_code(status) });
            self.patch(community, event_id, &body).await
        })
    }

    fn delete<'a>(&'a self, community: &'a str, event: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async move {
            let deleted = self
                .outbound
                .delete_scheduled_event(id(community)?, id(event)?);
            deleted.await.map_err(|e| classify(&e))
        })
    }
}

/// The fields emcee sets, in Discord's JSON (names and descriptions are
/// plain text there; the planner cut them to Discord's lengths).
fn fields(event: &PlannedEvent) -> Value {
    json!({
        "name": event.name,
        "description": event.description,
        "scheduled_start_time": iso(event.start),
        "scheduled_end_time": iso(event.end),
        "entity_type": EXTERNAL,
        "channel_id": null,
        "entity_metadata": { "location": event.location },
    })
}

/// One listed event, or `None` for one that cannot be read.
fn live(event: &Value, bot: u64) -> Option<LiveEvent> {
    let time = |field: &str| {
        let text = event[field].as_str()?;
        Some(DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc))
    };
    let status = status_of(event["status"].as_u64()?)?;
    Some(LiveEvent {
        id: snowflake(&event["id"])?.to_string(),
        name: event["name"].as_str().unwrap_or_default().to_owned(),
        description: event["description"].as_str().map(str::to_owned),
        location: event["entity_metadata"]["location"]
            .as_str()
            .map(str::to_owned),
        start: time("scheduled_start_time")?,
        end: time("scheduled_end_time"),
        status,
        ours: snowflake(&event["creator_id"]) == Some(bot),
    })
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn snowflake(value: &Value) -> Option<u64> {
    value.as_str().and_then(|s| s.parse().ok())
}

/// How the sync task takes part when several processes share a database.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Identifies this process in the lease.
    pub holder: String,
    /// How long the lease lasts without renewal (real time).
    pub lease_ttl: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            holder: emcee_core::scheduler::holder::this_process(),
            lease_ttl: Duration::from_secs(15),
        }
    }
}

/// Starts the sync task when `[discord] scheduled_events` (or
/// `[discord.events] enabled`) is on; `servers` are the served servers
/// (empty: every server the bot is in).
pub fn start(
    app: &App,
    outbound: Outbound,
    settings: &emcee_core::config::Settings,
    servers: Vec<u64>,
    options: SyncOptions,
) -> Option<Supervised> {
    let events = settings.discord.scheduled_events()?;
    let routing = emcee_core::scheduler::PlanSettings::from_settings(settings);
    let app = app.clone();
    let policy = Policy {
        vital: false,
        ..Policy::vital()
    };
    let tasks = Arc::clone(app.polls.tasks());
    Some(supervise(&tasks, "scheduled events", policy, move |stop| {
        let (app, outbound, routing, events) = (
            app.clone(),
            outbound.clone(),
            routing.clone(),
            events.clone(),
        );
        let (servers, options) = (servers.clone(), options.clone());
        async move {
            let stopped = stop.requested();
            tokio::pin!(stopped);
            let (bot, communities) = loop {
                tokio::select! {
                    () = &mut stopped => return,
                    found = discover(&outbound, &servers) => match found {
                        Some(found) => break found,
                        None => tokio::time::sleep(DISCOVERY_RETRY).await,
                    },
                }
            };
            let platform = Arc::new(DiscordEvents::new(outbound, bot));
            let sync = EventSync::new(
                Arc::clone(&app.store.events),
                platform,
                routing,
                events.window(),
            );
            let runner = Runner {
                sync,
                leases: Arc::clone(&app.store.leases),
                clock: Arc::clone(&app.clock),
                holder: options.holder,
                lease_ttl: options.lease_ttl,
                communities,
            };
            let programme = app.programme_source();
            emcee_core::events::run(runner, programme, app.programme_changes(), stopped).await;
        }
    }))
}

/// The bot's user id and the servers to sync; `None` (logged) when Discord
/// cannot say.
async fn discover(outbound: &Outbound, servers: &[u64]) -> Option<(u64, Vec<String>)> {
    let me = match outbound.get_json("/users/@me").await {
        Ok(me) => snowflake(&me["id"])?,
        Err(error) => {
            tracing::warn!(%error, "scheduled events: could not read the bot's user; trying again");
            return None;
        }
    };
    let servers = if servers.is_empty() {
        match outbound.current_user_guild_names().await {
            Ok(guilds) => guilds.into_iter().map(|(id, _)| id).collect(),
            Err(error) => {
                tracing::warn!(%error, "scheduled events: could not list the servers; trying again");
                return None;
            }
        }
    } else {
        servers.to_vec()
    };
    Some((me, servers.iter().map(u64::to_string).collect()))
}

//! Guild Scheduled Events: `GET/POST /guilds/{guild}/scheduled-events` and
//! `GET/PATCH/DELETE /guilds/{guild}/scheduled-events/{event}`, with Discord's
//! rules for the fields (a name of 1 to 100 characters, a description of at
//! most 1,000, `privacy_level` 2, an EXTERNAL event's location and end time,
//! a channel for STAGE and VOICE ones) and its cap of 100 scheduled or active
//! events per guild (30038). Attendees mark an event "Interested" through
//! [`FakeDiscord::mark_interested`], which dispatches
//! `GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE` to the guild's shard session (only
//! with the `GUILD_SCHEDULED_EVENTS` intent, as on Discord).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::Reply;
use crate::error::ApiError;
use crate::ids::FakeUser;
use crate::payloads::sf;
use crate::record::RecordedRequest;
use crate::{lock, FakeDiscord, Inner};

/// Discord's cap on a guild's scheduled or active events.
pub(crate) const MAX_UNCOMPLETED: usize = 100;
const NAME_CHARS: usize = 100;
const DESCRIPTION_CHARS: usize = 1000;
const LOCATION_CHARS: usize = 100;

/// `entity_type` EXTERNAL: somewhere outside Discord, with a location.
pub(crate) const EXTERNAL: u64 = 3;
/// `status` values.
pub(crate) const SCHEDULED: u64 = 1;
pub(crate) const ACTIVE: u64 = 2;
pub(crate) const COMPLETED: u64 = 3;
pub(crate) const CANCELED: u64 = 4;

/// A scheduled event as the fake keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeScheduledEvent {
    pub id: u64,
    pub guild_id: u64,
    /// Who made it: the bot, or an organiser by hand.
    pub creator_id: u64,
    pub name: String,
    pub description: Option<String>,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// 1 STAGE_INSTANCE, 2 VOICE, 3 EXTERNAL.
    pub entity_type: u64,
    pub channel_id: Option<u64>,
    /// An EXTERNAL event's `entity_metadata.location`.
    pub location: Option<String>,
    /// 1 SCHEDULED, 2 ACTIVE, 3 COMPLETED, 4 CANCELED.
    pub status: u64,
    /// Users who marked it "Interested", ascending.
    pub interested: BTreeSet<u64>,
}

impl FakeScheduledEvent {
    fn uncompleted(&self) -> bool {
        self.status == SCHEDULED || self.status == ACTIVE
    }
}

/// `GET /guilds/{guild}/scheduled-events[?with_user_count=true]`.
pub(crate) fn list(inner: &Inner, req: &RecordedRequest, guild: u64) -> Result<Reply, ApiError> {
    known_guild(inner, guild)?;
    let counted = req
        .query
        .iter()
        .any(|(key, value)| key == "with_user_count" && value == "true");
    let world = lock(&inner.world);
    let events = world
        .scheduled_events
        .values()
        .filter(|e| e.guild_id == guild)
        .map(|e| event_json(e, counted))
        .collect();
    Ok(Reply::Json(Value::Array(events)))
}

/// `GET /guilds/{guild}/scheduled-events/{event}`.
pub(crate) fn get(inner: &Inner, guild: u64, event: u64) -> Result<Reply, ApiError> {
    known_guild(inner, guild)?;
    let world = lock(&inner.world);
    let found = world
        .scheduled_events
        .get(&event)
        .filter(|e| e.guild_id == guild);
    found
        .map(|e| Reply::Json(event_json(e, false)))
        .ok_or_else(unknown_event)
}

/// `POST /guilds/{guild}/scheduled-events`, by the bot.
pub(crate) fn create(inner: &Inner, req: &RecordedRequest, guild: u64) -> Result<Reply, ApiError> {
    known_guild(inner, guild)?;
    let body = req.body.clone().unwrap_or(json!({}));
    let event = insert(inner, guild, inner.ids.bot_user_id, &body)?;
    Ok(Reply::Json(event_json(&event, false)))
}

/// `PATCH /guilds/{guild}/scheduled-events/{event}`: any field of a
/// SCHEDULED event; of an ACTIVE one anything but its start (it has
/// started); nothing of a COMPLETED or CANCELED one (180000). `status` moves
/// only from SCHEDULED to ACTIVE or CANCELED and from ACTIVE to COMPLETED,
/// Discord's valid transitions; Discord never starts an EXTERNAL event by
/// itself, so it stays SCHEDULED past its start until someone does.
pub(crate) fn edit(
    inner: &Inner,
    req: &RecordedRequest,
    guild: u64,
    event: u64,
) -> Result<Reply, ApiError> {
    known_guild(inner, guild)?;
    let body = req.body.clone().unwrap_or(json!({}));
    let mut world = lock(&inner.world);
    let Some(stored) = world
        .scheduled_events
        .get_mut(&event)
        .filter(|e| e.guild_id == guild)
    else {
        return Err(unknown_event());
    };
    let edited = edited(stored, &body)?;
    *stored = edited.clone();
    drop(world);
    inner.changes.bump();
    Ok(Reply::Json(event_json(&edited, false)))
}

/// `event` as `body` would leave it, or Discord's refusal.
fn edited(event: &FakeScheduledEvent, body: &Value) -> Result<FakeScheduledEvent, ApiError> {
    if !event.uncompleted() {
        return Err(ApiError::new(
            400,
            180_000,
            "Cannot update a finished event",
        ));
    }
    let mut edited = event.clone();
    apply(&mut edited, body)?;
    if event.status == ACTIVE && edited.start != event.start {
        return Err(ApiError::bad_body(
            "scheduled_start_time cannot be changed once the event is active",
        ));
    }
    if let Some(status) = body.get("status").and_then(Value::as_u64) {
        let allowed = matches!(
            (event.status, status),
            (SCHEDULED, ACTIVE | CANCELED) | (ACTIVE, COMPLETED)
        ) || event.status == status;
        if !allowed {
            return Err(ApiError::bad_body(&format!(
                "status cannot go from {} to {status}",
                event.status
            )));
        }
        edited.status = status;
    }
    validate(&edited)?;
    Ok(edited)
}

/// `DELETE /guilds/{guild}/scheduled-events/{event}`.
pub(crate) fn delete(inner: &Inner, guild: u64, event: u64) -> Result<Reply, ApiError> {
    known_guild(inner, guild)?;
    let mut world = lock(&inner.world);
    let owned = world
        .scheduled_events
        .get(&event)
        .is_some_and(|e| e.guild_id == guild);
    if !owned {
        return Err(unknown_event());
    }
    world.scheduled_events.remove(&event);
    drop(world);
    inner.changes.bump();
    Ok(Reply::NoContent)
}

/// Validates and stores a new event made by `creator` from a create body.
fn insert(
    inner: &Inner,
    guild: u64,
    creator: u64,
    body: &Value,
) -> Result<FakeScheduledEvent, ApiError> {
    if body.get("privacy_level").and_then(Value::as_u64) != Some(2) {
        return Err(ApiError::bad_body("privacy_level must be 2 (GUILD_ONLY)"));
    }
    let mut world = lock(&inner.world);
    let mut event = FakeScheduledEvent {
        id: world.snowflakes.next(),
        guild_id: guild,
        creator_id: creator,
        name: String::new(),
        description: None,
        start: DateTime::<Utc>::MIN_UTC,
        end: None,
        entity_type: 0,
        channel_id: None,
        location: None,
        status: SCHEDULED,
        interested: BTreeSet::new(),
    };
    if body.get("scheduled_start_time").is_none() {
        return Err(ApiError::bad_body("scheduled_start_time is required"));
    }
    apply(&mut event, body)?;
    validate(&event)?;
    let uncompleted = world
        .scheduled_events
        .values()
        .filter(|e| e.guild_id == guild && e.uncompleted())
        .count();
    if uncompleted >= MAX_UNCOMPLETED {
        return Err(ApiError::new(
            400,
            30038,
            "Maximum number of uncompleted guild scheduled events reached (100)",
        ));
    }
    world.scheduled_events.insert(event.id, event.clone());
    drop(world);
    inner.changes.bump();
    Ok(event)
}

/// Copies the fields present in a create or edit body onto `event`.
fn apply(event: &mut FakeScheduledEvent, body: &Value) -> Result<(), ApiError> {
    if let Some(name) = body.get("name") {
        event.name = name.as_str().unwrap_or_default().to_owned();
    }
    if let Some(description) = body.get("description") {
        event.description = description.as_str().map(str::to_owned);
    }
    if let Some(start) = body.get("scheduled_start_time") {
        event.start = timestamp(start, "scheduled_start_time")?
            .ok_or_else(|| ApiError::bad_body("scheduled_start_time"))?;
    }
    if let Some(end) = body.get("scheduled_end_time") {
        event.end = timestamp(end, "scheduled_end_time")?;
    }
    if let Some(kind) = body.get("entity_type") {
        event.entity_type = kind.as_u64().unwrap_or_default();
    }
    if let Some(channel) = body.get("channel_id") {
        event.channel_id = crate::state::snowflake(Some(channel));
    }
    if let Some(metadata) = body.get("entity_metadata") {
        event.location = metadata
            .get("location")
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    Ok(())
}

/// Discord's rules for a whole event, checked after every create or edit.
fn validate(event: &FakeScheduledEvent) -> Result<(), ApiError> {
    let chars = |text: &str| text.chars().count();
    if event.name.is_empty() || chars(&event.name) > NAME_CHARS {
        return Err(ApiError::bad_body("name must be 1 to 100 characters"));
    }
    if event
        .description
        .as_deref()
        .is_some_and(|d| chars(d) > DESCRIPTION_CHARS)
    {
        return Err(ApiError::bad_body(
            "description must be at most 1000 characters",
        ));
    }
    match event.entity_type {
        EXTERNAL => {
            let location = event.location.as_deref().unwrap_or_default();
            if location.is_empty() || chars(location) > LOCATION_CHARS {
                return Err(ApiError::bad_body(
                    "entity_metadata.location must be 1 to 100 characters",
                ));
            }
            if event.end.is_none() {
                return Err(ApiError::bad_body(
                    "scheduled_end_time is required for EXTERNAL events",
                ));
            }
            if event.channel_id.is_some() {
                return Err(ApiError::bad_body(
                    "channel_id must be null for EXTERNAL events",
                ));
            }
        }
        1 | 2 if event.channel_id.is_none() => {
            return Err(ApiError::bad_body("channel_id is required"));
        }
        1 | 2 => {}
        _ => return Err(ApiError::bad_body("entity_type must be 1, 2 or 3")),
    }
    if event.end.is_some_and(|end| end <= event.start) {
        return Err(ApiError::bad_body(
            "scheduled_end_time must be after scheduled_start_time",
        ));
    }
    Ok(())
}

fn timestamp(value: &Value, field: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| ApiError::bad_body(&format!("{field} is not an ISO 8601 timestamp"))),
        _ => Err(ApiError::bad_body(field)),
    }
}

fn known_guild(inner: &Inner, guild: u64) -> Result<(), ApiError> {
    inner
        .guild(guild)
        .map(|_| ())
        .ok_or_else(|| ApiError::new(404, 10004, "Unknown Guild"))
}

fn unknown_event() -> ApiError {
    ApiError::new(404, 10070, "Unknown Guild Scheduled Event")
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

fn event_json(event: &FakeScheduledEvent, counted: bool) -> Value {
    let mut json = json!({
        "id": sf(event.id),
        "guild_id": sf(event.guild_id),
        "channel_id": event.channel_id.map(sf),
        "creator_id": sf(event.creator_id),
        "name": event.name,
        "description": event.description,
        "scheduled_start_time": iso(event.start),
        "scheduled_end_time": event.end.map(iso),
        "privacy_level": 2,
        "status": event.status,
        "entity_type": event.entity_type,
        "entity_id": null,
        "entity_metadata": event.location.as_ref().map(|l| json!({ "location": l })),
        "image": null,
    });
    if counted {
        json["user_count"] = json!(event.interested.len());
    }
    json
}

impl FakeDiscord {
    /// The scheduled events of guild `guild_id`, by id.
    #[must_use]
    pub fn scheduled_events(&self, guild_id: u64) -> Vec<FakeScheduledEvent> {
        let world = lock(&self.inner.world);
        let events = world.scheduled_events.values();
        events.filter(|e| e.guild_id == guild_id).cloned().collect()
    }

    /// An organiser makes an EXTERNAL event by hand in `guild_id`, as in
    /// Discord's client; returns its id.
    ///
    /// # Errors
    /// The [`ApiError`] Discord would answer (a bad field, the guild's cap).
    pub fn hand_made_event(
        &self,
        organiser: &FakeUser,
        guild_id: u64,
        name: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        location: &str,
    ) -> Result<u64, ApiError> {
        known_guild(&self.inner, guild_id)?;
        let body = json!({
            "name": name,
            "privacy_level": 2,
            "entity_type": EXTERNAL,
            "scheduled_start_time": iso(start),
            "scheduled_end_time": iso(end),
            "entity_metadata": { "location": location },
        });
        insert(&self.inner, guild_id, organiser.id, &body).map(|e| e.id)
    }

    /// An organiser deletes event `event_id` by hand in Discord's client.
    ///
    /// # Errors
    /// Unknown event (10070).
    pub fn delete_event_by_hand(&self, event_id: u64) -> Result<(), ApiError> {
        let removed = lock(&self.inner.world).scheduled_events.remove(&event_id);
        removed.ok_or_else(unknown_event)?;
        self.inner.changes.bump();
        Ok(())
    }

    /// An organiser cancels event `event_id` by hand ("Cancel Event"), under
    /// the same rules as a PATCH of its status: only a SCHEDULED one.
    ///
    /// # Errors
    /// Unknown event (10070), or one that is not SCHEDULED any more.
    pub fn cancel_event_by_hand(&self, event_id: u64) -> Result<(), ApiError> {
        let mut world = lock(&self.inner.world);
        let event = world
            .scheduled_events
            .get_mut(&event_id)
            .ok_or_else(unknown_event)?;
        *event = edited(event, &json!({ "status": CANCELED }))?;
        drop(world);
        self.inner.changes.bump();
        Ok(())
    }

    /// `user` marks event `event_id` "Interested" (`interested`) or takes it
    /// back, and Discord dispatches `GUILD_SCHEDULED_EVENT_USER_ADD` or
    /// `_REMOVE` on the guild's shard; returns its sequence number if a
    /// session carried it. Nothing is dispatched when nothing changed.
    ///
    /// # Errors
    /// Unknown event (10070).
    pub fn mark_interested(
        &self,
        user: &FakeUser,
        event_id: u64,
        interested: bool,
    ) -> Result<Option<u64>, ApiError> {
        let (guild, changed) = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let event = world
                .scheduled_events
                .get_mut(&event_id)
                .ok_or_else(unknown_event)?;
            let changed = if interested {
                event.interested.insert(user.id)
            } else {
                event.interested.remove(&user.id)
            };
            (event.guild_id, changed)
        };
        if !changed {
            return Ok(None);
        }
        let t = if interested {
            "GUILD_SCHEDULED_EVENT_USER_ADD"
        } else {
            "GUILD_SCHEDULED_EVENT_USER_REMOVE"
        };
        let d = json!({
            "guild_scheduled_event_id": sf(event_id),
            "user_id": sf(user.id),
            "guild_id": sf(guild),
        });
        Ok(self.inner.dispatch(t, &d))
    }
}

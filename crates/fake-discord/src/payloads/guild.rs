//! The world at login: READY, one GUILD_CREATE per guild, the application and
//! its registered commands.

use serde_json::{json, Value};

use super::{sf, user};
use crate::ids::{
    GuildInfo, Ids, BOT_ROLE_PERMISSIONS, EVERYONE_PERMISSIONS, ORGANISER_PERMISSIONS,
};
use crate::state::Author;

/// The READY dispatch body.
pub(crate) fn ready(
    ids: &Ids,
    guilds: &[&GuildInfo],
    shard: crate::Shard,
    bot: &Author,
    session_id: &str,
    resume_url: &str,
) -> Value {
    let guilds: Vec<Value> = guilds
        .iter()
        .map(|g| json!({ "id": sf(g.id), "unavailable": true }))
        .collect();
    json!({
        "v": 10,
        "user": user(bot),
        "guilds": guilds,
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "shard": [shard.id, shard.total],
        "application": { "id": sf(ids.application_id), "flags": 0 },
        "private_channels": [],
        "relationships": [],
    })
}

/// The GUILD_CREATE dispatch body: roles, text channels and the bot as a member.
pub(crate) fn guild_create(guild: &GuildInfo, bot: &Author, joined_at: &str) -> Value {
    let mut created = partial_guild(guild);
    let extra = json!({
        "joined_at": joined_at,
        "large": false,
        "unavailable": false,
        "member_count": 2,
        "voice_states": [],
        "members": [member(bot, guild.bot_role_id.as_slice(), joined_at)],
        "channels": channels(guild),
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
    });
    if let (Some(created), Value::Object(extra)) = (created.as_object_mut(), extra) {
        created.extend(extra);
    }
    created
}

fn roles(guild: &GuildInfo) -> Value {
    let everyone = role(guild.id, "@everyone", EVERYONE_PERMISSIONS, 0);
    let organiser = guild
        .organiser_role_id
        .map(|id| role(id, "Organiser", ORGANISER_PERMISSIONS, 1));
    let bot = guild
        .bot_role_id
        .map(|id| role(id, "emcee", BOT_ROLE_PERMISSIONS, 2));
    Value::Array(
        std::iter::once(everyone)
            .chain(organiser)
            .chain(bot)
            .collect(),
    )
}

fn role(id: u64, name: &str, permissions: u64, position: u16) -> Value {
    json!({
        "id": sf(id),
        "name": name,
        "color": 0,
        "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
        "hoist": false,
        "managed": false,
        "mentionable": false,
        "permissions": permissions.to_string(),
        "position": position,
        "icon": null,
        "unicode_emoji": null,
        "flags": 0,
    })
}

/// `GET /users/@me/guilds`: the guilds the bot is in, as partial guild info.
pub(crate) fn current_user_guilds(guilds: &[GuildInfo]) -> Value {
    let list: Vec<Value> = guilds
        .iter()
        .map(|g| {
            json!({
                "id": g.id.to_string(),
                "name": g.name,
                "icon": null,
                "owner": false,
                "permissions": "0",
                "features": [],
            })
        })
        .collect();
    Value::Array(list)
}

/// A channel's permission overwrites: the bits denied to `@everyone` there.
fn overwrites(guild: &GuildInfo, channel: u64) -> Value {
    let list: Vec<Value> = guild
        .denied
        .iter()
        .filter(|(id, _)| *id == channel)
        .map(|(_, bits)| {
            json!({ "id": sf(guild.id), "type": 0, "allow": "0", "deny": bits.to_string() })
        })
        .collect();
    Value::Array(list)
}

/// `GET /guilds/{id}`: the guild with its roles, as Discord's partial guild.
pub(crate) fn partial_guild(guild: &GuildInfo) -> Value {
    json!({
        "id": sf(guild.id),
        "name": guild.name,
        "icon": null,
        "owner_id": sf(guild.owner_id),
        "afk_timeout": 300,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "roles": roles(guild),
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_flags": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
    })
}

/// `GET /guilds/{id}/channels`: the guild's text channels, as in GUILD_CREATE.
pub(crate) fn guild_channels(guild: &GuildInfo) -> Value {
    channels(guild)
}

fn channels(guild: &GuildInfo) -> Value {
    let list: Vec<Value> = guild
        .channels
        .iter()
        .zip(0u16..)
        .map(|((id, name), position)| {
            let kind = guild.kind_of(*id);
            let mut channel = json!({
                "id": sf(*id),
                "type": kind,
                "guild_id": sf(guild.id),
                "name": name,
                "position": position,
                "permission_overwrites": overwrites(guild, *id),
                "nsfw": false,
                "topic": null,
                "last_message_id": null,
                "rate_limit_per_user": 0,
                "parent_id": null,
                "flags": 0,
            });
            if is_forum(kind) {
                channel["available_tags"] = json!([]);
                channel["default_reaction_emoji"] = Value::Null;
                channel["default_sort_order"] = Value::Null;
                channel["default_forum_layout"] = json!(0);
            }
            channel
        })
        .collect();
    Value::Array(list)
}

/// Whether channel type `kind` takes posts rather than messages: a forum
/// (15) or a media channel (16).
pub(crate) fn is_forum(kind: u8) -> bool {
    matches!(kind, 15 | 16)
}

/// A guild member object.
pub(crate) fn member(who: &Author, roles: &[u64], joined_at: &str) -> Value {
    json!({
        "user": user(who),
        "nick": null,
        "avatar": null,
        "roles": roles.iter().map(|r| sf(*r)).collect::<Vec<_>>(),
        "joined_at": joined_at,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
    })
}

/// `GET /oauth2/applications/@me`.
pub(crate) fn application_info(ids: &Ids, bot: &Author) -> Value {
    json!({
        "id": sf(ids.application_id),
        "name": bot.username,
        "icon": null,
        "description": "emcee under test",
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "0".repeat(64),
        "owner": user(&Author { id: ids.owner_user_id, username: "owner".into(), bot: false }),
        "team": null,
        "flags": 0,
        "bot": user(bot),
    })
}

/// A registered command: the client's definition plus Discord's own keys.
pub(crate) fn stored_command(ids: &Ids, guild: Option<u64>, id: u64, body: &Value) -> Value {
    let mut command = body.clone();
    let defaults = [
        ("id", sf(id)),
        ("application_id", sf(ids.application_id)),
        ("version", sf(id)),
        ("type", json!(1)),
        ("description", json!("")),
        ("options", json!([])),
        ("default_member_permissions", Value::Null),
    ];
    if let Value::Object(map) = &mut command {
        for (key, value) in defaults {
            let keep_client_value = !matches!(key, "id" | "application_id" | "version")
                && map.get(key).is_some_and(|v| !v.is_null());
            if !keep_client_value {
                map.insert(key.to_owned(), value);
            }
        }
        if let Some(guild) = guild {
            map.insert("guild_id".to_owned(), sf(guild));
        }
    }
    command
}

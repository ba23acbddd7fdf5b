//! JSON as Discord shapes it. Every key serenity requires is here (see
//! discord-wire.md): a missing one turns a dispatch into `Event::Unknown` and no
//! handler fires, so the crate's tests parse each payload with serenity's types.

mod guild;
mod interaction;

pub(crate) use guild::{
    application_info, current_user_guilds, guild_channels, guild_create, is_forum, member,
    partial_guild, ready, stored_command,
};
pub(crate) use interaction::{autocomplete, command, component, InteractionTarget};

use serde_json::{json, Value};

use crate::state::{Author, StoredMessage};

/// A snowflake as Discord sends it: a decimal string.
pub(crate) fn sf(id: u64) -> Value {
    Value::String(id.to_string())
}

/// A user object.
pub(crate) fn user(author: &Author) -> Value {
    json!({
        "id": sf(author.id),
        "username": author.username,
        "discriminator": "0",
        "global_name": author.username,
        "avatar": null,
        "bot": author.bot,
    })
}

/// An emoji object from the fake's key: Unicode, or `name:id` for a custom emoji.
pub(crate) fn emoji(key: &str) -> Value {
    match key.rsplit_once(':') {
        Some((name, id)) if id.parse::<u64>().is_ok() => json!({ "id": id, "name": name }),
        _ => json!({ "id": null, "name": key }),
    }
}

/// A message object; `viewer` decides the `me` flag of reactions (the bot).
pub(crate) fn message(m: &StoredMessage, viewer: u64) -> Value {
    let mut value = json!({
        "id": sf(m.id),
        "channel_id": sf(m.channel_id),
        "author": user(&m.author),
        "content": m.content,
        "timestamp": m.timestamp,
        "edited_timestamp": m.edited_timestamp,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": m.attachments.iter().map(attachment).collect::<Vec<_>>(),
        "embeds": m.embeds,
        "components": m.components,
        "reactions": m.reactions.iter().map(|r| reaction(r, viewer)).collect::<Vec<_>>(),
        "pinned": false,
        "type": m.kind,
        "flags": m.flags,
    });
    let extra = [
        ("guild_id", m.guild_id.map(sf)),
        ("nonce", m.nonce.clone().map(Value::String)),
        ("webhook_id", m.webhook_id.map(sf)),
        ("application_id", m.webhook_id.map(sf)),
    ];
    for (key, field) in extra {
        if let Some(field) = field {
            value[key] = field;
        }
    }
    value
}

fn attachment(a: &crate::state::StoredAttachment) -> Value {
    let url = format!(
        "https://cdn.discordapp.com/attachments/0/{}/{}",
        a.id, a.filename
    );
    json!({
        "id": sf(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": url,
        "proxy_url": url,
        "content_type": a.content_type,
    })
}

fn reaction(r: &crate::state::StoredReaction, viewer: u64) -> Value {
    json!({
        "count": r.users.len(),
        "count_details": { "burst": 0, "normal": r.users.len() },
        "me": r.users.contains(&viewer),
        "me_burst": false,
        "emoji": emoji(&r.emoji),
        "burst_colors": [],
    })
}

/// A MESSAGE_REACTION_ADD / _REMOVE dispatch body.
pub(crate) fn reaction_event(m: &StoredMessage, user_id: u64, key: &str, add: bool) -> Value {
    let mut value = json!({
        "user_id": sf(user_id),
        "channel_id": sf(m.channel_id),
        "message_id": sf(m.id),
        "emoji": emoji(key),
        "burst": false,
        "type": 0,
    });
    if let Some(guild) = m.guild_id {
        value["guild_id"] = sf(guild);
    }
    if add {
        value["message_author_id"] = sf(m.author.id);
        value["burst_colors"] = json!([]);
    }
    value
}

/// A DM channel object.
pub(crate) fn dm_channel(channel_id: u64, recipient: &Author) -> Value {
    json!({
        "id": sf(channel_id),
        "type": 1,
        "last_message_id": null,
        "recipients": [user(recipient)],
    })
}

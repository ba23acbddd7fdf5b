//! INTERACTION_CREATE bodies: slash commands (type 2), components (type 3) and
//! autocomplete (type 4), in a guild channel (with `member`) or a DM (with `user`).

use serde_json::{json, Map, Value};

use super::{guild::member, sf, user};
use crate::ids::{FakeUser, Ids};
use crate::state::Author;

/// 25 MiB, the upload limit of an unboosted guild.
const ATTACHMENT_SIZE_LIMIT: u64 = 26_214_400;

/// Who triggers an interaction, and where.
#[derive(Debug)]
pub(crate) struct InteractionTarget<'a> {
    pub(crate) ids: &'a Ids,
    pub(crate) id: u64,
    pub(crate) token: &'a str,
    pub(crate) channel_id: u64,
    /// `None` in a DM.
    pub(crate) guild_id: Option<u64>,
    pub(crate) user: &'a FakeUser,
}

/// A slash command invocation; `options` as in [`options`].
pub(crate) fn command(
    t: &InteractionTarget<'_>,
    command_id: u64,
    name: &str,
    options: &Value,
) -> Value {
    let data = command_data(t, command_id, name, options_array(options));
    base(t, 2, data)
}

/// An autocomplete request: like a command, with the option named `focused` marked
/// and its value sent as a string, as Discord does even for numbers.
pub(crate) fn autocomplete(
    t: &InteractionTarget<'_>,
    command_id: u64,
    name: &str,
    options: &Value,
    focused: &str,
) -> Value {
    let mut list = options_array(options);
    mark_focused(&mut list, focused);
    base(t, 4, command_data(t, command_id, name, list))
}

/// A button click on `message` (a full message object).
pub(crate) fn component(t: &InteractionTarget<'_>, custom_id: &str, message: Value) -> Value {
    let data = json!({ "custom_id": custom_id, "component_type": 2 });
    let mut value = base(t, 3, data);
    value["message"] = message;
    value
}

fn command_data(
    t: &InteractionTarget<'_>,
    command_id: u64,
    name: &str,
    options: Vec<Value>,
) -> Value {
    let mut data = json!({ "id": sf(command_id), "name": name, "type": 1, "options": options });
    if let Some(guild) = t.guild_id {
        data["guild_id"] = sf(guild);
    }
    data
}

fn base(t: &InteractionTarget<'_>, kind: u8, data: Value) -> Value {
    let author = Author::from(t.user);
    let mut value = json!({
        "id": sf(t.id),
        "application_id": sf(t.ids.application_id),
        "type": kind,
        "data": data,
        "channel_id": sf(t.channel_id),
        "channel": { "id": sf(t.channel_id), "type": if t.guild_id.is_some() { 0 } else { 1 } },
        "token": t.token,
        "version": 1,
        "app_permissions": crate::ids::EVERYONE_PERMISSIONS.to_string(),
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    });
    match t.guild_id {
        Some(guild) => {
            let mut m = member(&author, &t.user.roles, &crate::time::now_iso());
            m["permissions"] = Value::String(t.user.permissions.to_string());
            value["member"] = m;
            value["guild_id"] = sf(guild);
            value["guild_locale"] = json!("en-US");
            value["context"] = json!(0);
            value["authorizing_integration_owners"] = json!({ "0": guild.to_string() });
        }
        None => {
            value["user"] = user(&author);
            value["context"] = json!(1);
            value["authorizing_integration_owners"] = json!({ "0": "0" });
        }
    }
    value
}

/// Turns the test's options into Discord's option list. An array passes through
/// as Discord's own form. An object maps names to values: strings become type 3,
/// integers 4, booleans 5, other numbers 10; an object value is a subcommand
/// (type 1), or a subcommand group (type 2) when all its values are objects.
pub(crate) fn options_array(options: &Value) -> Vec<Value> {
    match options {
        Value::Array(list) => list.clone(),
        Value::Object(map) => map
            .iter()
            .map(|(name, value)| option(name, value))
            .collect(),
        _ => Vec::new(),
    }
}

fn option(name: &str, value: &Value) -> Value {
    let kind = match value {
        Value::Object(map) if !map.is_empty() && map.values().all(Value::is_object) => 2,
        Value::Object(_) => 1,
        Value::Bool(_) => 5,
        Value::Number(n) if n.is_i64() || n.is_u64() => 4,
        Value::Number(_) => 10,
        _ => 3,
    };
    if kind <= 2 {
        return json!({ "name": name, "type": kind, "options": options_array(value) });
    }
    json!({ "name": name, "type": kind, "value": value })
}

/// Marks the option named `focused` (searching into subcommands) and stringifies
/// its value.
fn mark_focused(options: &mut [Value], focused: &str) {
    for option in options.iter_mut() {
        let Value::Object(map) = option else { continue };
        if let Some(Value::Array(nested)) = map.get_mut("options") {
            mark_focused(nested, focused);
        }
        if map.get("name").and_then(Value::as_str) == Some(focused) {
            focus(map);
        }
    }
}

fn focus(map: &mut Map<String, Value>) {
    map.insert("focused".to_owned(), Value::Bool(true));
    let text = match map.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    map.insert("value".to_owned(), Value::String(text));
}

//! Interactions on what the bot showed: clicking a button, picking an option
//! of a select menu, and submitting a modal. Each is an `interactive` envelope
//! whose payload carries what Slack's does (user, team, channel, the message
//! with its blocks, the action, `response_url`, `trigger_id`).

use serde_json::{json, Value};

use super::Interaction;
use crate::ids::FakeUser;
use crate::socket::{enqueue, EnvelopeKind};
use crate::world::World;
use crate::{lock, FakeSlack};

/// A button click spelled out, for clicks no message offers (a forged or
/// stale value, another poll's button): nothing is looked up or checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Click {
    /// Who clicks.
    pub user: FakeUser,
    /// The channel of the message.
    pub channel: String,
    /// The message's `ts` (its JSON goes along when the fake has it).
    pub ts: String,
    /// The button's `action_id`.
    pub action_id: String,
    /// Its block's `block_id`.
    pub block_id: String,
    /// Its `value`.
    pub value: String,
}

impl FakeSlack {
    /// Sends a [`Click`] as given.
    #[must_use]
    pub fn click_as(&self, click: &Click) -> Interaction {
        let element =
            json!({ "type": "button", "action_id": click.action_id, "value": click.value });
        self.send_action(
            &click.user,
            &click.channel,
            &click.ts,
            (click.block_id.clone(), element),
            None,
        )
    }

    /// `user` clicks the button (or other element) `action_id` on the message
    /// `ts` in `channel`: a channel message, or an ephemeral one `user` got.
    ///
    /// # Panics
    /// If there is no such message or element: a user could not click it, so
    /// the test is wrong.
    #[must_use]
    pub fn click(&self, user: &FakeUser, channel: &str, ts: &str, action_id: &str) -> Interaction {
        self.block_action(user, channel, ts, action_id, None)
    }

    /// `user` picks the option with `value` in the select menu `action_id`
    /// (`static_select`, its `options` or `option_groups`) on a message.
    ///
    /// # Panics
    /// If there is no such message, menu or option.
    #[must_use]
    pub fn select(
        &self,
        user: &FakeUser,
        channel: &str,
        ts: &str,
        action_id: &str,
        value: &str,
    ) -> Interaction {
        self.block_action(user, channel, ts, action_id, Some(value))
    }

    /// `user` submits the open modal `view_id` with `values`, Slack's
    /// `state.values` (`{block_id: {action_id: {type, value | selected_option}}}`);
    /// returns the envelope id. The ack's `response_action` then decides
    /// whether the modal closes ([`FakeSlack::views`]).
    ///
    /// # Panics
    /// If the view is unknown or not open for `user`.
    #[must_use]
    pub fn submit_view(&self, user: &FakeUser, view_id: &str, values: Value) -> String {
        let payload = {
            let mut world = lock(&self.inner.world);
            let stored = world.views.get(view_id).cloned();
            let stored = stored
                .filter(|v| v.open && v.user == user.id)
                .unwrap_or_else(|| panic!("no open view {view_id} for {}", user.id));
            let mut view = stored.view;
            view["state"] = json!({ "values": values });
            json!({
                "type": "view_submission",
                "team": { "id": user.team_id, "domain": self.inner.ids.team_domain },
                "user": user_json(user),
                "api_app_id": self.inner.ids.app_id,
                "token": "fake-verification-token",
                "trigger_id": world.new_trigger(&user.id),
                "view": view,
                "response_urls": [],
                "is_enterprise_install": false,
            })
        };
        enqueue(&self.inner, EnvelopeKind::Interactive, payload, true)
    }

    fn block_action(
        &self,
        user: &FakeUser,
        channel: &str,
        ts: &str,
        action_id: &str,
        choice: Option<&str>,
    ) -> Interaction {
        let found = {
            let world = lock(&self.inner.world);
            let blocks = shown(&world, user, channel, ts);
            find_element(&blocks, action_id)
                .unwrap_or_else(|| panic!("message {ts} has no element {action_id:?}"))
        };
        self.send_action(user, channel, ts, found, choice)
    }

    /// Sends a `block_actions` envelope for `element` (in block `block_id`)
    /// on message `ts`.
    fn send_action(
        &self,
        user: &FakeUser,
        channel: &str,
        ts: &str,
        (block_id, element): (String, Value),
        choice: Option<&str>,
    ) -> Interaction {
        let (payload, token, trigger_id) = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let message = world
                .message(channel, ts)
                .ok()
                .map(|m| m.json(&world, false));
            let is_ephemeral = message.is_none();
            let original = Some((ts.to_owned(), is_ephemeral));
            let token = world.new_response_url(&user.team_id, channel, &user.id, original);
            let trigger_id = world.new_trigger(&user.id);
            let action_ts = world.clock.next_ts();
            let (action, state) = action(&element, &block_id, action_ts, choice);
            let name = world
                .channels
                .get(channel)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let mut payload = json!({
                "type": "block_actions",
                "user": user_json(user),
                "api_app_id": self.inner.ids.app_id,
                "token": "fake-verification-token",
                "container": { "type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": is_ephemeral },
                "trigger_id": trigger_id,
                "team": { "id": user.team_id, "domain": self.inner.ids.team_domain },
                "is_enterprise_install": false,
                "channel": { "id": channel, "name": name },
                "state": { "values": state },
                "response_url": self.response_url(&token),
                "actions": [action],
            });
            if let Some(message) = message {
                payload["message"] = message;
            }
            (payload, token, trigger_id)
        };
        // Slack takes no reply in the ack of a click: answers go to the response_url.
        let envelope_id = enqueue(&self.inner, EnvelopeKind::Interactive, payload, false);
        Interaction {
            envelope_id,
            response_token: token,
            trigger_id,
            channel: channel.to_owned(),
        }
    }
}

/// The `actions[0]` of a click (the button's `text` and `value`) or a pick
/// (`selected_option`), and the `state.values` a pick leaves.
fn action(
    element: &Value,
    block_id: &str,
    action_ts: String,
    choice: Option<&str>,
) -> (Value, Value) {
    let action_id = element
        .get("action_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut action = json!({
        "type": element.get("type").cloned().unwrap_or(json!("button")),
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": action_ts,
    });
    let mut state = json!({});
    match choice {
        None => {
            for key in ["text", "value"] {
                if let Some(v) = element.get(key) {
                    action[key] = v.clone();
                }
            }
        }
        Some(value) => {
            let option = find_option(element, value)
                .unwrap_or_else(|| panic!("menu {action_id:?} has no option {value:?}"));
            action["selected_option"] = option.clone();
            state[block_id] =
                json!({ action_id: { "type": action["type"], "selected_option": option } });
        }
    }
    (action, state)
}

fn user_json(user: &FakeUser) -> Value {
    json!({ "id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id })
}

/// The blocks `user` sees on message `ts`: a channel message, or an
/// ephemeral message to `user`.
fn shown(world: &World, user: &FakeUser, channel: &str, ts: &str) -> Vec<Value> {
    if let Ok(message) = world.message(channel, ts) {
        return message.blocks.clone();
    }
    let ephemeral = world
        .ephemerals
        .iter()
        .find(|e| e.ts == ts && e.user == user.id && !e.deleted)
        .unwrap_or_else(|| panic!("no message {ts} in {channel} for {}", user.id));
    ephemeral.blocks.clone()
}

/// The element with `action_id` in `blocks` (in an actions block, a section's
/// accessory or an input), with its block's id.
fn find_element(blocks: &[Value], action_id: &str) -> Option<(String, Value)> {
    blocks.iter().enumerate().find_map(|(i, block)| {
        let block_id = block
            .get("block_id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("fake-block-{i}"), str::to_owned);
        let elements = block
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        let single = ["accessory", "element"]
            .into_iter()
            .filter_map(|k| block.get(k));
        elements
            .chain(single)
            .find(|e| e.get("action_id").and_then(Value::as_str) == Some(action_id))
            .map(|e| (block_id.clone(), e.clone()))
    })
}

/// The option with `value` in a menu's `options` or `option_groups`.
fn find_option<'a>(element: &'a Value, value: &str) -> Option<&'a Value> {
    let flat = element
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let grouped = element
        .get("option_groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| g.get("options").and_then(Value::as_array))
        .flatten();
    flat.chain(grouped)
        .find(|o| o.get("value").and_then(Value::as_str) == Some(value))
}

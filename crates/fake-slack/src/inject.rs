//! The test's side of the conversation: users run slash commands, click
//! buttons, react and write messages. Each becomes a Socket Mode envelope (when
//! the app subscribes to it), and the world changes as Slack would record it.

use serde_json::{json, Value};

use crate::error::SlackError;
use crate::ids::FakeUser;
use crate::socket::{enqueue, send_event, EnvelopeKind};
use crate::world::StoredMessage;
use crate::{lock, FakeSlack};

/// A slash command or click the fake sent; its `response_url` is
/// `{base}/response/{response_token}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interaction {
    /// The envelope that carried it.
    pub envelope_id: String,
    /// The last segment of its `response_url`; see [`FakeSlack::response_posts`].
    pub response_token: String,
    /// Its `trigger_id`, for `views.open`.
    pub trigger_id: String,
    /// Where it happened.
    pub channel: String,
}

/// An event the fake sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentEvent {
    /// The envelope that carried it.
    pub envelope_id: String,
    /// The callback's `event_id`, the same on every re-delivery.
    pub event_id: String,
}

impl FakeSlack {
    /// `user` runs `/emcee text` in `channel`.
    ///
    /// # Panics
    /// If the channel does not exist: a test bug.
    #[must_use]
    pub fn slash_command(&self, user: &FakeUser, channel: &str, text: &str) -> Interaction {
        self.command(user, channel, "/emcee", text)
    }

    /// `user` runs any slash `command` (with its `/`) in `channel`.
    ///
    /// # Panics
    /// If the channel does not exist: a test bug.
    #[must_use]
    pub fn command(
        &self,
        user: &FakeUser,
        channel: &str,
        command: &str,
        text: &str,
    ) -> Interaction {
        let (payload, token, trigger_id) = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let name = world
                .channels
                .get(channel)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| panic!("no channel {channel}"));
            let token = world.new_response_url(&user.team_id, channel, &user.id, None);
            let trigger_id = world.new_trigger();
            let payload = json!({
                "token": "fake-verification-token",
                "team_id": user.team_id,
                "team_domain": self.inner.ids.team_domain,
                "channel_id": channel,
                "channel_name": if name.is_empty() { "directmessage".to_owned() } else { name },
                "user_id": user.id,
                "user_name": user.name,
                "command": command,
                "text": text,
                "api_app_id": self.inner.ids.app_id,
                "is_enterprise_install": "false",
                "response_url": self.response_url(&token),
                "trigger_id": trigger_id,
            });
            (payload, token, trigger_id)
        };
        let envelope_id = enqueue(&self.inner, EnvelopeKind::SlashCommands, payload, true);
        Interaction {
            envelope_id,
            response_token: token,
            trigger_id,
            channel: channel.to_owned(),
        }
    }

    /// `user` clicks the button (or other element) `action_id` on the message
    /// `ts` in `channel`: a channel message, or an ephemeral one `user` got.
    ///
    /// # Panics
    /// If there is no such message or element: a user could not click it, so
    /// the test is wrong.
    #[must_use]
    pub fn click(&self, user: &FakeUser, channel: &str, ts: &str, action_id: &str) -> Interaction {
        let (payload, token, trigger_id) = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let stored = world.message(channel, ts).ok().cloned();
            let ephemeral = world
                .ephemerals
                .iter()
                .find(|e| e.ts == ts && e.user == user.id && !e.deleted)
                .cloned();
            let blocks = match (&stored, &ephemeral) {
                (Some(message), _) => message.blocks.clone(),
                (None, Some(ephemeral)) => ephemeral.blocks.clone(),
                (None, None) => panic!("no message {ts} in {channel} for {}", user.id),
            };
            let (block_id, element) = find_element(&blocks, action_id)
                .unwrap_or_else(|| panic!("message {ts} has no element {action_id:?}"));
            let is_ephemeral = stored.is_none();
            let original = Some((ts.to_owned(), is_ephemeral));
            let token = world.new_response_url(&user.team_id, channel, &user.id, original);
            let trigger_id = world.new_trigger();
            let action_ts = world.clock.next_ts();
            let message = stored.map(|m: StoredMessage| m.json(&world, false));
            let name = world
                .channels
                .get(channel)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let mut action = json!({
                "type": element.get("type").cloned().unwrap_or(json!("button")),
                "action_id": action_id,
                "block_id": block_id,
                "action_ts": action_ts,
            });
            for key in ["text", "value"] {
                if let Some(v) = element.get(key) {
                    action[key] = v.clone();
                }
            }
            let mut payload = json!({
                "type": "block_actions",
                "user": { "id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id },
                "api_app_id": self.inner.ids.app_id,
                "token": "fake-verification-token",
                "container": { "type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": is_ephemeral },
                "trigger_id": trigger_id,
                "team": { "id": user.team_id, "domain": self.inner.ids.team_domain },
                "is_enterprise_install": false,
                "channel": { "id": channel, "name": name },
                "state": { "values": {} },
                "response_url": self.response_url(&token),
                "actions": [action],
            });
            if let Some(message) = message {
                payload["message"] = message;
            }
            (payload, token, trigger_id)
        };
        let envelope_id = enqueue(&self.inner, EnvelopeKind::Interactive, payload, true);
        Interaction {
            envelope_id,
            response_token: token,
            trigger_id,
            channel: channel.to_owned(),
        }
    }

    /// `user` reacts to a message with `name` (a shortcode); sends
    /// `reaction_added` if the app subscribes to it.
    ///
    /// # Errors
    /// `message_not_found`, `already_reacted`, `too_many_emoji`.
    pub fn react(
        &self,
        user: &FakeUser,
        channel: &str,
        ts: &str,
        name: &str,
    ) -> Result<Option<SentEvent>, SlackError> {
        self.reaction(user, channel, ts, name, true)
    }

    /// `user` removes their `name` reaction; sends `reaction_removed`.
    ///
    /// # Errors
    /// `message_not_found`, `no_reaction`.
    pub fn unreact(
        &self,
        user: &FakeUser,
        channel: &str,
        ts: &str,
        name: &str,
    ) -> Result<Option<SentEvent>, SlackError> {
        self.reaction(user, channel, ts, name, false)
    }

    fn reaction(
        &self,
        user: &FakeUser,
        channel: &str,
        ts: &str,
        name: &str,
        added: bool,
    ) -> Result<Option<SentEvent>, SlackError> {
        let event = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            if added {
                world.add_reaction(channel, ts, name, &user.id)?;
            } else {
                world.remove_reaction(channel, ts, name, &user.id)?;
            }
            let item_user = world.message(channel, ts).map(|m| m.user.clone())?;
            json!({
                "type": if added { "reaction_added" } else { "reaction_removed" },
                "user": user.id,
                "reaction": name,
                "item_user": item_user,
                "item": { "type": "message", "channel": channel, "ts": ts },
                "event_ts": world.clock.next_ts(),
            })
        };
        Ok(self.event(&user.team_id, event))
    }

    /// `user` writes `text` in `channel`; returns its `ts`. Sends a `message`
    /// event if the app subscribes to `message`.
    ///
    /// # Errors
    /// `channel_not_found`, `thread_not_found`.
    pub fn user_message(
        &self,
        user: &FakeUser,
        channel: &str,
        text: &str,
    ) -> Result<String, SlackError> {
        let (message, channel_type) = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let content = crate::world::Content {
                text: Some(text.to_owned()),
                ..Default::default()
            };
            let message = world.add_message(channel, &user.id, content, None)?;
            let kind = world.channels.get(channel).map(|c| c.kind.clone());
            let channel_type = match kind {
                Some(crate::ChannelKind::Im { .. }) => "im",
                Some(crate::ChannelKind::Private) => "group",
                _ => "channel",
            };
            (message, channel_type)
        };
        let event = json!({
            "type": "message",
            "channel": channel,
            "user": user.id,
            "text": text,
            "ts": message.ts,
            "team": user.team_id,
            "channel_type": channel_type,
            "event_ts": message.ts,
        });
        self.event(&user.team_id, event);
        Ok(message.ts)
    }

    /// Sends a hand-made `event` from `team_id` (e.g. one claiming another
    /// workspace), if the app subscribes to its type.
    pub fn event(&self, team_id: &str, event: Value) -> Option<SentEvent> {
        send_event(&self.inner, team_id, event).map(|(envelope_id, event_id)| SentEvent {
            envelope_id,
            event_id,
        })
    }

    /// Sends a hand-made envelope of `kind` with `payload`; returns its id.
    pub fn envelope(
        &self,
        kind: EnvelopeKind,
        payload: Value,
        accepts_response_payload: bool,
    ) -> String {
        enqueue(&self.inner, kind, payload, accepts_response_payload)
    }
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

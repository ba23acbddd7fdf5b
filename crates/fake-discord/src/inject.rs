//! The test's side of the conversation: users write messages, run slash commands,
//! click buttons and react. Each becomes a gateway dispatch with the next sequence
//! number, and the state changes as Discord would record it.

use serde_json::Value;

use crate::error::ApiError;
use crate::ids::FakeUser;
use crate::payloads::{self, InteractionTarget};
use crate::rest::command_id;
use crate::{lock, FakeDiscord};

/// An interaction the fake dispatched; pass it to
/// [`FakeDiscord::wait_for_interaction_response`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InteractionHandle {
    /// The interaction's snowflake.
    pub id: u64,
    /// Its token (also the followup webhook's token).
    pub token: String,
    /// Where it happened.
    pub channel_id: u64,
    /// 2 command, 3 component, 4 autocomplete.
    pub kind: u8,
}

impl FakeDiscord {
    /// `user` runs slash command `name` in `#general`. `options` is Discord's option
    /// array, or an object mapping names to values where a nested object is a
    /// subcommand: `json!({"open": {"question": "Tea?", "minutes": 5}})`.
    pub async fn slash_command(
        &self,
        user: &FakeUser,
        name: &str,
        options: Value,
    ) -> InteractionHandle {
        self.slash_command_in(self.ids().general_channel_id, user, name, options)
            .await
    }

    /// Like [`Self::slash_command`] in another channel, e.g. a DM from
    /// [`Self::dm_channel`].
    ///
    /// # Panics
    /// If `channel_id` is neither a guild channel nor an opened DM: a test bug.
    pub async fn slash_command_in(
        &self,
        channel_id: u64,
        user: &FakeUser,
        name: &str,
        options: Value,
    ) -> InteractionHandle {
        self.interaction(2, channel_id, user, None, |t, world_commands| {
            payloads::command(
                t,
                command_id_or_new(world_commands, t.id, name),
                name,
                &options,
            )
        })
    }

    /// `user` types into option `focused` of command `name` in `#general`; its value
    /// is sent as a string, as Discord does.
    pub async fn autocomplete(
        &self,
        user: &FakeUser,
        name: &str,
        options: Value,
        focused: &str,
    ) -> InteractionHandle {
        let channel_id = self.ids().general_channel_id;
        self.interaction(4, channel_id, user, None, |t, world_commands| {
            payloads::autocomplete(
                t,
                command_id_or_new(world_commands, t.id, name),
                name,
                &options,
                focused,
            )
        })
    }

    /// `user` clicks the button `custom_id` on a stored message.
    ///
    /// # Panics
    /// If the message is unknown or has no such component: a user could not click
    /// it, so the test is wrong.
    pub async fn click_button(
        &self,
        user: &FakeUser,
        message_id: u64,
        custom_id: &str,
    ) -> InteractionHandle {
        let message = self
            .message(message_id)
            .unwrap_or_else(|| panic!("no message {message_id}"));
        let wanted = Value::String(custom_id.to_owned());
        assert!(
            message
                .components
                .iter()
                .any(|row| has_custom_id(row, &wanted)),
            "message {message_id} has no component {custom_id:?}"
        );
        let json = payloads::message(&message, self.ids().bot_user_id);
        self.interaction(3, message.channel_id, user, Some(message_id), |t, _| {
            payloads::component(t, custom_id, json.clone())
        })
    }

    fn interaction(
        &self,
        kind: u8,
        channel_id: u64,
        user: &FakeUser,
        message_id: Option<u64>,
        build: impl FnOnce(&InteractionTarget<'_>, &[&Value]) -> Value,
    ) -> InteractionHandle {
        let (state, payload) = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let state = world
                .new_interaction(kind, channel_id, message_id)
                .unwrap_or_else(|e| {
                    panic!("cannot interact in channel {channel_id}: {}", e.message)
                });
            // Guild commands shadow global ones of the same name, as in Discord's UI.
            let scopes = [state.guild_id, None];
            // Borrowed, not cloned: a bot registers dozens of commands with
            // their options, and copying them per interaction under the world
            // lock made the fake, not the bot, the cost of a busy benchmark.
            let commands: Vec<&Value> = scopes
                .iter()
                .filter_map(|scope| world.commands.get(scope))
                .flatten()
                .collect();
            let target = InteractionTarget {
                ids: &self.inner.ids,
                id: state.id,
                token: &state.token,
                channel_id,
                guild_id: state.guild_id,
                user,
            };
            let payload = build(&target, &commands);
            (state, payload)
        };
        self.inner.dispatch("INTERACTION_CREATE", &payload);
        InteractionHandle {
            id: state.id,
            token: state.token,
            channel_id,
            kind,
        }
    }

    /// `user` posts `content` in `channel_id`; returns the new message's id. Without
    /// the MESSAGE_CONTENT intent, a guild message that does not mention the bot is
    /// dispatched with empty content, as on Discord.
    ///
    /// # Panics
    /// If the channel is unknown: a test bug.
    pub async fn user_message(&self, channel_id: u64, user: &FakeUser, content: &str) -> u64 {
        self.user_upload(channel_id, user, content, &[]).await
    }

    /// `user` reacts to a message with `emoji` (Unicode, or `name:id`); dispatches
    /// MESSAGE_REACTION_ADD if it is new.
    ///
    /// # Errors
    /// Unknown message, or the message already has 20 distinct reactions.
    pub async fn react(
        &self,
        channel_id: u64,
        message_id: u64,
        user: &FakeUser,
        emoji: &str,
    ) -> Result<(), ApiError> {
        lock(&self.inner.world).remember(user);
        crate::rest::react(&self.inner, channel_id, message_id, emoji, user.id, true).map(|_| ())
    }

    /// `user` removes their `emoji` reaction; dispatches MESSAGE_REACTION_REMOVE if
    /// there was one.
    ///
    /// # Errors
    /// Unknown message.
    pub async fn unreact(
        &self,
        channel_id: u64,
        message_id: u64,
        user: &FakeUser,
        emoji: &str,
    ) -> Result<(), ApiError> {
        crate::rest::react(&self.inner, channel_id, message_id, emoji, user.id, false).map(|_| ())
    }
}

/// The registered command's id, or a stand-in (the interaction id) for commands the
/// bot never registered, so a test can still drive them.
fn command_id_or_new(commands: &[&Value], fallback: u64, name: &str) -> u64 {
    command_id(commands.iter().copied(), name).unwrap_or(fallback)
}

/// Whether a component tree contains `custom_id`.
fn has_custom_id(component: &Value, custom_id: &Value) -> bool {
    component.get("custom_id") == Some(custom_id)
        || component
            .get("components")
            .and_then(Value::as_array)
            .is_some_and(|children| children.iter().any(|c| has_custom_id(c, custom_id)))
}

//! The test's side of the conversation: users run slash commands, click
//! buttons, react and write messages. Each becomes a Socket Mode envelope (when
//! the app subscribes to it), and the world changes as Slack would record it.

mod actions;
mod files;
mod unseen;

pub use actions::Click;
pub use files::{Shared, SharedFile};

use serde_json::{json, Value};

use crate::error::SlackError;
use crate::ids::FakeUser;
use crate::socket::{enqueue, send_event, EnvelopeKind};
use crate::world::ChannelKind;
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

    /// The DM channel between `user` and the bot, opened if need be, for
    /// commands and messages a user sends the bot directly.
    ///
    /// # Panics
    /// If `user` is the bot.
    #[must_use]
    pub fn open_dm(&self, user: &FakeUser) -> String {
        let mut world = lock(&self.inner.world);
        world.remember(user);
        let (id, _) = world
            .open_dm(&user.id)
            .unwrap_or_else(|e| panic!("no DM with {}: {e}", user.id));
        id
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
            let name = match world.channels.get(channel).map(|c| (&c.kind, &c.name)) {
                Some((ChannelKind::Im { .. }, _)) => "directmessage".to_owned(),
                Some((ChannelKind::Private, _)) => "privategroup".to_owned(),
                Some((ChannelKind::Public, name)) => name.clone(),
                None => panic!("no channel {channel}"),
            };
            let token = world.new_response_url(&user.team_id, channel, &user.id, None);
            let trigger_id = world.new_trigger(&user.id);
            let payload = json!({
                "token": "fake-verification-token",
                "team_id": user.team_id,
                "team_domain": self.inner.ids.team_domain,
                "channel_id": channel,
                "channel_name": name,
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
            world.react_as(user, channel, ts, name, added)?;
            world.reaction_event(added, &user.id, channel, ts, name)?
        };
        Ok(self.event(&user.team_id, event))
    }

    /// `user` writes `text` in `channel`; returns its `ts`. Sends a `message`
    /// event if the app subscribes to `message`.
    ///
    /// # Errors
    /// `channel_not_found`.
    pub fn user_message(
        &self,
        user: &FakeUser,
        channel: &str,
        text: &str,
    ) -> Result<String, SlackError> {
        self.user_post(user, channel, None, text)
    }

    /// `user` replies `text` in the thread of `thread_ts`; returns its `ts`.
    ///
    /// # Errors
    /// `channel_not_found`, `thread_not_found`.
    pub fn user_reply(
        &self,
        user: &FakeUser,
        channel: &str,
        thread_ts: &str,
        text: &str,
    ) -> Result<String, SlackError> {
        self.user_post(user, channel, Some(thread_ts.to_owned()), text)
    }

    fn user_post(
        &self,
        user: &FakeUser,
        channel: &str,
        thread_ts: Option<String>,
        text: &str,
    ) -> Result<String, SlackError> {
        let (message, event) = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let content = crate::world::Content {
                text: Some(text.to_owned()),
                ..Default::default()
            };
            let message = world.add_message(channel, &user.id, content, thread_ts)?;
            let event = world.message_event(&message);
            (message, event)
        };
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

//! The Events API bodies (`event` inside an event callback) that changes to
//! the world produce: reactions and new messages, the same whether a user or
//! the bot caused them.

use serde_json::{json, Value};

use super::{ChannelKind, StoredMessage, World};
use crate::error::SlackError;

impl World {
    /// The `reaction_added`/`reaction_removed` event for `user`'s `name` on a
    /// message.
    pub(crate) fn reaction_event(
        &mut self,
        added: bool,
        user: &str,
        channel: &str,
        ts: &str,
        name: &str,
    ) -> Result<Value, SlackError> {
        let item_user = self.message(channel, ts)?.user.clone();
        Ok(json!({
            "type": if added { "reaction_added" } else { "reaction_removed" },
            "user": user,
            "reaction": name,
            "item_user": item_user,
            "item": { "type": "message", "channel": channel, "ts": ts },
            "event_ts": self.clock.next_ts(),
        }))
    }

    /// The `message` event Slack sends for a new message.
    pub(crate) fn message_event(&self, message: &StoredMessage) -> Value {
        let channel_type = match self.channels.get(&message.channel).map(|c| &c.kind) {
            Some(ChannelKind::Im { .. }) => "im",
            Some(ChannelKind::Private) => "group",
            _ => "channel",
        };
        let mut event = message.json(self, false);
        event["channel"] = json!(message.channel);
        event["channel_type"] = json!(channel_type);
        event["event_ts"] = json!(message.ts);
        event
    }
}

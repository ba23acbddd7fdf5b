//! Users posting files (a meme contest's entries) and reacting in bursts.
//! Without the MESSAGE_CONTENT intent, a guild message that does not mention
//! the bot arrives with its content and attachments emptied, as on Discord.

use crate::error::ApiError;
use crate::ids::FakeUser;
use crate::state::{Author, StoredAttachment};
use crate::{lock, FakeDiscord};

/// MESSAGE_CONTENT, the privileged intent without which guild messages arrive
/// with empty content and no attachments.
const MESSAGE_CONTENT: u64 = 1 << 15;

/// A file a user attaches: its name and, if the client sent one, its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFile {
    pub filename: String,
    pub content_type: Option<String>,
}

impl UserFile {
    /// A file named `filename` of type `content_type`.
    pub fn new(filename: &str, content_type: Option<&str>) -> Self {
        Self {
            filename: filename.to_owned(),
            content_type: content_type.map(str::to_owned),
        }
    }
}

impl FakeDiscord {
    /// `user` posts `content` with `files` in `channel_id`; returns the new
    /// message's id once MESSAGE_CREATE is dispatched.
    ///
    /// # Panics
    /// If the channel is unknown: a test bug.
    pub async fn user_upload(
        &self,
        channel_id: u64,
        user: &FakeUser,
        content: &str,
        files: &[UserFile],
    ) -> u64 {
        let message = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let stored = files
                .iter()
                .map(|file| StoredAttachment {
                    id: world.snowflakes.next(),
                    filename: file.filename.clone(),
                    content_type: file.content_type.clone(),
                    size: 1024,
                })
                .collect();
            let body = serde_json::json!({ "content": content });
            world
                .create_message(channel_id, Author::from(user), &body, stored)
                .unwrap_or_else(|e| panic!("cannot post in channel {channel_id}: {}", e.message))
        };
        let intents = lock(&self.inner.gateway).intents();
        let mention = format!("<@{}>", self.ids().bot_user_id);
        let mut seen = message.clone();
        if message.guild_id.is_some()
            && intents & MESSAGE_CONTENT == 0
            && !content.contains(&mention)
        {
            seen.content.clear();
            seen.attachments.clear();
        }
        self.inner.dispatch_message("MESSAGE_CREATE", &seen);
        message.id
    }

    /// Many reactions in `channel_id` at once, each `(message, user, emoji)`
    /// added in order and dispatched as it is added. A reaction as the bot's
    /// own user (its id) stands for one the bot added.
    ///
    /// # Errors
    /// The first that fails (unknown message, 20 distinct emoji already).
    pub async fn react_burst(
        &self,
        channel_id: u64,
        reactions: &[(u64, &FakeUser, &str)],
    ) -> Result<(), ApiError> {
        {
            let mut world = lock(&self.inner.world);
            let bot = self.ids().bot_user_id;
            for (_, user, _) in reactions.iter().filter(|(_, user, _)| user.id != bot) {
                world.remember(user);
            }
        }
        for (message, user, emoji) in reactions {
            crate::rest::react(&self.inner, channel_id, *message, emoji, user.id, true)?;
        }
        Ok(())
    }
}

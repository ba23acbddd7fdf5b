//! Users sharing files in a channel, as a Slack client does: the file is
//! stored (owned by the user, with the type the client gave), a message
//! carrying it appears, and the `message` event with subtype `file_share`
//! is sent (if the app subscribes to `message`).

use serde_json::json;

use super::SentEvent;
use crate::error::SlackError;
use crate::ids::FakeUser;
use crate::world::{Content, StoredFile};
use crate::{lock, FakeSlack};

/// A file a user shares: its name and the MIME type their client reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedFile {
    pub name: String,
    pub mimetype: String,
}

impl SharedFile {
    /// A file named `name` of type `mimetype`.
    #[must_use]
    pub fn new(name: &str, mimetype: &str) -> Self {
        Self {
            name: name.to_owned(),
            mimetype: mimetype.to_owned(),
        }
    }
}

/// A share the fake made: the message's `ts`, the file ids on it, and the
/// event sent (none if the app does not subscribe to `message`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub ts: String,
    pub files: Vec<String>,
    pub event: Option<SentEvent>,
}

impl FakeSlack {
    /// `user` shares `files` in `channel` with the comment `text`.
    ///
    /// # Errors
    /// `channel_not_found`.
    pub fn user_files(
        &self,
        user: &FakeUser,
        channel: &str,
        text: &str,
        files: &[SharedFile],
    ) -> Result<Shared, SlackError> {
        let ((ts, ids), event) = {
            let mut world = lock(&self.inner.world);
            world.remember(user);
            let content = Content {
                text: Some(text.to_owned()),
                ..Default::default()
            };
            let message = world.add_message(channel, &user.id, content, None)?;
            let mut ids = Vec::new();
            for file in files {
                let id = world.mint.id("F");
                let stored = StoredFile {
                    id: id.clone(),
                    name: file.name.clone(),
                    title: file.name.clone(),
                    declared_length: 1024,
                    bytes: None,
                    content_type: Some(file.mimetype.clone()),
                    completed: true,
                    channels: vec![channel.to_owned()],
                    owner: Some(user.id.clone()),
                };
                world.files.insert(id.clone(), stored);
                ids.push(id);
            }
            let stored = world.message_mut(channel, &message.ts)?;
            stored.files.clone_from(&ids);
            let stored = stored.clone();
            let mut event = world.message_event(&stored);
            event["subtype"] = json!("file_share");
            ((message.ts, ids), event)
        };
        Ok(Shared {
            ts,
            files: ids,
            event: self.event(&user.team_id, event),
        })
    }
}

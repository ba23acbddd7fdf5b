//! Files uploaded through the external upload flow, and scheduled messages,
//! which post themselves when the fake's clock reaches their `post_at`.

use serde_json::{json, Value};

use super::messages::Content;
use super::{StoredMessage, World};
use crate::error::SlackError;

/// A file from `files.getUploadURLExternal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    /// `F…`.
    pub id: String,
    /// The file name given.
    pub name: String,
    /// The title given at completion (the name until then).
    pub title: String,
    /// The `length` declared when asking for the upload URL.
    pub declared_length: usize,
    /// The bytes uploaded, once they are.
    pub bytes: Option<Vec<u8>>,
    /// The upload's content type (the multipart part's, or the request's).
    pub content_type: Option<String>,
    /// Whether `files.completeUploadExternal` completed it.
    pub completed: bool,
    /// Channels it was shared to.
    pub channels: Vec<String>,
    /// Who shared it, when a user did (else the bot).
    pub owner: Option<String>,
}

impl StoredFile {
    /// The `file` object Slack describes a file with.
    pub(crate) fn json(&self, world: &World) -> Value {
        let (filetype, guessed) = kind_of(&self.name);
        // A user's share carries the type its client gave; an upload's is guessed.
        let given = self.owner.as_ref().and(self.content_type.as_deref());
        let mimetype = given.unwrap_or(guessed);
        let domain = &world.ids.team_domain;
        let owner = self.owner.as_deref().unwrap_or(&world.ids.bot_user_id);
        json!({
            "id": self.id,
            "created": world.clock.now(),
            "timestamp": world.clock.now(),
            "name": self.name,
            "title": self.title,
            "mimetype": mimetype,
            "filetype": filetype,
            "pretty_type": filetype.to_uppercase(),
            "user": owner,
            "size": self.bytes.as_ref().map_or(self.declared_length, Vec::len),
            "is_external": false,
            "is_public": !self.channels.is_empty(),
            "url_private": format!("https://files.slack.com/files-pri/{}-{}/{}", world.ids.team_id, self.id, self.name),
            "permalink": format!("https://{domain}.slack.com/files/{owner}/{}/{}", self.id, self.name),
            "channels": self.channels,
        })
    }
}

/// The file type and MIME type Slack would guess from a file name.
fn kind_of(name: &str) -> (&'static str, &'static str) {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => ("png", "image/png"),
        Some("jpg" | "jpeg") => ("jpg", "image/jpeg"),
        Some("gif") => ("gif", "image/gif"),
        Some("ics") => ("ics", "text/calendar"),
        Some("csv") => ("csv", "text/csv"),
        Some("json") => ("json", "application/json"),
        Some("txt") => ("text", "text/plain"),
        _ => ("binary", "application/octet-stream"),
    }
}

/// A message waiting for its `post_at`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledMessage {
    /// `Q…`.
    pub id: String,
    /// Where it will post.
    pub channel: String,
    /// When, unix seconds.
    pub post_at: u64,
    /// When it was scheduled, unix seconds (fake clock).
    pub date_created: u64,
    /// Its text.
    pub text: String,
    /// Its blocks.
    pub blocks: Vec<Value>,
    /// Its metadata.
    pub metadata: Option<Value>,
    /// The thread it replies to.
    pub thread_ts: Option<String>,
}

impl World {
    /// Registers an upload; returns the file id and the URL's ticket.
    pub(crate) fn new_upload(&mut self, name: &str, length: usize) -> (String, String) {
        let id = self.mint.id("F");
        let ticket = self.mint.uuid();
        self.files.insert(
            id.clone(),
            StoredFile {
                id: id.clone(),
                name: name.to_owned(),
                title: name.to_owned(),
                declared_length: length,
                bytes: None,
                content_type: None,
                completed: false,
                channels: Vec::new(),
                owner: None,
            },
        );
        self.uploads.insert(ticket.clone(), id.clone());
        (id, ticket)
    }

    /// Completes uploaded files and, with a channel, shares them there in one
    /// new message from the bot carrying `initial_comment`.
    pub(crate) fn complete_upload(
        &mut self,
        files: &[(String, Option<String>)],
        channel: Option<&str>,
        comment: Content,
        thread_ts: Option<String>,
    ) -> Result<Vec<Value>, SlackError> {
        for (id, _) in files {
            let file = self.files.get(id).filter(|f| !f.completed);
            if file.is_none_or(|f| f.bytes.is_none()) {
                return Err(SlackError::with_detail("file_not_found", id.clone()));
            }
        }
        let channel = match channel {
            Some(channel) => Some(self.postable(channel)?.id.clone()),
            None => None,
        };
        for (id, title) in files {
            if let Some(file) = self.files.get_mut(id) {
                file.completed = true;
                if let Some(title) = title {
                    file.title = title.clone();
                }
                file.channels.extend(channel.clone());
            }
        }
        if let Some(channel) = &channel {
            let bot = self.ids.bot_user_id.clone();
            let posted = self.add_message(channel, &bot, comment, thread_ts)?;
            let ids: Vec<String> = files.iter().map(|(id, _)| id.clone()).collect();
            self.message_mut(channel, &posted.ts)?.files = ids;
        }
        Ok(files
            .iter()
            .filter_map(|(id, _)| self.files.get(id))
            .map(|f| f.json(self))
            .collect())
    }

    /// Posts every scheduled message whose `post_at` has come, in `post_at`
    /// order, each with a `ts` at its `post_at`.
    pub(crate) fn post_due(&mut self) -> Vec<StoredMessage> {
        let now = self.clock.now();
        let mut due: Vec<ScheduledMessage> = Vec::new();
        self.scheduled.retain(|s| {
            let is_due = s.post_at <= now;
            if is_due {
                due.push(s.clone());
            }
            !is_due
        });
        due.sort_by_key(|s| s.post_at);
        due.into_iter()
            .filter_map(|s| self.post_scheduled(s))
            .collect()
    }

    fn post_scheduled(&mut self, scheduled: ScheduledMessage) -> Option<StoredMessage> {
        let ts = self.clock.ts_at_secs(scheduled.post_at);
        let channel = self.channels.get_mut(&scheduled.channel)?;
        let message = StoredMessage {
            channel: scheduled.channel.clone(),
            ts: ts.clone(),
            thread_ts: scheduled.thread_ts,
            user: self.ids.bot_user_id.clone(),
            bot_id: Some(self.ids.bot_id.clone()),
            team: self.ids.team_id.clone(),
            text: scheduled.text,
            blocks: scheduled.blocks,
            attachments: Vec::new(),
            metadata: scheduled.metadata,
            files: Vec::new(),
            reactions: Vec::new(),
            edited: None,
            reply_broadcast: false,
            unfurl: (None, None),
            scheduled_message_id: Some(scheduled.id),
        };
        channel.messages.insert(ts, message.clone());
        Some(message)
    }
}

//! Channels: public, private and DMs, each with its members and its messages,
//! and the `conversations.*` JSON Slack describes them with.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::StoredMessage;

/// What kind of conversation a channel is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// A public channel (`C…`, `public_channel`).
    Public,
    /// A private channel (`C…`, `private_channel`).
    Private,
    /// A direct message between the bot and `user` (`D…`, `im`).
    Im {
        /// The other side.
        user: String,
    },
}

impl ChannelKind {
    /// Slack's name of the kind in `types=`.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Public => "public_channel",
            Self::Private => "private_channel",
            Self::Im { .. } => "im",
        }
    }
}

/// A channel as the fake stores it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredChannel {
    /// `C…` or `D…`.
    pub id: String,
    /// Name without `#` (empty for a DM).
    pub name: String,
    /// The workspace it belongs to.
    pub team_id: String,
    /// Public, private or DM.
    pub kind: ChannelKind,
    /// Member user ids (the bot's included when it is a member), ascending.
    pub members: BTreeSet<String>,
    /// Creation time, unix seconds.
    pub created: u64,
    /// Archived channels refuse posts.
    pub is_archived: bool,
    /// Every message by `ts`, thread replies included.
    pub messages: BTreeMap<String, StoredMessage>,
}

impl StoredChannel {
    pub(crate) fn new(
        id: &str,
        name: &str,
        team_id: &str,
        kind: ChannelKind,
        members: &[String],
        created: u64,
    ) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            team_id: team_id.to_owned(),
            kind,
            members: members.iter().cloned().collect(),
            created,
            is_archived: false,
            messages: BTreeMap::new(),
        }
    }

    /// Whether `user` is a member.
    #[must_use]
    pub fn has_member(&self, user: &str) -> bool {
        self.members.contains(user)
    }

    /// The `channel` object of `conversations.info`/`list`, as the bot sees it.
    pub(crate) fn json(&self, bot: &str) -> Value {
        if let ChannelKind::Im { user } = &self.kind {
            return json!({
                "id": self.id,
                "created": self.created,
                "is_im": true,
                "is_org_shared": false,
                "user": user,
                "is_user_deleted": false,
                "priority": 0,
            });
        }
        let private = self.kind == ChannelKind::Private;
        json!({
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "created": self.created,
            "creator": "U0OWNER01",
            "is_channel": !private,
            "is_group": private,
            "is_im": false,
            "is_mpim": false,
            "is_private": private,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_shared": false,
            "is_org_shared": false,
            "is_ext_shared": false,
            "is_member": self.has_member(bot),
            "context_team_id": self.team_id,
            "topic": { "value": "", "creator": "", "last_set": 0 },
            "purpose": { "value": "", "creator": "", "last_set": 0 },
            "previous_names": [],
            "num_members": self.members.len(),
        })
    }
}

//! What Slack would remember: the workspaces, their users and user groups, the
//! channels with their members and messages, ephemeral messages, files, scheduled
//! messages and `response_url`s. Tests read it back to check the bot's visible
//! effect, not just the calls it made. Everything is seen as the bot's token
//! sees it: a private channel the bot is not in, or any channel of another
//! workspace, is `channel_not_found`.

mod channels;
mod events;
mod files;
mod mentions;
mod messages;
mod responses;
mod views;

pub use channels::{ChannelKind, StoredChannel};
pub use files::{ScheduledMessage, StoredFile};
pub(crate) use messages::Content;
pub use messages::{Ephemeral, Origin, StoredMessage, StoredReaction};
pub(crate) use responses::content_of;
pub use responses::{ResponseEffect, ResponsePost, ResponseUrl};
pub use views::StoredView;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};

use crate::clock::Clock;
use crate::error::SlackError;
use crate::ids::{FakeUser, Ids, Mint};

/// The fake Slack's memory. Lives behind a `std::sync::Mutex`; no method awaits.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) ids: Ids,
    pub(crate) clock: Clock,
    pub(crate) mint: Mint,
    /// Every user by id, the bot included.
    pub(crate) users: BTreeMap<String, FakeUser>,
    pub(crate) channels: BTreeMap<String, StoredChannel>,
    /// Members of each user group.
    pub(crate) usergroups: BTreeMap<String, Vec<String>>,
    /// DM channel id by user id.
    pub(crate) dms: BTreeMap<String, String>,
    pub(crate) ephemerals: Vec<Ephemeral>,
    pub(crate) files: BTreeMap<String, StoredFile>,
    /// File id by upload ticket (the last segment of its upload URL).
    pub(crate) uploads: HashMap<String, String>,
    pub(crate) scheduled: Vec<ScheduledMessage>,
    pub(crate) responses: HashMap<String, ResponseUrl>,
    pub(crate) response_posts: Vec<ResponsePost>,
    pub(crate) triggers: HashMap<String, views::Trigger>,
    /// Modals by view id.
    pub(crate) views: BTreeMap<String, StoredView>,
    /// Whether the bot may post in public channels it is not in
    /// (`chat:write.public`).
    pub(crate) chat_write_public: bool,
    /// Pinned messages, as (channel, ts).
    pub(crate) pins: BTreeSet<(String, String)>,
}

impl World {
    pub(crate) fn new(ids: Ids, start_at: Option<u64>, stranger: bool) -> Self {
        let mut world = Self {
            clock: Clock::new(start_at),
            mint: Mint::default(),
            users: BTreeMap::new(),
            channels: BTreeMap::new(),
            usergroups: BTreeMap::new(),
            dms: BTreeMap::new(),
            ephemerals: Vec::new(),
            files: BTreeMap::new(),
            uploads: HashMap::new(),
            scheduled: Vec::new(),
            responses: HashMap::new(),
            response_posts: Vec::new(),
            triggers: HashMap::new(),
            views: BTreeMap::new(),
            chat_write_public: false,
            pins: BTreeSet::new(),
            ids,
        };
        world.populate(stranger);
        world
    }

    fn populate(&mut self, stranger: bool) {
        let ids = self.ids.clone();
        let bot = FakeUser {
            id: ids.bot_user_id.clone(),
            name: "emcee".to_owned(),
            team_id: ids.team_id.clone(),
            is_admin: false,
            is_owner: false,
        };
        let people = [
            bot,
            FakeUser::owner(),
            FakeUser::admin(),
            FakeUser::attendee(1),
        ];
        for user in &people {
            self.remember(user);
        }
        let everyone: Vec<String> = people.iter().map(|u| u.id.clone()).collect();
        let humans = &everyone[1..];
        let (public, private) = (ChannelKind::Public, ChannelKind::Private);
        let channels = [
            (&ids.general_channel_id, "general", &public, &everyone[..]),
            (
                &ids.announcements_channel_id,
                "announcements",
                &public,
                &everyone,
            ),
            (&ids.polls_channel_id, "polls", &public, &everyone),
            (
                &ids.organisers_channel_id,
                "organisers",
                &private,
                &everyone,
            ),
            (&ids.random_channel_id, "random", &public, humans),
            (&ids.secret_channel_id, "secret", &private, humans),
        ];
        for (id, name, kind, members) in channels {
            self.add_channel(id, name, &ids.team_id, kind.clone(), members);
        }
        self.usergroups.insert(
            ids.organisers_group_id.clone(),
            vec![ids.admin_user_id.clone(), FakeUser::attendee(1).id],
        );
        if stranger {
            let owner = FakeUser::stranger_owner();
            self.remember(&owner);
            let members = [owner.id.clone(), ids.bot_user_id.clone()];
            let (id, team) = (
                &ids.stranger.announcements_channel_id,
                &ids.stranger.team_id,
            );
            self.add_channel(id, "announcements", team, public, &members);
        }
    }

    fn add_channel(
        &mut self,
        id: &str,
        name: &str,
        team: &str,
        kind: ChannelKind,
        members: &[String],
    ) {
        let channel = StoredChannel::new(id, name, team, kind, members, self.clock.now());
        self.channels.insert(id.to_owned(), channel);
    }

    pub(crate) fn remember(&mut self, user: &FakeUser) {
        self.users.insert(user.id.clone(), user.clone());
    }

    pub(crate) fn bot_user(&self) -> &str {
        &self.ids.bot_user_id
    }

    /// A user of the served workspace, as `users.info` finds them.
    pub(crate) fn user(&self, id: &str) -> Result<&FakeUser, SlackError> {
        self.users
            .get(id)
            .filter(|u| u.team_id == self.ids.team_id)
            .ok_or_else(|| SlackError::new("user_not_found"))
    }

    /// A channel the bot can see: a public channel of its workspace, a private
    /// one it is in, or a DM it opened. `channel` may be an id, `#name` or
    /// `name`, or a user id for that user's DM.
    pub(crate) fn visible(&self, channel: &str) -> Result<&StoredChannel, SlackError> {
        let id = self.resolve(channel)?;
        let found = self.channels.get(&id).filter(|c| {
            c.team_id == self.ids.team_id
                && (c.kind == ChannelKind::Public || c.has_member(&self.ids.bot_user_id))
        });
        found.ok_or_else(SlackError::channel_not_found)
    }

    /// A channel the bot may post in: visible, not archived, and the bot a member
    /// (or the channel public with `chat:write.public`).
    pub(crate) fn postable(&self, channel: &str) -> Result<&StoredChannel, SlackError> {
        let found = self.visible(channel)?;
        if found.is_archived {
            return Err(SlackError::new("is_archived"));
        }
        let public = found.kind == ChannelKind::Public;
        if found.has_member(&self.ids.bot_user_id) || (public && self.chat_write_public) {
            Ok(found)
        } else {
            Err(SlackError::new("not_in_channel"))
        }
    }

    /// A channel whose history the bot may read: visible and a member.
    pub(crate) fn readable(&self, channel: &str) -> Result<&StoredChannel, SlackError> {
        let found = self.visible(channel)?;
        if found.has_member(&self.ids.bot_user_id) {
            Ok(found)
        } else {
            Err(SlackError::new("not_in_channel"))
        }
    }

    pub(crate) fn channel_mut(&mut self, id: &str) -> Result<&mut StoredChannel, SlackError> {
        self.channels
            .get_mut(id)
            .ok_or_else(SlackError::channel_not_found)
    }

    /// The channel id `channel` names: an id as is, `#name`/`name` looked up in
    /// the served workspace, a user id as that user's DM (opened if needed).
    fn resolve(&self, channel: &str) -> Result<String, SlackError> {
        if self.channels.contains_key(channel) {
            return Ok(channel.to_owned());
        }
        if let Some(dm) = self.dms.get(channel) {
            return Ok(dm.clone());
        }
        let name = channel.strip_prefix('#').unwrap_or(channel);
        self.channels
            .values()
            .find(|c| c.team_id == self.ids.team_id && c.name == name)
            .map(|c| c.id.clone())
            .ok_or_else(SlackError::channel_not_found)
    }

    /// The DM channel with `user_id`, opened on first use; `true` if it was
    /// already open.
    pub(crate) fn open_dm(&mut self, user_id: &str) -> Result<(String, bool), SlackError> {
        if user_id == self.ids.bot_user_id {
            return Err(SlackError::new("cannot_dm_bot"));
        }
        self.user(user_id)?;
        if let Some(id) = self.dms.get(user_id) {
            return Ok((id.clone(), true));
        }
        let id = self.mint.id("D");
        let members = [user_id.to_owned(), self.ids.bot_user_id.clone()];
        let kind = ChannelKind::Im {
            user: user_id.to_owned(),
        };
        let created = self.clock.now();
        let channel = StoredChannel::new(&id, "", &self.ids.team_id, kind, &members, created);
        self.channels.insert(id.clone(), channel);
        self.dms.insert(user_id.to_owned(), id.clone());
        Ok((id, false))
    }

    /// `users.info`'s `user` object.
    pub(crate) fn user_json(&self, user: &FakeUser) -> Value {
        let is_bot = user.id == self.ids.bot_user_id;
        let mut json = json!({
            "id": user.id,
            "team_id": user.team_id,
            "name": user.name,
            "real_name": user.name,
            "deleted": false,
            "tz": "Europe/Amsterdam",
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "is_admin": user.is_admin,
            "is_owner": user.is_owner,
            "is_primary_owner": user.is_owner,
            "is_restricted": false,
            "is_ultra_restricted": false,
            "is_bot": is_bot,
            "is_app_user": false,
            "updated": self.clock.now(),
            "profile": {
                "display_name": user.name,
                "real_name": user.name,
                "team": user.team_id,
            },
        });
        if is_bot {
            json["profile"]["bot_id"] = json!(self.ids.bot_id);
        }
        json
    }
}

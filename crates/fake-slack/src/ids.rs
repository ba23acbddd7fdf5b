//! The fixed world the fake serves: one app installed in the conference's
//! workspace (its bot user, channels and a user group), optionally a stranger's
//! workspace, and the users a test plays.
//!
//! Fixed ids keep test output readable and assertions stable. They have Slack's
//! shape (a type letter, then upper-case letters and digits) because clients and
//! the bot may check prefixes: `T` team, `U` user, `B` bot, `A` app, `C` channel,
//! `D` direct message, `S` user group, `F` file, `Q` scheduled message.

/// The ids of the served workspace and of everything in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ids {
    /// The workspace (team) the app is installed in.
    pub team_id: String,
    /// Its subdomain, `emcee-conf` in `emcee-conf.slack.com`.
    pub team_domain: String,
    /// The Slack app.
    pub app_id: String,
    /// The app's bot user, who posts everything the bot sends.
    pub bot_user_id: String,
    /// The bot's `B…` id, on messages it posts.
    pub bot_id: String,
    /// The workspace's primary owner (admin too).
    pub owner_user_id: String,
    /// A workspace admin who is not an owner.
    pub admin_user_id: String,
    /// `#general`, public, the bot is a member.
    pub general_channel_id: String,
    /// `#announcements`, public, the bot is a member.
    pub announcements_channel_id: String,
    /// `#polls`, public, the bot is a member.
    pub polls_channel_id: String,
    /// `#organisers`, private, the bot is a member.
    pub organisers_channel_id: String,
    /// `#random`, public, the bot is NOT a member (it may join).
    pub random_channel_id: String,
    /// `#secret`, private, the bot is NOT a member (invisible to it).
    pub secret_channel_id: String,
    /// `@organisers`, a user group holding the admin and `FakeUser::attendee(1)`.
    pub organisers_group_id: String,
    /// The stranger's workspace, served with [`crate::Config::stranger_workspace`].
    pub stranger: StrangerIds,
}

/// A second workspace, someone else's: its own owner and its own
/// `#announcements`, named like the conference's. The bot token of the served
/// workspace sees none of it; events and commands from it carry its team id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrangerIds {
    /// The stranger's workspace.
    pub team_id: String,
    /// Its primary owner.
    pub owner_user_id: String,
    /// Its `#announcements`.
    pub announcements_channel_id: String,
}

impl Default for Ids {
    fn default() -> Self {
        Self {
            team_id: "T0EMCEE01".to_owned(),
            team_domain: "emcee-conf".to_owned(),
            app_id: "A0EMCEE01".to_owned(),
            bot_user_id: "U0EMCEEBOT".to_owned(),
            bot_id: "B0EMCEEBOT".to_owned(),
            owner_user_id: "U0OWNER01".to_owned(),
            admin_user_id: "U0ADMIN01".to_owned(),
            general_channel_id: "C0GENERAL".to_owned(),
            announcements_channel_id: "C0ANNOUNCE".to_owned(),
            polls_channel_id: "C0POLLS".to_owned(),
            organisers_channel_id: "C0ORGANISE".to_owned(),
            random_channel_id: "C0RANDOM".to_owned(),
            secret_channel_id: "C0SECRET".to_owned(),
            organisers_group_id: "S0ORGANISE".to_owned(),
            stranger: StrangerIds {
                team_id: "T0STRANGE".to_owned(),
                owner_user_id: "U0STRANGER".to_owned(),
                announcements_channel_id: "C0STRANGEA".to_owned(),
            },
        }
    }
}

/// A user a test plays: an attendee, an admin, the owner, or the stranger's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeUser {
    /// `U…` id.
    pub id: String,
    /// The user name (`name` in `users.info`).
    pub name: String,
    /// The workspace the user belongs to.
    pub team_id: String,
    /// Workspace admin.
    pub is_admin: bool,
    /// Workspace owner.
    pub is_owner: bool,
}

impl FakeUser {
    /// Attendee number `n` of the conference's workspace: no admin rights.
    #[must_use]
    pub fn attendee(n: u32) -> Self {
        Self {
            id: format!("U0ATT{n:05}"),
            name: format!("attendee{n}"),
            team_id: Ids::default().team_id,
            is_admin: false,
            is_owner: false,
        }
    }

    /// The workspace's admin (not an owner).
    #[must_use]
    pub fn admin() -> Self {
        let ids = Ids::default();
        Self {
            id: ids.admin_user_id,
            name: "admin".to_owned(),
            team_id: ids.team_id,
            is_admin: true,
            is_owner: false,
        }
    }

    /// The workspace's primary owner (also an admin).
    #[must_use]
    pub fn owner() -> Self {
        let ids = Ids::default();
        Self {
            id: ids.owner_user_id,
            name: "owner".to_owned(),
            team_id: ids.team_id,
            is_admin: true,
            is_owner: true,
        }
    }

    /// The owner of the stranger's workspace: all rights there, none here.
    #[must_use]
    pub fn stranger_owner() -> Self {
        let ids = Ids::default();
        Self {
            id: ids.stranger.owner_user_id,
            name: "stranger".to_owned(),
            team_id: ids.stranger.team_id,
            is_admin: true,
            is_owner: true,
        }
    }
}

/// Mints the ids the fake creates at run time (files, scheduled messages, DM
/// channels, envelopes, events, triggers, tokens): a prefix and a counter, so
/// a run's ids are the same every time and sort by creation.
#[derive(Debug, Default)]
pub(crate) struct Mint {
    next: u64,
}

impl Mint {
    /// `prefix` then 8 digits, e.g. `F00000001`.
    pub(crate) fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{:08}", self.next)
    }

    /// A UUID-shaped id, as Slack's envelope ids are.
    pub(crate) fn uuid(&mut self) -> String {
        self.next += 1;
        format!("fa4e51ac-0000-4000-8000-{:012x}", self.next)
    }
}

//! The fixed world the fake serves (one application, the conference's guild with
//! a few channels and roles, and optionally a stranger's guild) and the users a
//! test plays.
//!
//! Fixed ids keep test output readable and assertions stable; ids the fake creates
//! at run time (messages, interactions, DM channels) come from [`Snowflakes`], so
//! they sort by creation time like real snowflakes.

use std::sync::atomic::{AtomicU64, Ordering};

/// Discord's epoch (2015-01-01T00:00:00Z) in unix milliseconds.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Permission bits granted to `@everyone` in the fake guild: VIEW_CHANNEL,
/// SEND_MESSAGES, EMBED_LINKS, ATTACH_FILES, READ_MESSAGE_HISTORY, ADD_REACTIONS and
/// USE_APPLICATION_COMMANDS, enough for the bot (with the cache on, serenity checks
/// SEND_MESSAGES locally before sending).
pub const EVERYONE_PERMISSIONS: u64 =
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6) | (1 << 31);

/// Permission bits of the organiser role: everything `@everyone` has plus
/// MANAGE_MESSAGES, MANAGE_CHANNELS and MANAGE_GUILD (not ADMINISTRATOR, so tests
/// exercise real permission checks).
pub const ORGANISER_PERMISSIONS: u64 = EVERYONE_PERMISSIONS | (1 << 13) | (1 << 4) | (1 << 5);

/// Permission bits of the bot's own role (the one Discord creates when a bot
/// is installed with permissions): `@everyone`'s plus MANAGE_MESSAGES, which
/// removing other people's stray reactions on a poll needs.
pub const BOT_ROLE_PERMISSIONS: u64 = EVERYONE_PERMISSIONS | (1 << 13);

/// The ids of everything the fake guild contains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ids {
    /// The bot's application (also the id of its followup webhooks).
    pub application_id: u64,
    /// The bot's own user.
    pub bot_user_id: u64,
    /// The one guild the bot is in.
    pub guild_id: u64,
    /// The `@everyone` role, whose id equals the guild id as on Discord.
    pub everyone_role_id: u64,
    /// A role that marks conference organisers.
    pub organiser_role_id: u64,
    /// The bot's own (managed) role in the conference's guild.
    pub bot_role_id: u64,
    /// The owner of the guild (not the bot).
    pub owner_user_id: u64,
    /// `#general`.
    pub general_channel_id: u64,
    /// `#announcements`.
    pub announcements_channel_id: u64,
    /// `#polls`.
    pub polls_channel_id: u64,
    /// `#organisers`.
    pub organisers_channel_id: u64,
    /// The stranger's server, served only with [`crate::Config::stranger_guild`].
    pub stranger: StrangerIds,
}

/// A second server the bot was added to by someone else (Discord bots are
/// public): its own owner and its own `#announcements`, named like the
/// conference's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrangerIds {
    /// The guild (and its `@everyone` role).
    pub guild_id: u64,
    /// Its owner, who may manage that server and nothing else.
    pub owner_user_id: u64,
    /// Its `#general`.
    pub general_channel_id: u64,
    /// Its `#announcements`.
    pub announcements_channel_id: u64,
}

/// One guild as the fake serves it: READY, GUILD_CREATE, the guild lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuildInfo {
    /// Snowflake, also its `@everyone` role's.
    pub id: u64,
    /// Display name.
    pub name: &'static str,
    /// The owner's user id.
    pub owner_id: u64,
    /// A role granting organiser permissions, if the guild has one.
    pub organiser_role_id: Option<u64>,
    /// The bot's own role there, if it was installed with one.
    pub bot_role_id: Option<u64>,
    /// Text channels as `(id, name)`, in display order.
    pub channels: Vec<(u64, &'static str)>,
    /// Permission bits denied to `@everyone` in a channel, as `(channel, bits)`
    /// (the channel's overwrite), from [`crate::Config::denied`].
    pub denied: Vec<(u64, u64)>,
    /// Channels of another type than text (0), as `(channel, type)`: 15 a
    /// forum, 16 a media channel; from [`crate::Config::channel_types`].
    pub kinds: Vec<(u64, u8)>,
}

impl GuildInfo {
    /// The Discord channel type of `channel`: text (0) unless declared.
    #[must_use]
    pub fn kind_of(&self, channel: u64) -> u8 {
        self.kinds
            .iter()
            .find(|(id, _)| *id == channel)
            .map_or(0, |(_, kind)| *kind)
    }
}

impl Default for Ids {
    fn default() -> Self {
        Self {
            application_id: 1_100_000_000_000_000_001,
            bot_user_id: 1_100_000_000_000_000_001,
            guild_id: 1_100_000_000_000_000_100,
            everyone_role_id: 1_100_000_000_000_000_100,
            organiser_role_id: 1_100_000_000_000_000_201,
            bot_role_id: 1_100_000_000_000_000_202,
            owner_user_id: 1_100_000_000_000_000_300,
            general_channel_id: 1_100_000_000_000_000_401,
            announcements_channel_id: 1_100_000_000_000_000_402,
            polls_channel_id: 1_100_000_000_000_000_403,
            organisers_channel_id: 1_100_000_000_000_000_404,
            stranger: StrangerIds {
                guild_id: 1_500_000_000_000_000_100,
                owner_user_id: 1_500_000_000_000_000_300,
                general_channel_id: 1_500_000_000_000_000_401,
                announcements_channel_id: 1_500_000_000_000_000_402,
            },
        }
    }
}

impl Ids {
    /// The guild text channels as `(id, name)`, in display order.
    #[must_use]
    pub fn text_channels(&self) -> [(u64, &'static str); 4] {
        [
            (self.general_channel_id, "general"),
            (self.announcements_channel_id, "announcements"),
            (self.polls_channel_id, "polls"),
            (self.organisers_channel_id, "organisers"),
        ]
    }

    /// The guilds the bot is in: the conference's first, then the stranger's
    /// if `stranger`.
    #[must_use]
    pub fn guilds(&self, stranger: bool) -> Vec<GuildInfo> {
        let mut guilds = vec![GuildInfo {
            id: self.guild_id,
            name: "Fake Conf",
            owner_id: self.owner_user_id,
            organiser_role_id: Some(self.organiser_role_id),
            bot_role_id: Some(self.bot_role_id),
            channels: self.text_channels().to_vec(),
            denied: Vec::new(),
            kinds: Vec::new(),
        }];
        if stranger {
            let s = &self.stranger;
            guilds.push(GuildInfo {
                id: s.guild_id,
                name: "Stranger's Server",
                owner_id: s.owner_user_id,
                organiser_role_id: None,
                bot_role_id: None,
                channels: vec![
                    (s.general_channel_id, "general"),
                    (s.announcements_channel_id, "announcements"),
                ],
                denied: Vec::new(),
                kinds: Vec::new(),
            });
        }
        guilds
    }
}

/// Names of the extra guilds and of their one text channel each.
const EXTRA_GUILDS: [(&str, &str); 8] = [
    ("Fake Conf Hall 1", "hall-1"),
    ("Fake Conf Hall 2", "hall-2"),
    ("Fake Conf Hall 3", "hall-3"),
    ("Fake Conf Hall 4", "hall-4"),
    ("Fake Conf Hall 5", "hall-5"),
    ("Fake Conf Hall 6", "hall-6"),
    ("Fake Conf Hall 7", "hall-7"),
    ("Fake Conf Hall 8", "hall-8"),
];

/// The shard-number part (`id >> 22`) of the first extra guild, a multiple
/// of 8, so that extra guild `i` is on shard `i % total` for every total
/// dividing 8.
const EXTRA_GUILD_BASE: u64 = 262_260_437_000;

impl Ids {
    /// `n` more guilds (at most 8) for [`crate::Config::extra_guilds`]:
    /// "Fake Conf Hall 1", … with one text channel each (`#hall-1`, …), owned
    /// by the conference's owner. Guild `i` (from 0) is on shard `i % total`
    /// for any total dividing 8.
    #[must_use]
    pub fn extra_guilds(&self, n: usize) -> Vec<GuildInfo> {
        EXTRA_GUILDS
            .iter()
            .zip(0..)
            .take(n)
            .map(|(&(name, channel), i)| {
                let id = ((EXTRA_GUILD_BASE + i) << 22) | 100;
                GuildInfo {
                    id,
                    name,
                    owner_id: self.owner_user_id,
                    organiser_role_id: None,
                    bot_role_id: None,
                    channels: vec![(id + 301, channel)],
                    denied: Vec::new(),
                    kinds: Vec::new(),
                }
            })
            .collect()
    }
}

/// A human the test plays: the author of injected messages, interactions and
/// reactions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeUser {
    /// The user's snowflake.
    pub id: u64,
    /// The user's username.
    pub username: String,
    /// Role ids the user has in the guild (besides `@everyone`).
    pub roles: Vec<u64>,
    /// The user's resolved guild permissions, as sent in interaction `member`s.
    pub permissions: u64,
}

impl FakeUser {
    /// Attendee number `n`: no roles, `@everyone` permissions. Ids sort by `n`.
    #[must_use]
    pub fn attendee(n: u32) -> Self {
        Self {
            id: 1_200_000_000_000_000_000 + u64::from(n),
            username: format!("attendee{n}"),
            roles: Vec::new(),
            permissions: EVERYONE_PERMISSIONS,
        }
    }

    /// Organiser number `n`: has the organiser role of [`Ids::default`].
    #[must_use]
    pub fn organiser(n: u32) -> Self {
        Self {
            id: 1_300_000_000_000_000_000 + u64::from(n),
            username: format!("organiser{n}"),
            roles: vec![Ids::default().organiser_role_id],
            permissions: ORGANISER_PERMISSIONS,
        }
    }
}

impl FakeUser {
    /// The owner of the stranger's server: no roles, but Manage Server there,
    /// which makes them an organiser of that server (and of nothing else).
    #[must_use]
    pub fn stranger_owner() -> Self {
        Self {
            id: Ids::default().stranger.owner_user_id,
            username: "stranger".to_owned(),
            roles: Vec::new(),
            permissions: ORGANISER_PERMISSIONS,
        }
    }
}

/// Hands out fresh snowflakes: the current time since the Discord epoch in the high
/// bits, made strictly increasing so two ids never collide.
#[derive(Debug)]
pub(crate) struct Snowflakes {
    last: AtomicU64,
}

impl Snowflakes {
    pub(crate) fn new() -> Self {
        Self {
            last: AtomicU64::new(0),
        }
    }

    pub(crate) fn next(&self) -> u64 {
        let now_ms = crate::time::unix_millis().saturating_sub(DISCORD_EPOCH_MS);
        let candidate = now_ms << 22;
        let previous = self
            .last
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
                Some(candidate.max(last + 1))
            })
            .unwrap_or_default();
        candidate.max(previous + 1)
    }
}

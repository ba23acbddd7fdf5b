//! The preflight: the config's channels and roles checked against the real
//! Discord servers, with the bot's permissions in each channel, before the
//! first post is due.
//!
//! Without it a typo in a channel name, or a channel where the bot may not
//! add reactions, is found when the keynote's announcement fails. `emcee
//! check --online` runs it and refuses on any problem; `emcee run` runs it at
//! start and warns. What is needed comes from the core
//! (`emcee_core::config::needs`); this module only asks Discord and applies
//! Discord's permission rules (serenity's, over the guild's roles and the
//! channel's overwrites). Features that need more than posting are checked
//! only when configured, one line per missing permission naming the
//! feature: scheduled events (Manage Events, in the server), threads
//! (Create Public Threads, Manage Threads, Send Messages in Threads where
//! sessions are announced), native polls (Send Polls) and meme contests
//! (Read Message History, Add Reactions in the contest's channel).

use super::channels::{lookup_name, Server};
use super::outbound::{Outbound, OutboundError};
use emcee_core::config::needs::{channel_needs, role_needs, ChannelNeed};
use emcee_core::config::Settings;
use emcee_core::polls::PollStyle;
use emcee_core::programme::Programme;
use poise::serenity_prelude as serenity;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What every channel emcee posts in must allow the bot.
const POSTING: serenity::Permissions = serenity::Permissions::VIEW_CHANNEL
    .union(serenity::Permissions::SEND_MESSAGES)
    .union(serenity::Permissions::EMBED_LINKS)
    .union(serenity::Permissions::READ_MESSAGE_HISTORY);

/// What a poll channel needs besides: the option reactions, the result chart,
/// and removing reactions that are not options.
const POLLING: serenity::Permissions = serenity::Permissions::ADD_REACTIONS
    .union(serenity::Permissions::ATTACH_FILES)
    .union(serenity::Permissions::MANAGE_MESSAGES);

/// What the threads on start announcements need in their channels.
const THREADS: serenity::Permissions = serenity::Permissions::CREATE_PUBLIC_THREADS
    .union(serenity::Permissions::MANAGE_THREADS)
    .union(serenity::Permissions::SEND_MESSAGES_IN_THREADS);

/// What a meme contest needs in its channel: reading the entries and
/// seeding the vote emoji.
const CONTEST: serenity::Permissions =
    serenity::Permissions::READ_MESSAGE_HISTORY.union(serenity::Permissions::ADD_REACTIONS);

/// Why the preflight could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    #[error("cannot ask Discord: {0}")]
    Discord(#[from] OutboundError),
    #[error("Discord answered {what} in a form emcee does not understand: {detail}")]
    Unreadable { what: String, detail: String },
}

/// One thing that will go wrong on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No channel of that name (or id) in the served servers.
    MissingChannel { key: String, uses: Vec<String> },
    /// The bot lacks permissions it needs in a channel.
    MissingPermissions {
        channel: String,
        server: Server,
        missing: Vec<String>,
    },
    /// A configured role id is in none of the served servers.
    MissingRole { id: String, used_by: String },
    /// A configured feature lacks one permission, in a channel or (`None`)
    /// in the whole server.
    FeaturePermission {
        channel: Option<String>,
        server: Server,
        permission: String,
        /// The feature and the setting that turns it on.
        feature: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingChannel { key, uses } => write!(
                f,
                "no channel {key} in the served servers (used for {}); create it or fix the name",
                uses.join(", ")
            ),
            Self::MissingPermissions {
                channel,
                server,
                missing,
            } => write!(
                f,
                "#{channel} in {server}: the bot lacks {} there; grant it to the bot's role or \
                 in the channel's permissions",
                missing.join(", ")
            ),
            Self::MissingRole { id, used_by } => {
                write!(f, "role {id} ({used_by}) is in none of the served servers")
            }
            Self::FeaturePermission {
                channel: Some(channel),
                server,
                permission,
                feature,
            } => write!(
                f,
                "#{channel} in {server}: the bot lacks {permission} there, needed by {feature}; \
                 grant it to the bot's role or in the channel's permissions"
            ),
            Self::FeaturePermission {
                channel: None,
                server,
                permission,
                feature,
            } => write!(
                f,
                "{server}: the bot lacks {permission} in the server, needed by {feature}; \
                 grant it to the bot's role"
            ),
        }
    }
}

/// A configured channel as found on Discord.
#[derive(Debug, Clone)]
pub struct FoundChannel {
    pub need: ChannelNeed,
    /// `#name` in the server, when found.
    pub found: Option<(Server, String)>,
}

/// What the preflight saw.
#[derive(Debug, Clone)]
pub struct Report {
    /// The bot's user name, as Discord knows it.
    pub bot: String,
    pub servers: Vec<Server>,
    pub channels: Vec<FoundChannel>,
    pub problems: Vec<Problem>,
}

/// One server as the preflight reads it.
struct Guild {
    server: Server,
    guild: serenity::PartialGuild,
    channels: Vec<serenity::GuildChannel>,
    bot: serenity::Member,
}

/// Checks the config's channels and roles in `served` (empty: every server
/// the bot is in).
///
/// # Errors
/// [`PreflightError`] when Discord cannot be asked or answers nonsense.
pub async fn check(
    outbound: &Outbound,
    served: &[u64],
    settings: &Settings,
    programme: &Programme,
) -> Result<Report, PreflightError> {
    let me = outbound.get_json("/users/@me").await?;
    let bot_id = me["id"].as_str().unwrap_or_default().to_owned();
    let bot = me["username"].as_str().unwrap_or_default().to_owned();
    let listed = if served.is_empty() {
        outbound.current_user_guild_names().await?
    } else {
        served.iter().map(|id| (*id, String::new())).collect()
    };
    let mut guilds = Vec::new();
    for (id, name) in listed {
        guilds.push(read_guild(outbound, id, name, &bot_id).await?);
    }
    let mut problems = Vec::new();
    let features = Features::of(settings, programme);
    let channels = channel_needs(settings, programme)
        .into_iter()
        .map(|need| check_channel(&guilds, need, &features, &mut problems))
        .collect();
    if settings.discord.scheduled_events().is_some() {
        for guild in &guilds {
            let granted = guild.guild.member_permissions(&guild.bot);
            let feature = "scheduled events ([discord.events] enabled)";
            let missing = serenity::Permissions::MANAGE_EVENTS - granted;
            problems.extend(lacking(None, &guild.server, missing, feature));
        }
    }
    for role in role_needs(settings) {
        let known = guilds.iter().any(|g| {
            g.guild
                .roles
                .keys()
                .any(|id| id.get().to_string() == role.id)
        });
        if !known {
            problems.push(Problem::MissingRole {
                id: role.id,
                used_by: role.used_by,
            });
        }
    }
    Ok(Report {
        bot,
        servers: guilds.into_iter().map(|g| g.server).collect(),
        channels,
        problems,
    })
}

async fn read_guild(
    outbound: &Outbound,
    id: u64,
    name: String,
    bot_id: &str,
) -> Result<Guild, PreflightError> {
    let guild: serenity::PartialGuild = parse(
        "the server",
        outbound.get_json(&format!("/guilds/{id}")).await?,
    )?;
    let channels = parse(
        "the server's channels",
        outbound.get_json(&format!("/guilds/{id}/channels")).await?,
    )?;
    let mut member = outbound
        .get_json(&format!("/guilds/{id}/members/{bot_id}"))
        .await?;
    // Discord leaves the guild out of a member it answers for one guild.
    member["guild_id"] = Value::String(id.to_string());
    let bot = parse("the bot's membership", member)?;
    let name = if name.is_empty() {
        guild.name.clone()
    } else {
        name
    };
    Ok(Guild {
        server: Server { id, name },
        guild,
        channels,
        bot,
    })
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, value: Value) -> Result<T, PreflightError> {
    serde_json::from_value(value).map_err(|e| PreflightError::Unreadable {
        what: what.to_owned(),
        detail: e.to_string(),
    })
}

/// The configured features that need more than posting in some channels,
/// by the config's channel keys.
struct Features {
    /// Where start announcements open threads (`[threads] enabled`).
    threads: BTreeSet<String>,
    /// Where Discord's native polls are posted (`[polls] style = "native"`).
    native_polls: BTreeSet<String>,
    /// The declared meme contests' channels, with the contests' ids.
    contests: BTreeMap<String, Vec<String>>,
}

impl Features {
    fn of(settings: &Settings, programme: &Programme) -> Self {
        let key = |k: &String| k.trim().to_owned();
        let a = &settings.announcements;
        let threads = if settings.threads.enabled {
            let named = a.default_channel.iter().chain(&a.main_channel);
            named
                .chain(a.tracks.values())
                .chain(a.rooms.values())
                .map(key)
                .collect()
        } else {
            BTreeSet::new()
        };
        // `/poll` posts in `[polls] channel` in the configured style; a
        // declared poll may name its own style and channel.
        let native = |style: Option<PollStyle>| style == Some(PollStyle::Native);
        let default = &settings.polls.channel;
        let declared = programme
            .polls
            .iter()
            .filter(|p| native(p.style.or(settings.polls.style)))
            .filter_map(|p| p.channel.as_ref().or(default.as_ref()));
        let ad_hoc = default.iter().filter(|_| native(settings.polls.style));
        let native_polls = ad_hoc.chain(declared).map(key).collect();
        let mut contests: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for contest in &programme.contests {
            let ids = contests.entry(key(&contest.channel)).or_default();
            ids.push(contest.id.clone());
        }
        Self {
            threads,
            native_polls,
            contests,
        }
    }

    /// What the features need in the channel of config key `key`, each
    /// with the feature's name.
    fn in_channel(&self, key: &str) -> Vec<(serenity::Permissions, String)> {
        let mut needs = Vec::new();
        if self.threads.contains(key) {
            needs.push((THREADS, "threads ([threads] enabled)".to_owned()));
        }
        if self.native_polls.contains(key) {
            let feature = "native polls ([polls] style = \"native\")".to_owned();
            needs.push((serenity::Permissions::SEND_POLLS, feature));
        }
        if let Some(ids) = self.contests.get(key) {
            needs.push((CONTEST, format!("the meme contest {}", ids.join(", "))));
        }
        needs
    }
}

/// One problem per permission in `missing`, naming `feature`.
fn lacking(
    channel: Option<&str>,
    server: &Server,
    missing: serenity::Permissions,
    feature: &str,
) -> Vec<Problem> {
    missing
        .iter()
        .flat_map(|bit| bit.get_permission_names())
        .map(|permission| Problem::FeaturePermission {
            channel: channel.map(str::to_owned),
            server: server.clone(),
            permission: permission.to_owned(),
            feature: feature.to_owned(),
        })
        .collect()
}

/// Finds `need` in the servers and checks the bot's permissions there:
/// what posting (and polls) need on one line, what each configured feature
/// needs on a line per permission, naming the feature.
fn check_channel(
    guilds: &[Guild],
    need: ChannelNeed,
    features: &Features,
    problems: &mut Vec<Problem>,
) -> FoundChannel {
    let wanted_name = lookup_name(&need.key);
    let found = guilds.iter().find_map(|g| {
        let channel = g.channels.iter().find(|c| match &wanted_name {
            Some(name) => c.name.to_lowercase() == *name,
            None => c.id.get().to_string() == need.key.trim(),
        })?;
        Some((g, channel))
    });
    let Some((guild, channel)) = found else {
        problems.push(Problem::MissingChannel {
            key: need.key.clone(),
            uses: need.uses.clone(),
        });
        return FoundChannel { need, found: None };
    };
    let required = if need.polls {
        POSTING | POLLING
    } else {
        POSTING
    };
    let granted = guild.guild.user_permissions_in(channel, &guild.bot);
    let special = features.in_channel(need.key.trim());
    let mut missing = required - granted;
    for (needed, feature) in &special {
        missing -= *needed;
        let name = Some(channel.name.as_str());
        problems.extend(lacking(name, &guild.server, *needed - granted, feature));
    }
    if !missing.is_empty() {
        problems.push(Problem::MissingPermissions {
            channel: channel.name.clone(),
            server: guild.server.clone(),
            missing: missing
                .get_permission_names()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        });
    }
    FoundChannel {
        need,
        found: Some((guild.server.clone(), channel.name.clone())),
    }
}

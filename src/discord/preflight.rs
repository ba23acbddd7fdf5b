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
//! channel's overwrites).

use super::channels::{lookup_name, Server};
use super::outbound::{Outbound, OutboundError};
use emcee_core::config::needs::{channel_needs, role_needs, ChannelNeed};
use emcee_core::config::Settings;
use emcee_core::programme::Programme;
use poise::serenity_prelude as serenity;
use serde_json::Value;
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
    let channels = channel_needs(settings, programme)
        .into_iter()
        .map(|need| check_channel(&guilds, need, &mut problems))
        .collect();
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

/// Finds `need` in the servers and checks the bot's permissions there.
fn check_channel(guilds: &[Guild], need: ChannelNeed, problems: &mut Vec<Problem>) -> FoundChannel {
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
    let missing = required - granted;
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

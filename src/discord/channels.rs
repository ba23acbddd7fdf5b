//! Channel names from the config, looked up in the servers emcee serves.
//!
//! The config names channels ("announcements", "flash-polls") so it can be
//! written before the server exists. A name is only safe when it means one
//! channel: with `[discord] servers` empty, the bot looks in every server it
//! is in, and a stranger who added it to their own server may well have an
//! `#announcements` too. Picking one (the last listed, as the announcer once
//! did) could send the conference's posts to a stranger, so a name found in
//! more than one server is refused at start, with the servers listed. With
//! `servers` set, names are looked up there only.
//!
//! The lookup also notes which channels are forums (or media channels),
//! with their server: a post there opens a thread rather than a message.

use super::outbound::{Outbound, OutboundError};
use emcee_core::config::needs::ChannelNeed;
use emcee_core::config::Settings;
use emcee_core::programme::Programme;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// What a lookup found: lower-case channel name (without `#`) -> channel
/// id, and the forums among them with their server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelMap {
    ids: HashMap<String, u64>,
    forums: HashMap<u64, u64>,
}

impl ChannelMap {
    /// The id of the channel named `name`.
    pub fn get(&self, name: &str) -> Option<&u64> {
        self.ids.get(name)
    }

    /// How many names were found.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no name was found.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether a channel called `name` was found.
    pub fn contains_key(&self, name: &str) -> bool {
        self.ids.contains_key(name)
    }

    /// The forums found, as (forum, server) pairs.
    pub fn forums(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.forums.iter().map(|(forum, server)| (*forum, *server))
    }

    /// Every (name, id) pair found.
    pub fn names(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.ids.iter().map(|(name, id)| (name.as_str(), *id))
    }
}

/// A server the bot is in: its id and, when Discord said, its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Server {
    pub id: u64,
    pub name: String,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "{}", self.id)
        } else {
            write!(f, "{} ({})", self.id, self.name)
        }
    }
}

/// A channel name found in more than one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguous {
    pub name: String,
    pub servers: Vec<Server>,
}

/// Why the names could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ChannelsError {
    #[error("{}", ambiguous_text(.0))]
    Ambiguous(Vec<Ambiguous>),
    #[error("cannot list the servers' channels: {0}")]
    Lookup(#[from] OutboundError),
}

fn ambiguous_text(names: &[Ambiguous]) -> String {
    let each: Vec<String> = names
        .iter()
        .map(|a| {
            let servers: Vec<String> = a.servers.iter().map(ToString::to_string).collect();
            format!("#{} is in {}", a.name, servers.join(" and "))
        })
        .collect();
    format!(
        "channel names found in more than one server: {}; list the conference's server in \
         `[discord] servers` (or give those channels by id)",
        each.join("; ")
    )
}

/// The config's key for a channel as a lookup name: no `#`, lower case; `None`
/// for an id, which needs no lookup.
pub fn lookup_name(key: &str) -> Option<String> {
    let key = key.trim();
    if key.parse::<u64>().is_ok() {
        return None;
    }
    Some(key.trim_start_matches('#').to_lowercase())
}

/// Every channel name the config and the agenda route posts to:
/// `[announcements]` (default, main, tracks, rooms, channel roles),
/// `[polls] channel` and the channels of declared polls.
pub fn configured_names(settings: &Settings, programme: &Programme) -> Vec<String> {
    let a = &settings.announcements;
    let keys = a.default_channel.iter().chain(&a.main_channel);
    let keys = keys.chain(a.tracks.values()).chain(a.rooms.values());
    let keys = keys
        .chain(a.channel_roles.keys())
        .chain(&settings.polls.channel);
    let keys = keys.chain(programme.polls.iter().filter_map(|p| p.channel.as_ref()));
    let names: BTreeSet<String> = keys.filter_map(|key| lookup_name(key)).collect();
    names.into_iter().collect()
}

/// Looks `names` up in `served` (empty: every server the bot is in) and maps
/// each name found to its channel. A name found in no server is left out (it
/// may be created later); one found in two or more servers is an error.
///
/// # Errors
/// [`ChannelsError::Ambiguous`] listing every such name with its servers;
/// [`ChannelsError::Lookup`] when Discord cannot be asked.
pub async fn resolve(
    outbound: &Outbound,
    served: &[u64],
    names: &[String],
) -> Result<ChannelMap, ChannelsError> {
    let wanted: BTreeSet<String> = names.iter().filter_map(|n| lookup_name(n)).collect();
    if wanted.is_empty() {
        return Ok(ChannelMap::default());
    }
    let listed = if served.is_empty() {
        outbound.current_user_guild_names().await?
    } else {
        served.iter().map(|id| (*id, String::new())).collect()
    };
    // Name -> the servers it is in, each with that server's first such channel.
    let mut found: BTreeMap<String, Vec<(Server, u64)>> = BTreeMap::new();
    let mut forums = HashMap::new();
    for (server, server_name) in listed {
        let mut seen_here = BTreeSet::new();
        for channel in outbound.guild_channels(server).await? {
            let name = channel.name.to_lowercase();
            if wanted.contains(&name) && seen_here.insert(name.clone()) {
                if channel.forum {
                    forums.insert(channel.id, server);
                }
                let server = Server {
                    id: server,
                    name: server_name.clone(),
                };
                found.entry(name).or_default().push((server, channel.id));
            }
        }
    }
    let ambiguous: Vec<Ambiguous> = found
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| Ambiguous {
            name: name.clone(),
            servers: places.iter().map(|(server, _)| server.clone()).collect(),
        })
        .collect();
    if !ambiguous.is_empty() {
        return Err(ChannelsError::Ambiguous(
            with_server_names(outbound, ambiguous).await,
        ));
    }
    let ids: HashMap<String, u64> = found
        .into_iter()
        .filter_map(|(name, places)| Some((name, places.first()?.1)))
        .collect();
    forums.retain(|forum, _| ids.values().any(|id| id == forum));
    Ok(ChannelMap { ids, forums })
}

/// Fills in server names the lookup did not have (listed servers), best effort:
/// the error is worth more with names, but not worth failing for.
async fn with_server_names(outbound: &Outbound, mut ambiguous: Vec<Ambiguous>) -> Vec<Ambiguous> {
    let unnamed = ambiguous
        .iter()
        .flat_map(|a| &a.servers)
        .any(|s| s.name.is_empty());
    if !unnamed {
        return ambiguous;
    }
    let Ok(names) = outbound.current_user_guild_names().await else {
        return ambiguous;
    };
    let names: HashMap<u64, String> = names.into_iter().collect();
    for server in ambiguous.iter_mut().flat_map(|a| &mut a.servers) {
        if let Some(name) = names.get(&server.id) {
            server.name.clone_from(name);
        }
    }
    ambiguous
}

/// [`resolve`] at start, for the [`configured_names`]; one loud warning
/// names every channel found nowhere, what it is for and where its posts go
/// meanwhile (`fallback`, the default channel, with a note in each post).
///
/// # Errors
/// As [`resolve`].
pub async fn resolve_at_start(
    outbound: &Outbound,
    served: &[u64],
    names: &[String],
    needs: &[ChannelNeed],
    fallback: Option<&str>,
) -> Result<ChannelMap, ChannelsError> {
    let map = resolve(outbound, served, names).await?;
    let missing: Vec<String> = needs
        .iter()
        .filter(|need| lookup_name(&need.key).is_some_and(|name| !map.contains_key(&name)))
        .map(|need| {
            format!(
                "#{} ({})",
                need.key.trim_start_matches('#'),
                need.uses.join(", ")
            )
        })
        .collect();
    if !missing.is_empty() {
        let fallback_name = fallback
            .and_then(lookup_name)
            .filter(|name| map.contains_key(name));
        let meanwhile = match fallback_name {
            Some(name) => format!("their posts go to #{name}, with a note, until they exist"),
            None => "their posts fail until they exist (no default_channel to post in)".into(),
        };
        tracing::warn!(
            "channels missing on Discord: {}; {meanwhile}: create them or fix the names \
             (`emcee check --online` checks every channel and permission)",
            missing.join(", ")
        );
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_need_no_lookup_and_names_lose_their_hash_and_case() {
        assert_eq!(lookup_name(" 1100000000000000402 "), None);
        assert_eq!(
            lookup_name("#Announcements").as_deref(),
            Some("announcements")
        );
    }

    #[test]
    fn the_error_lists_each_name_with_its_servers_on_one_line() {
        let error = ChannelsError::Ambiguous(vec![Ambiguous {
            name: "announcements".into(),
            servers: vec![
                Server {
                    id: 1,
                    name: "Fake Conf".into(),
                },
                Server {
                    id: 2,
                    name: String::new(),
                },
            ],
        }]);
        let text = error.to_string();
        assert!(
            text.starts_with(
                "channel names found in more than one server: #announcements is in 1 (Fake Conf) and 2;"
            ),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }
}

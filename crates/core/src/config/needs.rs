//! What a config asks of the chat platform: the channels it routes posts to,
//! what each is used for, and the roles it names.
//!
//! A typo in a channel name used to surface only when the first post was due,
//! on conference morning. Every adapter's preflight (`emcee check --online`,
//! and `run` at start) checks these needs against the real server, so the
//! list is made here, once, from the same settings the scheduler routes by.

use super::Settings;
use crate::programme::Programme;
use std::collections::BTreeMap;

/// A channel the config routes posts to, as written (a name or an id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelNeed {
    /// The config's key: `"observability"`, `"#polls"` or a platform id.
    pub key: String,
    /// What it is used for, e.g. `"track Observability"`, `"[polls] channel"`.
    pub uses: Vec<String>,
    /// Whether polls are posted there (they need reactions, attachments and
    /// removing others' stray reactions, besides posting).
    pub polls: bool,
}

/// A role the config names, by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleNeed {
    pub id: String,
    /// The key that names it, e.g. `"[organisers] roles"`.
    pub used_by: String,
}

/// Every channel the settings and the programme route posts to, in key order.
pub fn channel_needs(settings: &Settings, programme: &Programme) -> Vec<ChannelNeed> {
    let a = &settings.announcements;
    let mut needs: BTreeMap<String, ChannelNeed> = BTreeMap::new();
    let mut add = |key: &str, used_for: String, polls: bool| {
        let need = needs
            .entry(key.trim().to_owned())
            .or_insert_with(|| ChannelNeed {
                key: key.trim().to_owned(),
                uses: Vec::new(),
                polls: false,
            });
        need.uses.push(used_for);
        need.polls |= polls;
    };
    if let Some(key) = &a.default_channel {
        add(key, "[announcements] default_channel".into(), false);
    }
    if let Some(key) = &a.main_channel {
        add(key, "[announcements] main_channel".into(), false);
    }
    for (track, key) in &a.tracks {
        add(key, format!("track {track}"), false);
    }
    for (room, key) in &a.rooms {
        add(key, format!("room {room}"), false);
    }
    if let Some(key) = &settings.polls.channel {
        add(key, "[polls] channel".into(), true);
    }
    for poll in &programme.polls {
        if let Some(key) = &poll.channel {
            add(key, format!("poll {}", poll.id), true);
        }
    }
    for contest in &programme.contests {
        add(
            &contest.channel,
            format!("meme contest {}", contest.id),
            true,
        );
    }
    needs.into_values().collect()
}

/// Every role id the settings name, with the key that names it.
pub fn role_needs(settings: &Settings) -> Vec<RoleNeed> {
    let a = &settings.announcements;
    let organisers = settings
        .organisers
        .roles
        .iter()
        .map(|id| (id, "[organisers] roles".to_owned()));
    let channels = a
        .channel_roles
        .iter()
        .map(|(channel, id)| (id, format!("[announcements] channel_roles.{channel}")));
    let kinds = a
        .kind_roles
        .iter()
        .map(|(kind, id)| (id, format!("[announcements] kind_roles.{kind}")));
    organisers
        .chain(channels)
        .chain(kinds)
        .map(|(id, used_by)| RoleNeed {
            id: id.trim().to_owned(),
            used_by,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    #[test]
    fn the_sample_routes_every_track_and_its_polls() {
        let config =
            Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/emcee.toml"))
                .unwrap();
        let needs = channel_needs(&config.settings, &config.programme);
        let keys: Vec<&str> = needs.iter().map(|n| n.key.as_str()).collect();
        assert!(keys.contains(&"observability"), "{keys:?}");
        let tracks = config.settings.announcements.tracks.len();
        let uses: usize = needs.iter().map(|n| n.uses.len()).sum();
        assert!(uses > tracks, "{needs:#?}");
        assert!(needs.iter().any(|n| n.polls), "{needs:#?}");
        assert!(role_needs(&config.settings)
            .iter()
            .all(|r| !r.id.is_empty()));
    }
}

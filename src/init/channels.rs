//! The channels `emcee init` suggests: one per track (or per room when the
//! schedule has no tracks), plus the announcements, keynote and polls
//! channels, each named so that Discord and Slack both accept it.
//!
//! Slack is the stricter of the two: lower-case letters, digits, `-` and `_`,
//! at most 80 characters. Discord lower-cases and hyphenates what it is given,
//! so a name valid on Slack is kept as is on Discord, and the config's key is
//! the channel's real name on both.

use emcee_core::agenda::text;
use std::collections::BTreeSet;

/// Slack's longest channel name, in characters (Discord allows 100).
const MAX_CHARS: usize = 80;

/// One channel to create and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggested {
    pub name: String,
    pub purpose: String,
}

/// Every channel of the scaffolded config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelPlan {
    /// `[announcements] default_channel`.
    pub default: String,
    /// `[announcements] main_channel`, when the programme has keynotes.
    pub main: Option<String>,
    /// `[polls] channel`.
    pub polls: String,
    /// Track (or room) name -> channel.
    pub routed: Vec<(String, String)>,
    /// Whether `routed` maps rooms (the schedule has no tracks) or tracks.
    pub by_room: bool,
}

impl ChannelPlan {
    /// Channels for `tracks` (else `rooms`), unique and valid everywhere.
    pub fn new(tracks: &[String], rooms: &[String], keynotes: bool) -> Self {
        let mut taken = BTreeSet::new();
        let mut unique = |wanted: &str| {
            let base = slug(wanted);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                let suffix = format!("-{n}");
                let room = MAX_CHARS - suffix.len();
                name = format!("{}{suffix}", truncated(&base, room));
                n += 1;
            }
            name
        };
        let default = unique("announcements");
        let main = keynotes.then(|| unique("main-stage"));
        let polls = unique("flash-polls");
        let by_room = tracks.is_empty();
        let names = if by_room { rooms } else { tracks };
        let routed = names
            .iter()
            .map(|name| (name.clone(), unique(name)))
            .collect();
        Self {
            default,
            main,
            polls,
            routed,
            by_room,
        }
    }

    /// The channels to create, in the order the config names them.
    pub fn to_create(&self) -> Vec<Suggested> {
        let mut out = vec![Suggested {
            name: self.default.clone(),
            purpose: "announcements of sessions with no channel of their own".into(),
        }];
        if let Some(main) = &self.main {
            out.push(Suggested {
                name: main.clone(),
                purpose: "keynotes (announced here too)".into(),
            });
        }
        out.push(Suggested {
            name: self.polls.clone(),
            purpose: "flash polls".into(),
        });
        let kind = if self.by_room { "room" } else { "track" };
        out.extend(self.routed.iter().map(|(routed, channel)| Suggested {
            name: channel.clone(),
            purpose: format!("{kind} {routed}"),
        }));
        out
    }
}

/// A channel name for `name`: its words folded to ASCII and lower case,
/// joined by `-`, anything else dropped; "track" when nothing is left.
pub fn slug(name: &str) -> String {
    let words: Vec<String> = text::words(name)
        .iter()
        .map(|word| {
            word.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        })
        .collect();
    let joined = words.join("-");
    let mut slug = String::with_capacity(joined.len());
    for c in joined.chars() {
        if !(c == '-' && (slug.is_empty() || slug.ends_with('-'))) {
            slug.push(c);
        }
    }
    let slug = truncated(&slug, MAX_CHARS);
    if slug.is_empty() {
        "track".to_owned()
    } else {
        slug
    }
}

/// `slug` cut to `max` characters, without a trailing `-`.
fn truncated(slug: &str, max: usize) -> String {
    slug.chars()
        .take(max)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_on_slack(name: &str) -> bool {
        !name.is_empty()
            && name.chars().count() <= MAX_CHARS
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && !name.starts_with('-')
            && !name.ends_with('-')
    }

    #[test]
    fn names_fold_to_lower_case_ascii_words_joined_by_hyphens() {
        assert_eq!(
            slug("Ethics, Society & Politics"),
            "ethics-society-politics"
        );
        assert_eq!(slug("Freiräume"), "freiraume");
        assert_eq!(slug("Gießen/Wetzlar"), "giessen-wetzlar");
        assert_eq!(slug("C# and .NET"), "c-and-net");
        assert_eq!(slug("!!!"), "track");
        assert!(valid_on_slack(&slug(&"Very long track name ".repeat(10))));
    }

    #[test]
    fn every_channel_is_unique_and_valid_even_when_names_collide() {
        let tracks: Vec<String> = [
            "Security",
            "security",
            "SECURITY!",
            "Announcements",
            "Flash polls",
            &"x".repeat(100),
            &"x".repeat(120),
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        let plan = ChannelPlan::new(&tracks, &[], true);
        let names: Vec<String> = plan.to_create().into_iter().map(|s| s.name).collect();
        let unique: BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert!(names.iter().all(|n| valid_on_slack(n)), "{names:?}");
        assert_eq!(plan.routed[1].1, "security-2");
        assert_eq!(plan.routed[3].1, "announcements-2");
        assert_eq!(plan.main.as_deref(), Some("main-stage"));
    }

    #[test]
    fn without_tracks_rooms_get_the_channels_and_without_keynotes_no_main_stage() {
        let plan = ChannelPlan::new(&[], &["Room 1".into(), "Aula Magna".into()], false);
        assert!(plan.by_room);
        assert_eq!(plan.main, None);
        let created = plan.to_create();
        assert_eq!(created.len(), 4);
        assert_eq!(created[3].name, "aula-magna");
        assert_eq!(created[3].purpose, "room Aula Magna");
    }
}

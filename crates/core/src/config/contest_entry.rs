//! `[[contests]]` in `agenda.toml`: a meme contest the scheduler opens on
//! time. Read and checked like `[[polls]]`: every problem names the file,
//! line and field, and a mistyped key gets a "did you mean".

use super::agenda_file::to_utc;
use super::location::{ConfigError, Source};
use crate::contests::{default_emoji, DeclaredContest, DEFAULT_PER_PERSON, DEFAULT_TOP};
use chrono::TimeDelta;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use toml::value::Datetime;

/// One `[[contests]]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContestEntry {
    pub id: String,
    #[serde(default = "default_title")]
    pub title: String,
    /// A channel key from emcee.toml (a name or an id).
    pub channel: String,
    pub opens: Datetime,
    /// Either `minutes` or `closes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes: Option<Datetime>,
    /// A link to the meme template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(default = "default_per_person")]
    pub entries_per_person: u32,
    /// The vote emoji; any of them is a vote (default 👍 and 😂).
    #[serde(default = "default_emoji")]
    pub emoji: Vec<String>,
    /// How many entries the result shows.
    #[serde(default = "default_top")]
    pub top: u32,
}

fn default_title() -> String {
    "Meme contest".to_owned()
}

fn default_per_person() -> u32 {
    DEFAULT_PER_PERSON
}

fn default_top() -> u32 {
    DEFAULT_TOP
}

/// The declared contests, each problem added to `problems`.
pub(super) fn contests(
    source: &Source,
    entries: &[ContestEntry],
    timezone: Tz,
    problems: &mut Vec<ConfigError>,
) -> Vec<DeclaredContest> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        if !seen.insert(entry.id.as_str()) {
            let at = index.to_string();
            let message = format!("a contest with id `{}` is declared already", entry.id);
            problems.push(source.error_at(&["contests", &at, "id"], message));
            continue;
        }
        match contest(source, index, entry, timezone) {
            Ok(contest) => out.push(contest),
            Err(error) => problems.push(error),
        }
    }
    out
}

fn contest(
    source: &Source,
    index: usize,
    entry: &ContestEntry,
    timezone: Tz,
) -> Result<DeclaredContest, ConfigError> {
    let at = index.to_string();
    let here = |field: &str, message: String| source.error_at(&["contests", &at, field], message);
    let opens_at = to_utc(&entry.opens, timezone).map_err(|m| here("opens", m))?;
    let closes_at = match (entry.minutes, &entry.closes) {
        (Some(minutes), None) => opens_at + TimeDelta::minutes(i64::from(minutes)),
        (None, Some(closes)) => to_utc(closes, timezone).map_err(|m| here("closes", m))?,
        (Some(_), Some(_)) => {
            return Err(here(
                "minutes",
                "give `minutes` or `closes`, not both".into(),
            ))
        }
        (None, None) => {
            return Err(source.error_at(&["contests", &at], "missing `minutes` (or `closes`)"))
        }
    };
    let contest = DeclaredContest {
        id: entry.id.clone(),
        title: entry.title.trim().to_owned(),
        channel: entry.channel.clone(),
        opens_at,
        closes_at,
        template: entry.template.clone(),
        per_person: entry.entries_per_person,
        emoji: entry.emoji.iter().map(|e| e.trim().to_owned()).collect(),
        top: entry.top,
    };
    contest.check().map_err(|error| {
        let field = match error.field() {
            "minutes" if entry.closes.is_some() => "closes",
            field => field,
        };
        here(field, error.to_string())
    })?;
    Ok(contest)
}

#[cfg(test)]
mod tests {
    use crate::config::agenda_file::load;
    use crate::config::location::Source;
    use crate::polls::PollLimits;

    const HEAD: &str = "[conference]\nname = \"C\"\ntimezone = \"UTC\"\n";

    fn read(text: &str) -> Result<crate::programme::Programme, String> {
        let source = Source {
            file: "agenda.toml".into(),
            text: format!("{HEAD}{text}"),
        };
        load(&source, chrono_tz::UTC, &PollLimits::default()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_declared_contest_is_read_with_its_defaults() {
        let programme = read(
            "[[contests]]\nid = \"memes\"\nchannel = \"memes\"\n\
             opens = 2021-10-07T12:00:00Z\nminutes = 90\n",
        )
        .unwrap();
        let contest = &programme.contests[0];
        assert_eq!(contest.title, "Meme contest");
        assert_eq!((contest.per_person, contest.top), (1, 3));
        assert_eq!(contest.emoji, ["👍", "😂"]);
        assert_eq!((contest.closes_at - contest.opens_at).num_minutes(), 90);
    }

    #[test]
    fn problems_name_the_line_and_field_and_typos_get_a_suggestion() {
        let error = read(
            "[[contests]]\nid = \"memes\"\nchannel = \"memes\"\n\
             opens = 2021-10-07T12:00:00Z\nminutes = 90\ntop = 40\n",
        )
        .unwrap_err();
        assert!(error.contains("agenda.toml:9"), "{error}");
        assert!(error.contains("contests[0].top"), "{error}");
        let typo = read(
            "[[contests]]\nid = \"memes\"\nchannel = \"memes\"\n\
             opens = 2021-10-07T12:00:00Z\nminutes = 90\ntemplat = \"https://x\"\n",
        )
        .unwrap_err();
        assert!(typo.contains("did you mean `template`?"), "{typo}");
    }
}

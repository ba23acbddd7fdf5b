//! `emcee run --shards FIRST-LAST/TOTAL` and `[discord] shards = "0-3/8"`:
//! which Discord shards one process runs.
//!
//! Discord splits a big bot's servers over TOTAL shards (a server lives on
//! shard `(id >> 22) % TOTAL`); several processes each run a contiguous range
//! of them. Both ends are included, as in serenity's `start_shard_range`, and
//! every process must name the same TOTAL, or servers are served twice or not
//! at all. A range that cannot be right (LAST not below TOTAL, FIRST after
//! LAST) is refused here, before anything connects.

use serde::{Deserialize, Deserializer};
use std::fmt;
use std::str::FromStr;

/// Shards FIRST to LAST (inclusive) of TOTAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    first: u32,
    last: u32,
    total: u32,
}

/// Why a shard range was refused; the text names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a shard range: {why}")]
pub struct ShardRangeError {
    text: String,
    why: String,
}

impl ShardRange {
    /// Shards `first..=last` of `total`.
    ///
    /// # Errors
    /// [`ShardRangeError`] unless `first <= last < total`.
    pub fn new(first: u32, last: u32, total: u32) -> Result<Self, ShardRangeError> {
        let refuse = |why: String| ShardRangeError {
            text: format!("{first}-{last}/{total}"),
            why,
        };
        if total == 0 {
            return Err(refuse("TOTAL must be at least 1".into()));
        }
        if last >= total {
            return Err(refuse(format!(
                "LAST ({last}) must be below TOTAL ({total}): shards are numbered from 0"
            )));
        }
        if first > last {
            return Err(refuse(format!("FIRST ({first}) is after LAST ({last})")));
        }
        Ok(Self { first, last, total })
    }

    /// The first shard this process runs.
    pub fn first(&self) -> u32 {
        self.first
    }

    /// The last shard this process runs (included).
    pub fn last(&self) -> u32 {
        self.last
    }

    /// How many shards all processes run together.
    pub fn total(&self) -> u32 {
        self.total
    }

    /// The shard ids this process runs.
    pub fn ids(&self) -> std::ops::RangeInclusive<u32> {
        self.first..=self.last
    }
}

impl FromStr for ShardRange {
    type Err = ShardRangeError;

    /// `FIRST-LAST/TOTAL` (`0-3/8`), or `N/TOTAL` for one shard.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let shape = || ShardRangeError {
            text: text.to_owned(),
            why: "expected FIRST-LAST/TOTAL such as 0-3/8 (both ends included)".into(),
        };
        let number = |part: &str| part.trim().parse::<u32>().map_err(|_| shape());
        let (range, total) = text.split_once('/').ok_or_else(shape)?;
        let (first, last) = match range.split_once('-') {
            Some((first, last)) => (number(first)?, number(last)?),
            None => (number(range)?, number(range)?),
        };
        Self::new(first, last, number(total)?)
    }
}

impl fmt::Display for ShardRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}/{}", self.first, self.last, self.total)
    }
}

impl<'de> Deserialize<'de> for ShardRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_first_to_last_inclusive_of_total() {
        let range: ShardRange = "0-3/8".parse().unwrap();
        assert_eq!((range.first(), range.last(), range.total()), (0, 3, 8));
        assert_eq!(range.ids().count(), 4);
        assert_eq!(range.to_string(), "0-3/8");
        assert_eq!("5/8".parse::<ShardRange>().unwrap().to_string(), "5-5/8");
        assert_eq!("0-0/1".parse::<ShardRange>().unwrap().ids().count(), 1);
    }

    #[test]
    fn an_impossible_range_is_refused_with_the_rule() {
        for (text, why) in [
            ("4-5/4", "LAST (5) must be below TOTAL (4)"),
            ("3-1/4", "FIRST (3) is after LAST (1)"),
            ("0-0/0", "TOTAL must be at least 1"),
            ("0-3", "expected FIRST-LAST/TOTAL"),
            ("a-b/4", "expected FIRST-LAST/TOTAL"),
            ("-1-2/4", "expected FIRST-LAST/TOTAL"),
            ("", "expected FIRST-LAST/TOTAL"),
        ] {
            let error = text.parse::<ShardRange>().unwrap_err().to_string();
            assert!(error.contains(why), "{text}: {error}");
            assert!(error.contains(&format!("`{text}`")), "{error}");
        }
    }

    #[test]
    fn a_bad_range_in_the_config_is_refused_at_its_line() {
        #[derive(Debug, Deserialize)]
        struct Only {
            #[allow(dead_code)]
            discord: crate::config::DiscordSettings,
        }
        let source = crate::config::Source {
            file: "emcee.toml".into(),
            text: "[discord]\nservers = []\nshards = \"0-4/4\"\n".into(),
        };
        let error = source.parse::<Only>().unwrap_err().to_string();
        assert!(
            error.starts_with("emcee.toml:3:10: `discord.shards`")
                && error.contains("LAST (4) must be below TOTAL (4)"),
            "{error}"
        );
    }
}

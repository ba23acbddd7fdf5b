//! A contest as the agenda declares it (`[[contests]]`) or an organiser asks
//! for it, checked before anything is posted or stored.

use super::model::{DEFAULT_EMOJI, DEFAULT_PER_PERSON, DEFAULT_TOP, MAX_PER_PERSON, MAX_TOP};
use chrono::{DateTime, Utc};

/// The longest title.
pub const MAX_TITLE: usize = 100;

/// A contest planned in the agenda; the scheduler opens it at `opens_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredContest {
    pub id: String,
    pub title: String,
    /// A channel key from the config (a name or an id).
    pub channel: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub template: Option<String>,
    pub per_person: u32,
    /// Neutral keys of the vote emoji.
    pub emoji: Vec<String>,
    pub top: u32,
}

/// Why a contest cannot be run as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContestRuleError {
    #[error("the contest must close after it opens")]
    Window,
    #[error("entries per person must be 1 to {MAX_PER_PERSON}, not {0}")]
    PerPerson(u32),
    #[error("the result shows 1 to {MAX_TOP} entries, not {0}")]
    Top(u32),
    #[error("give at least one vote emoji")]
    NoEmoji,
    #[error("the title is empty or longer than {MAX_TITLE} characters")]
    Title,
    #[error("the template must be an http(s) link, not `{0}`")]
    Template(String),
}

/// Which field a [`ContestRuleError`] is about, for the agenda's errors.
impl ContestRuleError {
    pub fn field(&self) -> &'static str {
        match self {
            Self::Window => "minutes",
            Self::PerPerson(_) => "entries_per_person",
            Self::Top(_) => "top",
            Self::NoEmoji => "emoji",
            Self::Title => "title",
            Self::Template(_) => "template",
        }
    }
}

/// The default vote emoji, as owned keys.
pub fn default_emoji() -> Vec<String> {
    DEFAULT_EMOJI.iter().map(|e| (*e).to_owned()).collect()
}

/// Checks the rules every contest obeys, however it was asked for.
///
/// # Errors
/// The first rule broken.
pub fn check(
    title: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
    per_person: u32,
    top: u32,
    emoji: &[String],
    template: Option<&str>,
) -> Result<(), ContestRuleError> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(ContestRuleError::Title);
    }
    if window.1 <= window.0 {
        return Err(ContestRuleError::Window);
    }
    if !(1..=MAX_PER_PERSON).contains(&per_person) {
        return Err(ContestRuleError::PerPerson(per_person));
    }
    if !(1..=MAX_TOP).contains(&top) {
        return Err(ContestRuleError::Top(top));
    }
    if emoji.iter().all(|e| e.trim().is_empty()) {
        return Err(ContestRuleError::NoEmoji);
    }
    if let Some(link) = template {
        let link = link.trim();
        if !(link.starts_with("https://") || link.starts_with("http://")) || link.contains(' ') {
            return Err(ContestRuleError::Template(link.to_owned()));
        }
    }
    Ok(())
}

impl DeclaredContest {
    /// Checks the declared rules.
    ///
    /// # Errors
    /// The first rule broken.
    pub fn check(&self) -> Result<(), ContestRuleError> {
        check(
            &self.title,
            (self.opens_at, self.closes_at),
            self.per_person,
            self.top,
            &self.emoji,
            self.template.as_deref(),
        )
    }
}

/// The defaults a contest opened by command gets.
pub fn command_defaults() -> (u32, u32, Vec<String>) {
    (DEFAULT_PER_PERSON, DEFAULT_TOP, default_emoji())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_checked() {
        let at = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let later = at + chrono::TimeDelta::minutes(30);
        let emoji = default_emoji();
        assert_eq!(check("Memes", (at, later), 1, 3, &emoji, None), Ok(()));
        assert_eq!(
            check("Memes", (later, at), 1, 3, &emoji, None),
            Err(ContestRuleError::Window)
        );
        assert_eq!(
            check("Memes", (at, later), 0, 3, &emoji, None),
            Err(ContestRuleError::PerPerson(0))
        );
        assert_eq!(
            check("Memes", (at, later), 1, 11, &emoji, None),
            Err(ContestRuleError::Top(11))
        );
        assert_eq!(
            check("Memes", (at, later), 1, 3, &[], None),
            Err(ContestRuleError::NoEmoji)
        );
        assert!(check("Memes", (at, later), 1, 3, &emoji, Some("javascript:x")).is_err());
        assert!(check(" ", (at, later), 1, 3, &emoji, None).is_err());
    }
}

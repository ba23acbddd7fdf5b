//! A poll's definition and the limits it must respect.

use chrono::{DateTime, Utc};

/// Bounds on a poll's size, from the config. What a platform can show (its
/// reactions per message) caps `max_options` further: the poll service asks
/// the chat port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollLimits {
    pub min_options: usize,
    pub max_options: usize,
    pub max_option_chars: usize,
    pub max_question_chars: usize,
}

impl PollLimits {
    /// The most options any configuration may allow (letters A to T).
    pub const SETTING_CEILING: usize = 20;

    /// These limits with at most `reactions` options (a platform's reactions
    /// per message).
    #[must_use]
    pub fn capped(self, reactions: usize) -> Self {
        Self {
            max_options: self.max_options.min(reactions),
            ..self
        }
    }
}

impl Default for PollLimits {
    fn default() -> Self {
        Self {
            min_options: 2,
            max_options: 10,
            max_option_chars: 100,
            max_question_chars: 256,
        }
    }
}

/// Why a poll definition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PollError {
    #[error("the question is empty")]
    EmptyQuestion,
    #[error("the question has {0} characters; at most {1} are allowed")]
    QuestionTooLong(usize, usize),
    #[error("a poll needs {min} to {max} options; this one has {given}")]
    OptionCount {
        given: usize,
        min: usize,
        max: usize,
    },
    #[error("option {0} is empty")]
    EmptyOption(usize),
    #[error("option {0} has {1} characters; at most {2} are allowed")]
    OptionTooLong(usize, usize, usize),
    #[error("options {0} and {1} use the same emoji {2}")]
    DuplicateEmoji(usize, usize, String),
    #[error("the poll must close after it opens")]
    ClosesBeforeOpening,
    #[error("I could not read that duration; try 5, 90s, 10m or 1h.")]
    BadDuration,
}

/// One answer a voter can pick, with the emoji that stands for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOption {
    pub label: String,
    /// The option's own emoji ("🦀 Rust" brings 🦀); `None` takes the default letter.
    pub emoji: Option<String>,
}

impl PollOption {
    /// Reads "🦀 Rust" as emoji 🦀 and label "Rust"; "Rust" as a plain label.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if let Some((first, rest)) = text.split_once(char::is_whitespace) {
            if is_emoji_token(first) && !rest.trim().is_empty() {
                return Self {
                    label: rest.trim().to_owned(),
                    emoji: Some(first.to_owned()),
                };
            }
        }
        Self {
            label: text.to_owned(),
            emoji: None,
        }
    }
}

/// True for a Unicode emoji cluster or a custom Discord-style `<:name:id>` emoji:
/// no letters or digits from any script, and not plain ASCII punctuation.
fn is_emoji_token(token: &str) -> bool {
    let custom = token.starts_with('<') && token.ends_with('>') && token.matches(':').count() == 2;
    custom || (!token.is_ascii() && !token.chars().any(char::is_alphanumeric))
}

/// A poll as planned: what to ask, which options, when voting is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlashPoll {
    pub id: String,
    pub question: String,
    pub options: Vec<PollOption>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Whether a voter may pick several options.
    pub multi: bool,
    /// Where to post it: a channel key from the config, or `None` for the default.
    pub channel: Option<String>,
    /// `style = "reactions"` or `"buttons"`; `None`: the platform's default
    /// (buttons where it has them).
    pub style: Option<super::PollStyle>,
}

impl FlashPoll {
    /// Checks the poll against `limits`.
    ///
    /// # Errors
    /// The first rule the poll breaks.
    pub fn check(&self, limits: &PollLimits) -> Result<(), PollError> {
        let question_chars = self.question.trim().chars().count();
        if question_chars == 0 {
            return Err(PollError::EmptyQuestion);
        }
        if question_chars > limits.max_question_chars {
            return Err(PollError::QuestionTooLong(
                question_chars,
                limits.max_question_chars,
            ));
        }
        let max = limits.max_options;
        if !(limits.min_options..=max).contains(&self.options.len()) {
            return Err(PollError::OptionCount {
                given: self.options.len(),
                min: limits.min_options,
                max,
            });
        }
        for (index, option) in self.options.iter().enumerate() {
            let chars = option.label.trim().chars().count();
            if chars == 0 {
                return Err(PollError::EmptyOption(index + 1));
            }
            if chars > limits.max_option_chars {
                return Err(PollError::OptionTooLong(
                    index + 1,
                    chars,
                    limits.max_option_chars,
                ));
            }
        }
        self.check_emojis()?;
        if self.closes_at <= self.opens_at {
            return Err(PollError::ClosesBeforeOpening);
        }
        Ok(())
    }

    fn check_emojis(&self) -> Result<(), PollError> {
        for (index, option) in self.options.iter().enumerate() {
            let Some(emoji) = &option.emoji else { continue };
            let earlier = self.options[..index]
                .iter()
                .position(|o| o.emoji.as_ref() == Some(emoji));
            if let Some(earlier) = earlier {
                return Err(PollError::DuplicateEmoji(
                    earlier + 1,
                    index + 1,
                    emoji.clone(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn poll(options: &[&str]) -> FlashPoll {
        let opens_at = DateTime::from_timestamp(1_633_620_000, 0).unwrap();
        FlashPoll {
            id: "p".into(),
            question: "Which language?".into(),
            options: options.iter().map(|o| PollOption::parse(o)).collect(),
            opens_at,
            closes_at: opens_at + TimeDelta::minutes(5),
            multi: false,
            channel: None,
            style: None,
        }
    }

    #[test]
    fn options_may_bring_their_own_emoji() {
        assert_eq!(PollOption::parse("🦀 Rust").emoji.as_deref(), Some("🦀"));
        assert_eq!(PollOption::parse("🦀 Rust").label, "Rust");
        assert_eq!(PollOption::parse("C++ or C").emoji, None);
        assert_eq!(
            PollOption::parse("<:ferris:123> Rust").emoji.as_deref(),
            Some("<:ferris:123>")
        );
        assert_eq!(PollOption::parse("Ñandú rocks").emoji, None);
    }

    #[test]
    fn limits_are_enforced() {
        let limits = PollLimits::default();
        assert_eq!(poll(&["Yes", "No"]).check(&limits), Ok(()));
        assert!(matches!(
            poll(&["Yes"]).check(&limits),
            Err(PollError::OptionCount { given: 1, .. })
        ));
        let eleven: Vec<String> = (0..11).map(|i| format!("o{i}")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert!(poll(&eleven).check(&limits).is_err());
        let generous = PollLimits {
            max_options: 50,
            ..limits
        };
        let many: Vec<String> = (0..21).map(|i| format!("o{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(matches!(
            poll(&many).check(&generous.capped(20)),
            Err(PollError::OptionCount { max: 20, .. })
        ));
        let long = "x".repeat(101);
        assert!(matches!(
            poll(&["a", &long]).check(&limits),
            Err(PollError::OptionTooLong(2, 101, 100))
        ));
        assert!(matches!(
            poll(&["🦀 a", "🦀 b"]).check(&limits),
            Err(PollError::DuplicateEmoji(1, 2, _))
        ));
    }
}

//! The bot token: read from the environment, never logged, never written.

use std::fmt;

/// The environment variable the token is read from.
pub const TOKEN_VARIABLE: &str = "DISCORD_TOKEN";

/// A Discord bot token. Its `Debug` and `Display` never show the secret.
#[derive(Clone)]
pub struct BotToken(String);

/// Why no usable token was found.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{TOKEN_VARIABLE} is not set; create a bot in the Discord developer portal and export its token")]
    Missing,
    #[error("{TOKEN_VARIABLE} is empty or contains whitespace")]
    Malformed,
}

impl BotToken {
    /// Reads the token from `DISCORD_TOKEN`.
    ///
    /// # Errors
    /// [`TokenError`] when it is absent or obviously malformed (the value is not echoed).
    pub fn from_env() -> Result<Self, TokenError> {
        let value = std::env::var(TOKEN_VARIABLE).map_err(|_| TokenError::Missing)?;
        Self::new(value)
    }

    /// Wraps a token value.
    ///
    /// # Errors
    /// [`TokenError::Malformed`] for an empty value or one with whitespace.
    pub fn new(value: String) -> Result<Self, TokenError> {
        let value = value.trim().trim_start_matches("Bot ").to_owned();
        if value.is_empty() || value.chars().any(char::is_whitespace) {
            return Err(TokenError::Malformed);
        }
        Ok(Self(value))
    }

    /// The secret itself, only for handing to the HTTP client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BotToken(<redacted>)")
    }
}

impl fmt::Display for BotToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_never_shows_in_debug_or_display() {
        let token = BotToken::new("MTIz.secret-value".into()).unwrap();
        assert!(!format!("{token:?} {token}").contains("secret-value"));
        assert_eq!(token.expose(), "MTIz.secret-value");
        assert!(matches!(
            BotToken::new("  ".into()),
            Err(TokenError::Malformed)
        ));
        assert!(!TokenError::Malformed.to_string().contains("secret"));
    }
}

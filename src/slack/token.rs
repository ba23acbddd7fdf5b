//! Slack's two secrets, read from the environment only and never shown: the
//! bot token (`xoxb-…`, for the Web API) and the app-level token (`xapp-…`,
//! for opening Socket Mode connections). slack-morphism's own token type
//! prints only the length, and these wrappers print nothing at all.

use std::fmt;

/// The variable the bot token is read from.
pub const BOT_TOKEN_VARIABLE: &str = "SLACK_BOT_TOKEN";
/// The variable the app-level token is read from.
pub const APP_TOKEN_VARIABLE: &str = "SLACK_APP_TOKEN";

/// One Slack token. Its `Debug` and `Display` never show the secret.
#[derive(Clone)]
pub struct SlackSecret(String);

impl SlackSecret {
    /// The secret itself, only for handing to the Slack client.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// slack-morphism's form of the token.
    pub fn api_token(&self) -> slack_morphism::SlackApiToken {
        slack_morphism::SlackApiToken::new(self.0.clone().into())
    }
}

impl fmt::Debug for SlackSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlackSecret(<redacted>)")
    }
}

impl fmt::Display for SlackSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Both tokens emcee needs on Slack.
#[derive(Clone, Debug)]
pub struct SlackTokens {
    /// `xoxb-…`: every Web API call.
    pub bot: SlackSecret,
    /// `xapp-…` with `connections:write`: Socket Mode.
    pub app: SlackSecret,
}

/// Why no usable tokens were found; never carries the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("{0} is not set; install the Slack app (contrib/slack-app-manifest.yml) and export its token")]
    Missing(&'static str),
    #[error("{variable} does not look like a Slack token (it should start with `{prefix}` and contain no whitespace)")]
    Malformed {
        variable: &'static str,
        prefix: &'static str,
    },
}

impl SlackTokens {
    /// Reads `SLACK_BOT_TOKEN` and `SLACK_APP_TOKEN`.
    ///
    /// # Errors
    /// [`TokenError`] for the first one absent or malformed.
    pub fn from_env() -> Result<Self, TokenError> {
        let read = |variable| std::env::var(variable).map_err(|_| TokenError::Missing(variable));
        Self::new(read(BOT_TOKEN_VARIABLE)?, read(APP_TOKEN_VARIABLE)?)
    }

    /// Wraps two token values.
    ///
    /// # Errors
    /// [`TokenError::Malformed`] when one lacks its prefix or holds whitespace.
    pub fn new(bot: String, app: String) -> Result<Self, TokenError> {
        Ok(Self {
            bot: checked(bot, BOT_TOKEN_VARIABLE, "xoxb-")?,
            app: checked(app, APP_TOKEN_VARIABLE, "xapp-")?,
        })
    }
}

fn checked(
    value: String,
    variable: &'static str,
    prefix: &'static str,
) -> Result<SlackSecret, TokenError> {
    let value = value.trim();
    if !value.starts_with(prefix)
        || value.len() == prefix.len()
        || value.chars().any(char::is_whitespace)
    {
        return Err(TokenError::Malformed { variable, prefix });
    }
    Ok(SlackSecret(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_and_each_token_needs_its_prefix() {
        let tokens =
            SlackTokens::new("xoxb-1-secret-bot".into(), " xapp-1-secret-app\n".into()).unwrap();
        let shown = format!("{tokens:?} {} {}", tokens.bot, tokens.app);
        assert!(!shown.contains("secret"), "{shown}");
        assert!(!format!("{:?}", tokens.bot.api_token()).contains("secret"));
        assert_eq!(tokens.app.expose(), "xapp-1-secret-app");
        let swapped = SlackTokens::new("xapp-1-secret".into(), "xoxb-1-secret".into());
        let error = swapped.unwrap_err();
        assert_eq!(
            error,
            TokenError::Malformed {
                variable: BOT_TOKEN_VARIABLE,
                prefix: "xoxb-"
            }
        );
        assert!(!error.to_string().contains("secret"), "{error}");
        assert!(SlackTokens::new("xoxb-".into(), "xapp-1".into()).is_err());
        assert!(SlackTokens::new("xoxb-1 2".into(), "xapp-1".into()).is_err());
    }
}

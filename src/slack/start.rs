//! Starting emcee on Slack: the port first (the application's poll service
//! and scheduler post through it), then the connection: `auth.test` checks
//! the bot token and that it belongs to `[slack] workspace`, every channel
//! emcee will post in is checked for membership (public ones joined), and
//! Socket Mode opens with the app-level token.

use super::bot::SlackBot;
use super::community::Community;
use super::listener::Listening;
use super::outbound::{self, Client, Pacing, Sender, Tier};
use super::port::SlackPort;
use super::token::SlackTokens;
use crate::paced;
use emcee_core::app::App;
use emcee_core::chat::DirectChannels;
use emcee_core::config::SlackSettings;
use std::sync::Arc;

/// Why Slack could not start; one line each, never a token.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "Slack rejected the bot token (check {})",
        super::token::BOT_TOKEN_VARIABLE
    )]
    TokenRejected,
    #[error("the bot token belongs to workspace {found}, but `[slack] workspace` is {served}")]
    WrongWorkspace { served: String, found: String },
    #[error("cannot reach Slack at {base}: {reason}")]
    Unreachable { base: String, reason: String },
    #[error("Socket Mode did not open (check SLACK_APP_TOKEN): {0}")]
    Socket(String),
    #[error("the system's root certificates cannot be read: {0}")]
    Certificates(String),
}

/// Where to reach Slack.
#[derive(Debug, Clone)]
pub struct Connection {
    /// `https://slack.com/api`, or `EMCEE_SLACK_API`.
    pub api_base: String,
    pub pacing: Pacing,
    /// Socket Mode connections and their reconnect timing (slack-morphism's
    /// defaults: 2 connections, 5 s apart, 30 s after a failed connect).
    pub socket: slack_morphism::prelude::SlackClientSocketModeConfig,
}

impl Default for Connection {
    fn default() -> Self {
        Self {
            api_base: super::api_base(),
            pacing: Pacing::default(),
            socket: slack_morphism::prelude::SlackClientSocketModeConfig::new(),
        }
    }
}

/// The Slack port and the client under it, before connecting.
pub struct Prepared {
    pub port: Arc<SlackPort>,
    client: Client,
    tokens: SlackTokens,
    settings: SlackSettings,
    api_base: String,
    socket: slack_morphism::prelude::SlackClientSocketModeConfig,
}

/// Builds the port for `settings` with `tokens`; DM channels are kept in `kept`.
///
/// # Errors
/// [`StartError::Certificates`] when no root certificates can be read.
pub fn prepare(
    tokens: SlackTokens,
    settings: &SlackSettings,
    connection: &Connection,
    kept: Arc<dyn DirectChannels>,
) -> Result<Prepared, StartError> {
    let client = outbound::client(&connection.api_base)
        .map_err(|e| StartError::Certificates(e.to_string()))?;
    let sender = Sender::new(
        client.clone(),
        tokens.bot.api_token(),
        connection.pacing.clone(),
    );
    let port = SlackPort::new(sender, settings.workspace.trim()).with_direct_channels(kept);
    Ok(Prepared {
        port: Arc::new(port),
        client,
        tokens,
        settings: settings.clone(),
        api_base: connection.api_base.clone(),
        socket: connection.socket.clone(),
    })
}

/// Checks the bot token with `auth.test` and that it belongs to `workspace`.
///
/// # Errors
/// [`StartError::TokenRejected`], [`StartError::WrongWorkspace`] or
/// [`StartError::Unreachable`].
pub async fn authenticate(
    sender: &Sender,
    workspace: &str,
    api_base: &str,
) -> Result<slack_morphism::prelude::SlackApiAuthTestResponse, StartError> {
    let me = match paced!(sender, "auth.test", Tier::Four, None, |session| session
        .auth_test())
    {
        Ok(me) => me,
        Err(error)
            if matches!(
                error.code(),
                Some("invalid_auth" | "not_authed" | "account_inactive" | "token_revoked")
            ) =>
        {
            return Err(StartError::TokenRejected)
        }
        Err(error) => {
            return Err(StartError::Unreachable {
                base: api_base.to_owned(),
                reason: error.to_string(),
            })
        }
    };
    let found = me.team_id.to_string();
    if found != workspace {
        return Err(StartError::WrongWorkspace {
            served: workspace.to_owned(),
            found,
        });
    }
    Ok(me)
}

/// emcee on Slack, connected.
pub struct Running {
    pub bot: SlackBot,
    /// One line for each configured channel the bot cannot post in.
    pub problems: Vec<String>,
    listening: Listening,
}

impl Running {
    /// Closes the Socket Mode connections.
    pub async fn stop(self) {
        self.listening.stop().await;
    }
}

impl Prepared {
    /// Checks the token and workspace, the channels in `channel_names`, and
    /// opens Socket Mode; envelopes then reach a bot over `app`.
    ///
    /// # Errors
    /// [`StartError`] naming what failed.
    pub async fn connect(
        self,
        app: App,
        channel_names: &[String],
        reload: Option<crate::cli::SourceArgs>,
    ) -> Result<Running, StartError> {
        let sender = self.port.sender().clone();
        let me = authenticate(&sender, self.port.workspace(), &self.api_base).await?;
        self.port.set_bot_user(me.user_id.as_ref());
        let membership = super::channels::check_membership(&sender, channel_names)
            .await
            .map_err(|e| StartError::Unreachable {
                base: self.api_base.clone(),
                reason: e.to_string(),
            })?;
        self.port.remember_channels(membership.channels);
        for problem in &membership.problems {
            tracing::warn!(%problem, "a configured Slack channel cannot be posted in");
        }
        let community = Community::new(&self.settings.workspace, &self.settings.organisers);
        let mut bot = SlackBot::new(app, Arc::clone(&self.port), community);
        bot.reload = reload;
        let listening = Listening::start(self.client, &self.socket, &self.tokens.app, bot.clone())
            .await
            .map_err(|e| StartError::Socket(e.to_string()))?;
        bot.app.polls.session_started();
        bot.app.contests.session_started();
        tracing::info!(workspace = %self.port.workspace(), "serving Slack");
        Ok(Running {
            bot,
            problems: membership.problems,
            listening,
        })
    }
}

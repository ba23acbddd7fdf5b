//! `emcee check --online` on Slack: the bot token and workspace
//! (`auth.test`), and each channel the config routes posts to, found among
//! the channels the bot can see, with whether the bot is a member there.
//!
//! It changes nothing: a public channel the bot is not in is not joined here
//! but reported as one `emcee run` joins at start; a private one it is not in,
//! or a name it cannot find, is a problem. What is needed comes from the core
//! (`emcee_core::config::needs`), as for Discord's preflight; the standing in
//! a channel is judged by the same code `run` uses (`channels::assess`).

use super::channels::{self, Finding};
use super::outbound::{self, Pacing, Sender};
use super::start::{authenticate, StartError};
use super::token::SlackTokens;
use emcee_core::config::needs::{channel_needs, ChannelNeed};
use emcee_core::config::Settings;
use emcee_core::config::SlackSettings;
use emcee_core::programme::Programme;

/// What the Slack preflight saw.
#[derive(Debug, Clone)]
pub struct Report {
    /// The bot's user name (or id), as Slack knows it.
    pub bot: String,
    /// The workspace's name and id.
    pub workspace: String,
    /// Each configured channel, with where the bot stands in it.
    pub channels: Vec<(ChannelNeed, Finding)>,
    /// One line for each channel the bot cannot post in.
    pub problems: Vec<String>,
    /// Public channels `emcee run` joins at start.
    pub to_join: Vec<String>,
}

/// Checks the bot token, the workspace and the configured channels on the
/// Slack Web API at `api_base`.
///
/// # Errors
/// [`StartError`] when the token is refused, belongs to another workspace,
/// or Slack cannot be reached.
pub async fn check(
    tokens: &SlackTokens,
    slack: &SlackSettings,
    api_base: &str,
    settings: &Settings,
    programme: &Programme,
) -> Result<Report, StartError> {
    let client = outbound::client(api_base).map_err(|e| StartError::Certificates(e.to_string()))?;
    let sender = Sender::new(client, tokens.bot.api_token(), Pacing::default());
    let workspace = slack.workspace.trim();
    let me = authenticate(&sender, workspace, api_base).await?;
    let unreachable = |e: outbound::SendError| StartError::Unreachable {
        base: api_base.to_owned(),
        reason: e.to_string(),
    };
    let listed = channels::list(&sender).await.map_err(unreachable)?;
    // A key of digits is a Discord channel id: not Slack's to check.
    let needs: Vec<ChannelNeed> = channel_needs(settings, programme)
        .into_iter()
        .filter(|need| need.key.trim().parse::<u64>().is_err())
        .collect();
    let keys: Vec<String> = needs.iter().map(|n| n.key.clone()).collect();
    let findings = channels::assess(&listed, &keys);
    let problems = findings.iter().filter_map(|f| f.problem(true)).collect();
    let to_join = findings
        .iter()
        .filter(|f| f.standing == channels::Standing::Joinable)
        .map(|f| f.name.clone())
        .collect();
    Ok(Report {
        bot: me.user.unwrap_or_else(|| me.user_id.to_string()),
        workspace: format!("{} ({workspace})", me.team),
        channels: needs.into_iter().zip(findings).collect(),
        problems,
        to_join,
    })
}

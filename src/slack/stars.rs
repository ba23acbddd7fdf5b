//! Stars on Slack: `/emcee star NAME`, `/emcee unstar NAME`, `/emcee
//! mytalks` and the ☆ button on a session's details, through the core's
//! star service in the workspace's community. Answers are private, through
//! the command's or the click's `response_url`; times are `<!date^…>`.

use super::blocks::{section, MAX_BLOCKS, SECTION_CHARS};
use super::bot::{Asked, SlackBot};
use super::markup;
use super::respond::Visibility;
use emcee_core::chat::text::pack_lines;
use emcee_core::chat::Text;
use emcee_core::stars::StarError;
use slack_morphism::prelude::*;

/// Action id of the ☆ button; the value is the session's ref.
pub const STAR_ACTION: &str = "emcee:star";

/// `/emcee star|unstar|mytalks …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StarCommand {
    Star(String),
    Unstar(String),
    MyTalks,
}

impl StarCommand {
    /// The command's name, for metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Star(_) => "star",
            Self::Unstar(_) => "unstar",
            Self::MyTalks => "mytalks",
        }
    }
}

/// Answers `command` privately; the outcome for metrics.
pub async fn command(bot: &SlackBot, asked: &Asked, command: StarCommand) -> &'static str {
    let stars = &bot.app.stars;
    let (team, user) = (asked.team.as_str(), asked.user.as_str());
    let answered = match &command {
        StarCommand::Star(typed) | StarCommand::Unstar(typed) if typed.trim().is_empty() => {
            let usage = format!("Usage: /emcee {} SESSION", command.name());
            bot.private(asked, &Text::plain(usage)).await;
            return "user_error";
        }
        StarCommand::Star(typed) => stars.star_typed(team, user, typed).await,
        StarCommand::Unstar(typed) => stars.unstar_typed(team, user, typed).await,
        StarCommand::MyTalks => match stars.my_day(team, user).await {
            Ok(day) => {
                let content = day_message(&day.lines());
                bot.reply(&asked.response_url, &content, Visibility::Private)
                    .await;
                return "ok";
            }
            Err(error) => Err(error),
        },
    };
    let (text, outcome) = answer(answered);
    bot.private(asked, &text).await;
    outcome
}

/// A click on ☆: stars the session for the clicker, or unstars it when it
/// was starred; the answer is private.
pub async fn clicked(bot: &SlackBot, url: &SlackResponseUrl, team: &str, user: &str, typed: &str) {
    let (text, _) = answer(bot.app.stars.toggle(team, user, typed).await);
    let content = super::render::line(&text);
    bot.reply(url, &content, Visibility::Private).await;
}

/// `/emcee mytalks`: its lines in as few sections as fit Slack's limits.
fn day_message(lines: &[Text]) -> SlackMessageContent {
    let lines: Vec<String> = lines.iter().map(markup::text).collect();
    let mut parts = pack_lines(&lines, SECTION_CHARS);
    parts.truncate(MAX_BLOCKS);
    let fallback = parts.first().cloned().unwrap_or_default();
    SlackMessageContent::new()
        .with_text(fallback)
        .with_blocks(parts.into_iter().map(section).collect())
}

/// The core's answer, or why it failed in words for the user, and the
/// outcome for metrics; a failing database is logged.
fn answer(result: Result<Text, StarError>) -> (Text, &'static str) {
    match result {
        Ok(text) => (text, "ok"),
        Err(error @ StarError::UnknownSession(_)) => (Text::plain(error.to_string()), "user_error"),
        Err(StarError::Store(error)) => {
            tracing::warn!(%error, "could not keep a star");
            let sorry = "I could not save that right now; please try again.";
            (Text::plain(sorry), "error")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StarCommand;
    use crate::slack::commands::{parse, Command};

    #[test]
    fn star_unstar_and_mytalks_read_as_subcommands() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml");
        let agenda = emcee_core::config::Config::load(&path)
            .map(|c| c.programme.agenda)
            .unwrap_or_else(|e| panic!("{e}"));
        let now = chrono::Utc::now();
        let read = |text| parse(text, &agenda, now);
        assert_eq!(
            read("star  Fast I/O "),
            Command::Stars(StarCommand::Star("Fast I/O".into()))
        );
        assert_eq!(
            read("UNSTAR g1"),
            Command::Stars(StarCommand::Unstar("g1".into()))
        );
        assert_eq!(read("mytalks"), Command::Stars(StarCommand::MyTalks));
        assert_eq!(
            read("star"),
            Command::Stars(StarCommand::Star(String::new()))
        );
    }
}

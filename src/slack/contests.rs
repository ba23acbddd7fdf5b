//! Meme contests on Slack: only translation, as on Discord. A user's file
//! post (a `message` event with subtype `file_share`) becomes a
//! [`Submission`], `reaction_added` / `reaction_removed` become the same core
//! reactions polls get (Slack's `+1` and `joy` are the keys of 👍 and 😂),
//! and `/emcee contest open|close` become requests to the core's
//! [`emcee_core::contests::ContestService`], which decides, stores and posts
//! through the Slack port. Anything from another workspace does nothing.
//!
//! Slack sends a message event for every message in every channel the bot
//! is in, so what is cheap is checked in the Socket Mode callback (seen
//! before? served workspace? any image at all?) and only a possible entry
//! reaches a task; a reply in a thread is never an entry.

use super::bot::{Asked, SlackBot};
use super::polls::ReactionEvent;
use emcee_core::chat::{Span, Text, TimeStyle};
use emcee_core::contests::{ContestError, OpenContest, Submission, Upload};
use emcee_core::polls::MessageKey;
use slack_morphism::prelude::*;

/// The longest contest a command opens: a week, as on Discord.
const MAX_MINUTES: u32 = 10_080;

/// What `/emcee contest …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContestCommand {
    /// `open CHANNEL MINUTES [template]`.
    Open {
        channel: String,
        minutes: u32,
        template: Option<String>,
    },
    /// `close`: the open contest in this channel (else the only open one).
    Close,
    /// Anything else: the usage line.
    Usage,
}

/// Reads the text after `contest`. Slack may send a channel as
/// `<#C123|name>` and a link as `<https://…|label>`; both are unwrapped.
pub fn typed(rest: &str) -> ContestCommand {
    let mut words = rest.split_whitespace();
    match words.next().map(str::to_lowercase).as_deref() {
        Some("close") => ContestCommand::Close,
        Some("open") => {
            let channel = words.next().map(unwrap_form);
            let minutes = words.next().and_then(|m| m.parse::<u32>().ok());
            let template = words.next().map(unwrap_form);
            match (channel, minutes) {
                (Some(channel), Some(minutes)) if (1..=MAX_MINUTES).contains(&minutes) => {
                    ContestCommand::Open {
                        channel,
                        minutes,
                        template,
                    }
                }
                _ => ContestCommand::Usage,
            }
        }
        _ => ContestCommand::Usage,
    }
}

/// `<#C123|general>` as `C123`, `<https://x|label>` as `https://x`; other
/// words as they are.
fn unwrap_form(word: &str) -> String {
    let inner = word
        .strip_prefix('<')
        .and_then(|w| w.strip_suffix('>'))
        .unwrap_or(word);
    let inner = inner.split('|').next().unwrap_or(inner);
    inner.strip_prefix('#').unwrap_or(inner).to_owned()
}

/// What one `/emcee contest …` does; returns the outcome for the metrics.
pub async fn command(bot: &SlackBot, asked: &Asked, command: ContestCommand) -> &'static str {
    let usage =
        "Usage: /emcee contest open #channel MINUTES [template link] | /emcee contest close";
    let (verb, request) = match command {
        ContestCommand::Usage => {
            bot.private(asked, &Text::plain(usage)).await;
            return "user_error";
        }
        ContestCommand::Open { .. } => ("open", Some(command)),
        ContestCommand::Close => ("close", None),
    };
    if !bot
        .community
        .is_organiser(bot.port.sender(), &asked.user)
        .await
    {
        let text = format!("Only organisers can {verb} a meme contest.");
        bot.private(asked, &Text::plain(text)).await;
        return "user_error";
    }
    let answer = match request {
        Some(ContestCommand::Open {
            channel,
            minutes,
            template,
        }) => open(bot, asked, channel, minutes, template).await,
        _ => close(bot, asked).await,
    };
    match answer {
        Ok(text) => {
            bot.private(asked, &text).await;
            "ok"
        }
        Err(text) => {
            bot.private(asked, &text).await;
            "user_error"
        }
    }
}

async fn open(
    bot: &SlackBot,
    asked: &Asked,
    channel: String,
    minutes: u32,
    template: Option<String>,
) -> Result<Text, Text> {
    let request = OpenContest {
        community: Some(asked.team.clone()),
        channel,
        title: "Meme contest".to_owned(),
        minutes,
        template,
        created_by: Some(asked.user.clone()),
    };
    match bot.app.contests.open(request).await {
        Ok(contest) => Ok(Text::plain("The contest is open in ")
            .with(Span::Channel(contest.rules.channel.clone()))
            .and(" until ")
            .with(Span::Time(contest.rules.closes_at, TimeStyle::Time))
            .and(".")),
        Err(ContestError::Rules(error)) => Err(Text::plain(error.to_string())),
        Err(ContestError::NoSuchChannel(_)) => Err(Text::plain(
            "I found no such channel here; give it as #channel, its name or its id.",
        )),
        Err(error) => {
            tracing::error!(%error, "could not open a meme contest");
            Err(Text::plain(
                "I could not open the contest; please try again.",
            ))
        }
    }
}

async fn close(bot: &SlackBot, asked: &Asked) -> Result<Text, Text> {
    let closed = bot
        .app
        .contests
        .close_here(Some(&asked.team), &asked.channel)
        .await;
    match closed {
        Ok(Some(contest)) => Ok(Text::plain("Closed; the result is in ")
            .with(Span::Channel(contest.rules.channel))
            .and(".")),
        Ok(None) => Err(Text::plain("There is no open meme contest here.")),
        Err(error) => {
            tracing::error!(%error, "could not close a meme contest");
            Err(Text::plain(
                "I could not close the contest; please try again.",
            ))
        }
    }
}

/// A `message` event: returns at once; a user's image post in a channel
/// becomes an entry (if a contest takes it) in a task.
pub fn on_message(bot: &SlackBot, team: &str, event_id: &str, message: SlackMessageEvent) {
    let plain = matches!(
        message.subtype,
        None | Some(SlackMessageEventType::FileShare)
    );
    let in_thread = message
        .origin
        .thread_ts
        .as_ref()
        .is_some_and(|thread| *thread != message.origin.ts);
    let files = message
        .content
        .as_ref()
        .and_then(|content| content.files.as_deref())
        .unwrap_or_default();
    let uploads: Vec<(Upload, Option<String>)> = files.iter().filter_map(upload).collect();
    let (Some(channel), Some(user)) = (&message.origin.channel, &message.sender.user) else {
        return;
    };
    if !plain || in_thread || !uploads.iter().any(|(upload, _)| upload.is_image()) {
        return;
    }
    if !bot.seen.first_time(event_id) || !bot.community.serves(team, "file post") {
        return;
    }
    let user = user.to_string();
    let by_bot = message.sender.bot_id.is_some() || user == bot.port.bot_user();
    let link = uploads
        .iter()
        .find(|(upload, _)| upload.is_image())
        .and_then(|(_, link)| link.clone());
    let key = MessageKey::new(channel.to_string(), message.origin.ts.to_string());
    let (bot, team) = (bot.clone(), team.to_owned());
    tokio::spawn(async move {
        // The name is looked up only for a post a contest may take.
        match bot.app.contests.open_contests().await {
            Ok(open) if open.iter().any(|c| c.rules.channel == key.channel) => {}
            Ok(_) => return,
            Err(error) => return tracing::warn!(%error, "could not read the open contests"),
        }
        let post = Submission {
            community: Some(team),
            message: key,
            author_name: super::questions::display_name(&bot, &user).await,
            author: user,
            by_bot,
            uploads: uploads.into_iter().map(|(upload, _)| upload).collect(),
            link,
        };
        if let Err(error) = bot.app.contests.on_post(post).await {
            tracing::warn!(%error, "could not store a contest entry");
        }
    });
}

/// A shared file as an upload (its private URL, which Slack's image blocks
/// show to members) and its permalink.
fn upload(file: &SlackFile) -> Option<(Upload, Option<String>)> {
    let url = file.url_private.as_ref()?.to_string();
    let upload = Upload {
        filename: file.name.clone().unwrap_or_default(),
        content_type: file.mimetype.as_ref().map(ToString::to_string),
        url,
    };
    Some((upload, file.permalink.as_ref().map(ToString::to_string)))
}

/// `reaction_added` / `reaction_removed`: returns at once; a vote on an
/// entry is stored in a task. The poll service sees the same event.
pub fn on_reaction(bot: &SlackBot, event: ReactionEvent) {
    let seen = format!("contest/{}", event.event_id);
    if !bot.seen.first_time(&seen) || !bot.community.serves(&event.team, "contest vote") {
        return;
    }
    let reaction = event.neutral(bot);
    let contests = bot.app.contests.clone();
    tokio::spawn(async move {
        if let Err(error) = contests.on_reaction(reaction).await {
            tracing::warn!(%error, "could not count a contest vote");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_close_read_slacks_forms() {
        assert_eq!(
            typed("open <#C0MEMES|memes> 30 <https://imgflip.com/t|template>"),
            ContestCommand::Open {
                channel: "C0MEMES".into(),
                minutes: 30,
                template: Some("https://imgflip.com/t".into()),
            }
        );
        assert_eq!(
            typed("OPEN #memes 5"),
            ContestCommand::Open {
                channel: "memes".into(),
                minutes: 5,
                template: None,
            }
        );
        assert_eq!(typed("close"), ContestCommand::Close);
        assert_eq!(typed("open memes"), ContestCommand::Usage);
        assert_eq!(typed("open memes 0"), ContestCommand::Usage);
        assert_eq!(typed("open memes 10081"), ContestCommand::Usage);
        assert_eq!(typed("dance"), ContestCommand::Usage);
    }
}

//! Meme contests on Discord: only translation. Messages with attachments
//! become [`Submission`]s (the MESSAGE_CONTENT intent is what lets the bot
//! see the attachments of messages that do not mention it), reactions become
//! the same core reactions polls get, and `/contest open|close` become
//! requests to the core's [`emcee_core::contests::ContestService`], which
//! decides and posts through the Discord port.

use super::access::is_organiser;
use super::embeds::say_privately;
use super::{Context, Data, Error};
use emcee_core::contests::{ContestError, OpenContest, Submission, Upload};
use emcee_core::polls::MessageKey;
use poise::serenity_prelude as serenity;

/// A message was posted: an entry if it carries an image in a contest's
/// channel during its window.
///
/// # Errors
/// When the entry could not be stored.
pub async fn on_message(data: &Data, message: &serenity::Message) -> anyhow::Result<()> {
    if message.attachments.is_empty() {
        return Ok(());
    }
    let link = message.guild_id.map(|guild| {
        format!(
            "https://discord.com/channels/{guild}/{}/{}",
            message.channel_id, message.id
        )
    });
    let post = Submission {
        community: message.guild_id.map(|g| g.to_string()),
        message: MessageKey::new(message.channel_id, message.id),
        author: message.author.id.to_string(),
        author_name: message
            .author
            .global_name
            .clone()
            .unwrap_or_else(|| message.author.name.clone()),
        by_bot: message.author.bot || message.author.id.get() == data.port.bot_user(),
        uploads: message
            .attachments
            .iter()
            .map(|file| Upload {
                filename: file.filename.clone(),
                content_type: file.content_type.clone(),
                url: file.url.clone(),
            })
            .collect(),
        link,
    };
    data.contests.on_post(post).await?;
    Ok(())
}

/// A reaction was added (`added`) or removed: a vote if it is on an entry.
///
/// # Errors
/// When the vote could not be stored.
pub async fn on_reaction(
    data: &Data,
    reaction: &serenity::Reaction,
    added: bool,
) -> anyhow::Result<()> {
    let Some(event) = super::polls::neutral(data, reaction, added) else {
        return Ok(());
    };
    data.contests.on_reaction(event).await?;
    Ok(())
}

/// Meme contests: image posts in a channel, voted with reactions.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("contest_open", "contest_close"),
    subcommand_required
)]
pub async fn contest(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Open a meme contest in a channel (organisers only).
#[poise::command(slash_command, guild_only, rename = "open")]
pub async fn contest_open(
    ctx: Context<'_>,
    #[description = "Where entries are posted (#channel, its name or id)"] channel: String,
    #[description = "How long it runs, in minutes"]
    #[min = 1]
    #[max = 10080]
    minutes: u32,
    #[description = "A link to the meme template"] template: Option<String>,
    #[description = "The contest's name (default: Meme contest)"] title: Option<String>,
) -> Result<(), Error> {
    if !is_organiser(ctx) {
        return say_privately(ctx, "Only organisers can open a meme contest.").await;
    }
    if !ctx.data().message_content {
        let text = "Meme contests need Discord's Message Content intent, to see the \
                    entries' images: turn it on in the developer portal, set \
                    `[discord] contests = true` (or declare the contest in the agenda) \
                    and restart emcee.";
        return say_privately(ctx, text).await;
    }
    let request = OpenContest {
        community: ctx.guild_id().map(|g| g.to_string()),
        channel,
        title: title.unwrap_or_else(|| "Meme contest".to_owned()),
        minutes,
        template,
        created_by: Some(ctx.author().id.to_string()),
    };
    match ctx.data().contests.open(request).await {
        Ok(contest) => {
            let text = format!(
                "The contest is open in <#{}> until <t:{}:t>.",
                contest.rules.channel,
                contest.rules.closes_at.timestamp()
            );
            say_privately(ctx, text).await
        }
        Err(ContestError::Rules(error)) => say_privately(ctx, error.to_string()).await,
        Err(ContestError::NoSuchChannel(_)) => {
            let text = "I found no such channel here; give it as #channel, its name or its id.";
            say_privately(ctx, text).await
        }
        Err(error) => Err(error.into()),
    }
}

/// Close the meme contest here now and post its result (organisers only).
#[poise::command(slash_command, guild_only, rename = "close")]
pub async fn contest_close(ctx: Context<'_>) -> Result<(), Error> {
    if !is_organiser(ctx) {
        return say_privately(ctx, "Only organisers can close a meme contest.").await;
    }
    ctx.defer_ephemeral().await?;
    let community = ctx.guild_id().map(|g| g.to_string());
    let channel = ctx.channel_id().to_string();
    let closed = ctx
        .data()
        .contests
        .close_here(community.as_deref(), &channel)
        .await?;
    let text = match closed {
        Some(contest) => format!("Closed; the result is in <#{}>.", contest.rules.channel),
        None => "There is no open meme contest here.".to_owned(),
    };
    say_privately(ctx, text).await
}

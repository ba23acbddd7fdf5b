//! `/poll create|close|cancel|results`. Creating, closing and cancelling are for
//! organisers only (a configured role, or the Manage Server permission); others
//! get a refusal only they see. Every reply here is ephemeral: the poll and its
//! result are the public messages.

use crate::discord::access::is_organiser;
use crate::discord::embeds::{no_mentions, say_privately};
use crate::discord::markup;
use crate::discord::{Context, Error};
use emcee_core::polls::service::{gather_options, result_text};
use emcee_core::polls::{Poll, PollRequest, PollState, PollStyle, ServiceError};
use poise::serenity_prelude as serenity;
use poise::CreateReply;

/// Flash polls: ask the room, count the reactions.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("poll_create", "poll_close", "poll_cancel", "poll_results"),
    subcommand_required
)]
pub async fn poll(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Post a poll that people answer with reactions (organisers only).
// Every slash option is a parameter; Discord allows 25 per command.
#[allow(clippy::too_many_arguments)]
#[poise::command(slash_command, guild_only, rename = "create")]
pub async fn poll_create(
    ctx: Context<'_>,
    #[description = "The question (up to 256 characters)"] question: String,
    #[description = "Options separated by |, e.g. 🦀 Rust | Go | Zig (or use option_1, option_2, …)"]
    options: Option<String>,
    #[description = "How long voting lasts: 5, 90s, 10m, 1h (default from the config)"]
    duration: Option<String>,
    #[description = "Let people pick several options"] multi: Option<bool>,
    #[description = "Post it in this channel (#channel, its name or id) instead of here"]
    channel: Option<String>,
    #[description = "Hide the running tally until the poll closes"] hide_tally: Option<bool>,
    #[description = "reactions, or native: a Discord poll (default from the config)"] style: Option<
        String,
    >,
    #[description = "An option, e.g. 🦀 Rust"] option_1: Option<String>,
    #[description = "An option"] option_2: Option<String>,
    #[description = "An option"] option_3: Option<String>,
    #[description = "An option"] option_4: Option<String>,
    #[description = "An option"] option_5: Option<String>,
    #[description = "An option"] option_6: Option<String>,
    #[description = "An option"] option_7: Option<String>,
    #[description = "An option"] option_8: Option<String>,
    #[description = "An option"] option_9: Option<String>,
    #[description = "An option"] option_10: Option<String>,
) -> Result<(), Error> {
    if !is_organiser(ctx) {
        return refuse(ctx).await;
    }
    let separate = [
        option_1, option_2, option_3, option_4, option_5, option_6, option_7, option_8, option_9,
        option_10,
    ];
    let options = gather_options(options.as_deref(), separate.iter().flatten());
    if options.is_empty() {
        return say_privately(
            ctx,
            "Give the options as `A | B | C`, or one per option_1, option_2, … field.",
        )
        .await;
    }
    let style = match style.as_deref().map(PollStyle::parse) {
        Some(None) => return say_privately(ctx, "The style is `reactions` or `native`.").await,
        Some(style) => style,
        None => None,
    };
    let service = &ctx.data().polls;
    let closes_at = match service.deadline(duration.as_deref()) {
        Ok(at) => at,
        Err(error) => return say_privately(ctx, &error.to_string()).await,
    };
    let channel = channel.unwrap_or_else(|| ctx.channel_id().to_string());
    let request = PollRequest {
        channel: channel.to_string(),
        question,
        options,
        closes_at,
        multi: multi.unwrap_or(false),
        hide_tally: hide_tally.unwrap_or(service.config().hide_tally),
        style,
        declared_id: None,
        created_by: Some(ctx.author().id.to_string()),
        community: ctx.guild_id().map(|g| g.to_string()),
    };
    match service.post_noting(request).await {
        Ok((poll, note)) => say_privately(ctx, &posted_text(&poll, note.as_deref())).await,
        Err(ServiceError::Invalid(error)) => say_privately(ctx, &error.to_string()).await,
        Err(ServiceError::NoSuchChannel(_)) => {
            let text = "I found no such channel here; give it as #channel, its name or its id.";
            say_privately(ctx, text).await
        }
        Err(error) => Err(error.into()),
    }
}

/// Close a poll now and post its result (organisers only).
#[poise::command(slash_command, guild_only, rename = "close")]
pub async fn poll_close(
    ctx: Context<'_>,
    #[description = "The poll's message id or link (default: the latest open poll here)"]
    message: Option<String>,
) -> Result<(), Error> {
    end(ctx, message, PollState::Closed).await
}

/// Call a poll off without a result (organisers only).
#[poise::command(slash_command, guild_only, rename = "cancel")]
pub async fn poll_cancel(
    ctx: Context<'_>,
    #[description = "The poll's message id or link (default: the latest open poll here)"]
    message: Option<String>,
) -> Result<(), Error> {
    end(ctx, message, PollState::Cancelled).await
}

/// Show a poll's result (running, or final once closed).
#[poise::command(slash_command, guild_only, rename = "results")]
pub async fn poll_results(
    ctx: Context<'_>,
    #[description = "The poll's message id or link (default: the latest poll here)"]
    message: Option<String>,
) -> Result<(), Error> {
    let Some(poll) = find(ctx, message.as_deref(), false).await? else {
        return say_privately(ctx, "I found no poll there.").await;
    };
    let recorder = ctx.data().polls.recorder();
    let Some((poll, results)) = recorder.results(&poll.message).await? else {
        return say_privately(ctx, "I found no poll there.").await;
    };
    let (title, description) = result_text(&poll, &results);
    let embed = serenity::CreateEmbed::new()
        .title(markup::text(&title))
        .description(markup::text(&description));
    let answer = CreateReply::default()
        .embed(embed)
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    crate::discord::replies::send(ctx, answer).await
}

async fn end(ctx: Context<'_>, message: Option<String>, state: PollState) -> Result<(), Error> {
    if !is_organiser(ctx) {
        return refuse(ctx).await;
    }
    let Some(poll) = find(ctx, message.as_deref(), true).await? else {
        return say_privately(ctx, "There is no open poll there.").await;
    };
    ctx.defer_ephemeral().await?;
    let done = match ctx.data().polls.finish(&poll.message, state).await? {
        Some(_) if state == PollState::Cancelled => "Poll cancelled.",
        Some(_) => "Poll closed; the result is posted.",
        None => "That poll has already closed.",
    };
    say_privately(ctx, done).await
}

/// The poll a command means: the one posted as `message` (id or link), else the
/// latest (open, if `open`) poll in this channel.
async fn find(ctx: Context<'_>, message: Option<&str>, open: bool) -> Result<Option<Poll>, Error> {
    let channel = ctx.channel_id().to_string();
    let community = ctx.guild_id().map(|g| g.to_string());
    let polls = &ctx.data().polls;
    Ok(polls
        .find(community.as_deref(), &channel, message, open)
        .await?)
}

async fn refuse(ctx: Context<'_>) -> Result<(), Error> {
    say_privately(ctx, "Only organisers can create, close or cancel polls.").await
}

fn posted_text(poll: &Poll, note: Option<&str>) -> String {
    let posted = format!(
        "Poll posted in <#{}>; it closes <t:{}:R>.",
        poll.message.channel,
        poll.closes_at.timestamp()
    );
    match note {
        Some(note) => format!("{posted} {note}"),
        None => posted,
    }
}

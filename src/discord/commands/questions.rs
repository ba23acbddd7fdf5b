//! Session Q&A on Discord: `/ask`, `/questions` (hosts only, private), and
//! the clicks on a question's ▲ and on the hosts' answered / pin / hide
//! buttons. The core decides everything (which session, limits, who hosts,
//! what counts); this only turns interactions into its requests and its
//! posts into Discord messages.
//!
//! A ▲ click is answered by updating the clicked message in place (the
//! interaction's own response, outside the channel's rate limit), after the
//! vote is stored; the core's debounced edits then settle every count.

use crate::discord::access::{is_organiser, member_is_organiser};
use crate::discord::embeds::{no_mentions, say_privately};
use crate::discord::markdown::escape;
use crate::discord::{markup, Context, Data, Error};
use emcee_core::chat::{Post, Text};
use emcee_core::questions::{posts, Action, Ask, Host, Question, QuestionError};
use poise::serenity_prelude as serenity;

/// Questions listed in the hosts' panel; the first five get buttons
/// (Discord allows five rows).
const PANEL_LINES: usize = 15;
const PANEL_BUTTONS: usize = 5;

/// Ask the speakers a question about a session
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question"]
    #[max_length = 1000]
    question: String,
    #[description = "The session (default: the one live here)"]
    #[autocomplete = "crate::discord::commands::remind::complete_session"]
    session: Option<String>,
    #[description = "Hide your name from the room (the hosts still see it)"] anonymous: Option<
        bool,
    >,
) -> Result<(), Error> {
    let Some(guild) = ctx.guild_id() else {
        return say_privately(ctx, "Questions are asked in a server channel.").await;
    };
    let (community, channel) = (guild.to_string(), ctx.channel_id().to_string());
    let user = ctx.author().id.to_string();
    let name = ctx.author().global_name.clone();
    let name = name.unwrap_or_else(|| ctx.author().name.clone());
    let request = Ask {
        community: &community,
        channel: &channel,
        user: &user,
        user_name: &name,
        session: session.as_deref(),
        text: &question,
        anonymous: anonymous.unwrap_or(false),
    };
    let programme = ctx.data().programme();
    let answer = match ctx.data().questions.ask(&programme.agenda, request).await {
        Ok(asked) => escape(&asked.reply()),
        Err(error) => refusal(error)?,
    };
    say_privately(ctx, answer).await
}

/// The questions of a session, for its hosts: answer, pin or hide them
#[poise::command(slash_command)]
pub async fn questions(
    ctx: Context<'_>,
    #[description = "The session (default: the one live here)"]
    #[autocomplete = "crate::discord::commands::remind::complete_session"]
    session: Option<String>,
) -> Result<(), Error> {
    let Some(guild) = ctx.guild_id() else {
        return say_privately(ctx, "Questions live in a server channel.").await;
    };
    let community = guild.to_string();
    let user = ctx.author().id.to_string();
    let host = Host {
        community: &community,
        user: &user,
        organiser: is_organiser(ctx),
    };
    let programme = ctx.data().programme();
    let channel = ctx.channel_id().to_string();
    let listed = ctx
        .data()
        .questions
        .host_list(&programme.agenda, host, &channel, session.as_deref())
        .await;
    let (session, questions) = match listed {
        Ok(listed) => listed,
        Err(error) => return say_privately(ctx, refusal(error)?).await,
    };
    let (content, rows) = panel(&session.title, &questions);
    let reply = poise::CreateReply::default()
        .content(content)
        .components(rows)
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    crate::discord::replies::send(ctx, reply).await
}

/// A click on a Q&A button: an upvote, or a host's control.
pub async fn clicked(
    ctx: &serenity::Context,
    component: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let (Some((action, id)), Some(guild)) =
        (Action::parse(&component.data.custom_id), component.guild_id)
    else {
        return Ok(());
    };
    let (community, user) = (guild.to_string(), component.user.id.to_string());
    let programme = data.programme();
    let agenda = &programme.agenda;
    if action == Action::Upvote {
        let click = (user.as_str(), component.id.get());
        let voted = data
            .questions
            .upvote_to_answer(agenda, &community, id, click);
        return match voted.await {
            Ok((question, _)) => {
                let post = question_post(agenda, &question);
                let body = serde_json::json!({ "type": 7, "data": markup::message(&post) });
                let http = &ctx.http;
                let answer = http
                    .create_interaction_response(component.id, &component.token, &body, vec![])
                    .await;
                data.questions.answered(id, click, answer.is_ok()).await;
                Ok(answer?)
            }
            Err(error) => tell(ctx, component, refusal(error)?).await,
        };
    }
    let roles = data.polls.config().organiser_roles;
    let host = Host {
        community: &community,
        user: &user,
        organiser: member_is_organiser(component.member.as_ref(), &roles),
    };
    let moderated = data.questions.moderate(agenda, host, action, id).await;
    let question = match moderated {
        Ok(question) => question,
        Err(error) => return tell(ctx, component, refusal(error)?).await,
    };
    let channel = component.channel_id.to_string();
    let session = question.session.as_str();
    let listed = data
        .questions
        .host_list(agenda, host, &channel, Some(session))
        .await;
    let (session, questions) = match listed {
        Ok(listed) => listed,
        Err(error) => return tell(ctx, component, refusal(error)?).await,
    };
    let (content, rows) = panel(&session.title, &questions);
    let update = serenity::CreateInteractionResponseMessage::new()
        .content(content)
        .components(rows)
        .allowed_mentions(no_mentions());
    let response = serenity::CreateInteractionResponse::UpdateMessage(update);
    component.create_response(&ctx.http, response).await?;
    Ok(())
}

/// A question's post with its session's title.
fn question_post(agenda: &emcee_core::agenda::Agenda, question: &Question) -> Post {
    let title = agenda
        .session(&question.session)
        .map_or_else(|| question.session.to_string(), |s| s.title.clone());
    posts::question_post(question, &title)
}

/// The hosts' panel: one line per question (the top ones), and for the
/// first few a row of answered / pin / hide.
fn panel(title: &str, questions: &[Question]) -> (String, Vec<serenity::CreateActionRow>) {
    let mut lines = vec![markup::text(&Text::strong(format!(
        "Questions for {title} ({})",
        questions.len()
    )))];
    if questions.is_empty() {
        lines.push("No questions yet.".to_owned());
    }
    for (index, question) in questions.iter().take(PANEL_LINES).enumerate() {
        lines.push(markup::text(&posts::host_line(index + 1, question)));
    }
    if questions.len() > PANEL_LINES {
        lines.push(format!("…and {} more", questions.len() - PANEL_LINES));
    }
    let content = emcee_core::chat::text::pack_lines(&lines, 2000)
        .into_iter()
        .next()
        .unwrap_or_default();
    let rows = questions
        .iter()
        .take(PANEL_BUTTONS)
        .enumerate()
        .map(|(index, question)| {
            let buttons = posts::host_buttons(index + 1, question)
                .into_iter()
                .map(|b| {
                    serenity::CreateButton::new(b.id)
                        .label(b.label)
                        .style(serenity::ButtonStyle::Secondary)
                })
                .collect();
            serenity::CreateActionRow::Buttons(buttons)
        })
        .collect();
    (content, rows)
}

/// A refusal in words for the user; failures that are not the user's go on
/// as errors (the storage one as the usual "can't save" line).
fn refusal(error: QuestionError) -> Result<String, Error> {
    match error {
        QuestionError::Store(error) if error.is_storage_failure() => {
            Ok(crate::discord::errors::STORAGE_FAILING.to_owned())
        }
        QuestionError::Store(_) | QuestionError::Port(_) => Err(error.into()),
        user_error => Ok(escape(&user_error.to_string())),
    }
}

/// Answers a click privately with `text`.
async fn tell(
    ctx: &serenity::Context,
    component: &serenity::ComponentInteraction,
    text: String,
) -> Result<(), Error> {
    crate::discord::embeds::tell_clicker(ctx, component, text).await
}

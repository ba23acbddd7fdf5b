//! Personal reminders: `/remind`, the "Remind me" button, `/reminders`, `/mycal`,
//! and the notice about reminders that could not be delivered.
//!
//! Reminders are sent by DM. When a user's DMs are closed the scheduler keeps
//! the reminder as missed (once, no retries), and [`show_missed`] tells the user
//! privately after their next command.

use crate::discord::embeds::{private_reply, say_privately};
use crate::discord::markup;
use crate::discord::{Context, Data, Error};
use emcee_core::agenda::{NameKind, SessionId};
use emcee_core::chat::Text;
use emcee_core::reminders::{session_ref, MissedNotice, ReminderError, DEFAULT_MINUTES};
use poise::serenity_prelude as serenity;

/// Custom id prefix of the "Remind me" button; the session id follows.
pub const BUTTON_PREFIX: &str = "remind:";

/// Get a direct message before a session starts
#[poise::command(slash_command)]
pub async fn remind(
    ctx: Context<'_>,
    #[description = "Session title or id"]
    #[autocomplete = "complete_session"]
    session: String,
    #[description = "Minutes before it starts (default 10)"]
    #[max = 1440]
    minutes_before: Option<u32>,
) -> Result<(), Error> {
    let minutes = minutes_before.unwrap_or(DEFAULT_MINUTES);
    let user = ctx.author().id.to_string();
    let text = add(ctx.data(), &user, &session, minutes).await;
    say_privately(ctx, text).await
}

/// List your reminders, or cancel one
#[poise::command(slash_command)]
pub async fn reminders(
    ctx: Context<'_>,
    #[description = "Cancel the reminder for this session"]
    #[autocomplete = "complete_session"]
    cancel: Option<String>,
) -> Result<(), Error> {
    let Some(reminders) = ctx.data().reminders() else {
        return say_privately(ctx, unavailable()).await;
    };
    let user = ctx.author().id.to_string();
    let programme = ctx.data().programme();
    let lines = reminders
        .list(&programme.agenda, &user, cancel.as_deref())
        .await?;
    say_privately(ctx, lines_text(&lines)).await
}

/// Your calendar feed's address, and your reminded sessions as a file
#[poise::command(slash_command)]
pub async fn mycal(
    ctx: Context<'_>,
    #[description = "Make a new feed address; the old one stops working"] reset: Option<bool>,
) -> Result<(), Error> {
    let reset = reset.unwrap_or(false);
    let community = ctx
        .guild_id()
        .map_or_else(|| "direct".to_owned(), |guild| guild.to_string());
    let user = ctx.author().id.to_string();
    let feed = feed_text(ctx.data(), &community, &user, reset).await;
    if reset {
        return say_privately(ctx, feed).await;
    }
    let Some(reminders) = ctx.data().reminders() else {
        return say_privately(ctx, format!("{feed}\n{}", unavailable())).await;
    };
    let programme = ctx.data().programme();
    let calendar = reminders.calendar(&programme.agenda, &user).await?;
    let file = serenity::CreateAttachment::bytes(calendar.ics.into_bytes(), "emcee-reminders.ics");
    let reply = private_reply(format!(
        "{feed}\n{} session(s) in your calendar.",
        calendar.sessions
    ))
    .attachment(file);
    crate::discord::replies::send(ctx, reply).await
}

/// The user's feed address (made anew with `reset`), in words.
async fn feed_text(data: &Data, community: &str, user: &str, reset: bool) -> String {
    let url = if reset {
        data.feeds.reset(community, user).await
    } else {
        data.feeds.personal_url(community, user).await
    };
    match url {
        Ok(url) => markup::text(&emcee_core::feeds::wording::answer(url.as_deref(), reset)),
        Err(error) => {
            tracing::error!(%error, "could not make a calendar feed address");
            crate::discord::errors::STORAGE_FAILING.to_owned()
        }
    }
}

/// A click on "Remind me" under a session: remind the clicker, answer privately.
pub async fn clicked(
    ctx: &serenity::Context,
    component: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let Some(session) = component.data.custom_id.strip_prefix(BUTTON_PREFIX) else {
        return Ok(());
    };
    let user = component.user.id.to_string();
    let text = add(data, &user, session, DEFAULT_MINUTES).await;
    crate::discord::embeds::tell_clicker(ctx, component, text).await
}

/// The "Remind me" button for a session.
pub fn button(session: &SessionId) -> serenity::CreateActionRow {
    super::session_button(BUTTON_PREFIX, ("Remind me", '⏰'), session)
}

/// The session a detailed single-session answer shows, which gets a "Remind me" button.
pub fn detailed_session(reply: &emcee_core::command::Reply) -> Option<&SessionId> {
    match reply {
        emcee_core::command::Reply::Sessions(answer)
            if answer.detailed && answer.sessions.len() == 1 =>
        {
            answer.sessions.first().map(|s| &s.id)
        }
        _ => None,
    }
}

/// poise's post-command hook: tells the user about reminders their closed
/// DMs kept from them. Costs no database write when there are none. The
/// notice is split to fit Discord's limit, and a reminder is forgotten only
/// once every part carrying it was delivered: a refused part loses nothing.
pub async fn show_missed(ctx: Context<'_>) {
    let Some(reminders) = ctx.data().reminders() else {
        return;
    };
    let user = ctx.author().id.to_string();
    let notice = match reminders.missed(&user).await {
        Ok(Some(notice)) => notice,
        Ok(None) => return,
        Err(error) => return tracing::error!(%error, "could not read missed reminders"),
    };
    let limit = emcee_core::chat::ChatPort::limits(ctx.data().port.as_ref()).message_chars;
    let parts = notice.parts(markup::text, limit);
    let mut failed = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let sent = crate::discord::replies::send(ctx, private_reply(part.text.clone())).await;
        if let Err(error) = sent {
            tracing::warn!(%error, "could not show missed reminders; they are kept");
            failed.push(index);
        }
    }
    let delivered = MissedNotice::delivered(&parts, &failed);
    if let Err(error) = reminders.forget_missed(&user, delivered).await {
        tracing::error!(%error, "could not forget the missed reminders shown");
    }
}

/// Adds a reminder and says how it went, in words for the user.
async fn add(data: &Data, user: &str, typed: &str, minutes: u32) -> String {
    let Some(reminders) = data.reminders() else {
        return unavailable();
    };
    let programme = data.programme();
    match reminders.remind(&programme, user, typed, minutes).await {
        Ok(answer) => markup::text(&answer),
        Err(ReminderError::Store(error)) if error.is_storage_failure() => {
            crate::discord::errors::STORAGE_FAILING.to_owned()
        }
        Err(error) => error.to_string(),
    }
}

fn lines_text(lines: &[Text]) -> String {
    let lines: Vec<String> = lines.iter().map(markup::text).collect();
    lines.join("\n")
}

fn unavailable() -> String {
    "Reminders are not available right now.".to_owned()
}

/// Session names for autocomplete (also `/ask`'s and `/questions`').
pub(crate) async fn complete_session(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let programme = ctx.data().programme();
    let choices = programme
        .agenda
        .complete(NameKind::Session, partial, 25)
        .into_iter()
        .map(|c| {
            let clip = |t: &str| t.chars().take(100).collect::<String>();
            let value = session_ref(&SessionId::new(c.value.as_str()));
            serenity::AutocompleteChoice::new(clip(&c.label), value)
        })
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

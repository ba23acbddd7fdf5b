//! Personal reminders: `/remind`, the "Remind me" button, `/reminders`, `/mycal`,
//! and the notice about reminders that could not be delivered.
//!
//! Reminders are sent by DM. When a user's DMs are closed the scheduler keeps
//! the reminder as missed (once, no retries), and [`show_missed`] tells the user
//! privately after their next command.

use crate::discord::embeds::{no_mentions, private_reply, say_privately};
use crate::discord::{Context, Data, Error};
use emcee_core::agenda::{Agenda, NameKind, SessionId};
use emcee_core::scheduler::{ical, Scheduler, SchedulerError};
use emcee_core::store::Added;
use poise::serenity_prelude as serenity;

/// Custom id prefix of the "Remind me" button; the session id follows.
pub const BUTTON_PREFIX: &str = "remind:";
/// Lead time when the user gives none (and for the button).
const DEFAULT_MINUTES: u32 = 10;

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
    let text = add(ctx.data(), &ctx.author().id.to_string(), &session, minutes);
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
    let user = ctx.author().id.to_string();
    let Some(scheduler) = scheduler(ctx.data()) else {
        return say_privately(ctx, unavailable()).await;
    };
    let agenda = &ctx.data().programme().agenda;
    let mut text = String::new();
    if let Some(typed) = cancel {
        let id = find(agenda, &typed).map_or(SessionId::new(typed), |(id, _)| id);
        text = match scheduler.forget(&user, &id)? {
            true => "Cancelled that reminder.\n".to_owned(),
            false => "You had no reminder for that session.\n".to_owned(),
        };
    }
    text.push_str(&listing(agenda, &scheduler.reminders(&user)?));
    say_privately(ctx, text).await
}

/// Your reminded sessions as a calendar file
#[poise::command(slash_command)]
pub async fn mycal(ctx: Context<'_>) -> Result<(), Error> {
    let Some(scheduler) = scheduler(ctx.data()) else {
        return say_privately(ctx, unavailable()).await;
    };
    let reminders = scheduler.reminders(&ctx.author().id.to_string())?;
    let programme = ctx.data().programme();
    let calendar = ical::calendar(&programme.agenda, &reminders, ctx.data().clock.now());
    let file = serenity::CreateAttachment::bytes(calendar.into_bytes(), "emcee-reminders.ics");
    let reply =
        private_reply(format!("{} session(s) in your calendar.", reminders.len())).attachment(file);
    crate::discord::replies::send(ctx, reply).await
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
    let text = add(
        data,
        &component.user.id.to_string(),
        session,
        DEFAULT_MINUTES,
    );
    let message = serenity::CreateInteractionResponseMessage::new()
        .content(text)
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    let response = serenity::CreateInteractionResponse::Message(message);
    component.create_response(&ctx.http, response).await?;
    Ok(())
}

/// The "Remind me" button for a session.
pub fn button(session: &SessionId) -> serenity::CreateActionRow {
    let id = format!("{BUTTON_PREFIX}{session}");
    let button = serenity::CreateButton::new(id)
        .label("Remind me")
        .emoji('⏰')
        .style(serenity::ButtonStyle::Secondary);
    serenity::CreateActionRow::Buttons(vec![button])
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

/// poise's post-command hook: tells the user about reminders their closed DMs
/// kept from them, once.
pub async fn show_missed(ctx: Context<'_>) {
    let Some(scheduler) = scheduler(ctx.data()) else {
        return;
    };
    let missed = match scheduler.take_missed(&ctx.author().id.to_string()) {
        Ok(missed) if !missed.is_empty() => missed,
        Ok(_) => return,
        Err(error) => return tracing::error!(%error, "could not read missed reminders"),
    };
    let lines = emcee_core::scheduler::wording::missed_notice(&missed);
    let text: Vec<String> = lines.iter().map(crate::discord::markup::text).collect();
    let text = text.join("\n");
    if let Err(error) = crate::discord::replies::send(ctx, private_reply(text)).await {
        tracing::warn!(%error, "could not show missed reminders");
    }
}

/// Adds a reminder and says how it went, in words for the user.
fn add(data: &Data, user: &str, typed: &str, minutes: u32) -> String {
    let Some(scheduler) = scheduler(data) else {
        return unavailable();
    };
    let programme = data.programme();
    let Some((id, title)) = find(&programme.agenda, typed) else {
        return format!("I found no session matching “{typed}”.");
    };
    match scheduler.remind(&programme, user, &id, minutes) {
        Ok(Added::Replaced) => format!("Updated: I'll DM you {minutes} min before “{title}”."),
        Ok(_) => format!("I'll DM you {minutes} min before “{title}”."),
        Err(SchedulerError::Store(error)) if error.is_storage_failure() => {
            crate::discord::errors::STORAGE_FAILING.to_owned()
        }
        Err(error) => error.to_string(),
    }
}

/// A session by id, else by a title that names exactly one.
fn find(agenda: &Agenda, typed: &str) -> Option<(SessionId, String)> {
    let typed = typed.trim();
    if let Some(session) = agenda.session(&SessionId::new(typed)) {
        return Some((session.id.clone(), session.title.clone()));
    }
    match agenda.find_sessions(typed).as_slice() {
        [one] => Some((one.id.clone(), one.title.clone())),
        _ => None,
    }
}

fn listing(agenda: &Agenda, reminders: &[emcee_core::scheduler::Reminder]) -> String {
    if reminders.is_empty() {
        return "You have no reminders. Add one with /remind.".to_owned();
    }
    let mut text = format!("Your reminders ({}):", reminders.len());
    for reminder in reminders {
        let line = match agenda.session(&reminder.session) {
            Some(s) => format!(
                "\n• {} — {} min before {}",
                crate::discord::markdown::escape(&s.title),
                reminder.minutes_before,
                crate::discord::render::timestamp(s.start, 'f')
            ),
            None => format!("\n• {} (no longer in the agenda)", reminder.session),
        };
        text.push_str(&line);
    }
    text
}

fn scheduler(data: &Data) -> Option<&Scheduler> {
    data.scheduling().map(|s| &s.scheduler)
}

fn unavailable() -> String {
    "Reminders are not available right now.".to_owned()
}

async fn complete_session(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let programme = ctx.data().programme();
    let choices = programme
        .agenda
        .complete(NameKind::Session, partial, 25)
        .into_iter()
        .map(|c| {
            let clip = |t: &str| t.chars().take(100).collect::<String>();
            serenity::AutocompleteChoice::new(clip(&c.label), clip(&c.value))
        })
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

//! Agenda questions as slash commands. Each handler only builds a core request;
//! [`answer`] runs it and replies, so every command answers the same way.

use crate::discord::embeds::{embed, no_mentions, paging_buttons};
use crate::discord::render::pages;
use crate::discord::{Context, Error};
use emcee_core::agenda::NameKind;
use emcee_core::command::{self, Request};
use poise::serenity_prelude::{AutocompleteChoice, CreateAutocompleteResponse};
use poise::CreateReply;

/// Discord shows at most 25 autocomplete choices.
const CHOICES: usize = 25;

/// What is live right now
#[poise::command(slash_command)]
pub async fn now(ctx: Context<'_>) -> Result<(), Error> {
    answer(ctx, Request::Now).await
}

/// What starts next, in every track or one
#[poise::command(slash_command)]
pub async fn next(
    ctx: Context<'_>,
    #[description = "Only this track"]
    #[autocomplete = "complete_track"]
    track: Option<String>,
) -> Result<(), Error> {
    answer(ctx, Request::Next { track }).await
}

/// A day's programme (today by default)
#[poise::command(slash_command)]
pub async fn agenda(
    ctx: Context<'_>,
    #[description = "A date, today, tomorrow, a weekday or a day number"]
    #[autocomplete = "complete_day"]
    day: Option<String>,
    #[description = "Only this track"]
    #[autocomplete = "complete_track"]
    track: Option<String>,
) -> Result<(), Error> {
    answer(ctx, Request::Agenda { day, track }).await
}

/// Every session of a track
#[poise::command(slash_command)]
pub async fn track(
    ctx: Context<'_>,
    #[description = "Track name"]
    #[autocomplete = "complete_track"]
    name: String,
) -> Result<(), Error> {
    answer(ctx, Request::Track(name)).await
}

/// A speaker's sessions
#[poise::command(slash_command)]
pub async fn speaker(
    ctx: Context<'_>,
    #[description = "Speaker name, in any order, accents optional"]
    #[autocomplete = "complete_speaker"]
    name: String,
) -> Result<(), Error> {
    answer(ctx, Request::Speaker(name)).await
}

/// Everything in one room
#[poise::command(slash_command)]
pub async fn room(
    ctx: Context<'_>,
    #[description = "Room name"]
    #[autocomplete = "complete_room"]
    name: String,
) -> Result<(), Error> {
    answer(ctx, Request::Room(name)).await
}

/// One session in detail
#[poise::command(slash_command)]
pub async fn session(
    ctx: Context<'_>,
    #[description = "Session title or id"]
    #[autocomplete = "complete_session"]
    name: String,
) -> Result<(), Error> {
    answer(ctx, Request::Session(name)).await
}

/// Search titles, abstracts and speakers
#[poise::command(slash_command)]
pub async fn search(
    ctx: Context<'_>,
    #[description = "Words to look for"] text: String,
) -> Result<(), Error> {
    answer(ctx, Request::Search(text)).await
}

/// What emcee can do
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    answer(ctx, Request::Help).await
}

/// Runs `request` through the core and replies with the first page, plus paging
/// buttons when the answer is longer than one page. User errors go to on_error,
/// which answers the asker only.
async fn answer(ctx: Context<'_>, request: Request) -> Result<(), Error> {
    let data = ctx.data();
    let programme = data.programme();
    let reply = command::execute(&programme.agenda, &request, data.clock.now())?;
    let pages = pages(&reply, programme.agenda.name());
    let key = answer_key(ctx);
    let mut message = CreateReply::default().allowed_mentions(no_mentions());
    if let Some(first) = pages.first() {
        message = message.embed(embed(first));
    }
    let mut rows = paging_buttons(&key, 0, pages.len());
    if let Some(id) = super::remind::detailed_session(&reply) {
        rows.push(super::remind::button(id));
        rows.push(super::stars::button(id));
    }
    message = message.components(rows);
    if pages.len() > 1 {
        data.pages.keep(&key, pages);
    }
    crate::discord::replies::send(ctx, message).await
}

/// A key for this answer's pages: the asking interaction's id.
fn answer_key(ctx: Context<'_>) -> String {
    match ctx {
        poise::Context::Application(app) => app.interaction.id.to_string(),
        poise::Context::Prefix(prefix) => prefix.msg.id.to_string(),
    }
}

async fn complete(ctx: Context<'_>, kind: NameKind, partial: &str) -> CreateAutocompleteResponse {
    let programme = ctx.data().programme();
    let choices = programme
        .agenda
        .complete(kind, partial, CHOICES)
        .into_iter()
        .map(|choice| AutocompleteChoice::new(clip(&choice.label, 100), clip(&choice.value, 100)))
        .collect();
    CreateAutocompleteResponse::new().set_choices(choices)
}

/// Discord caps choice names and values at 100 characters.
fn clip(text: &str, limit: usize) -> String {
    text.chars().take(limit).collect()
}

async fn complete_track(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    complete(ctx, NameKind::Track, partial).await
}

async fn complete_room(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    complete(ctx, NameKind::Room, partial).await
}

async fn complete_speaker(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    complete(ctx, NameKind::Speaker, partial).await
}

async fn complete_session(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    complete(ctx, NameKind::Session, partial).await
}

async fn complete_day(ctx: Context<'_>, partial: &str) -> CreateAutocompleteResponse {
    complete(ctx, NameKind::Day, partial).await
}

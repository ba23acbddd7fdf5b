//! Rendered pages as serenity builders: embeds, paging buttons and the strict
//! `allowed_mentions` every message carries.

use super::render::Page;
use emcee_core::paging::button_id;
use poise::serenity_prelude::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter,
};

/// The embed colour: P99-ish purple, readable on dark and light themes.
const COLOUR: u32 = 0x6C4AB6;

/// Mentions nobody: agenda and user text can never ping anyone.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .empty_users()
        .empty_roles()
        .everyone(false)
        .replied_user(false)
}

/// One page as an embed.
pub fn embed(page: &Page) -> CreateEmbed {
    let mut embed = CreateEmbed::new()
        .title(&page.title)
        .description(&page.description)
        .colour(COLOUR);
    for (name, value) in &page.fields {
        embed = embed.field(name, value, false);
    }
    if !page.footer.is_empty() {
        embed = embed.footer(CreateEmbedFooter::new(&page.footer));
    }
    embed
}

/// "◀ Previous" / "Next ▶" for page `index` of `count`, or nothing for one page.
pub fn paging_buttons(key: &str, index: usize, count: usize) -> Vec<CreateActionRow> {
    if count <= 1 {
        return Vec::new();
    }
    let previous = CreateButton::new(button_id(key, index.saturating_sub(1)))
        .label("◀ Previous")
        .style(ButtonStyle::Secondary)
        .disabled(index == 0);
    let next = CreateButton::new(button_id(key, (index + 1).min(count - 1)))
        .label("Next ▶")
        .style(ButtonStyle::Secondary)
        .disabled(index + 1 >= count);
    vec![CreateActionRow::Buttons(vec![previous, next])]
}

/// A reply only the asker sees, mentioning nobody.
pub fn private_reply(text: impl Into<String>) -> poise::CreateReply {
    poise::CreateReply::default()
        .content(text)
        .ephemeral(true)
        .allowed_mentions(no_mentions())
}

/// Sends `text` to the asker only.
///
/// # Errors
/// When Discord does not take the reply.
pub async fn say_privately(
    ctx: super::Context<'_>,
    text: impl Into<String>,
) -> Result<(), super::Error> {
    super::replies::send(ctx, private_reply(text)).await
}

/// Answers a button click with `text` that only the clicker sees.
///
/// # Errors
/// When Discord does not take the answer.
pub async fn tell_clicker(
    ctx: &poise::serenity_prelude::Context,
    component: &poise::serenity_prelude::ComponentInteraction,
    text: String,
) -> Result<(), super::Error> {
    use poise::serenity_prelude::{CreateInteractionResponse, CreateInteractionResponseMessage};
    let message = CreateInteractionResponseMessage::new()
        .content(text)
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    let response = CreateInteractionResponse::Message(message);
    component.create_response(&ctx.http, response).await?;
    Ok(())
}

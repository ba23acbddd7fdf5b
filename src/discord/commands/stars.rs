//! Stars on Discord: `/star`, `/unstar`, `/mytalks` and the ☆ button under
//! a session's details. The core decides and words every answer (which
//! session, the reminder a star sets, clashes and their suggestions); this
//! turns interactions into its requests and its text into Discord markdown,
//! times as `<t:…:t>` so each reader sees their own zone. Every answer is
//! private.

use crate::discord::embeds::{say_privately, tell_clicker};
use crate::discord::{markup, Context, Data, Error};
use emcee_core::agenda::SessionId;
use emcee_core::chat::text::pack_lines;
use emcee_core::chat::Text;
use emcee_core::stars::StarError;
use poise::serenity_prelude as serenity;

/// Custom id prefix of the ☆ button; the session's ref follows.
pub const BUTTON_PREFIX: &str = "star:";

/// Discord's 2,000 characters, less room to spare.
const MESSAGE_CHARS: usize = 1900;

const SERVER_ONLY: &str = "Stars are kept per server: use this in a server channel.";

/// Star a session: it joins /mytalks, with a reminder before it starts
#[poise::command(slash_command)]
pub async fn star(
    ctx: Context<'_>,
    #[description = "Session title or id"]
    #[autocomplete = "crate::discord::commands::remind::complete_session"]
    session: String,
) -> Result<(), Error> {
    let Some(guild) = ctx.guild_id() else {
        return say_privately(ctx, SERVER_ONLY).await;
    };
    let user = ctx.author().id.to_string();
    let stars = &ctx.data().stars;
    let answered = stars.star_typed(&guild.to_string(), &user, &session).await;
    say_privately(ctx, answer(answered)?).await
}

/// Unstar a session (and cancel the reminder its star set)
#[poise::command(slash_command)]
pub async fn unstar(
    ctx: Context<'_>,
    #[description = "Session title or id"]
    #[autocomplete = "crate::discord::commands::remind::complete_session"]
    session: String,
) -> Result<(), Error> {
    let Some(guild) = ctx.guild_id() else {
        return say_privately(ctx, SERVER_ONLY).await;
    };
    let user = ctx.author().id.to_string();
    let stars = &ctx.data().stars;
    let answered = stars
        .unstar_typed(&guild.to_string(), &user, &session)
        .await;
    say_privately(ctx, answer(answered)?).await
}

/// Your starred sessions by day, with clashes and how to catch both
#[poise::command(slash_command)]
pub async fn mytalks(ctx: Context<'_>) -> Result<(), Error> {
    let Some(guild) = ctx.guild_id() else {
        return say_privately(ctx, SERVER_ONLY).await;
    };
    let user = ctx.author().id.to_string();
    let day = match ctx.data().stars.my_day(&guild.to_string(), &user).await {
        Ok(day) => day,
        Err(error) => return say_privately(ctx, answer(Err(error))?).await,
    };
    let lines: Vec<String> = day.lines().iter().map(markup::text).collect();
    for message in pack_lines(&lines, MESSAGE_CHARS) {
        say_privately(ctx, message).await?;
    }
    Ok(())
}

/// A click on ☆ under a session: stars it for the clicker, or unstars it
/// when it was starred; the answer is private.
pub async fn clicked(
    ctx: &serenity::Context,
    component: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let Some(session) = component.data.custom_id.strip_prefix(BUTTON_PREFIX) else {
        return Ok(());
    };
    let text = match component.guild_id {
        Some(guild) => {
            let user = component.user.id.to_string();
            let toggled = data.stars.toggle(&guild.to_string(), &user, session).await;
            answer(toggled)?
        }
        None => SERVER_ONLY.to_owned(),
    };
    tell_clicker(ctx, component, text).await
}

/// The ☆ button for a session, on its own row beside "Remind me".
pub fn button(session: &SessionId) -> serenity::CreateActionRow {
    super::session_button(BUTTON_PREFIX, ("Star", '☆'), session)
}

/// The core's answer as markdown; a session nobody could find, or a
/// database that refuses writes, is a short answer too. Anything else goes
/// to `on_error`, which logs it.
fn answer(result: Result<Text, StarError>) -> Result<String, Error> {
    match result {
        Ok(text) => Ok(markup::text(&text)),
        Err(StarError::UnknownSession(typed)) => {
            let said = StarError::UnknownSession(typed).to_string();
            Ok(markup::text(&Text::plain(said)))
        }
        Err(StarError::Store(error)) if error.is_storage_failure() => {
            Ok(crate::discord::errors::STORAGE_FAILING.to_owned())
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_name_that_matches_nothing_is_shown_inert() {
        let typed = StarError::UnknownSession("@everyone **x**".into());
        let shown = answer(Err(typed)).unwrap();
        assert!(!shown.contains("**x**"), "{shown}");
        assert!(shown.contains("everyone"), "{shown}");
    }
}

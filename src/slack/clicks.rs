//! Button clicks (`block_actions`): paging ◀ / ▶, "Remind me", "Share in
//! channel". Each returns at once; the answer goes through the click's own
//! `response_url`, never a Web API call per click.

use super::bot::SlackBot;
use super::render::{self, PICK_ACTION, REMIND_ACTION, SHARE_ACTION};
use super::respond::Visibility;
use emcee_core::chat::Text;
use emcee_core::paging::parse_button_id;
use emcee_core::reminders::DEFAULT_MINUTES;
use slack_morphism::prelude::*;

/// What a button asks for.
enum Click {
    Page {
        key: String,
        index: usize,
    },
    Remind(String),
    Share {
        key: String,
        index: usize,
    },
    /// A session picked from the menu of an ambiguous name, by id.
    Pick(String),
}

/// A `block_actions` envelope: checked and spawned.
pub fn on_block_actions(bot: &SlackBot, event: SlackInteractionBlockActionsEvent) {
    let trigger = event.trigger_id.to_string();
    let team = event.team.id.to_string();
    if !bot.seen.first_time(&trigger) || !bot.community.serves(&team, "click") {
        return;
    }
    let (Some(user), Some(url)) = (event.user, event.response_url) else {
        return;
    };
    let Some(action) = event.actions.and_then(|a| a.into_iter().next()) else {
        return;
    };
    let Some(click) = read(&action) else {
        tracing::debug!(action = %action.action_id, "a click on no emcee button");
        return;
    };
    let (bot, user) = (bot.clone(), user.id.to_string());
    tokio::spawn(async move {
        match click {
            Click::Page { key, index } => page(&bot, &url, &key, index, Visibility::Replace).await,
            Click::Share { key, index } => page(&bot, &url, &key, index, Visibility::Channel).await,
            Click::Remind(session) => remind(&bot, &url, &user, &session).await,
            Click::Pick(session) => pick(&bot, &url, &session).await,
        }
    });
}

fn read(action: &SlackInteractionActionInfo) -> Option<Click> {
    let id = action.action_id.to_string();
    if id == REMIND_ACTION {
        return action.value.clone().map(Click::Remind);
    }
    if id == PICK_ACTION {
        return action
            .selected_option
            .as_ref()
            .map(|o| Click::Pick(o.value.clone()));
    }
    if id == SHARE_ACTION {
        let (key, index) = parse_button_id(action.value.as_deref()?)?;
        return Some(Click::Share { key, index });
    }
    let (key, index) = parse_button_id(&id)?;
    Some(Click::Page { key, index })
}

async fn page(
    bot: &SlackBot,
    url: &SlackResponseUrl,
    key: &str,
    index: usize,
    visibility: Visibility,
) {
    let Some((page, count)) = bot.pages.page(key, index) else {
        let gone = Text::plain("That answer has expired; please ask again.");
        bot.reply(url, &render::line(&gone), Visibility::Private)
            .await;
        return;
    };
    let content = match visibility {
        Visibility::Channel => render::message(&page, None, None),
        _ => render::message(&page, Some((key, index, count)), Some((key, index))),
    };
    bot.reply(url, &content, visibility).await;
}

/// The picked session's details, in place of the list it was picked from.
async fn pick(bot: &SlackBot, url: &SlackResponseUrl, session: &str) {
    let programme = bot.app.programme();
    let now = bot.app.clock.now();
    let request = emcee_core::command::Request::Session(session.to_owned());
    let content = match emcee_core::command::execute(&programme.agenda, &request, now) {
        Ok(reply) => {
            let pages = render::pages(&reply, programme.agenda.name());
            match pages.first() {
                Some(page) => render::message(page, None, None),
                None => return,
            }
        }
        Err(error) => render::line(&Text::plain(error.to_string())),
    };
    bot.reply(url, &content, Visibility::Replace).await;
}

async fn remind(bot: &SlackBot, url: &SlackResponseUrl, user: &str, session: &str) {
    let Some(reminders) = bot.app.reminders() else {
        return;
    };
    let programme = bot.app.programme();
    let answer = match reminders
        .remind(&programme, user, session, DEFAULT_MINUTES)
        .await
    {
        Ok(answer) => answer,
        Err(error) => Text::plain(error.to_string()),
    };
    bot.reply(url, &render::line(&answer), Visibility::Private)
        .await;
}

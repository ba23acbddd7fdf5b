//! Button clicks (`block_actions`): a poll's Vote buttons, a question's ▲
//! and the hosts' Q&A controls, paging ◀ / ▶, "Remind me", "Share in
//! channel". Each returns at once (a vote or an upvote once it is stored);
//! the answer goes through the click's own `response_url`, never a Web API
//! call per click (a 2,000-voter poll would exhaust `chat.postEphemeral`'s
//! ~100 a minute).
//! A vote is stored before the voter hears "you voted X"; the poll message's
//! tally follows within the core's tally gap.

use super::blocks::vote_of;
use super::bot::SlackBot;
use super::render::{self, PICK_ACTION, REMIND_ACTION, SHARE_ACTION};
use super::respond::Visibility;
use emcee_core::chat::Text;
use emcee_core::paging::parse_button_id;
use emcee_core::polls::{Click as VoteClick, ClickVerdict, MessageKey};
use emcee_core::questions::Action;
use emcee_core::reminders::DEFAULT_MINUTES;
use slack_morphism::prelude::*;
use std::time::Instant;

/// What a button asks for.
enum Click {
    Page {
        key: String,
        index: usize,
    },
    Remind(String),
    /// ☆ on a session's details, by its ref.
    Star(String),
    Share {
        key: String,
        index: usize,
    },
    /// A session picked from the menu of an ambiguous name, by id.
    Pick(String),
    /// A Q&A button: a question's ▲ or a host's control, clicked at `at`
    /// (Slack's `action_ts` in microseconds).
    Question {
        action: Action,
        id: i64,
        at: u64,
    },
    /// A poll option's Vote button, on the poll message `(channel, ts)`,
    /// clicked at `at` (Slack's `action_ts` in microseconds).
    Vote {
        message: MessageKey,
        option: usize,
        at: u64,
    },
}

/// A `block_actions` envelope: checked and spawned. A vote is stored before
/// this returns, so the envelope's ack means the vote is kept: a process
/// that dies first leaves it unacked, and Slack delivers it again (the
/// click's `action_ts` makes that second delivery change nothing).
pub async fn on_block_actions(bot: &SlackBot, event: SlackInteractionBlockActionsEvent) {
    let received = Instant::now();
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
    let Some(click) = read(&action, &event.container) else {
        tracing::debug!(action = %action.action_id, "a click on no emcee button");
        return;
    };
    let (bot, user) = (bot.clone(), user.id.to_string());
    if let Click::Question { action, id, at } = click {
        // An upvote is stored before the envelope is acked, like a vote.
        if action == Action::Upvote {
            let answer = super::questions::upvote(&bot, &team, id, &user, at).await;
            tokio::spawn(async move {
                bot.reply(&url, &render::line(&answer), Visibility::Private)
                    .await;
            });
        } else {
            tokio::spawn(async move {
                let by = (team.as_str(), user.as_str());
                super::questions::moderate(&bot, &url, by, action, id).await;
            });
        }
        return;
    }
    if let Click::Vote {
        message,
        option,
        at,
    } = click
    {
        let voter = user;
        let click = VoteClick {
            message,
            voter,
            option,
            at,
        };
        let stored = bot.app.polls.on_click(click, received).await;
        tokio::spawn(async move { confirm(&bot, &url, stored).await });
        return;
    }
    tokio::spawn(async move {
        match click {
            Click::Page { key, index } => page(&bot, &url, &key, index, Visibility::Replace).await,
            Click::Share { key, index } => page(&bot, &url, &key, index, Visibility::Channel).await,
            Click::Remind(session) => remind(&bot, &url, &user, &session).await,
            Click::Star(session) => super::stars::clicked(&bot, &url, &team, &user, &session).await,
            Click::Pick(session) => pick(&bot, &url, &session).await,
            Click::Vote { .. } | Click::Question { .. } => {}
        }
    });
}

fn read(
    action: &SlackInteractionActionInfo,
    container: &SlackInteractionActionContainer,
) -> Option<Click> {
    let id = action.action_id.to_string();
    let at = action.action_ts.as_ref().map_or(0, |ts| micros(&ts.0));
    if let Some((action, id)) = Action::parse(&id) {
        return Some(Click::Question { action, id, at });
    }
    if let Some(option) = vote_of(&id) {
        let SlackInteractionActionContainer::Message(on) = container else {
            return None;
        };
        let channel = on.channel_id.as_ref()?;
        let message = MessageKey::new(channel, &on.message_ts);
        return Some(Click::Vote {
            message,
            option,
            at,
        });
    }
    if id == REMIND_ACTION {
        return action.value.clone().map(Click::Remind);
    }
    if id == super::stars::STAR_ACTION {
        return action.value.clone().map(Click::Star);
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

/// A Slack timestamp (`1633622700.000200`) in microseconds; 0 if unreadable.
fn micros(ts: &str) -> u64 {
    let (seconds, fraction) = ts.split_once('.').unwrap_or((ts, ""));
    let fraction: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(6)
        .collect();
    match (seconds.parse::<u64>(), fraction.parse::<u64>()) {
        (Ok(seconds), Ok(fraction)) => seconds.saturating_mul(1_000_000).saturating_add(fraction),
        _ => 0,
    }
}

/// Tells the voter privately what their stored click did.
async fn confirm(
    bot: &SlackBot,
    url: &SlackResponseUrl,
    stored: Result<ClickVerdict, emcee_core::polls::ServiceError>,
) {
    let answer = match stored {
        Ok(verdict) => emcee_core::polls::service::click_answer(&verdict),
        Err(error) => {
            tracing::warn!(%error, "could not store a vote");
            Text::plain("Your vote could not be recorded; please click again.")
        }
    };
    bot.reply(url, &render::line(&answer), Visibility::Private)
        .await;
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

#[cfg(test)]
mod tests {
    use super::micros;

    #[test]
    fn slack_timestamps_read_as_microseconds() {
        assert_eq!(micros("1633622700.000200"), 1_633_622_700_000_200);
        assert_eq!(micros("1633622700.5"), 1_633_622_700_500_000);
        assert_eq!(micros("1633622700"), 1_633_622_700_000_000);
        assert_eq!(micros("soon"), 0);
    }
}

//! Session Q&A on Slack: `/emcee ask`, `/emcee questions` (hosts only,
//! private), and clicks on a question's ▲ and on the hosts' answered / pin /
//! hide buttons. The core's Q&A service decides everything (which session,
//! limits, duplicates, who hosts, what counts), exactly as on Discord; this
//! turns Slack's envelopes into its requests and its posts into Block Kit.
//!
//! - `/emcee ask [SESSION |] QUESTION [anonymous:yes]`: the text before the
//!   first `|` names the session (id or title); without one, the session
//!   live in the channel's track, else the live lounge, else the only live
//!   session. `anonymous:yes` at the end hides the asker's name from the room.
//! - A ▲ click is stored before its envelope is acked (as a poll's Vote
//!   click is), so an ack means the vote is kept; the voter is told what it
//!   did through the click's own `response_url`, and the message's count
//!   follows on the core's debounced beat (`chat.update` is tier 3).
//! - The hosts' panel is a private message; a click on its buttons replaces
//!   it with the panel as it now stands.

use super::blocks::{self, section};
use super::bot::{Asked, SlackBot};
use super::markup;
use super::outbound::Tier;
use super::render;
use super::respond::Visibility;
use crate::paced;
use emcee_core::chat::{Post, Text};
use emcee_core::questions::{posts, Action, Ask, Click, Host, Question, QuestionError};
use slack_morphism::prelude::*;

/// Questions listed in the hosts' panel; the first few get buttons.
const PANEL_LINES: usize = 15;
const PANEL_BUTTONS: usize = 5;

/// `/emcee ask` as typed: the session, the question, anonymous or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedQuestion {
    pub session: Option<String>,
    pub text: String,
    pub anonymous: bool,
}

/// Reads `[SESSION |] QUESTION [anonymous:yes]`.
pub fn typed_question(rest: &str) -> TypedQuestion {
    let mut text = rest.trim();
    let mut anonymous = false;
    if let Some((before, last)) = text.rsplit_once(char::is_whitespace) {
        if let Some(("anonymous" | "anon", value)) = last.split_once(':') {
            anonymous = matches!(value.to_lowercase().as_str(), "yes" | "true" | "on" | "1");
            text = before.trim_end();
        }
    }
    let (session, text) = match text.split_once('|') {
        Some((session, question)) => (Some(session.trim().to_owned()), question.trim()),
        None => (None, text),
    };
    TypedQuestion {
        session: session.filter(|s| !s.is_empty()),
        text: text.to_owned(),
        anonymous,
    }
}

/// `/emcee ask …`: files the question and tells the asker privately.
pub async fn ask(bot: &SlackBot, asked: &Asked, typed: TypedQuestion) -> &'static str {
    if typed.text.is_empty() {
        let usage = "Usage: /emcee ask [session |] question [anonymous:yes]";
        bot.private(asked, &Text::plain(usage)).await;
        return "user_error";
    }
    let name = display_name(bot, &asked.user).await;
    let request = Ask {
        community: &asked.team,
        channel: &asked.channel,
        user: &asked.user,
        user_name: &name,
        session: typed.session.as_deref(),
        text: &typed.text,
        anonymous: typed.anonymous,
    };
    let programme = bot.app.programme();
    match bot.app.questions.ask(&programme.agenda, request).await {
        Ok(done) => {
            bot.private(asked, &Text::plain(done.reply())).await;
            "ok"
        }
        Err(error) => {
            bot.private(asked, &refusal(&error)).await;
            outcome(&error)
        }
    }
}

/// `/emcee questions [SESSION]`: the hosts' panel, privately.
pub async fn host_list(bot: &SlackBot, asked: &Asked, session: Option<&str>) -> &'static str {
    let organiser = bot
        .community
        .is_organiser(bot.port.sender(), &asked.user)
        .await;
    let host = Host {
        community: &asked.team,
        user: &asked.user,
        organiser,
    };
    let programme = bot.app.programme();
    let listed = bot
        .app
        .questions
        .host_list(&programme.agenda, host, &asked.channel, session)
        .await;
    match listed {
        Ok((session, questions)) => {
            let content = panel(&session.title, &questions);
            bot.reply(&asked.response_url, &content, Visibility::Private)
                .await;
            "ok"
        }
        Err(error) => {
            bot.private(asked, &refusal(&error)).await;
            outcome(&error)
        }
    }
}

/// A ▲ click: stores the vote (before the envelope is acked) and returns
/// what to tell the voter.
pub async fn upvote(bot: &SlackBot, team: &str, id: i64, user: &str, at: u64) -> Text {
    let programme = bot.app.programme();
    // Slack delivers an unacked click again, with its `action_ts`.
    let click = if at == 0 {
        Click::Plain
    } else {
        Click::Timed(at)
    };
    let voted = bot
        .app
        .questions
        .upvote_click(&programme.agenda, team, id, user, click)
        .await;
    match voted {
        Ok((question, true)) => Text::plain(format!("Your ▲ counts (▲ {}).", question.votes)),
        Ok((question, false)) => {
            Text::plain(format!("Your ▲ was taken back (▲ {}).", question.votes))
        }
        Err(error) => {
            if matches!(error, QuestionError::Store(_) | QuestionError::Port(_)) {
                tracing::warn!(%error, "could not store an upvote");
            }
            refusal(&error)
        }
    }
}

/// A host's answered / pin / hide click on the panel: moderates, then shows
/// the panel as it now stands in place of the clicked one; a refusal is
/// said privately.
pub async fn moderate(
    bot: &SlackBot,
    url: &SlackResponseUrl,
    (team, user): (&str, &str),
    action: Action,
    id: i64,
) {
    let organiser = bot.community.is_organiser(bot.port.sender(), user).await;
    let host = Host {
        community: team,
        user,
        organiser,
    };
    let programme = bot.app.programme();
    let agenda = &programme.agenda;
    let service = &bot.app.questions;
    let listed = match service.moderate(agenda, host, action, id).await {
        Ok(question) => {
            let session = question.session.as_str();
            service.host_list(agenda, host, "", Some(session)).await
        }
        Err(error) => Err(error),
    };
    match listed {
        Ok((session, questions)) => {
            let content = panel(&session.title, &questions);
            bot.reply(url, &content, Visibility::Replace).await;
        }
        Err(error) => {
            let content = render::line(&refusal(&error));
            bot.reply(url, &content, Visibility::Private).await;
        }
    }
}

/// The hosts' panel: a heading, one line per question (the top ones), and
/// under each of the first few its answered / pin / hide buttons.
fn panel(title: &str, questions: &[Question]) -> SlackMessageContent {
    let heading = Text::strong(format!("Questions for {title} ({})", questions.len()));
    let mut shown: Vec<SlackBlock> = vec![section(markup::text(&heading))];
    let mut fallback = vec![markup::text(&heading)];
    if questions.is_empty() {
        shown.push(section("No questions yet.".to_owned()));
    }
    for (index, question) in questions.iter().take(PANEL_LINES).enumerate() {
        let line = markup::text(&posts::host_line(index + 1, question));
        fallback.push(line.clone());
        shown.push(section(line));
        if index < PANEL_BUTTONS {
            shown.extend(blocks::actions(&posts::host_buttons(index + 1, question)));
        }
    }
    if questions.len() > PANEL_LINES {
        let more = Post::overflow(questions.len() - PANEL_LINES);
        shown.push(blocks::context(markup::text(&more)));
    }
    let fallback = emcee_core::chat::text::pack_lines(&fallback, 3000)
        .into_iter()
        .next()
        .unwrap_or_default();
    SlackMessageContent::new()
        .with_text(fallback)
        .with_blocks(shown)
}

/// The name the room sees for `user`: their Slack display name, else real
/// name, else user name, else the id (never a `<@…>` mention, which pings).
pub(super) async fn display_name(bot: &SlackBot, user: &str) -> String {
    let request = SlackApiUsersInfoRequest::new(user.into());
    let sender = bot.port.sender();
    let found = paced!(sender, "users.info", Tier::Four, None, |session| session
        .users_info(&request));
    let Ok(found) = found else {
        return user.to_owned();
    };
    let profile = found.user.profile.as_ref();
    [
        profile.and_then(|p| p.display_name.clone()),
        profile.and_then(|p| p.real_name.clone()),
        found.user.real_name.clone(),
        found.user.name.clone(),
    ]
    .into_iter()
    .flatten()
    .map(|name| name.trim().to_owned())
    .find(|name| !name.is_empty())
    .unwrap_or_else(|| user.to_owned())
}

/// What the user is told when the Q&A refuses; failures that are not
/// theirs get the generic line (the cause is logged by the caller).
fn refusal(error: &QuestionError) -> Text {
    match error {
        QuestionError::Store(store) if store.is_storage_failure() => {
            Text::plain("Storage is failing right now; please try again in a moment.")
        }
        QuestionError::Store(_) | QuestionError::Port(_) => {
            Text::plain("Something went wrong; please try again.")
        }
        user_error => Text::plain(user_error.to_string()),
    }
}

fn outcome(error: &QuestionError) -> &'static str {
    match error {
        QuestionError::Store(_) | QuestionError::Port(_) => "error",
        _ => "user_error",
    }
}

#[cfg(test)]
mod tests {
    use super::{typed_question, TypedQuestion};

    #[test]
    fn a_typed_question_names_its_session_before_the_bar_and_anonymity_last() {
        assert_eq!(
            typed_question("jfrunit | Which JDK? anonymous:yes"),
            TypedQuestion {
                session: Some("jfrunit".into()),
                text: "Which JDK?".into(),
                anonymous: true,
            }
        );
        assert_eq!(
            typed_question("  How fast is it?  "),
            TypedQuestion {
                session: None,
                text: "How fast is it?".into(),
                anonymous: false,
            }
        );
        let plain = typed_question("Is it anonymous:no");
        assert!(!plain.anonymous && plain.text == "Is it");
        assert_eq!(typed_question("| Why?").session, None);
    }
}

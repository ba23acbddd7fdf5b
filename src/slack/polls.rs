//! Flash polls on Slack: `/emcee poll …` for organisers, and reaction votes,
//! both through the core's poll service. A poll belongs to the workspace it
//! was created in, and `reaction_added` / `reaction_removed` from any other
//! workspace count for nothing. Slack does not let a bot remove other
//! people's reactions, so in a single-choice poll a user's latest reaction is
//! their vote (the core moves it; the old reaction stays on the message).

use super::bot::{Asked, SlackBot};
use super::commands::{typed_poll, PollCommand};
use super::markup;
use super::outbound::Tier;
use crate::paced;
use emcee_core::chat::Text;
use emcee_core::polls::service::{result_text, split_options};
use emcee_core::polls::{MessageKey, Poll, PollRequest, PollState, PollStyle, Reaction};
use slack_morphism::prelude::*;
use std::time::Instant;

/// What one `/emcee poll …` does; returns the outcome for the metrics.
pub async fn command(bot: &SlackBot, asked: &Asked, poll: PollCommand) -> &'static str {
    // The modal first: the command's trigger_id lasts 3 s; who may post is
    // checked when it is submitted.
    if matches!(&poll, PollCommand::Create(text) if text.trim().is_empty()) {
        super::modal::open(bot, asked).await;
        return "ok";
    }
    let organiser_only = !matches!(poll, PollCommand::Results(_));
    if organiser_only
        && !bot
            .community
            .is_organiser(bot.port.sender(), &asked.user)
            .await
    {
        let text = Text::plain("Only organisers can create, close or cancel polls.");
        bot.private(asked, &text).await;
        return "user_error";
    }
    let answer = match poll {
        PollCommand::Create(text) => create(bot, asked, &text).await,
        PollCommand::Close(target) => end(bot, asked, target.as_deref(), PollState::Closed).await,
        PollCommand::Cancel(target) => {
            end(bot, asked, target.as_deref(), PollState::Cancelled).await
        }
        PollCommand::Results(target) => results(bot, asked, target.as_deref()).await,
    };
    match answer {
        Ok(text) => {
            bot.private(asked, &text).await;
            "ok"
        }
        Err(text) => {
            bot.private(asked, &Text::plain(text)).await;
            "user_error"
        }
    }
}

async fn create(bot: &SlackBot, asked: &Asked, text: &str) -> Result<Text, String> {
    create_in(bot, &asked.team, &asked.channel, &asked.user, text).await
}

/// Posts the poll `text` (the typed form) in `channel` for `user` of `team`.
async fn create_in(
    bot: &SlackBot,
    team: &str,
    channel: &str,
    user: &str,
    text: &str,
) -> Result<Text, String> {
    let typed = typed_poll(text);
    if typed.question.is_empty() {
        return Err(
            "Usage: /emcee poll create Question? | option | option [minutes:10] [multi:yes] [hide:yes] [style:reactions]"
                .to_owned(),
        );
    }
    let service = &bot.app.polls;
    let request = PollRequest {
        channel: channel.to_owned(),
        question: typed.question,
        options: split_options(&typed.options),
        closes_at: service
            .deadline(typed.minutes.as_deref())
            .map_err(|e| e.to_string())?,
        multi: typed.multi,
        hide_tally: typed.hide || service.config().hide_tally,
        style: typed.reactions.then_some(PollStyle::Reactions),
        declared_id: None,
        created_by: Some(user.to_owned()),
        community: Some(team.to_owned()),
    };
    let poll = service.post(request).await.map_err(|e| e.to_string())?;
    Ok(
        Text::plain("Poll posted; it closes ").with(emcee_core::chat::Span::Time(
            poll.closes_at,
            emcee_core::chat::TimeStyle::Relative,
        )),
    )
}

/// The poll a command means: the one at `target` (a link or ts), else the
/// latest in the command's channel, of this workspace only.
async fn find(
    bot: &SlackBot,
    asked: &Asked,
    target: Option<&str>,
    open: bool,
) -> Result<Poll, String> {
    let target = target.map(message_ts);
    let found = bot
        .app
        .polls
        .find(Some(&asked.team), &asked.channel, target.as_deref(), open)
        .await
        .map_err(|e| e.to_string())?;
    found.ok_or_else(|| match open {
        true => "There is no open poll here.".to_owned(),
        false => "There is no poll here.".to_owned(),
    })
}

async fn end(
    bot: &SlackBot,
    asked: &Asked,
    target: Option<&str>,
    state: PollState,
) -> Result<Text, String> {
    let poll = find(bot, asked, target, true).await?;
    match bot.app.polls.finish(&poll.message, state).await {
        Ok(Some(_)) if state == PollState::Cancelled => Ok(Text::plain("Poll cancelled.")),
        Ok(Some(_)) => Ok(Text::plain("Poll closed; the result is posted.")),
        Ok(None) => Err("That poll has already closed.".to_owned()),
        Err(error) => Err(error.to_string()),
    }
}

async fn results(bot: &SlackBot, asked: &Asked, target: Option<&str>) -> Result<Text, String> {
    let poll = find(bot, asked, target, false).await?;
    let found = bot.app.polls.recorder().results(&poll.message).await;
    let (poll, results) = found
        .map_err(|e| e.to_string())?
        .ok_or("There is no poll here.")?;
    let (heading, body) = result_text(&poll, &results);
    Ok(Text::lines([heading, body]))
}

/// A message's ts from a Slack link (`…/archives/C…/p1700000000123456`) or
/// as typed (`1700000000.123456`).
fn message_ts(target: &str) -> String {
    let last = target
        .trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let last = last.split('?').next().unwrap_or_default();
    match last.strip_prefix('p') {
        Some(digits) if digits.len() > 6 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            let (seconds, micros) = digits.split_at(digits.len() - 6);
            format!("{seconds}.{micros}")
        }
        _ => last.to_owned(),
    }
}

/// A submitted poll modal: returns at once; the poll is checked, posted and
/// confirmed to the organiser privately in a task.
pub fn on_modal(bot: &SlackBot, event: &SlackInteractionViewSubmissionEvent) {
    let (team, user) = (event.team.id.to_string(), event.user.id.to_string());
    let view = event.view.state_params.id.to_string();
    if !bot.seen.first_time(&view) || !bot.community.serves(&team, "modal") {
        return;
    }
    let Some((channel, form)) = super::modal::typed(&event.view) else {
        return;
    };
    let bot = bot.clone();
    tokio::spawn(async move {
        let answer = if bot.community.is_organiser(bot.port.sender(), &user).await {
            create_in(&bot, &team, &channel, &user, &form).await
        } else {
            Err("Only organisers can create, close or cancel polls.".to_owned())
        };
        let text = answer.unwrap_or_else(Text::plain);
        let request = SlackApiChatPostEphemeralRequest::new(
            channel.as_str().into(),
            user.as_str().into(),
            super::render::line(&text),
        );
        let sender = bot.port.sender();
        if let Err(error) = paced!(sender, "chat.postEphemeral", Tier::Four, None, |session| {
            session.chat_post_ephemeral(&request)
        }) {
            tracing::warn!(%error, "could not confirm a poll from the modal");
        }
    });
}

/// A reaction event, as the core's vote.
#[derive(Debug, Clone)]
pub struct ReactionEvent {
    pub team: String,
    pub event_id: String,
    pub user: String,
    pub reaction: String,
    pub channel: String,
    pub ts: String,
    pub added: bool,
}

impl ReactionEvent {
    /// The core's reaction (polls' and contests' alike).
    pub fn neutral(self, bot: &SlackBot) -> Reaction {
        Reaction {
            message: MessageKey::new(&self.channel, &self.ts),
            by_self: self.user == bot.port.bot_user(),
            voter: self.user,
            key: markup::key_of_reaction(&self.reaction),
            added: self.added,
        }
    }
}

/// `reaction_added` / `reaction_removed`: returns at once; the vote is
/// counted in a task.
pub fn on_reaction(bot: &SlackBot, event: ReactionEvent) {
    if !bot.seen.first_time(&event.event_id) || !bot.community.serves(&event.team, "reaction") {
        return;
    }
    let received = Instant::now();
    let reaction = event.neutral(bot);
    let service = bot.app.polls.clone();
    tokio::spawn(async move {
        if let Err(error) = service.on_reaction(reaction, received).await {
            tracing::warn!(%error, "could not count a reaction");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::message_ts;

    #[test]
    fn links_and_typed_ts_name_the_same_message() {
        assert_eq!(
            message_ts("https://p99.slack.com/archives/C0123ABCD/p1633622700000200"),
            "1633622700.000200"
        );
        assert_eq!(message_ts("1633622700.000200"), "1633622700.000200");
        assert_eq!(
            message_ts("https://p99.slack.com/archives/C01/p1633622700000200?thread_ts=1"),
            "1633622700.000200"
        );
    }
}

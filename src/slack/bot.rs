//! The Slack bot's shared state and what it does with each envelope.
//!
//! Every handler here is called from a Socket Mode callback that must return
//! at once (slack-morphism acks an envelope only when its callback returns,
//! and reads that connection's next frame only then). So each one checks
//! what is cheap and synchronous (seen before? from the served workspace?
//! within the user's allowance?) and spawns the rest; answers go back
//! through the envelope's `response_url`.

use super::commands::{self, Command};
use super::community::{Community, REFUSAL};
use super::port::SlackPort;
use super::render::{self, Page};
use super::respond::{respond, Visibility};
use super::seen::Seen;
use emcee_core::app::App;
use emcee_core::chat::Text;
use emcee_core::command::execute;
use emcee_core::paging::PageStore;
use emcee_core::throttle::Throttle;
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Instant;

/// State shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct SlackBot {
    pub app: App,
    pub port: Arc<SlackPort>,
    pub community: Community,
    pub pages: PageStore<Page>,
    pub seen: Seen,
    /// Where `/emcee reload` reads the agenda from; `None`: reloading is off.
    pub reload: Option<crate::cli::SourceArgs>,
}

/// A slash command, as the handlers need it.
#[derive(Debug, Clone)]
pub struct Asked {
    pub team: String,
    pub channel: String,
    pub user: String,
    pub text: String,
    pub response_url: SlackResponseUrl,
    /// Unique per invocation, and the same when Slack re-delivers it.
    pub trigger: String,
}

impl From<&SlackCommandEvent> for Asked {
    fn from(event: &SlackCommandEvent) -> Self {
        Self {
            team: event.team_id.to_string(),
            channel: event.channel_id.to_string(),
            user: event.user_id.to_string(),
            text: event.text.clone().unwrap_or_default(),
            response_url: event.response_url.clone(),
            trigger: event.trigger_id.to_string(),
        }
    }
}

impl SlackBot {
    /// A bot over the application and the Slack port.
    pub fn new(app: App, port: Arc<SlackPort>, community: Community) -> Self {
        Self {
            app,
            port,
            community,
            pages: PageStore::default(),
            seen: Seen::default(),
            reload: None,
        }
    }

    /// `/emcee …`: returns at once; the answer follows through `response_url`.
    pub fn command(&self, asked: Asked) {
        if !self.seen.first_time(&asked.trigger) {
            tracing::debug!(trigger = %asked.trigger, "a command was delivered again; ignored");
            return;
        }
        let served = self.community.serves(&asked.team, "command");
        let admitted = self.app.throttle.admit(&asked.user, Instant::now());
        let bot = self.clone();
        tokio::spawn(async move {
            let reply = match (served, admitted) {
                (false, Ok(())) => Some(render::line(&Text::plain(REFUSAL))),
                (false, Err(_)) => None,
                (true, Err(wait)) => {
                    Some(render::line(&Text::plain(Throttle::slow_down_text(wait))))
                }
                (true, Ok(())) => {
                    bot.answer(&asked).await;
                    bot.show_missed(&asked).await;
                    None
                }
            };
            if let Some(reply) = reply {
                bot.reply(&asked.response_url, &reply, Visibility::Private)
                    .await;
            }
        });
    }

    async fn answer(&self, asked: &Asked) {
        let programme = self.app.programme();
        let now = self.app.clock.now();
        let started = Instant::now();
        let command = commands::parse(&asked.text, &programme.agenda, now);
        let name = command_name(&command);
        let outcome = match command {
            Command::Ask(request) => match execute(&programme.agenda, &request, now) {
                Ok(reply) => {
                    let mut pages = render::pages(&reply, programme.agenda.name());
                    if matches!(request, emcee_core::command::Request::Session(_)) {
                        pages = render::with_pick(pages, &reply);
                    }
                    self.show_pages(asked, pages).await;
                    "ok"
                }
                Err(error) => {
                    self.private(asked, &Text::plain(error.to_string())).await;
                    "user_error"
                }
            },
            Command::Unknown(text) => {
                self.private(asked, &Text::plain(text)).await;
                "user_error"
            }
            Command::Remind { session, minutes } => self.remind(asked, &session, minutes).await,
            Command::Reminders { cancel } => self.reminders(asked, cancel.as_deref()).await,
            Command::MyCal { reset } => self.calendar(asked, reset).await,
            Command::Stars(command) => super::stars::command(self, asked, command).await,
            Command::Poll(poll) => super::polls::command(self, asked, poll).await,
            Command::Question(typed) => super::questions::ask(self, asked, typed).await,
            Command::Questions { session } => {
                super::questions::host_list(self, asked, session.as_deref()).await
            }
            Command::Reload => self.reload_agenda(asked).await,
            Command::Contest(contest) => super::contests::command(self, asked, contest).await,
        };
        metrics::counter!("emcee_commands_total", "command" => name, "outcome" => outcome, "platform" => "slack")
            .increment(1);
        metrics::histogram!("emcee_command_duration_seconds", "command" => name)
            .record(started.elapsed().as_secs_f64());
    }

    /// Keeps `pages` for the ◀ / ▶ buttons and shows the first, privately.
    async fn show_pages(&self, asked: &Asked, pages: Vec<Page>) {
        let count = pages.len();
        let Some(first) = pages.first().cloned() else {
            return;
        };
        // Paging keys are letters, digits and dashes; a trigger id has dots too.
        let key: String = asked
            .trigger
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        self.pages.keep(&key, pages);
        let content = render::message(&first, Some((&key, 0, count)), Some((&key, 0)));
        self.reply(&asked.response_url, &content, Visibility::Private)
            .await;
    }

    /// One private line.
    pub async fn private(&self, asked: &Asked, text: &Text) {
        self.reply(
            &asked.response_url,
            &render::line(text),
            Visibility::Private,
        )
        .await;
    }

    /// Posts through `url`; a failure is logged (the user can ask again).
    pub async fn reply(
        &self,
        url: &SlackResponseUrl,
        content: &SlackMessageContent,
        visibility: Visibility,
    ) {
        if let Err(error) = respond(self.port.sender(), url, content, visibility).await {
            tracing::warn!(%error, "could not answer through response_url");
        }
    }

    async fn remind(&self, asked: &Asked, session: &str, minutes: u32) -> &'static str {
        let Some(reminders) = self.app.reminders() else {
            self.private(asked, &Text::plain("Reminders are off in this bot."))
                .await;
            return "user_error";
        };
        if session.trim().is_empty() {
            let usage = Text::plain("Usage: /emcee remind SESSION [minutes]");
            self.private(asked, &usage).await;
            return "user_error";
        }
        let programme = self.app.programme();
        match reminders
            .remind(&programme, &asked.user, session, minutes)
            .await
        {
            Ok(answer) => {
                self.private(asked, &answer).await;
                "ok"
            }
            Err(error) => {
                self.private(asked, &Text::plain(error.to_string())).await;
                "error"
            }
        }
    }

    async fn reminders(&self, asked: &Asked, cancel: Option<&str>) -> &'static str {
        let Some(reminders) = self.app.reminders() else {
            self.private(asked, &Text::plain("Reminders are off in this bot."))
                .await;
            return "user_error";
        };
        let programme = self.app.programme();
        match reminders.list(&programme.agenda, &asked.user, cancel).await {
            Ok(lines) => {
                self.private(asked, &Text::lines(lines)).await;
                "ok"
            }
            Err(error) => {
                self.private(asked, &Text::plain(error.to_string())).await;
                "error"
            }
        }
    }

    /// `/emcee mycal [reset]`: the feed address, then the file by DM.
    async fn calendar(&self, asked: &Asked, reset: bool) -> &'static str {
        let feeds = &self.app.feeds;
        let url = if reset {
            feeds.reset(&asked.team, &asked.user).await
        } else {
            feeds.personal_url(&asked.team, &asked.user).await
        };
        let mut feed = match url {
            Ok(url) => emcee_core::feeds::wording::answer(url.as_deref(), reset),
            Err(error) => {
                tracing::error!(%error, "could not make a calendar feed address");
                let sorry = "I could not make your calendar feed address; please try again.";
                self.private(asked, &Text::plain(sorry)).await;
                return "error";
            }
        };
        if reset {
            self.private(asked, &feed).await;
            return "ok";
        }
        feed.push(emcee_core::chat::Span::Break);
        let Some(reminders) = self.app.reminders() else {
            let feed = feed.and("Reminders are off in this bot.");
            self.private(asked, &feed).await;
            return "user_error";
        };
        let programme = self.app.programme();
        match reminders.calendar(&programme.agenda, &asked.user).await {
            Ok(calendar) => {
                let file = emcee_core::chat::Attachment {
                    filename: "emcee.ics".into(),
                    content_type: "text/calendar".into(),
                    bytes: calendar.ics.into_bytes(),
                };
                let comment = format!("{} session(s) in your calendar.", calendar.sessions);
                match self.port.share_with(&asked.user, &file, &comment).await {
                    Ok(()) => {
                        let sent =
                            format!("{comment} I sent you the calendar file as a direct message.");
                        self.private(asked, &feed.and(sent)).await;
                        "ok"
                    }
                    Err(error) => {
                        tracing::warn!(%error, "could not send a calendar file");
                        let text = Text::plain(
                            "I could not send you the calendar file; please try again.",
                        );
                        self.private(asked, &text).await;
                        "error"
                    }
                }
            }
            Err(error) => {
                self.private(asked, &Text::plain(error.to_string())).await;
                "error"
            }
        }
    }

    async fn reload_agenda(&self, asked: &Asked) -> &'static str {
        if !self
            .community
            .is_organiser(self.port.sender(), &asked.user)
            .await
        {
            self.private(
                asked,
                &Text::plain("Only organisers can reload the agenda."),
            )
            .await;
            return "user_error";
        }
        match crate::scheduler::reload(&self.app, self.reload.as_ref()).await {
            Ok(diff) => {
                let text = format!(
                    "Agenda reloaded: {} added, {} cancelled, {} moved, {} renamed. Announcements are rescheduled.",
                    diff.added.len(),
                    diff.removed.len(),
                    diff.moved.len(),
                    diff.renamed.len()
                );
                self.private(asked, &Text::plain(text)).await;
                "ok"
            }
            Err(error) => {
                self.private(asked, &Text::plain(error.to_string())).await;
                "error"
            }
        }
    }

    /// Reminders that could not be sent by DM, shown privately after a
    /// command, split to fit; a reminder is forgotten only once every part
    /// carrying it was delivered.
    async fn show_missed(&self, asked: &Asked) {
        let Some(reminders) = self.app.reminders() else {
            return;
        };
        let notice = match reminders.missed(&asked.user).await {
            Ok(Some(notice)) => notice,
            Ok(None) => return,
            Err(error) => return tracing::warn!(%error, "could not read missed reminders"),
        };
        let limit = emcee_core::chat::ChatPort::limits(self.port.as_ref()).message_chars;
        let parts = notice.parts(super::markup::text, limit);
        let mut failed = Vec::new();
        for (index, part) in parts.iter().enumerate() {
            let content = SlackMessageContent::new()
                .with_text(part.text.clone())
                .with_blocks(vec![super::blocks::section(part.text.clone())]);
            let sent = respond(
                self.port.sender(),
                &asked.response_url,
                &content,
                Visibility::Private,
            );
            if let Err(error) = sent.await {
                tracing::warn!(%error, "could not show missed reminders; they are kept");
                failed.push(index);
            }
        }
        let delivered = emcee_core::reminders::MissedNotice::delivered(&parts, &failed);
        if let Err(error) = reminders.forget_missed(&asked.user, delivered).await {
            tracing::warn!(%error, "could not forget the missed reminders shown");
        }
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Ask(request) => request.name(),
        Command::Remind { .. } => "remind",
        Command::Reminders { .. } => "reminders",
        Command::MyCal { .. } => "mycal",
        Command::Stars(command) => command.name(),
        Command::Poll(_) => "poll",
        Command::Question(_) => "ask",
        Command::Questions { .. } => "questions",
        Command::Reload => "reload",
        Command::Contest(_) => "contest",
        Command::Unknown(_) => "unknown",
    }
}

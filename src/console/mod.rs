//! Console mode: the bot's command layer against a terminal instead of a chat.
//!
//! It gives the same answers the chat adapters give, rendered as plain text, with
//! a clock that can start at any instant and run faster, so an organiser can
//! watch the day unfold. When stdin is not a terminal it reads commands line by
//! line, which makes it scriptable and testable.

pub mod parse;
mod polls;
pub mod port;
mod questions;
mod reminders;
mod stars;

pub use parse::{parse, Line};
pub use polls::ConsolePolls;
pub use port::{ConsolePort, Sink};

use crate::render::text::{for_terminal, TextStyle};
use emcee_core::app::App;
use emcee_core::chat::ChatPort;
use emcee_core::clock::Clock;
use emcee_core::command;
use emcee_core::config::Config;
use emcee_core::polls::{PollConfig, PollService, Reaction};
use emcee_core::store::Store;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::UnboundedReceiver;

/// A console session: the programme, a clock and how to show times.
pub struct Console {
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    style: TextStyle,
    /// `/poll create`, `:vote`, `:unvote`, `:tally`, `:close`.
    polls: ConsolePolls,
    /// Reactions the poll service removed, to hand back to it as events.
    removals: std::sync::Mutex<Option<UnboundedReceiver<Reaction>>>,
    app: App,
}

impl Console {
    /// A console over `config`, reading time from `clock`, printing posts
    /// to stdout and keeping its polls in `store`.
    pub fn new(config: Arc<Config>, clock: Arc<dyn Clock>, style: TextStyle, store: Store) -> Self {
        let sink: Sink = Arc::new(std::sync::Mutex::new(std::io::stdout()));
        Self::with_sink(config, clock, style, store, sink)
    }

    /// A console whose posts go to `sink`.
    pub fn with_sink(
        config: Arc<Config>,
        clock: Arc<dyn Clock>,
        style: TextStyle,
        store: Store,
        sink: Sink,
    ) -> Self {
        let (removed, removals) = tokio::sync::mpsc::unbounded_channel();
        let port = Arc::new(ConsolePort::new(
            Arc::clone(&clock),
            style.timezone,
            sink,
            removed,
        ));
        let service = PollService::new(
            Arc::new(store.clone()),
            Arc::clone(&port) as Arc<dyn ChatPort>,
            Arc::clone(&clock),
        );
        service.configure(PollConfig::from_settings(&config.settings));
        let app = App::new(
            config.programme.clone(),
            Arc::clone(&clock),
            store,
            service.clone(),
        );
        app.questions
            .configure(emcee_core::questions::QuestionConfig::from_settings(
                &config.settings,
            ));
        app.stars.configure(config.settings.stars.clone());
        Self {
            config,
            clock,
            style,
            polls: ConsolePolls::new(service, port),
            removals: std::sync::Mutex::new(Some(removals)),
            app,
        }
    }

    /// The console's application state (its scheduler attaches here).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The console's chat port, for the scheduler's posts.
    pub fn port(&self) -> Arc<dyn ChatPort> {
        self.polls.port()
    }

    /// Hands reactions the poll service removed back to it, as a platform's
    /// removal events would.
    fn echo_removals(&self) {
        let taken = self
            .removals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(mut removals) = taken {
            let service = self.app.polls.clone();
            tokio::spawn(async move {
                while let Some(reaction) = removals.recv().await {
                    if let Err(error) = service.on_reaction(reaction, Instant::now()).await {
                        tracing::warn!(%error, "could not store a removed vote");
                    }
                }
            });
        }
    }

    /// The reply to one input line, or `None` when the console should stop.
    pub fn respond(&self, line: &str) -> Option<String> {
        let agenda = &self.config.programme.agenda;
        let now = self.clock.now();
        match parse(line, agenda, now) {
            Line::Quit => None,
            Line::Blank => Some(String::new()),
            Line::Unknown(why) => Some(format!("{why}\n")),
            Line::Time => {
                let local = now.with_timezone(&self.style.timezone);
                Some(format!("{}\n", local.format("%A %-d %B %Y, %H:%M:%S %Z")))
            }
            Line::Command(request) => {
                let started = std::time::Instant::now();
                let result = command::execute(agenda, &request, now);
                let outcome = if result.is_ok() { "ok" } else { "user_error" };
                crate::telemetry::command_finished(request.name(), outcome, started.elapsed());
                Some(match result {
                    Ok(reply) => self.style.reply(&reply),
                    Err(error) => self.style.error(&error),
                })
            }
        }
    }

    /// Reads commands from `input` until it ends or `:quit`, writing replies to
    /// `output`. `interactive` adds a banner and a prompt.
    ///
    /// # Errors
    /// Only I/O errors of `input` or `output`.
    pub async fn run(
        &self,
        input: impl AsyncBufRead + Unpin,
        mut output: impl AsyncWrite + Unpin,
        interactive: bool,
    ) -> std::io::Result<()> {
        if interactive {
            let banner = format!(
                "emcee console — {}. Type /help, or :quit to leave.\n",
                self.config.programme.agenda.name()
            );
            output.write_all(for_terminal(&banner).as_bytes()).await?;
        }
        self.echo_removals();
        let mut lines = input.lines();
        loop {
            if interactive {
                output.write_all(b"emcee> ").await?;
                output.flush().await?;
            }
            let Some(line) = lines.next_line().await? else {
                break;
            };
            let reminded = reminders::respond(&self.app, &line, self.style.timezone).await;
            let reminded = match reminded {
                Some(reply) => Some(reply),
                None => questions::respond(&self.app, &line, self.style.timezone).await,
            };
            let reminded = match reminded {
                Some(reply) => Some(reply),
                None => stars::respond(&self.app, &line, self.style.timezone).await,
            };
            if let Some(reply) = reminded.or(self.polls.respond(&line).await) {
                output.write_all(for_terminal(&reply).as_bytes()).await?;
                output.flush().await?;
                continue;
            }
            let Some(reply) = self.respond(&line) else {
                break;
            };
            output.write_all(for_terminal(&reply).as_bytes()).await?;
            output.flush().await?;
        }
        Ok(())
    }
}

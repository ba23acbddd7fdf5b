//! Console mode: the bot's command layer against a terminal instead of a chat.
//!
//! It gives the same answers the chat adapters give, rendered as plain text, with
//! a clock that can start at any instant and run faster, so an organiser can
//! watch the day unfold. When stdin is not a terminal it reads commands line by
//! line, which makes it scriptable and testable.

mod parse;
mod polls;

pub use parse::{parse, Line};
pub use polls::ConsolePolls;

use crate::render::text::TextStyle;
use emcee_core::clock::Clock;
use emcee_core::command;
use emcee_core::config::Config;
use std::sync::Arc;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// A console session: the programme, a clock and how to show times.
pub struct Console {
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    style: TextStyle,
    /// `/poll create`, `:vote`, `:unvote`, `:tally`, `:close`.
    polls: ConsolePolls,
}

impl Console {
    /// A console over `config`, reading time from `clock`.
    pub fn new(config: Arc<Config>, clock: Arc<dyn Clock>, style: TextStyle) -> Self {
        Self {
            config,
            clock,
            style,
            polls: ConsolePolls::default(),
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
            output.write_all(banner.as_bytes()).await?;
        }
        let mut lines = input.lines();
        loop {
            if interactive {
                output.write_all(b"emcee> ").await?;
                output.flush().await?;
            }
            let Some(line) = lines.next_line().await? else {
                break;
            };
            if let Some(reply) = self.polls.respond(&line, self.clock.now()).await {
                output.write_all(reply.as_bytes()).await?;
                output.flush().await?;
                continue;
            }
            let Some(reply) = self.respond(&line) else {
                break;
            };
            output.write_all(reply.as_bytes()).await?;
            output.flush().await?;
        }
        Ok(())
    }
}

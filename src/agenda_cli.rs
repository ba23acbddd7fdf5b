//! `emcee agenda …`: one question, answered on stdout, as text or JSON.

use crate::cli::{AgendaArgs, Format, Question};
use crate::render::{json, text::for_terminal, text::json_for_terminal, text::TextStyle};
use emcee_core::command::{self, CommandError, Reply, Request};
use emcee_core::config::Config;

/// What `emcee agenda` prints: the answer on stdout, remarks on stderr.
#[derive(Debug, PartialEq, Eq)]
pub struct Printed {
    pub stdout: String,
    pub stderr: String,
}

/// Answers the question in `args` from `config`, as of `now`.
///
/// # Errors
/// A [`CommandError`] when a name is unknown or an argument is missing.
pub fn answer(
    args: &AgendaArgs,
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Printed, CommandError> {
    let agenda = &config.programme.agenda;
    let reply = command::execute(agenda, &request(&args.question), now)?;
    let style = TextStyle {
        timezone: args.time.tz.unwrap_or(agenda.timezone()),
        conference: agenda.name().to_owned(),
    };
    Ok(match (args.format, &reply) {
        (Format::Json, Reply::Sessions(answer)) => {
            let stderr = match &answer.notice {
                Some(_) => style.reply(&Reply::Sessions(emcee_core::command::Answer {
                    sessions: Vec::new(),
                    ..answer.clone()
                })),
                None => String::new(),
            };
            let stdout = json_for_terminal(
                &json::sessions(&answer.sessions).unwrap_or_else(|_| "[]".to_owned()),
            ) + "\n";
            Printed {
                stdout,
                stderr: for_terminal(&stderr),
            }
        }
        _ => Printed {
            stdout: for_terminal(&style.reply(&reply)),
            stderr: String::new(),
        },
    })
}

fn request(question: &Question) -> Request {
    let joined = |words: &[String]| words.join(" ");
    match question {
        Question::Now => Request::Now,
        Question::Next { track } => Request::Next {
            track: track.clone(),
        },
        Question::Day { day, track } => Request::Agenda {
            day: day.clone(),
            track: track.clone(),
        },
        Question::Track { name } => Request::Track(joined(name)),
        Question::Speaker { name } => Request::Speaker(joined(name)),
        Question::Room { name } => Request::Room(joined(name)),
        Question::Search { text } => Request::Search(joined(text)),
        Question::Session { id } => Request::Session(joined(id)),
    }
}

//! Flash polls in the console, so organisers can rehearse them without
//! Discord: the core's poll service on the console port, with votes typed in
//! as named users.
//!
//! - `/poll create [multi] Question? | 🦀 Rust | Go | Zig` (closes after the
//!   configured default minutes on the console's clock)
//! - `:vote alice A` / `:unvote alice A` (option by letter, emoji or label)
//! - `:tally` (or `/poll results`) shows the running count; `:close` (or
//!   `/poll close`) ends the poll and `/poll cancel` calls it off.

use super::port::ConsolePort;
use emcee_core::chat::ChatPort;
use emcee_core::polls::service::split_options;
use emcee_core::polls::{
    letter, Poll, PollRequest, PollService, PollState, Reaction, Results, ServiceError,
};
use std::sync::Arc;
use std::time::Instant;

/// The console's channel for polls created at the prompt.
const CHANNEL: &str = "console";

/// The console's polls.
pub struct ConsolePolls {
    service: PollService,
    port: Arc<ConsolePort>,
}

impl ConsolePolls {
    /// Polls through `service`, whose port is `port`.
    pub fn new(service: PollService, port: Arc<ConsolePort>) -> Self {
        Self { service, port }
    }

    /// The reply to a poll line, or `None` when the line is not about polls.
    pub async fn respond(&self, line: &str) -> Option<String> {
        let line = line.trim();
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let (sub, args) = rest
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((rest.trim(), ""));
        let reply = match (word, sub) {
            ("/poll", "create") => self.create(args).await,
            ("/poll", "results") | (":tally", _) => self.tally().await,
            ("/poll", "close") | (":close", _) => self.end(PollState::Closed).await,
            ("/poll", "cancel") => self.end(PollState::Cancelled).await,
            ("/poll", _) => {
                Ok("Try /poll create Question? | A | B, then :vote alice A.".to_owned())
            }
            (":vote", _) => self.vote(rest.trim(), true).await,
            (":unvote", _) => self.vote(rest.trim(), false).await,
            _ => return None,
        };
        Some(reply.unwrap_or_else(|error| format!("{error}\n")))
    }

    async fn create(&self, text: &str) -> Result<String, String> {
        let text = text.trim();
        let (multi, text) = match text.strip_prefix("multi ") {
            Some(rest) => (true, rest.trim()),
            None => (false, text),
        };
        let (question, options) = text.split_once('|').unwrap_or((text, ""));
        if question.trim().is_empty() {
            return Err("Usage: /poll create [multi] Question? | option | option …".to_owned());
        }
        let request = PollRequest {
            channel: CHANNEL.to_owned(),
            question: question.trim().to_owned(),
            options: split_options(options),
            closes_at: self.service.deadline(None).map_err(|e| e.to_string())?,
            multi,
            hide_tally: false,
            style: None,
            declared_id: None,
            created_by: Some("console".to_owned()),
            community: None,
        };
        match self.service.post(request).await {
            Ok(poll) => Ok(format!(
                "Poll open until {}. Vote with :vote NAME LETTER.\n",
                poll.closes_at
                    .with_timezone(&self.port.timezone())
                    .format("%H:%M")
            )),
            Err(error) => Err(error.to_string()),
        }
    }

    async fn vote(&self, rest: &str, added: bool) -> Result<String, String> {
        let poll = self.latest(true).await?.ok_or("There is no open poll.")?;
        let (voter, option) = rest
            .split_once(char::is_whitespace)
            .ok_or("Usage: :vote NAME OPTION")?;
        let key = option_key(&poll, option.trim())
            .ok_or_else(|| format!("No option “{}”.", option.trim()))?;
        let reaction = Reaction {
            message: poll.message.clone(),
            voter: voter.to_owned(),
            key,
            added,
            by_self: false,
        };
        self.port.typed(&reaction);
        self.service
            .on_reaction(reaction, Instant::now())
            .await
            .map_err(|e| e.to_string())?;
        self.tally().await
    }

    async fn tally(&self) -> Result<String, String> {
        let poll = self
            .latest(false)
            .await?
            .ok_or("No poll yet: /poll create Question? | A | B")?;
        let (poll, results) = self
            .service
            .recorder()
            .results(&poll.message)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("No poll yet.")?;
        Ok(render(&poll, &results))
    }

    async fn end(&self, state: PollState) -> Result<String, String> {
        let poll = self.latest(true).await?.ok_or("There is no open poll.")?;
        match self.service.finish(&poll.message, state).await {
            Ok(Some(_)) if state == PollState::Cancelled => Ok("Poll cancelled.\n".to_owned()),
            Ok(Some(_)) => Ok("Poll closed; the result is posted.\n".to_owned()),
            Ok(None) => Err("That poll has already closed.".to_owned()),
            Err(error) => Err(error.to_string()),
        }
    }

    /// The most recent poll in the console (open ones only if `open`).
    async fn latest(&self, open: bool) -> Result<Option<Poll>, String> {
        let found = self.service.find(None, CHANNEL, None, open).await;
        found.map_err(|e: ServiceError| e.to_string())
    }

    /// The port, for the scheduler's posts.
    pub fn port(&self) -> Arc<dyn ChatPort> {
        Arc::clone(&self.port) as Arc<dyn ChatPort>
    }
}

/// An option by letter ("A"), emoji or label, as its key.
fn option_key(poll: &Poll, text: &str) -> Option<String> {
    let found = poll.choices.iter().enumerate().find(|(i, c)| {
        letter(*i).eq_ignore_ascii_case(text) || c.key == text || c.label.eq_ignore_ascii_case(text)
    });
    found.map(|(_, c)| c.key.clone())
}

fn render(poll: &Poll, results: &Results) -> String {
    let mut out = format!(
        "📊 {}{}\n",
        poll.question,
        if poll.multi { " (pick any)" } else { "" }
    );
    for (index, option) in results.options.iter().enumerate() {
        out.push_str(&format!(
            "  {} {:<20} {} {}\n",
            option.key,
            option.label,
            results.bar(index),
            results.count_text(index)
        ));
    }
    out.push_str(&format!("  {}\n", results.voters_text()));
    out
}

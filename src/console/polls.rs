//! Flash polls in the console, so they can be tried without Discord: the same
//! recorder and vote rules, with votes typed in as named users.
//!
//! - `/poll create [multi] Question? | 🦀 Rust | Go | Zig`
//! - `:vote alice A` / `:unvote alice A` (option by letter, emoji or label)
//! - `:tally` (or `/poll results`) shows the running count; `:close` ends the poll.
//!
//! Votes live in an in-memory database for the session.

use emcee_core::polls::{
    letter, letter_emoji, Choice, MessageKey, NewPoll, Poll, PollOption, PollState, Reaction,
    Recorder, Results, Verdict,
};
use emcee_core::store::Store;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// The console's polls.
pub struct ConsolePolls {
    recorder: Option<Recorder>,
    next: AtomicU64,
}

impl Default for ConsolePolls {
    fn default() -> Self {
        let recorder = Store::in_memory()
            .ok()
            .map(|s| Recorder::start(Arc::new(s)));
        Self {
            recorder,
            next: AtomicU64::new(1),
        }
    }
}

impl ConsolePolls {
    /// The reply to a poll line, or `None` when the line is not about polls.
    pub async fn respond(&self, line: &str, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
        let line = line.trim();
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let recorder = self.recorder.as_ref()?;
        let reply = match word {
            "/poll" if rest.starts_with("create") => {
                self.create(recorder, &rest["create".len()..], now).await
            }
            "/poll" if rest.starts_with("results") => self.tally(recorder).await,
            "/poll" => Ok("Try /poll create Question? | A | B, then :vote alice A.".to_owned()),
            ":vote" => self.vote(recorder, rest, true).await,
            ":unvote" => self.vote(recorder, rest, false).await,
            ":tally" => self.tally(recorder).await,
            ":close" => self.close(recorder, now).await,
            _ => return None,
        };
        Some(reply.unwrap_or_else(|error| format!("{error}\n")))
    }

    async fn create(
        &self,
        recorder: &Recorder,
        text: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, String> {
        let text = text.trim();
        let (multi, text) = match text.strip_prefix("multi ") {
            Some(rest) => (true, rest.trim()),
            None => (false, text),
        };
        let mut parts = text.split('|').map(str::trim).filter(|p| !p.is_empty());
        let question = parts.next().unwrap_or_default().to_owned();
        let options: Vec<PollOption> = parts.map(PollOption::parse).collect();
        let choices: Vec<Choice> = options
            .iter()
            .enumerate()
            .map(|(i, o)| Choice {
                key: o
                    .emoji
                    .clone()
                    .or_else(|| letter_emoji(i))
                    .unwrap_or_default(),
                label: o.label.clone(),
            })
            .collect();
        if question.is_empty() || choices.len() < 2 {
            return Err("Usage: /poll create [multi] Question? | option | option …".to_owned());
        }
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        let poll = NewPoll {
            message: MessageKey::new("console", format!("poll-{number}")),
            question,
            choices,
            multi,
            hide_tally: false,
            opened_at: now,
            closes_at: now + chrono::TimeDelta::hours(1),
            declared_id: None,
            created_by: None,
        };
        let poll = recorder.open(poll).await.map_err(|e| e.to_string())?;
        Ok(format!(
            "Poll open. Vote with :vote NAME LETTER.\n{}",
            render(&poll, &Results::new(&poll, &Default::default()))
        ))
    }

    async fn vote(&self, recorder: &Recorder, rest: &str, added: bool) -> Result<String, String> {
        let poll = latest(recorder).await?;
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
        match recorder
            .react(reaction, Instant::now())
            .await
            .map_err(|e| e.to_string())?
        {
            Verdict::Counted { displaced, .. } => {
                // The console has no reactions to tidy: the moved vote's old
                // "reaction" is withdrawn the way the bot would remove it.
                for key in displaced {
                    let undo = Reaction {
                        message: poll.message.clone(),
                        voter: voter.to_owned(),
                        key,
                        added: false,
                        by_self: false,
                    };
                    recorder
                        .react(undo, Instant::now())
                        .await
                        .map_err(|e| e.to_string())?;
                }
                self.tally(recorder).await
            }
            _ => Err("That poll is closed.".to_owned()),
        }
    }

    async fn tally(&self, recorder: &Recorder) -> Result<String, String> {
        let poll = latest(recorder).await?;
        let (poll, results) = recorder
            .results(&poll.message)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("No poll yet.")?;
        Ok(render(&poll, &results))
    }

    async fn close(
        &self,
        recorder: &Recorder,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<String, String> {
        let poll = latest(recorder).await?;
        let closed = recorder
            .close(&poll.message, PollState::Closed, now)
            .await
            .map_err(|e| e.to_string())?;
        let (poll, results) = closed.ok_or("That poll is already closed.")?;
        let verdict = match results.winner_labels() {
            Some(winners) if results.winners.len() > 1 => format!("Tie: {winners}"),
            Some(winner) => format!("Winner: {winner}"),
            None => "No votes were cast.".to_owned(),
        };
        Ok(format!(
            "Poll closed.\n{}{verdict}\n",
            render(&poll, &results)
        ))
    }
}

/// The most recent poll (open or not).
async fn latest(recorder: &Recorder) -> Result<Poll, String> {
    let polls = recorder.all_polls().await.map_err(|e| e.to_string())?;
    polls
        .into_iter()
        .last()
        .ok_or_else(|| "No poll yet: /poll create Question? | A | B".to_owned())
}

/// An option by letter ("A"), emoji or label, as its reaction key.
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
            "  {} {} {:<20} {} {}\n",
            letter(index),
            option.key,
            option.label,
            results.bar(index),
            results.count_text(index)
        ));
    }
    out.push_str(&format!("  {}\n", results.voters_text()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn create_vote_move_unvote_and_close() {
        let polls = ConsolePolls::default();
        let now = chrono::DateTime::from_timestamp(1_633_620_000, 0).unwrap();
        let created = polls
            .respond("/poll create Tea or coffee? | Tea | ☕ Coffee", now)
            .await
            .unwrap();
        assert!(
            created.contains("Poll open") && created.contains("☕"),
            "{created}"
        );
        polls.respond(":vote alice A", now).await.unwrap();
        let moved = polls.respond(":vote alice coffee", now).await.unwrap();
        assert!(
            moved.contains("1 voter") && moved.contains("1 vote (100%)"),
            "{moved}"
        );
        polls.respond(":vote bob B", now).await.unwrap();
        let after = polls.respond(":unvote bob B", now).await.unwrap();
        assert!(after.contains("1 voter"), "{after}");
        let closed = polls.respond(":close", now).await.unwrap();
        assert!(closed.contains("Winner: Coffee"), "{closed}");
        assert!(polls
            .respond(":vote carol A", now)
            .await
            .unwrap()
            .contains("closed"));
        assert_eq!(polls.respond("/next", now).await, None);
    }
}

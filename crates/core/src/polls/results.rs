//! A poll's result as every adapter shows it: counts, shares, text bars, the
//! winner(s) and how many people voted.

use super::ballot::Tally;
use super::model::Poll;
use serde::Serialize;

/// Width of a text bar, in block characters.
pub const BAR_WIDTH: usize = 12;

/// One option's line of the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionResult {
    pub key: String,
    pub label: String,
    pub votes: u64,
    /// Share of the voters who picked it, 0 to 100 (multi-choice shares may add
    /// up to more than 100).
    pub percent: f64,
}

/// The counted outcome of a poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub question: String,
    pub multi: bool,
    pub options: Vec<OptionResult>,
    /// Distinct people with at least one counted vote.
    pub voters: u64,
    /// Indexes of the options with the most votes (several on a tie; none
    /// without votes).
    pub winners: Vec<usize>,
}

impl Results {
    /// The result of `poll` with `tally`.
    pub fn new(poll: &Poll, tally: &Tally) -> Self {
        let options: Vec<OptionResult> = poll
            .choices
            .iter()
            .enumerate()
            .map(|(index, choice)| {
                let votes = tally.counts.get(index).copied().unwrap_or(0);
                OptionResult {
                    key: choice.key.clone(),
                    label: choice.label.clone(),
                    votes,
                    percent: share(votes, tally.voters),
                }
            })
            .collect();
        let most = options.iter().map(|o| o.votes).max().unwrap_or(0);
        let winners = if most == 0 {
            Vec::new()
        } else {
            (0..options.len())
                .filter(|&i| options[i].votes == most)
                .collect()
        };
        Self {
            question: poll.question.clone(),
            multi: poll.multi,
            options,
            voters: tally.voters,
            winners,
        }
    }

    /// The counts this result was made of.
    pub fn tally(&self) -> Tally {
        Tally {
            counts: self.options.iter().map(|o| o.votes).collect(),
            voters: self.voters,
        }
    }

    /// A text bar for option `index`: filled in proportion to its share.
    pub fn bar(&self, index: usize) -> String {
        let percent = self.options.get(index).map_or(0.0, |o| o.percent);
        let filled = ((percent / 100.0) * BAR_WIDTH as f64).round() as usize;
        let filled = filled.min(BAR_WIDTH);
        format!("{}{}", "█".repeat(filled), "░".repeat(BAR_WIDTH - filled))
    }

    /// "42 votes (35%)"-style count for option `index`.
    pub fn count_text(&self, index: usize) -> String {
        let Some(option) = self.options.get(index) else {
            return String::new();
        };
        let noun = if option.votes == 1 { "vote" } else { "votes" };
        format!("{} {noun} ({:.0}%)", option.votes, option.percent)
    }

    /// The winners' labels, joined with " and ", or `None` without votes.
    pub fn winner_labels(&self) -> Option<String> {
        let labels: Vec<&str> = self
            .winners
            .iter()
            .map(|&i| self.options[i].label.as_str())
            .collect();
        (!labels.is_empty()).then(|| labels.join(" and "))
    }

    /// "1 voter" / "12 voters".
    pub fn voters_text(&self) -> String {
        match self.voters {
            1 => "1 voter".to_owned(),
            n => format!("{n} voters"),
        }
    }
}

fn share(votes: u64, voters: u64) -> f64 {
    if voters == 0 {
        0.0
    } else {
        votes as f64 * 100.0 / voters as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polls::model::{Choice, MessageKey, NewPoll};
    use chrono::DateTime;

    fn poll(labels: &[&str]) -> Poll {
        let at = DateTime::from_timestamp(1_633_620_000, 0).unwrap();
        Poll::from_new(
            1,
            NewPoll {
                message: MessageKey::new("c", "m"),
                question: "Which?".into(),
                choices: labels
                    .iter()
                    .map(|l| Choice {
                        key: l.to_string(),
                        label: l.to_string(),
                    })
                    .collect(),
                multi: false,
                hide_tally: false,
                style: crate::polls::PollStyle::Reactions,
                opened_at: at,
                closes_at: at,
                declared_id: None,
                created_by: None,
                community: None,
            },
        )
    }

    #[test]
    fn shares_bars_and_a_single_winner() {
        let tally = Tally {
            counts: vec![3, 1],
            voters: 4,
        };
        let results = Results::new(&poll(&["Rust", "Go"]), &tally);
        assert_eq!(results.options[0].percent, 75.0);
        assert_eq!(results.count_text(0), "3 votes (75%)");
        assert_eq!(results.count_text(1), "1 vote (25%)");
        assert_eq!(
            results.bar(0),
            format!("{}{}", "█".repeat(9), "░".repeat(3))
        );
        assert_eq!(results.winner_labels().as_deref(), Some("Rust"));
        assert_eq!(results.voters_text(), "4 voters");
    }

    #[test]
    fn ties_name_every_winner_and_no_votes_name_none() {
        let tie = Tally {
            counts: vec![2, 2, 1],
            voters: 5,
        };
        let results = Results::new(&poll(&["A", "B", "C"]), &tie);
        assert_eq!(results.winners, vec![0, 1]);
        assert_eq!(results.winner_labels().as_deref(), Some("A and B"));
        let empty = Results::new(&poll(&["A", "B"]), &Tally::default());
        assert!(empty.winners.is_empty());
        assert_eq!(empty.bar(0), "░".repeat(BAR_WIDTH));
        assert_eq!(empty.count_text(1), "0 votes (0%)");
    }
}

//! Completing a half-typed name, for chat autocomplete.
//!
//! Chat platforms show at most a couple of dozen choices and expect them within
//! their interaction deadline, so completion ranks cheaply: names that start with
//! the typed text first, then names with a word starting with every typed word,
//! then names that merely contain it; alphabetical within each rank.

use super::{text, Agenda};

/// One autocomplete choice: what the user sees and what the command receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub value: String,
}

/// What kind of name is being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Track,
    Room,
    Speaker,
    /// Session titles; the value is the session id.
    Session,
    /// The conference's local days; the value is the ISO date.
    Day,
}

impl Agenda {
    /// Up to `limit` choices for `typed`, best first. An empty `typed` lists names in
    /// their natural order (tracks as declared, sessions by start).
    pub fn complete(&self, kind: NameKind, typed: &str, limit: usize) -> Vec<Choice> {
        let candidates: Vec<Choice> = match kind {
            NameKind::Track => self.tracks.iter().map(|t| same(&t.name)).collect(),
            NameKind::Room => self.rooms.iter().map(|r| same(&r.name)).collect(),
            NameKind::Speaker => self.speakers.iter().map(|s| same(&s.name)).collect(),
            NameKind::Session => self
                .sessions
                .iter()
                .map(|s| Choice {
                    label: s.title.clone(),
                    value: s.id.to_string(),
                })
                .collect(),
            NameKind::Day => self
                .days()
                .map(|d| Choice {
                    label: d.format("%A %-d %B %Y").to_string(),
                    value: d.to_string(),
                })
                .collect(),
        };
        rank(candidates, typed, limit)
    }
}

fn same(name: &str) -> Choice {
    Choice {
        label: name.to_owned(),
        value: name.to_owned(),
    }
}

fn rank(candidates: Vec<Choice>, typed: &str, limit: usize) -> Vec<Choice> {
    let folded = text::folded(typed);
    if folded.is_empty() {
        return candidates.into_iter().take(limit).collect();
    }
    let typed_words = text::words(typed);
    let mut ranked: Vec<(u8, String, Choice)> = candidates
        .into_iter()
        .filter_map(|choice| {
            let label = text::folded(&choice.label);
            let rank = if label.starts_with(&folded) {
                0
            } else if text::words_match(&typed_words, &text::words(&choice.label)) {
                1
            } else if label.contains(&folded) || choice.value == typed.trim() {
                2
            } else {
                return None;
            };
            Some((rank, label, choice))
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    ranked.dedup_by(|a, b| a.2 == b.2);
    ranked
        .into_iter()
        .take(limit)
        .map(|(_, _, choice)| choice)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn sample() -> Agenda {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/emcee.toml");
        Config::load(&path).unwrap().programme.agenda
    }

    fn labels(choices: &[Choice]) -> Vec<&str> {
        choices.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn prefix_then_word_then_substring() {
        let agenda = sample();
        let tracks = agenda.complete(NameKind::Track, "n", 25);
        assert_eq!(
            labels(&tracks)[..2],
            ["New Hardware Architectures", "New Operating System Methods"]
        );
        assert_eq!(
            tracks.len(),
            6,
            "names containing an n follow the prefix matches"
        );
        let words = agenda.complete(NameKind::Track, "arch data", 25);
        assert_eq!(labels(&words), ["Streaming Data Architectures"]);
        let speakers = agenda.complete(NameKind::Speaker, "urbon", 25);
        assert_eq!(labels(&speakers), ["Pere Urbón-Bayes"]);
        let inside = agenda.complete(NameKind::Speaker, "ntril", 25);
        assert_eq!(labels(&inside), ["Bryan Cantrill"]);
    }

    #[test]
    fn sessions_complete_to_ids_and_respect_the_limit() {
        let agenda = sample();
        let g1 = agenda.complete(NameKind::Session, "g1", 25);
        assert_eq!(g1[0].value, "johansson-g1");
        assert_eq!(agenda.complete(NameKind::Session, "", 5).len(), 5);
        assert!(agenda.complete(NameKind::Session, "zzzz", 25).is_empty());
        let days = agenda.complete(NameKind::Day, "thu", 25);
        assert_eq!(days[0].value, "2021-10-07");
    }
}

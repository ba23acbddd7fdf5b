//! What the Q&A says, as neutral posts: a question with its ▲ button, the
//! "next question" board, the hosts' list and the on-demand lines. Question
//! text is user text: it only ever travels in plain spans, which every
//! renderer escapes, so `@everyone` or `**bold**` in a question stays inert.

use super::model::{Question, QuestionState};
use crate::chat::{Button, Post, Span, Text};

/// The action a button's id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Upvote,
    Answered,
    Pin,
    Hide,
}

impl Action {
    fn word(self) -> &'static str {
        match self {
            Self::Upvote => "up",
            Self::Answered => "answered",
            Self::Pin => "pin",
            Self::Hide => "hide",
        }
    }

    /// The button id of this action on question `id`.
    pub fn button_id(self, id: i64) -> String {
        format!("{PREFIX}{}:{id}", self.word())
    }

    /// The action and question a button id names, if it is a Q&A button.
    pub fn parse(button: &str) -> Option<(Self, i64)> {
        let (word, id) = button.strip_prefix(PREFIX)?.split_once(':')?;
        let action = [Self::Upvote, Self::Answered, Self::Pin, Self::Hide]
            .into_iter()
            .find(|a| a.word() == word)?;
        Some((action, id.parse().ok()?))
    }
}

/// Every Q&A button id starts with this.
pub const PREFIX: &str = "qa:";

/// How the room sees who asked.
fn asked_by(question: &Question) -> String {
    let others = question.askers.len().saturating_sub(1);
    let who = if question.anonymous {
        "anonymous".to_owned()
    } else {
        question.asker_name.clone()
    };
    match others {
        0 => format!("asked by {who}"),
        n => format!("asked by {who} and {n} more"),
    }
}

/// A question's message in the room: its text, who asked (unless
/// anonymous), its state, and the ▲ button with the count.
pub fn question_post(question: &Question, session_title: &str) -> Post {
    let mut first = match (question.state, question.pinned) {
        (QuestionState::Answered, _) => Text::plain("✅ "),
        (_, true) => Text::plain("📌 "),
        _ => Text::plain("❓ "),
    };
    let mut lines = Vec::new();
    if question.state == QuestionState::Hidden {
        first.push(Span::Plain("A host hid this question.".into()));
        lines.push(first);
    } else {
        first.push(Span::Strong(question.text.clone()));
        lines.push(first);
        lines.push(Text::plain(format!(
            "{} · for {session_title}",
            asked_by(question)
        )));
    }
    let mut up = Button::new(
        Action::Upvote.button_id(question.id),
        format!("▲ {}", question.votes),
    );
    up.disabled = question.state == QuestionState::Hidden;
    Post {
        lines,
        buttons: vec![up],
        ..Post::default()
    }
}

/// The "next question" board of a session: the top open question and how
/// many wait.
pub fn board_post(questions: &[Question], session_title: &str) -> Post {
    let open: Vec<&Question> = ranked(questions)
        .into_iter()
        .filter(|q| q.state == QuestionState::Open)
        .collect();
    let heading = Text::plain(format!("Next question · {session_title}"));
    let lines = match open.first() {
        Some(top) => vec![
            Text::plain(format!("▲ {} ", top.votes)).with(Span::Strong(top.text.clone())),
            Text::plain(format!("{} open question(s)", open.len())),
        ],
        None => vec![Text::plain("No open questions. Ask one with /ask.")],
    };
    Post {
        heading: Some(heading),
        lines,
        ..Post::default()
    }
}

/// Questions in the hosts' order: pinned first, then by votes, then oldest.
pub fn ranked(questions: &[Question]) -> Vec<&Question> {
    let mut sorted: Vec<&Question> = questions.iter().collect();
    sorted.sort_by(|a, b| a.ranks_before(b));
    sorted
}

/// One line of the hosts' list: number, votes, state, text and every asker
/// (hosts see who asked an anonymous question).
pub fn host_line(number: usize, question: &Question) -> Text {
    let state = match (question.state, question.pinned) {
        (QuestionState::Answered, _) => " ✅",
        (QuestionState::Hidden, _) => " 🙈",
        (_, true) => " 📌",
        _ => "",
    };
    // The first asker by name, those whose duplicate joined by id.
    let mut askers = vec![if question.anonymous {
        format!("{} ({}, anonymous)", question.asker_name, question.asker)
    } else {
        format!("{} ({})", question.asker_name, question.asker)
    }];
    askers.extend(
        question
            .askers
            .iter()
            .filter(|a| a.user != question.asker)
            .map(|a| {
                let anonymous = if a.anonymous { ", anonymous" } else { "" };
                format!("{}{anonymous}", a.user)
            }),
    );
    let mut line = Text::plain(format!("{number}. ▲ {}{state} ", question.votes));
    line.push(Span::Strong(question.text.clone()));
    line.push(Span::Plain(format!(" · asked by {}", askers.join(", "))));
    line
}

/// The buttons of the hosts' list for the question numbered `number`.
pub fn host_buttons(number: usize, question: &Question) -> Vec<Button> {
    let pin = if question.pinned { "unpin" } else { "pin" };
    let answered = if question.state == QuestionState::Answered {
        "reopen"
    } else {
        "answered"
    };
    let hide = if question.state == QuestionState::Hidden {
        "show"
    } else {
        "hide"
    };
    vec![
        Button::new(
            Action::Answered.button_id(question.id),
            format!("{number} {answered}"),
        ),
        Button::new(
            Action::Pin.button_id(question.id),
            format!("{number} {pin}"),
        ),
        Button::new(
            Action::Hide.button_id(question.id),
            format!("{number} {hide}"),
        ),
    ]
}

/// The on-demand post's lines for a session's top questions.
pub fn on_demand_lines(top: &[Question]) -> Vec<Text> {
    if top.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![Text::plain("  Top questions:")];
    for question in top {
        let mut line = Text::plain(format!("  ▲ {} ", question.votes));
        line.push(Span::Plain(question.text.clone()));
        if question.state == QuestionState::Answered {
            line.push(Span::Plain(" ✅".into()));
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_ids_round_trip_and_fit_discords_limit() {
        for action in [Action::Upvote, Action::Answered, Action::Pin, Action::Hide] {
            let id = action.button_id(i64::MAX);
            assert!(id.len() <= 100, "{id}");
            assert_eq!(Action::parse(&id), Some((action, i64::MAX)));
        }
        assert_eq!(Action::parse("remind:g1"), None);
        assert_eq!(Action::parse("qa:up:x"), None);
    }
}

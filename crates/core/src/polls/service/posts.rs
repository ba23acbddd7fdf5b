//! What the poll messages say: the poll (question, options, closing time,
//! running tally), the result reply and the cancellation notice, as neutral
//! posts each platform renders its own way.

use crate::chat::{
    Accent, Ballot, BallotOption, Card, NativeAnswer, NativePoll, Post, Span, Text, TimeStyle,
};
use crate::polls::{ClickVerdict, Poll, PollState, PollStyle, Results, Tally};

/// The poll message (also its edits). `tally` is shown unless the poll hides
/// it while open.
pub fn poll_post(poll: &Poll, tally: Option<&Tally>) -> Post {
    let shown = tally.filter(|_| !poll.hide_tally || poll.state != PollState::Open);
    let results = shown.map(|tally| Results::new(poll, tally));
    match poll.style {
        PollStyle::Buttons => return button_post(poll, results.as_ref()),
        PollStyle::Native => return native_post(poll),
        PollStyle::Reactions => {}
    }
    let mut lines = Vec::new();
    for (index, choice) in poll.choices.iter().enumerate() {
        let label = Span::Strong(choice.label.clone());
        let shown = results.as_ref().map(|results| (results, index));
        lines.push(option_line(&choice.key, label, shown));
    }
    let mut body = Text::lines(lines);
    body.push(Span::Break);
    body.push(Span::Break);
    body.extend(status(poll));
    Post::card(Card {
        title: Text::plain(format!("📊 {}", poll.question)),
        body,
        footer: Some(footer(poll, results.as_ref())),
        accent: match poll.state {
            PollState::Open => Accent::Live,
            _ => Accent::Done,
        },
        image: false,
        image_url: None,
    })
}

/// A button poll: the question, one option per line with its Vote button
/// and (when shown) its bar, and a line with the voters, the closing time
/// and the mode.
fn button_post(poll: &Poll, results: Option<&Results>) -> Post {
    let options = poll
        .choices
        .iter()
        .enumerate()
        .map(|(index, choice)| BallotOption {
            label: Text::new()
                .with(Span::Emoji(choice.key.clone()))
                .and(" ")
                .with(Span::Strong(choice.label.clone())),
            tally: results.map(|results| bar(results, index)),
        })
        .collect();
    let mut status = Text::new();
    if let Some(results) = results {
        status.push(Span::Plain(format!("{} · ", results.voters_text())));
    }
    status.extend(self::status(poll));
    let mode = match (poll.multi, poll.hide_tally && poll.state == PollState::Open) {
        (true, false) => " · You may pick as many as you like; click one again to take it back.",
        (false, false) => {
            " · One vote each; click another option to move it, yours again to take it back."
        }
        (true, true) => {
            " · You may pick as many as you like. Results are shown when the poll closes."
        }
        (false, true) => " · One vote each. Results are shown when the poll closes.",
    };
    if poll.state == PollState::Open {
        status.push(Span::Plain(mode.to_owned()));
    }
    Post {
        heading: Some(Text::plain(format!("📊 {}", poll.question))),
        ballot: Some(Ballot {
            options,
            open: poll.state == PollState::Open,
            status,
        }),
        ..Post::default()
    }
}

/// A native poll: the platform shows the question, the answers and the
/// counts; the text says when emcee closes it, which is before the
/// platform's own end (whole hours).
fn native_post(poll: &Poll) -> Post {
    let answers = poll.choices.iter().map(|choice| NativeAnswer {
        key: choice.key.clone(),
        text: choice.label.clone(),
    });
    let line = Text::plain("📊 Voting closes ")
        .with(Span::Time(poll.closes_at, TimeStyle::Relative))
        .and("; the result is posted here then.");
    Post {
        native_poll: Some(NativePoll {
            question: poll.question.clone(),
            answers: answers.collect(),
            hours: super::native::hours_between(poll.opened_at, poll.closes_at),
            multi: poll.multi,
        }),
        ..Post::lines(vec![line])
    }
}

/// What a voter is told, privately, after a click on a button poll.
pub fn click_answer(verdict: &ClickVerdict) -> Text {
    match verdict {
        ClickVerdict::NotAPoll => Text::plain("This poll is closed; your click was not counted."),
        ClickVerdict::Counted {
            option,
            voted: true,
            chosen,
            multi: true,
        } if chosen.len() > 1 => Text::plain("You voted for ")
            .with(Span::Strong(option.clone()))
            .and(format!("; your votes: {}.", chosen.join(", "))),
        ClickVerdict::Counted {
            option,
            voted: true,
            ..
        } => Text::plain("You voted for ")
            .with(Span::Strong(option.clone()))
            .and("."),
        ClickVerdict::Counted { option, .. } => Text::plain("Your vote for ")
            .with(Span::Strong(option.clone()))
            .and(" was removed."),
    }
}

/// One option: its emoji and label, then its bar and count when `shown`.
fn option_line(key: &str, label: Span, shown: Option<(&Results, usize)>) -> Text {
    let mut line = Text::new()
        .with(Span::Emoji(key.to_owned()))
        .and(" ")
        .with(label);
    if let Some((results, index)) = shown {
        line.push(Span::Break);
        line.extend(bar(results, index));
    }
    line
}

fn bar(results: &Results, index: usize) -> Text {
    Text::new()
        .with(Span::Code(results.bar(index)))
        .and(format!(" {}", results.count_text(index)))
}

fn status(poll: &Poll) -> Text {
    match poll.state {
        PollState::Open => {
            Text::plain("Closes ").with(Span::Time(poll.closes_at, TimeStyle::Relative))
        }
        PollState::Closed => {
            Text::plain("Closed ").with(Span::Time(poll.closes_at, TimeStyle::Relative))
        }
        PollState::Cancelled => Text::plain("Cancelled"),
    }
}

fn footer(poll: &Poll, results: Option<&Results>) -> Text {
    let how = if poll.multi {
        "React to vote; pick as many as you like."
    } else {
        "React to vote; one vote each, a new reaction moves it."
    };
    let text = match results {
        Some(results) => format!("{} · {how}", results.voters_text()),
        None if poll.hide_tally && poll.state == PollState::Open => {
            format!("Results are shown when the poll closes. {how}")
        }
        None => how.to_owned(),
    };
    Text::plain(text)
}

/// The result reply: text bars, winners and voters, with the chart (attached
/// by the caller) as its image, replying to the poll message.
pub fn result_post(poll: &Poll, results: &Results) -> Post {
    let mut card = result_card(poll, results);
    card.image = true;
    Post {
        reply_to: Some(poll.message.clone()),
        dedupe: Some(format!("poll-{}-result", poll.id)),
        ..Post::card(card)
    }
}

/// A poll's result as a card: one bar per option, the winner(s), voters.
pub fn result_card(poll: &Poll, results: &Results) -> Card {
    let (title, body) = result_text(poll, results);
    Card {
        title,
        body,
        ..Card::default()
    }
}

/// The result's title and text; a poll that hides its tally while open says so.
pub fn result_text(poll: &Poll, results: &Results) -> (Text, Text) {
    if poll.hide_tally && poll.state == PollState::Open {
        let hidden = Text::plain("Results are hidden until the poll closes.");
        return (Text::plain(poll.question.clone()), hidden);
    }
    let mut lines = Vec::new();
    for (index, option) in results.options.iter().enumerate() {
        let label = Span::Plain(option.label.clone());
        lines.push(option_line(&option.key, label, Some((results, index))));
    }
    let mut body = Text::lines(lines);
    body.push(Span::Break);
    body.push(Span::Break);
    body.extend(verdict(results));
    body.push(Span::Plain(format!(" · {}", results.voters_text())));
    let state = match poll.state {
        PollState::Open => " (still open)",
        PollState::Cancelled => " (cancelled)",
        PollState::Closed => "",
    };
    (
        Text::plain(format!("Results{state}: {}", poll.question)),
        body,
    )
}

fn verdict(results: &Results) -> Text {
    let word = match results.winners.len() {
        0 => return Text::plain("No votes were cast."),
        1 => "Winner:",
        _ => "Tie:",
    };
    let mut text = Text::strong(word);
    for (n, &index) in results.winners.iter().enumerate() {
        let option = &results.options[index];
        text.push(Span::Plain(if n == 0 { " " } else { " and " }.into()));
        text.push(Span::Emoji(option.key.clone()));
        text.push(Span::Plain(format!(" {}", option.label)));
    }
    text
}

/// The reply saying a poll was called off.
pub fn cancelled_post(poll: &Poll) -> Post {
    Post {
        lines: vec![Text::plain(format!(
            "The poll “{}” was cancelled; its votes will not be counted.",
            poll.question
        ))],
        reply_to: Some(poll.message.clone()),
        dedupe: Some(format!("poll-{}-cancel", poll.id)),
        ..Post::default()
    }
}

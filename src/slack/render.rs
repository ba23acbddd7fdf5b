//! Core answers as Slack pages: Block Kit sections built from the core's
//! neutral text (so every title, name and abstract is escaped by
//! [`super::markup`] and every time is a `<!date^…>`), at most
//! [`SESSIONS_PER_PAGE`] sessions a page and always within a message's
//! limits, with "◀ / ▶" buttons when there are more pages, a "Share in
//! channel" button, and "Remind me" on a session's details.

use super::blocks::{self, section};
use super::markup;
use chrono::{DateTime, Utc};
use emcee_core::agenda::{LinkKind, Session};
use emcee_core::chat::{Span, Text, TimeStyle};
use emcee_core::command::{Answer, HelpEntry, Notice, Reply};
use slack_morphism::prelude::*;

/// Sessions shown per page: keeps a page readable on a phone.
pub const SESSIONS_PER_PAGE: usize = 8;
/// Action id prefix of the "Remind me" button; the value is the session's ref.
pub const REMIND_ACTION: &str = "emcee:remind";
/// Action id of the "Share in channel" button.
pub const SHARE_ACTION: &str = "emcee:share";
/// Action id of the menu that picks one session of an ambiguous name.
pub const PICK_ACTION: &str = "emcee:pick";
/// Options one select menu may hold (Slack's limit).
const MENU_OPTIONS: usize = 100;
/// Characters of an option's value (Slack's limit).
const OPTION_VALUE_CHARS: usize = 150;

/// One page of an answer: what Slack shows, and the fallback for notifications.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub blocks: Vec<SlackBlock>,
    pub fallback: String,
    /// The session a "Remind me" button reminds of, on a session's details.
    pub remind: Option<String>,
    /// Sessions (id, title) to pick from when a name matched several.
    pub pick: Vec<(String, String)>,
}

impl emcee_core::paging::Weight for Page {
    /// About what the page holds: its text (the blocks carry the same) and menu.
    fn weight(&self) -> usize {
        let menu: usize = self
            .pick
            .iter()
            .map(|(id, title)| id.len() + title.len())
            .sum();
        2 * self.fallback.len() + menu
    }
}

/// Every page of a reply; never empty.
pub fn pages(reply: &Reply, conference: &str) -> Vec<Page> {
    match reply {
        Reply::Help(entries) => vec![help(entries)],
        Reply::Sessions(answer) if answer.detailed && answer.sessions.len() == 1 => {
            vec![detail(answer)]
        }
        Reply::Sessions(answer) => list(answer, conference),
    }
}

/// `pages` of an answer to a name that matched several sessions, with a menu
/// on the first page to pick one (Slack has no autocomplete).
pub fn with_pick(mut pages: Vec<Page>, reply: &Reply) -> Vec<Page> {
    let Reply::Sessions(answer) = reply else {
        return pages;
    };
    let choices: Vec<(String, String)> = answer
        .sessions
        .iter()
        .filter(|s| s.id.as_str().chars().count() <= OPTION_VALUE_CHARS)
        .take(MENU_OPTIONS)
        .map(|s| (s.id.as_str().to_owned(), s.title.clone()))
        .collect();
    if let (Some(first), false) = (pages.first_mut(), answer.detailed || choices.len() < 2) {
        first.pick = choices;
    }
    pages
}

fn page(heading: &Text, lines: Vec<Text>) -> Page {
    let post = emcee_core::chat::Post {
        heading: Some(heading.clone()),
        lines,
        ..emcee_core::chat::Post::default()
    };
    Page {
        blocks: blocks::blocks(&post),
        fallback: blocks::fallback(&post),
        remind: None,
        pick: Vec::new(),
    }
}

fn list(answer: &Answer, conference: &str) -> Vec<Page> {
    let heading = Text::plain(answer.heading.clone());
    let intro: Vec<Text> = answer
        .notice
        .iter()
        .map(|n| notice(n, conference))
        .collect();
    if answer.sessions.is_empty() {
        let lines = if intro.is_empty() {
            vec![Text::plain("Nothing to show.")]
        } else {
            intro
        };
        return vec![page(&heading, lines)];
    }
    answer
        .sessions
        .chunks(SESSIONS_PER_PAGE)
        .enumerate()
        .map(|(index, sessions)| {
            let mut lines = if index == 0 {
                intro.clone()
            } else {
                Vec::new()
            };
            for session in sessions {
                lines.extend(session_lines(session, answer.asked_at));
            }
            page(&heading, lines)
        })
        .collect()
}

/// Two lines per session: time and title, then who, which track and where.
fn session_lines(session: &Session, asked_at: DateTime<Utc>) -> Vec<Text> {
    let mut first = Text(vec![
        Span::Time(session.start, TimeStyle::Time),
        Span::Plain("–".into()),
        Span::Time(session.end, TimeStyle::Time),
        Span::Plain(" ".into()),
        Span::Strong(session.title.clone()),
    ]);
    first.extend(status(session, asked_at));
    let mut lines = vec![first];
    let facts = facts(session);
    if !facts.is_empty() {
        lines.push(Text::plain(facts));
    }
    lines
}

fn status(session: &Session, at: DateTime<Utc>) -> Text {
    if session.is_running_at(at) {
        Text::plain(" · :red_circle: live")
    } else if session.end <= at {
        match session.video() {
            Some(video) => Text::plain(" · on demand: ").with(Span::Link(video.url.clone())),
            None => Text::plain(" · ended"),
        }
    } else {
        Text::plain(" · ").with(Span::Time(session.start, TimeStyle::Relative))
    }
}

fn facts(session: &Session) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !session.speakers.is_empty() {
        let speakers: Vec<String> = session
            .speakers
            .iter()
            .map(|s| match &s.affiliation {
                Some(affiliation) => format!("{} ({affiliation})", s.name),
                None => s.name.clone(),
            })
            .collect();
        parts.push(speakers.join(", "));
    }
    parts.extend(session.track.clone());
    parts.extend(session.room.clone());
    parts.join(" · ")
}

fn detail(answer: &Answer) -> Page {
    let Some(session) = answer.sessions.first() else {
        return page(&Text::plain(answer.heading.clone()), Vec::new());
    };
    let mut lines = vec![Text(vec![
        Span::Strong("When: ".into()),
        Span::Time(session.start, TimeStyle::DateTime),
        Span::Plain("–".into()),
        Span::Time(session.end, TimeStyle::Time),
        Span::Plain(" (".into()),
        Span::Time(session.start, TimeStyle::Relative),
        Span::Plain(")".into()),
    ])];
    let facts = facts(session);
    if !facts.is_empty() {
        lines.push(Text::plain(facts));
    }
    for link in &session.links {
        let name = match link.kind {
            LinkKind::Video if answer.asked_at < session.end => continue,
            LinkKind::Video => "On demand: ",
            LinkKind::Slides => "Slides: ",
            LinkKind::Page | LinkKind::Other => "Link: ",
        };
        lines.push(Text::strong(name).with(Span::Link(link.url.clone())));
    }
    // The abstract keeps its paragraphs; each line is escaped on its own.
    lines.extend(
        session
            .abstract_text
            .trim()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Text::plain(l.trim())),
    );
    lines.push(Text::plain(format!("{} · {}", session.kind, session.id)));
    let mut page = page(&Text::plain(session.title.clone()), lines);
    page.remind = Some(emcee_core::reminders::session_ref(&session.id));
    page
}

fn help(entries: &[HelpEntry]) -> Page {
    let lines = emcee_core::command::help_lines(entries, emcee_core::command::Surface::Slack)
        .into_iter()
        .map(|(usage, summary)| {
            Text(vec![
                Span::Code(usage.to_owned()),
                Span::Plain(format!(" — {summary}")),
            ])
        })
        .collect();
    page(&Text::plain("emcee commands"), lines)
}

fn notice(notice: &Notice, conference: &str) -> Text {
    let when = |at: DateTime<Utc>| {
        Text(vec![
            Span::Time(at, TimeStyle::DateTime),
            Span::Plain(" (".into()),
            Span::Time(at, TimeStyle::Relative),
            Span::Plain(")".into()),
        ])
    };
    let mut text = match notice {
        Notice::NotStarted { starts_at } => {
            let mut t = Text::plain(format!("{conference} has not started yet: it starts "));
            t.extend(when(*starts_at));
            t
        }
        Notice::Over { ended_at } => {
            let mut t = Text::plain(format!("{conference} is over: the last session ended "));
            t.extend(when(*ended_at));
            t
        }
        Notice::NothingLive { next_at } => {
            let mut t = Text::plain("Nothing is live right now; the next session starts ");
            t.extend(when(*next_at));
            t
        }
        Notice::NoMoreSessions => return Text::plain("No more sessions."),
        Notice::EmptyAgenda => return Text::plain("The agenda has no sessions yet."),
    };
    text.push(Span::Plain(".".into()));
    text
}

/// A page as a message: its blocks, then the buttons: ◀ ▶ (`paging`: the
/// answer's key, this page, the page count, when there are several pages),
/// "Remind me", and "Share in channel" (`share`: the answer's key and this
/// page) unless it is already shared.
pub fn message(
    page: &Page,
    paging: Option<(&str, usize, usize)>,
    share: Option<(&str, usize)>,
) -> SlackMessageContent {
    let mut blocks = page.blocks.clone();
    let mut buttons: Vec<SlackActionBlockElement> = Vec::new();
    if let Some((key, index, count)) = paging.filter(|(_, _, count)| *count > 1) {
        if index > 0 {
            buttons.push(button(
                "◀",
                &emcee_core::paging::button_id(key, index - 1),
                None,
            ));
        }
        if index + 1 < count {
            buttons.push(button(
                "▶",
                &emcee_core::paging::button_id(key, index + 1),
                None,
            ));
        }
        blocks.push(blocks::context(format!("Page {} of {count}", index + 1)));
    }
    if let Some(session) = &page.remind {
        buttons.push(button("Remind me", REMIND_ACTION, Some(session)));
        buttons.push(button("☆ Star", super::stars::STAR_ACTION, Some(session)));
    }
    if !page.pick.is_empty() {
        buttons.push(menu(&page.pick));
    }
    if let Some((key, index)) = share {
        let value = emcee_core::paging::button_id(key, index);
        buttons.push(button("Share in channel", SHARE_ACTION, Some(&value)));
    }
    if !buttons.is_empty() {
        blocks.truncate(blocks::MAX_BLOCKS - 1);
        blocks.push(SlackActionsBlock::new(buttons).into());
    }
    SlackMessageContent::new()
        .with_text(page.fallback.clone())
        .with_blocks(blocks)
}

/// A menu of sessions; each option's label is plain text (Slack escapes it).
fn menu(sessions: &[(String, String)]) -> SlackActionBlockElement {
    let options = sessions
        .iter()
        .map(|(id, title)| {
            let label = blocks::plain(&Text::plain(title.clone()), 75);
            SlackBlockChoiceItem::new(label, id.clone())
        })
        .collect();
    let placeholder = SlackBlockPlainText::new("Pick a session".into()).into();
    SlackActionBlockElement::StaticSelect(
        SlackBlockStaticSelectElement::new()
            .with_action_id(PICK_ACTION.into())
            .with_placeholder(placeholder)
            .with_options(options),
    )
}

fn button(label: &str, action: &str, value: Option<&str>) -> SlackActionBlockElement {
    let mut button = SlackBlockButtonElement::new(SlackBlockPlainText::new(label.into()).into())
        .with_action_id(action.into());
    if let Some(value) = value {
        button = button.with_value(value.to_owned());
    }
    SlackActionBlockElement::Button(button)
}

/// A one-line private answer (an error, a suggestion, a confirmation).
pub fn line(text: &Text) -> SlackMessageContent {
    let mrkdwn = markup::text(text);
    SlackMessageContent::new()
        .with_text(mrkdwn.clone())
        .with_blocks(vec![section(mrkdwn)])
}

#[cfg(test)]
mod tests;

//! Core answers as Discord embeds, split into pages that respect Discord's limits.
//!
//! Times use Discord's `<t:UNIX:STYLE>` markup so every reader sees their own
//! local time. A page holds at most [`SESSIONS_PER_PAGE`] sessions and never more
//! than Discord allows in an embed description, so a long list is paged with
//! buttons instead of failing or being cut silently.

use super::markdown::escape;
use chrono::{DateTime, Utc};
use emcee_core::agenda::{LinkKind, Session};
use emcee_core::command::{Answer, HelpEntry, Notice, Reply, Surface};
use std::fmt::Write;

/// Discord's limit on an embed description.
pub const DESCRIPTION_LIMIT: usize = 4096;
/// Discord's limit on an embed title.
pub const TITLE_LIMIT: usize = 256;
/// Sessions shown per page: keeps a page readable on a phone.
pub const SESSIONS_PER_PAGE: usize = 8;

/// One page of an answer, independent of serenity's builders so it can be
/// stored for paging and tested directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub title: String,
    pub description: String,
    pub fields: Vec<(String, String)>,
    pub footer: String,
}

impl emcee_core::paging::Weight for Page {
    fn weight(&self) -> usize {
        let fields: usize = self
            .fields
            .iter()
            .map(|(name, value)| name.len() + value.len())
            .sum();
        self.title.len() + self.description.len() + self.footer.len() + fields
    }
}

/// Discord markup for an instant: `<t:UNIX:STYLE>`.
pub fn timestamp(at: DateTime<Utc>, style: char) -> String {
    format!("<t:{}:{style}>", at.timestamp())
}

/// Every page of a reply; never empty.
pub fn pages(reply: &Reply, conference: &str) -> Vec<Page> {
    let mut pages = match reply {
        Reply::Help(entries) => vec![help(entries)],
        Reply::Sessions(answer) if answer.detailed && answer.sessions.len() == 1 => detail(answer),
        Reply::Sessions(answer) => list(answer, conference),
    };
    let count = pages.len();
    if count > 1 {
        for (index, page) in pages.iter_mut().enumerate() {
            page.footer = format!("Page {} of {count} · {}", index + 1, page.footer);
        }
    }
    pages
}

fn list(answer: &Answer, conference: &str) -> Vec<Page> {
    let title = clip(&escape(&answer.heading), TITLE_LIMIT);
    let footer = "Times are shown in your timezone".to_owned();
    let intro = answer
        .notice
        .as_ref()
        .map(|n| notice(n, conference))
        .unwrap_or_default();
    let mut pages = Vec::new();
    let mut description = intro.clone();
    let mut on_page = 0;
    for session in &answer.sessions {
        let entry = session_line(session, answer.asked_at);
        let full = on_page == SESSIONS_PER_PAGE
            || description.chars().count() + entry.chars().count() > DESCRIPTION_LIMIT;
        if full && on_page > 0 {
            pages.push(Page {
                title: title.clone(),
                description,
                fields: Vec::new(),
                footer: footer.clone(),
            });
            description = String::new();
            on_page = 0;
        }
        description.push_str(&clip(&entry, DESCRIPTION_LIMIT));
        on_page += 1;
    }
    if on_page > 0 || pages.is_empty() {
        if description.is_empty() {
            description = "Nothing to show.".to_owned();
        }
        pages.push(Page {
            title,
            description,
            fields: Vec::new(),
            footer,
        });
    }
    pages
}

/// Two lines per session: time and title, then who, which track and where.
fn session_line(session: &Session, asked_at: DateTime<Utc>) -> String {
    let mut line = format!(
        "**{}–{}** {}{}\n",
        timestamp(session.start, 't'),
        timestamp(session.end, 't'),
        escape(&session.title),
        status(session, asked_at),
    );
    let facts = facts(session);
    if !facts.is_empty() {
        let _ = writeln!(line, "{facts}");
    }
    line.push('\n');
    line
}

fn status(session: &Session, at: DateTime<Utc>) -> String {
    if session.is_running_at(at) {
        " · 🔴 live".to_owned()
    } else if session.end <= at {
        match session.video() {
            Some(video) => format!(" · [on demand]({})", video.url),
            None => " · ended".to_owned(),
        }
    } else {
        format!(" · {}", timestamp(session.start, 'R'))
    }
}

fn facts(session: &Session) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !session.speakers.is_empty() {
        let speakers: Vec<String> = session
            .speakers
            .iter()
            .map(|s| match &s.affiliation {
                Some(affiliation) => format!("{} ({})", escape(&s.name), escape(affiliation)),
                None => escape(&s.name),
            })
            .collect();
        parts.push(speakers.join(", "));
    }
    parts.extend(session.track.as_deref().map(escape));
    parts.extend(session.room.as_deref().map(escape));
    parts.join(" · ")
}

fn detail(answer: &Answer) -> Vec<Page> {
    let Some(session) = answer.sessions.first() else {
        return Vec::new();
    };
    let mut fields = vec![(
        "When".to_owned(),
        format!(
            "{}–{} ({})",
            timestamp(session.start, 'f'),
            timestamp(session.end, 't'),
            timestamp(session.start, 'R')
        ),
    )];
    let speakers = facts(&Session {
        track: None,
        room: None,
        ..session.clone()
    });
    if !speakers.is_empty() {
        fields.push(("Speakers".to_owned(), clip(&speakers, 1024)));
    }
    fields.extend(
        session
            .track
            .as_deref()
            .map(|t| ("Track".to_owned(), escape(t))),
    );
    fields.extend(
        session
            .room
            .as_deref()
            .map(|r| ("Room".to_owned(), escape(r))),
    );
    for link in &session.links {
        let name = match link.kind {
            LinkKind::Video if answer.asked_at < session.end => continue,
            LinkKind::Video => "On demand",
            LinkKind::Slides => "Slides",
            LinkKind::Page | LinkKind::Other => "Link",
        };
        fields.push((name.to_owned(), clip(&link.url, 1024)));
    }
    let title = clip(&escape(&session.title), TITLE_LIMIT);
    let abstract_text = escape(session.abstract_text.trim());
    let chunks = chunk(&abstract_text, DESCRIPTION_LIMIT);
    let footer = format!("{} · {}", session.kind, session.id);
    chunks
        .into_iter()
        .enumerate()
        .map(|(index, description)| Page {
            title: title.clone(),
            description,
            fields: if index == 0 {
                fields.clone()
            } else {
                Vec::new()
            },
            footer: footer.clone(),
        })
        .collect()
}

fn help(entries: &[HelpEntry]) -> Page {
    let mut description = String::new();
    for (usage, summary) in emcee_core::command::help_lines(entries, Surface::Discord) {
        let _ = writeln!(description, "`{usage}` — {summary}");
    }
    Page {
        title: "emcee commands".to_owned(),
        description,
        fields: Vec::new(),
        footer: String::new(),
    }
}

fn notice(notice: &Notice, conference: &str) -> String {
    let when = |at: DateTime<Utc>| format!("{} ({})", timestamp(at, 'F'), timestamp(at, 'R'));
    let conference = escape(conference);
    match notice {
        Notice::NotStarted { starts_at } => format!(
            "{conference} has not started yet: it starts {}.\n\n",
            when(*starts_at)
        ),
        Notice::Over { ended_at } => format!(
            "{conference} is over: the last session ended {}.\n\n",
            when(*ended_at)
        ),
        Notice::NothingLive { next_at } => format!(
            "Nothing is live right now; the next session starts {}.\n\n",
            when(*next_at)
        ),
        Notice::NoMoreSessions => "No more sessions.\n\n".to_owned(),
        Notice::EmptyAgenda => "The agenda has no sessions yet.\n\n".to_owned(),
    }
}

/// Splits text into pieces of at most `limit` characters, at line or word
/// boundaries where possible; an empty text gives one empty piece.
fn chunk(text: &str, limit: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.chars().count() > limit {
        let cut = rest
            .char_indices()
            .nth(limit)
            .map_or(rest.len(), |(i, _)| i);
        let at = rest[..cut]
            .rfind(['\n', ' '])
            .filter(|&i| i > 0)
            .unwrap_or(cut);
        pieces.push(rest[..at].to_owned());
        rest = rest[at..].trim_start();
    }
    pieces.push(rest.to_owned());
    pieces
}

/// `text` cut to `limit` characters with a visible ellipsis (only for titles and
/// single fields, whose full text is also in the session's detail view).
fn clip(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(limit.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

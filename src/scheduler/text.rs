//! Posts as plain text, for the console and `emcee rehearse`:
//! the core's wording with times in one timezone (a terminal has no
//! per-reader rendering).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use emcee_core::chat::{Post, Span, Text, TimeStyle};
use emcee_core::scheduler::{wording, Job, Message, Target};
use std::fmt::Write;

/// One message, its heading then one line per session; relative times are
/// counted from `now`.
pub fn message(message: &Message, timezone: Tz, now: DateTime<Utc>) -> String {
    post(&wording::post(message), timezone, now)
}

/// A post as plain text: heading (with the role it pings), then indented lines.
pub fn post(post: &Post, timezone: Tz, now: DateTime<Utc>) -> String {
    let mut out = post
        .heading
        .as_ref()
        .map(|h| text(h, timezone, now))
        .unwrap_or_default();
    if let Some(role) = &post.ping_role {
        let _ = write!(out, " (pings role {role})");
    }
    for line in &post.lines {
        let line = text(line, timezone, now).replace('\n', "\n  ");
        let _ = write!(out, "\n  {line}");
    }
    if post.more > 0 {
        let _ = write!(
            out,
            "\n  {}",
            text(&Post::overflow(post.more), timezone, now)
        );
    }
    if let Some(card) = &post.card {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&text(&card.title, timezone, now));
        let body = text(&card.body, timezone, now).replace('\n', "\n  ");
        let _ = write!(out, "\n  {body}");
        if let Some(footer) = &card.footer {
            let _ = write!(out, "\n  ({})", text(footer, timezone, now));
        }
    }
    out
}

/// Rich text without markup, times in `timezone`.
pub fn text(text: &Text, timezone: Tz, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for span in &text.0 {
        match span {
            Span::Plain(t) | Span::Strong(t) | Span::Struck(t) | Span::Code(t) => {
                out.push_str(&emcee_core::chat::text::single_line(t));
            }
            Span::Link(url) => {
                let _ = write!(out, "<{url}>");
            }
            Span::Emoji(key) => out.push_str(key),
            Span::Channel(id) => {
                let _ = write!(out, "#{}", emcee_core::chat::text::single_line(id));
            }
            Span::Time(at, style) => out.push_str(&time(*at, *style, timezone, now)),
            Span::Break => out.push('\n'),
        }
    }
    out
}

fn time(at: DateTime<Utc>, style: TimeStyle, timezone: Tz, now: DateTime<Utc>) -> String {
    let local = at.with_timezone(&timezone);
    match style {
        TimeStyle::Time => local.format("%H:%M").to_string(),
        TimeStyle::DateTime => local.format("%a %-d %b %H:%M").to_string(),
        TimeStyle::Relative => {
            let minutes = (at - now).num_seconds().saturating_add(30).div_euclid(60);
            match minutes {
                0 => "now".to_owned(),
                1 => "in 1 minute".to_owned(),
                m if m > 0 => format!("in {m} minutes"),
                -1 => "1 minute ago".to_owned(),
                m => format!("{} minutes ago", -m),
            }
        }
    }
}

/// Where a job goes, as a reader of the timeline sees it.
pub fn target(target: &Target) -> String {
    match target {
        Target::Channel(channel) if channel.parse::<u64>().is_ok() => format!("channel {channel}"),
        Target::Channel(channel) => format!("#{channel}"),
        Target::User(user) => format!("DM to {user}"),
    }
}

/// A timeline entry: local time, target, then the message as it reads when due.
pub fn job(job: &Job, timezone: Tz) -> String {
    format!(
        "{}  {}  {}\n",
        job.due_at.with_timezone(&timezone).format("%Y-%m-%d %H:%M"),
        target(&job.target),
        message(&job.message, timezone, job.due_at).replace('\n', "\n      ")
    )
}

//! Plain-text rendering for the terminal (console mode and `emcee agenda`).
//!
//! A terminal has no reader-local time markup like Discord's `<t:…>`, so times
//! are shown in one display timezone, named in the output.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use emcee_core::agenda::Session;
use emcee_core::command::{Answer, CommandError, HelpEntry, Notice, Reply, Surface};
use std::fmt::Write;

/// `text` safe to print on a terminal: every C0 and C1 control character but
/// the line end (LF, or CRLF as in `/mycal`'s calendar) is removed and tabs
/// become spaces, so agenda text from a published schedule cannot move the
/// cursor, recolour, retitle the window or hide what came before (an escape
/// sequence loses its ESC and prints as text).
pub fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\r' if chars.peek() == Some(&'\n') => out.push('\r'),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// JSON text safe to print on a terminal without changing what it says: JSON
/// escapes C0 controls itself (`\u001b`) but writes C1 controls (U+0080 to
/// U+009F, which some terminals obey) raw; they are escaped the same way. They
/// can only occur inside strings, where the escape means the same character.
pub fn json_for_terminal(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if ('\u{80}'..='\u{9f}').contains(&c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// How to show times and whose conference it is.
#[derive(Debug, Clone)]
pub struct TextStyle {
    pub timezone: Tz,
    pub conference: String,
}

impl TextStyle {
    /// Renders any reply.
    pub fn reply(&self, reply: &Reply) -> String {
        match reply {
            Reply::Sessions(answer) => self.answer(answer),
            Reply::Help(entries) => help(entries),
        }
    }

    /// Renders a user error as one short line.
    pub fn error(&self, error: &CommandError) -> String {
        format!("{error}\n")
    }

    fn answer(&self, answer: &Answer) -> String {
        let mut out = format!("{}  (times in {})\n", answer.heading, self.timezone.name());
        if let Some(notice) = &answer.notice {
            out.push_str(&self.notice(notice, answer.asked_at));
            out.push('\n');
        }
        let mut current_day: Option<NaiveDate> = None;
        for session in &answer.sessions {
            let day = session.start.with_timezone(&self.timezone).date_naive();
            if current_day != Some(day) {
                let _ = writeln!(out, "{}", day.format("%A %-d %B %Y"));
                current_day = Some(day);
            }
            out.push_str(&self.session(session, answer));
        }
        out
    }

    fn session(&self, session: &Session, answer: &Answer) -> String {
        let mut out = format!(
            "  {}  {}{}\n",
            self.span(session),
            session.title,
            status(session, answer.asked_at)
        );
        let facts = facts(session);
        if !facts.is_empty() {
            let _ = writeln!(out, "               {facts}");
        }
        if answer.detailed {
            if !session.abstract_text.trim().is_empty() {
                let _ = writeln!(out, "\n  {}\n", session.abstract_text.trim());
            }
            for link in &session.links {
                let label = match link.kind {
                    emcee_core::agenda::LinkKind::Video if answer.asked_at < session.end => {
                        continue
                    }
                    emcee_core::agenda::LinkKind::Video => "On demand",
                    emcee_core::agenda::LinkKind::Slides => "Slides",
                    _ => "Link",
                };
                let _ = writeln!(out, "  {label}: {}", link.url);
            }
        }
        out
    }

    fn span(&self, session: &Session) -> String {
        let start = session.start.with_timezone(&self.timezone);
        let end = session.end.with_timezone(&self.timezone);
        format!("{}–{}", start.format("%H:%M"), end.format("%H:%M"))
    }

    fn notice(&self, notice: &Notice, asked_at: DateTime<Utc>) -> String {
        let when = |at: DateTime<Utc>| {
            let local = at.with_timezone(&self.timezone);
            format!(
                "{} ({})",
                local.format("%A %-d %B %Y at %H:%M %Z"),
                relative(at - asked_at)
            )
        };
        match notice {
            Notice::NotStarted { starts_at } => format!(
                "{} has not started yet: it starts {}.",
                self.conference,
                when(*starts_at)
            ),
            Notice::Over { ended_at } => format!(
                "{} is over: the last session ended {}.",
                self.conference,
                when(*ended_at)
            ),
            Notice::NothingLive { next_at } => format!(
                "Nothing is live right now; the next session starts {}.",
                when(*next_at)
            ),
            Notice::NoMoreSessions => "No more sessions.".to_owned(),
            Notice::EmptyAgenda => "The agenda has no sessions yet.".to_owned(),
        }
    }
}

/// "Gunnar Morling (Red Hat) · Observability · Stage 1 · [id]".
fn facts(session: &Session) -> String {
    let speakers: Vec<String> = session
        .speakers
        .iter()
        .map(|s| match &s.affiliation {
            Some(affiliation) => format!("{} ({affiliation})", s.name),
            None => s.name.clone(),
        })
        .collect();
    let mut parts = Vec::new();
    if !speakers.is_empty() {
        parts.push(speakers.join(", "));
    }
    parts.extend(session.track.clone());
    parts.extend(session.room.clone());
    if parts.is_empty() {
        parts.push(session.kind.to_string());
    }
    parts.push(format!("[{}]", session.id));
    parts.join(" · ")
}

fn status(session: &Session, at: DateTime<Utc>) -> &'static str {
    if session.is_running_at(at) {
        "  ● live"
    } else if session.end <= at {
        "  (ended)"
    } else {
        ""
    }
}

/// "in 2 h 5 min", "3 min ago", "now".
pub fn relative(delta: TimeDelta) -> String {
    let minutes = delta.num_minutes();
    let magnitude = minutes.unsigned_abs();
    let amount = match (magnitude / (24 * 60), (magnitude / 60) % 24, magnitude % 60) {
        (0, 0, 0) => return "now".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    };
    if minutes > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

fn help(entries: &[HelpEntry]) -> String {
    let lines = emcee_core::command::help_lines(entries, Surface::Console);
    let width = lines
        .iter()
        .map(|(usage, _)| usage.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from("Commands:\n");
    for (usage, summary) in lines {
        let _ = writeln!(out, "  {usage:width$}  {summary}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(TimeDelta::minutes(125)), "in 2 h 5 min");
        assert_eq!(relative(TimeDelta::minutes(-3)), "3 min ago");
        assert_eq!(relative(TimeDelta::seconds(30)), "now");
        assert_eq!(relative(TimeDelta::hours(50)), "in 2 d 2 h");
    }

    #[test]
    fn terminal_controls_are_removed_line_ends_kept() {
        let hostile = "Talk\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\rFake\tx\r\nnext\n";
        assert_eq!(for_terminal(hostile), "Talk]0;owned[2J31mFake x\r\nnext\n");
        let json = serde_json::to_string(&"a\u{1b}[2J\u{9b}31m").unwrap();
        let safe = json_for_terminal(&json);
        assert_eq!(safe, "\"a\\u001b[2J\\u009b31m\"");
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "a\u{1b}[2J\u{9b}31m"
        );
    }
}

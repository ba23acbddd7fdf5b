//! Rich text without a platform: a line of [`Span`]s that each adapter
//! renders its own way. User and agenda text stays in `Plain`/`Strong` spans,
//! which every renderer escapes, so a talk titled `@everyone` pings nobody.

use chrono::{DateTime, Utc};

/// How an instant shows; each reader sees their own zone where the platform can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeStyle {
    /// "in 5 minutes", "2 hours ago".
    Relative,
    /// "16:05".
    Time,
    /// "Thursday 7 October 2021 16:05".
    DateTime,
}

/// One piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Text to show as it is (escaped by the renderer).
    Plain(String),
    /// Emphasised text (escaped by the renderer).
    Strong(String),
    /// Struck-through text, e.g. a cancelled session.
    Struck(String),
    /// A fixed-width run, e.g. a tally bar.
    Code(String),
    /// An instant.
    Time(DateTime<Utc>, TimeStyle),
    /// A link, shown without a preview where the platform previews links.
    Link(String),
    /// A poll option's emoji, by its neutral key.
    Emoji(String),
    /// A link to a channel or thread of the platform, by its id (Discord's
    /// `<#id>`); only ids the platform gave the bot, never user text.
    Channel(String),
    /// A line break.
    Break,
}

/// Rich text: spans in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub Vec<Span>);

impl Text {
    /// Empty text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Text of one plain span.
    pub fn plain(text: impl Into<String>) -> Self {
        Self(vec![Span::Plain(text.into())])
    }

    /// Text of one strong span.
    pub fn strong(text: impl Into<String>) -> Self {
        Self(vec![Span::Strong(text.into())])
    }

    /// Appends a span.
    #[must_use]
    pub fn with(mut self, span: Span) -> Self {
        self.0.push(span);
        self
    }

    /// Appends a plain span.
    #[must_use]
    pub fn and(self, text: impl Into<String>) -> Self {
        self.with(Span::Plain(text.into()))
    }

    /// Appends a span in place.
    pub fn push(&mut self, span: Span) {
        self.0.push(span);
    }

    /// Appends `other`'s spans.
    pub fn extend(&mut self, other: Text) {
        self.0.extend(other.0);
    }

    /// Lines joined by breaks.
    pub fn lines(lines: impl IntoIterator<Item = Text>) -> Self {
        let mut out = Text::new();
        for (index, line) in lines.into_iter().enumerate() {
            if index > 0 {
                out.push(Span::Break);
            }
            out.extend(line);
        }
        out
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text with no markup and times in UTC: for logs and tests.
    pub fn to_plain(&self) -> String {
        let mut out = String::new();
        for span in &self.0 {
            match span {
                Span::Plain(t) | Span::Strong(t) | Span::Struck(t) | Span::Code(t) => {
                    out.push_str(t);
                }
                Span::Link(url) => out.push_str(url),
                Span::Emoji(key) => out.push_str(key),
                Span::Channel(id) => {
                    out.push('#');
                    out.push_str(id);
                }
                Span::Time(at, _) => out.push_str(&at.format("%Y-%m-%d %H:%M UTC").to_string()),
                Span::Break => out.push('\n'),
            }
        }
        out
    }
}

/// `text` on one line: every control character (line breaks, tabs, terminal
/// escapes, C1 controls) becomes a space, so agenda or user text can neither
/// forge extra lines in a post nor drive a terminal. Renderers apply it to
/// every text span; line breaks come only from [`Span::Break`].
pub fn single_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(char::is_control) {
        let cleaned: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        std::borrow::Cow::Owned(cleaned)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Rendered lines packed into as few messages as fit `limit` characters
/// each, in order; a line longer than `limit` on its own is cut with "…".
/// For answers a platform would refuse whole (Discord: 2,000 characters).
pub fn pack_lines(lines: &[String], limit: usize) -> Vec<String> {
    let limit = limit.max(2);
    let mut messages: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        let line = if line.chars().count() > limit {
            let cut: String = line.chars().take(limit - 1).collect();
            format!("{cut}…")
        } else {
            line.clone()
        };
        let needed = current.chars().count() + line.chars().count() + 1;
        if !current.is_empty() && needed > limit {
            messages.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self::plain(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self::plain(text)
    }
}

#[cfg(test)]
mod tests {
    use super::single_line;

    #[test]
    fn lines_are_packed_in_order_within_the_limit() {
        let lines: Vec<String> = (0..30)
            .map(|n| format!("reminder {n:02} {}", "x".repeat(80)))
            .collect();
        let packed = super::pack_lines(&lines, 2000);
        assert!(packed.len() > 1);
        assert!(packed.iter().all(|m| m.chars().count() <= 2000));
        assert_eq!(
            packed.join("\n"),
            lines.join("\n"),
            "nothing lost, order kept"
        );
        let long = super::pack_lines(&["y".repeat(50)], 10);
        assert_eq!(long, ["yyyyyyyyy…"]);
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(single_line("Fast I/O"), "Fast I/O");
        assert_eq!(single_line("Talk\n**Fake line**"), "Talk **Fake line**");
        assert_eq!(single_line("red\u{1b}[31m\r\u{85}x"), "red [31m  x");
    }
}

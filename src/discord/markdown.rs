//! Making agenda and user text inert in Discord messages.
//!
//! `allowed_mentions` (set on every message) already stops pings; escaping also
//! keeps a talk titled `**bold** @everyone` from rendering as formatting or as a
//! mention-looking string that confuses readers.

/// Escapes Discord markdown and defuses mention syntax in `text`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            // A zero-width space after @ and inside <…> keeps @everyone, <@id>,
            // <@&role> and <#channel> from being parsed as mentions.
            '@' => out.push_str("@\u{200B}"),
            '<' => out.push_str("<\u{200B}"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markdown_and_mentions_are_inert() {
        assert_eq!(escape("**G1**: _fast_"), "\\*\\*G1\\*\\*: \\_fast\\_");
        assert!(!escape("@everyone").contains("@everyone"));
        assert!(!escape("<@&123>").contains("<@&"));
        assert_eq!(escape("I/O Rings"), "I/O Rings");
        assert_eq!(escape("`code` > quote"), "\\`code\\` \\> quote");
    }
}

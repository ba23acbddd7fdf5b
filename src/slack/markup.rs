//! The core's rich text as Slack mrkdwn: every agenda and user text escaped,
//! times as `<!date^…>` so each reader sees their own zone, and option keys
//! as reaction shortcodes.
//!
//! Slack turns only `<…>` sequences into mentions (`<!channel>`, `<!here>`,
//! `<!everyone>`, `<@U…>`, `<#C…>`, `<!subteam^S…>`), and asks senders to
//! escape `&`, `<` and `>` in text; once those three are escaped, nothing a
//! speaker or attendee typed can ping anyone. Messages are also sent with
//! `link_names` off and `parse = none` ([`super::blocks`]), so a bare
//! `@channel` stays text. The one ping the bot ever writes is the user group
//! an organiser configured ([`ping`]).

use chrono::{DateTime, Utc};
use emcee_core::chat::text::single_line;
use emcee_core::chat::{Span, Text, TimeStyle};

/// The reaction names of option keys A … T, in order. Slack has no emoji for
/// a lone regional-indicator letter (its names are Unicode's RGI emoji), so
/// the keys use ten keycaps and ten shapes from Slack's standard set.
pub const OPTION_SHORTCODES: [&str; 20] = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "keycap_ten",
    "red_circle",
    "large_blue_circle",
    "white_circle",
    "black_circle",
    "large_orange_diamond",
    "large_blue_diamond",
    "small_orange_diamond",
    "small_blue_diamond",
    "black_square_button",
    "white_square_button",
];

/// `text` made safe for mrkdwn: `&`, `<`, `>` escaped, control characters
/// (line breaks included) turned to spaces so no text forges a line.
pub fn escape(text: &str) -> String {
    let line = single_line(text);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Rich text as mrkdwn.
pub fn text(text: &Text) -> String {
    let mut out = String::new();
    for span in &text.0 {
        match span {
            Span::Plain(t) => out.push_str(&escape(t)),
            Span::Strong(t) => out.push_str(&wrapped('*', t)),
            Span::Struck(t) => out.push_str(&wrapped('~', t)),
            Span::Code(t) => out.push_str(&format!("`{}`", escape(t).replace('`', "'"))),
            Span::Time(at, style) => out.push_str(&time(*at, *style)),
            Span::Link(url) => out.push_str(&link(url)),
            Span::Emoji(key) => out.push_str(&format!(":{}:", shortcode_of(key))),
            Span::Channel(id) if id.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                out.push_str(&format!("<#{id}>"));
            }
            Span::Channel(id) => out.push_str(&format!("#{}", escape(id))),
            Span::Break => out.push('\n'),
        }
    }
    out
}

/// `t` emphasised with `mark` on both sides; the mark itself is dropped from
/// inside so a title cannot end the emphasis early.
fn wrapped(mark: char, t: &str) -> String {
    let inner = escape(t).replace(mark, "");
    let inner = inner.trim();
    if inner.is_empty() {
        return String::new();
    }
    format!("{mark}{inner}{mark}")
}

/// An instant each reader sees in their own zone; the fallback (for clients
/// that cannot format it, and notifications) is UTC.
pub fn time(at: DateTime<Utc>, style: TimeStyle) -> String {
    let (tokens, fallback) = match style {
        TimeStyle::Relative => ("{ago}", at.format("%Y-%m-%d %H:%M UTC")),
        TimeStyle::Time => ("{time}", at.format("%H:%M UTC")),
        TimeStyle::DateTime => (
            "{date_short_pretty} {time}",
            at.format("%a %-d %b %H:%M UTC"),
        ),
    };
    format!("<!date^{}^{tokens}|{fallback}>", at.timestamp())
}

/// A link Slack shows as is: characters that would end or split the `<…>`
/// form are percent-encoded, and anything but http(s) stays plain text.
fn link(url: &str) -> String {
    let url = single_line(url);
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return escape(&url);
    }
    let mut out = String::from("<");
    for c in url.chars() {
        match c {
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '|' => out.push_str("%7C"),
            ' ' => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out.push('>');
    out
}

/// The mention of a configured user group (`S…`), the only ping the bot
/// writes; anything else (a Discord role id) pings nobody here.
pub fn ping(group: &str) -> Option<String> {
    let group = group.trim();
    let valid = group.len() > 1
        && group.starts_with('S')
        && group
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    valid.then(|| format!("<!subteam^{group}>"))
}

/// The reaction name (no colons) for an option key: A … T by
/// [`OPTION_SHORTCODES`], a Unicode emoji (a declared poll's 🦀) by its
/// shortcode, an organiser's own shortcode (a custom emoji) as it is.
pub fn shortcode_of(key: &str) -> String {
    if let Some(name) = letter_index(key).and_then(|index| OPTION_SHORTCODES.get(index)) {
        return (*name).to_owned();
    }
    match emojis::get(key).and_then(emojis::Emoji::shortcode) {
        Some(name) => name.to_owned(),
        None => key.to_owned(),
    }
}

/// The option key of a reaction name: the letter for one of
/// [`OPTION_SHORTCODES`], the Unicode emoji for a standard name (so 🦀 in a
/// declared poll and `:crab:` on Slack are one option), else the name
/// itself, a custom emoji. Slack may add a skin tone as `::skin-tone-2`,
/// which is the same emoji.
pub fn key_of_reaction(name: &str) -> String {
    let name = name.split("::").next().unwrap_or(name);
    if let Some(index) = OPTION_SHORTCODES.iter().position(|code| *code == name) {
        return char::from(b'A' + index as u8).to_string();
    }
    match emojis::get_by_shortcode(name) {
        Some(emoji) => emoji.as_str().to_owned(),
        None => name.to_owned(),
    }
}

/// An organiser's option emoji as a key: `:name:` (how Slack sends an emoji
/// typed in a command) becomes the emoji's key, a Unicode emoji stays as it
/// is; anything else is no emoji here.
pub fn emoji_key(typed: &str) -> Option<String> {
    if let Some(emoji) = emojis::get(typed.trim()) {
        return Some(emoji.as_str().to_owned());
    }
    let name = typed.trim().strip_prefix(':')?.strip_suffix(':')?;
    let valid = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-+'".contains(c));
    valid.then(|| key_of_reaction(name))
}

fn letter_index(key: &str) -> Option<usize> {
    let [letter] = key.as_bytes() else {
        return None;
    };
    letter
        .checked_sub(b'A')
        .map(usize::from)
        .filter(|i| *i < OPTION_SHORTCODES.len())
}

#[cfg(test)]
pub(crate) mod tests;

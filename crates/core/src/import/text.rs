//! Abstracts as plain text.
//!
//! pretalx and frab publish abstracts as HTML (FOSDEM's are `&lt;p&gt;…` inside
//! XML), calendars as HTML with escaped newlines. Chat messages and the console
//! want readable text, so tags are dropped, paragraph and line breaks kept, the
//! common entities decoded and runs of blank space collapsed. This is not an HTML
//! renderer: anything unusual is left as text rather than guessed at.

/// `html` with tags removed, breaks kept and common entities decoded.
pub(crate) fn plain(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return tidy(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Where the next `>` is, from the start of `rest`: found once and reused while
    // it is still ahead, so 80,000 `<` before one `>` cost one scan, not 80,000.
    let mut next_close: Option<usize> = None;
    let mut consumed = 0usize;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open..).unwrap_or_default();
        let at = consumed + open;
        if next_close.is_none_or(|close| close < at) {
            next_close = after.find('>').map(|close| at + close);
        }
        let close = next_close.map(|close| close - at);
        match close {
            Some(close) if looks_like_tag(after.get(1..close).unwrap_or_default()) => {
                if BREAKS.contains(&tag_name(after.get(1..close).unwrap_or_default()).as_str()) {
                    out.push('\n');
                }
                rest = after.get(close + 1..).unwrap_or_default();
                consumed = at + close + 1;
            }
            _ => {
                out.push('<');
                rest = after.get(1..).unwrap_or_default();
                consumed = at + 1;
            }
        }
    }
    out.push_str(rest);
    tidy(&decode_entities(&out))
}

/// Elements that start a new line in the plain text.
const BREAKS: [&str; 11] = [
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "tr",
    "blockquote",
];

/// The lower-cased element name of a tag's inside (`/p`, `br/`, `a href=…`), read
/// from its first few bytes only: no element name is longer, and reading the whole
/// inside of every `<` would make a long run of them quadratic.
fn tag_name(inner: &str) -> String {
    inner
        .trim_start_matches('/')
        .chars()
        .take(12)
        .take_while(|c| !c.is_whitespace() && *c != '/')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Only known HTML elements count as tags, so `Vec<u8>` in a plain abstract survives.
fn looks_like_tag(inner: &str) -> bool {
    const ELEMENTS: [&str; 30] = [
        "p",
        "br",
        "a",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "s",
        "ul",
        "ol",
        "li",
        "div",
        "span",
        "code",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "img",
        "hr",
        "table",
        "tr",
        "td",
        "th",
        "small",
    ];
    ELEMENTS.contains(&tag_name(inner).as_str()) || inner.starts_with("!--")
}

fn decode_entities(text: &str) -> String {
    const ENTITIES: [(&str, &str); 8] = [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&nbsp;", " "),
        ("&#x27;", "'"),
        ("&amp;", "&"),
    ];
    let mut out = text.to_owned();
    for (entity, replacement) in ENTITIES {
        if out.contains(entity) {
            out = out.replace(entity, replacement);
        }
    }
    out
}

/// Trims each line, collapses runs of blank lines to one and spaces to one.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = false;
    for line in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run { "\n\n" } else { "\n" });
        }
        blank_run = false;
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_decodes_entities() {
        let html = "<p>Currently <em>LLVM</em> saves &amp; restores.</p><p>Second&nbsp;para</p>";
        assert_eq!(
            plain(html),
            "Currently LLVM saves & restores.\n\nSecond para"
        );
    }

    #[test]
    fn keeps_text_that_only_looks_like_markup() {
        assert_eq!(plain("a < b and c > d"), "a < b and c > d");
        assert_eq!(
            plain("Vec<u8> & friends<br/>more"),
            "Vec<u8> & friends\nmore"
        );
        assert_eq!(plain("  one \r\n\r\n\r\n two  "), "one\n\ntwo");
    }
}

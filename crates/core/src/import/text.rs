//! Abstracts as plain text.
//!
//! pretalx and frab publish abstracts as HTML (FOSDEM's are `&lt;p&gt;…` inside
//! XML), calendars as HTML with escaped newlines. Chat messages and the console
//! want readable text, so tags are dropped, paragraph and line breaks kept, every
//! HTML entity decoded and runs of blank space collapsed. This is not an HTML
//! renderer: anything unusual is left as text rather than guessed at.

use super::limits;

/// `html` with tags removed, breaks kept and entities decoded.
///
/// Linear in the input, and cheap per `<`: the next `>` is found once and reused
/// while still ahead (80,000 `<` before one `>` took minutes when each `<`
/// searched again), a `<` not followed by a letter, `/` or `!` is text at once,
/// and element names are compared without allocating. Only the first
/// [`INPUT_BYTES`] are read: the abstract is cut far shorter anyway.
pub(crate) fn plain(html: &str) -> String {
    let html = limits::prefix(html, INPUT_BYTES);
    if !html.contains(['<', '&']) {
        return tidy(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut next_close: Option<usize> = None;
    let mut consumed = 0usize;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open..).unwrap_or_default();
        let at = consumed + open;
        let starts_tag = after
            .as_bytes()
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/' || *b == b'!');
        if starts_tag && next_close.is_none_or(|close| close < at) {
            next_close = after.find('>').map(|close| at + close);
        }
        let inner = match next_close {
            Some(close) if starts_tag => after.get(1..close - at),
            _ => None,
        };
        match inner.map(Name::of) {
            Some(name) if name.is_element() || inner.is_some_and(|i| i.starts_with("!--")) => {
                if name.is_break() {
                    out.push('\n');
                }
                let close = inner.map_or(0, str::len) + 1;
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

/// Bytes of HTML read per abstract: four times the abstract cap.
const INPUT_BYTES: usize = 4 * limits::ABSTRACT_CHARS;

/// The lower-cased element name of a tag's inside (`/p`, `br/`, `a href=…`), read
/// from its first bytes only (no element name is longer) into a fixed buffer.
struct Name {
    bytes: [u8; 12],
    len: usize,
}

impl Name {
    fn of(inner: &str) -> Self {
        let inner = inner.strip_prefix('/').unwrap_or(inner).as_bytes();
        let mut name = Self {
            bytes: [0; 12],
            len: 0,
        };
        for &byte in inner.iter().take(12) {
            if byte.is_ascii_whitespace() || byte == b'/' {
                break;
            }
            name.bytes[name.len] = byte.to_ascii_lowercase();
            name.len += 1;
        }
        name
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// Only known HTML elements count as tags, so `Vec<u8>` in a plain abstract survives.
    fn is_element(&self) -> bool {
        self.is_break()
            || matches!(
                self.as_bytes(),
                b"a" | b"em"
                    | b"strong"
                    | b"b"
                    | b"i"
                    | b"u"
                    | b"s"
                    | b"span"
                    | b"code"
                    | b"pre"
                    | b"h4"
                    | b"h5"
                    | b"h6"
                    | b"img"
                    | b"hr"
                    | b"table"
                    | b"td"
                    | b"th"
                    | b"small"
            )
    }

    /// Elements that start a new line in the plain text.
    fn is_break(&self) -> bool {
        matches!(
            self.as_bytes(),
            b"p" | b"br"
                | b"div"
                | b"li"
                | b"ul"
                | b"ol"
                | b"h1"
                | b"h2"
                | b"h3"
                | b"tr"
                | b"blockquote"
        )
    }
}

/// Every named (`&eacute;`, `&hellip;`) and numeric (`&#8209;`, `&#x2011;`) HTML
/// entity decoded, by the `html-escape` crate's full HTML5 table; text that only
/// looks like an entity (`&` alone, `&nosuch;`) is kept as written.
fn decode_entities(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
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
        assert_eq!(plain("<!-- note --><P>Hi</P><BR/>x"), "Hi\n\nx");
        assert_eq!(plain("AT&T &nosuch; & more"), "AT&T &nosuch; & more");
    }

    #[test]
    fn decodes_every_named_and_numeric_entity() {
        // FOSDEM writes "flang&#8209;new"; only eight entities were known before,
        // so the numeric one stayed in the text as written.
        assert_eq!(
            plain("<p>flang&#8209;new, Score&#x2011;P, Singularit&eacute;s&hellip; &lt;b&gt;</p>"),
            "flang\u{2011}new, Score\u{2011}P, Singularités… <b>"
        );
        assert_eq!(plain("caf&eacute; &#233;t&#xE9;"), "café été");
    }

    #[test]
    fn runs_of_angle_brackets_are_kept_as_text() {
        // How fast: the hostile_import benchmark ("80,000 '<' then '>'").
        let html = "<".repeat(80_000) + ">";
        assert_eq!(plain(&html).len(), INPUT_BYTES);
        let near_tags = "<a".repeat(40_000) + ">";
        assert!(plain(&near_tags).starts_with("<a<a"));
    }
}

//! iCalendar content lines (RFC 5545 §3.1) from the bytes real exporters write.
//!
//! Folding is undone on bytes, before any decoding: exporters fold at 75 octets
//! and some split a multi-byte UTF-8 character across the fold (JRES writes "’"
//! as `E2` CRLF SP `80 99`), so a line decoded before unfolding would be mangled.
//! Line ends are LF with any number of CRs before it (JRES has CR CR LF inside
//! descriptions). Each logical line is then decoded as UTF-8, replacing only the
//! bytes that are truly invalid, and split into name, parameters and value.

/// One logical line: `NAME;PARAM=VALUE;...:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContentLine {
    /// Upper-cased property name ("DTSTART").
    pub name: String,
    /// Parameters with upper-cased names and unquoted values.
    pub params: Vec<(String, String)>,
    /// The raw value, still escaped.
    pub value: String,
}

impl ContentLine {
    /// The value of parameter `name` (upper-case), if given.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Every content line of `bytes`, unfolded and decoded; lines without a `:` are dropped.
pub(crate) fn content_lines(bytes: &[u8]) -> Vec<ContentLine> {
    unfold(bytes)
        .iter()
        .filter_map(|line| parse_line(&String::from_utf8_lossy(line)))
        .collect()
}

/// Logical lines as bytes: continuation lines (starting with a space or tab) are
/// joined to the previous line without their first byte; trailing CRs are dropped.
/// Plain index loops: this runs over every byte, and iterator adaptors cost five
/// times as much on a debug build.
fn unfold(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = start;
        while end < bytes.len() && bytes[end] != b'\n' {
            end += 1;
        }
        let mut content_end = end;
        while content_end > start && bytes[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        let physical = bytes.get(start..content_end).unwrap_or_default();
        match (physical.split_first(), lines.last_mut()) {
            (Some((b' ' | b'\t', rest)), Some(last)) => last.extend_from_slice(rest),
            (None, _) => {}
            _ => lines.push(physical.to_vec()),
        }
        start = end + 1;
    }
    lines
}

/// How many physical lines `bytes` has, counted without building them, so the
/// import can refuse a calendar whose lines alone would exceed its budget.
pub(crate) fn count_lines(bytes: &[u8]) -> usize {
    let mut count = 1;
    let mut at = 0;
    while at < bytes.len() {
        count += usize::from(bytes[at] == b'\n');
        at += 1;
    }
    count
}

/// Heap bytes one [`ContentLine`] costs beyond its text: the struct, its name,
/// the two vectors it sits in (lines, then its event's) and allocator slack.
pub(crate) const LINE_BYTES: usize = 224;

fn parse_line(line: &str) -> Option<ContentLine> {
    let colon = unquoted(line.as_bytes(), b':').next()?;
    let head = line.get(..colon)?;
    let value = line.get(colon + 1..)?.to_owned();
    let mut parts = split_unquoted(head, b';').into_iter();
    let name = parts.next()?.trim().to_ascii_uppercase();
    if name.is_empty() {
        return None;
    }
    let params = parts
        .filter_map(|part| {
            let (key, value) = part.split_once('=')?;
            Some((
                key.trim().to_ascii_uppercase(),
                value.trim().trim_matches('"').to_owned(),
            ))
        })
        .collect();
    Some(ContentLine {
        name,
        params,
        value,
    })
}

/// Positions of `separator` outside double quotes (ASCII, so byte positions are
/// character boundaries).
fn unquoted(bytes: &[u8], separator: u8) -> impl Iterator<Item = usize> + '_ {
    let mut in_quotes = false;
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let byte = bytes[at];
            at += 1;
            if byte == b'"' {
                in_quotes = !in_quotes;
            } else if byte == separator && !in_quotes {
                return Some(at - 1);
            }
        }
        None
    })
}

fn split_unquoted(text: &str, separator: u8) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut from = 0;
    for index in unquoted(text.as_bytes(), separator) {
        parts.push(text.get(from..index).unwrap_or_default());
        from = index + 1;
    }
    parts.push(text.get(from..).unwrap_or_default());
    parts
}

/// A TEXT value with its escapes (`\n`, `\,`, `\;`, `\\`) undone.
pub(crate) fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// One component (`VEVENT`, `VTIMEZONE`): its own lines, and the lines of each
/// component directly inside it (`VALARM`, `STANDARD`, `DAYLIGHT`) by name.
/// Anything nested deeper is dropped.
#[derive(Debug, Default)]
pub(crate) struct Component<'a> {
    pub lines: Vec<&'a ContentLine>,
    pub parts: Vec<(String, Vec<&'a ContentLine>)>,
}

impl<'a> Component<'a> {
    /// The first line called `name`.
    pub fn find(&self, name: &str) -> Option<&'a ContentLine> {
        self.lines.iter().copied().find(|line| line.name == name)
    }

    /// Every line called `name`.
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a ContentLine> + 's {
        self.lines
            .iter()
            .copied()
            .filter(move |line| line.name == name)
    }
}

/// Every component called `name` (upper-case) that is not inside another one of
/// that name; one cut off by the end of the file is still returned.
pub(crate) fn components<'a>(lines: &'a [ContentLine], name: &str) -> Vec<Component<'a>> {
    let mut found = Vec::new();
    let mut current: Option<Component<'a>> = None;
    let mut depth = 0usize;
    for line in lines {
        // Only BEGIN and END values are compared, so only they are upper-cased.
        let component = match line.name.as_str() {
            "BEGIN" | "END" => line.value.trim().to_ascii_uppercase(),
            _ => String::new(),
        };
        match (line.name.as_str(), current.as_mut()) {
            ("BEGIN", None) if component == name => current = Some(Component::default()),
            ("BEGIN", Some(open)) => {
                depth += 1;
                if depth == 1 {
                    open.parts.push((component, Vec::new()));
                }
            }
            ("END", Some(_)) if depth > 0 => depth -= 1,
            ("END", Some(_)) if component == name => found.extend(current.take()),
            (_, Some(open)) if depth == 0 => open.lines.push(line),
            (_, Some(open)) if depth == 1 => {
                if let Some((_, part)) = open.parts.last_mut() {
                    part.push(line);
                }
            }
            _ => {}
        }
    }
    found.extend(current);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_on_bytes_so_split_characters_survive() {
        // "’" is E2 80 99; the fold falls after its first byte.
        let bytes = b"SUMMARY:l\xE2\r\n \x80\x99ensemble\r\nLOCATION:A\r\n";
        let lines = content_lines(bytes);
        assert_eq!(lines[0].value, "l\u{2019}ensemble");
        assert_eq!(lines[1].name, "LOCATION");
    }

    #[test]
    fn cr_cr_lf_and_tabs_fold_too() {
        let bytes = b"DESCRIPTION:one. \r\r\n \\n\r\n\ttwo\r\r\nUID:1";
        let lines = content_lines(bytes);
        assert_eq!(lines.len(), 2);
        assert_eq!(unescape(&lines[0].value), "one. \ntwo");
        assert_eq!(lines[1].value, "1");
    }

    #[test]
    fn parameters_and_quoted_colons() {
        let line =
            parse_line("DTSTART;TZID=\"Europe/Paris\";VALUE=DATE-TIME:20220517T110000").unwrap();
        assert_eq!(line.param("TZID"), Some("Europe/Paris"));
        assert_eq!(line.value, "20220517T110000");
        let line = parse_line("ATTENDEE;CN=\"Doe: Jane\":mailto:j@x").unwrap();
        assert_eq!(line.param("CN"), Some("Doe: Jane"));
        assert_eq!(line.value, "mailto:j@x");
        assert!(parse_line("no colon here").is_none());
        let lines = content_lines(
            b"BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n\
              BEGIN:VEVENT\nUID:1\nBEGIN:VALARM\nUID:alarm\nEND:VALARM\nEND:VEVENT\nBEGIN:VEVENT\nUID:2",
        );
        let zones = components(&lines, "VTIMEZONE");
        assert_eq!(zones[0].find("TZID").map(|l| l.value.as_str()), Some("X"));
        assert_eq!(zones[0].parts[0].0, "STANDARD");
        assert_eq!(zones[0].parts[0].1[0].value, "+0100");
        let events = components(&lines, "VEVENT");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].all("UID").count(), 1);
        assert_eq!(
            unescape("Arena\\, Room 8\\; x\\\\y\\"),
            "Arena, Room 8; x\\y\\"
        );
    }
}

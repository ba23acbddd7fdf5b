//! A file's shape (how many nodes, how deep) read in one pass before it is parsed.
//!
//! Both tree parsers cost more than the file: serde_json holds each value in
//! 32 bytes and more for object entries, roxmltree a node record per element and
//! text, and roxmltree recurses once per level of nesting. A pass over the bytes
//! that only counts is linear and allocates nothing, so a file too deep or with
//! too many nodes for the [`Budget`](super::limits::Budget) is refused before
//! any tree is built.

use super::limits::MAX_DEPTH;

/// What the pre-scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Values (JSON) or elements and text runs (XML), approximately.
    pub nodes: usize,
}

/// Heap bytes a parsed JSON value costs beyond its text, measured roughly on
/// serde_json's `Value` (32 bytes) in a `BTreeMap` entry or a `Vec`.
pub(crate) const JSON_NODE_BYTES: usize = 96;
/// The same for a roxmltree node with its share of attributes.
pub(crate) const XML_NODE_BYTES: usize = 112;

/// Counts JSON values and refuses nesting deeper than [`MAX_DEPTH`].
///
/// # Errors
/// The depth at which the file was refused.
pub(crate) fn json(bytes: &[u8]) -> Result<Shape, String> {
    let mut nodes = 1usize;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // Index loops throughout: these passes touch every byte of up to 32 MiB, and
    // on a debug build an iterator chain costs several times a plain loop.
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        at += 1;
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                nodes += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(depth));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' | b':' => nodes += 1,
            _ => {}
        }
    }
    Ok(Shape { nodes })
}

/// Counts XML elements and text runs and refuses nesting deeper than [`MAX_DEPTH`].
/// Comments, CDATA, processing instructions and quoted attribute values are
/// skipped whole, so a `<` inside them is not taken for an element.
///
/// # Errors
/// The depth at which the file was refused.
pub(crate) fn xml(text: &str) -> Result<Shape, String> {
    let bytes = text.as_bytes();
    let mut nodes = 1usize;
    let mut depth = 0usize;
    let mut at = 0usize;
    while let Some(offset) = bytes.get(at..).and_then(|rest| memchr(b'<', rest)) {
        let open = at + offset;
        let rest = bytes.get(open..).unwrap_or_default();
        at = if rest.starts_with(b"<!--") {
            skip_past(bytes, open + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_past(bytes, open + 9, b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_past(bytes, open + 2, b"?>")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_past(bytes, open + 2, b">")
        } else {
            let (end, self_closing, attributes) = tag_end(bytes, open + 1);
            if attributes > MAX_ATTRIBUTES {
                return Err(format!(
                    "an element has over {MAX_ATTRIBUTES} attributes (the XML parser checks each against every other)"
                ));
            }
            nodes += 2 + attributes;
            if !self_closing {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(depth));
                }
            }
            end
        };
    }
    Ok(Shape { nodes })
}

fn too_deep(depth: usize) -> String {
    format!("nested {depth} levels deep; schedules nest at most {MAX_DEPTH}")
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at < haystack.len() {
        if haystack[at] == needle {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// The index just past the first `pattern` (2 or 3 bytes) at or after `from`, or the end.
fn skip_past(bytes: &[u8], from: usize, pattern: &[u8]) -> usize {
    let Some(&last) = pattern.last() else {
        return from;
    };
    let mut at = from + pattern.len() - 1;
    while at < bytes.len() {
        if bytes[at] == last && bytes.get(at + 1 - pattern.len()..=at) == Some(pattern) {
            return at + 1;
        }
        at += 1;
    }
    bytes.len()
}

/// Attributes one element may have: frab elements have at most a handful, and
/// roxmltree compares each new attribute with all earlier ones of its element.
const MAX_ATTRIBUTES: usize = 256;

/// Just past the `>` closing a start tag that begins at `from`, honouring quoted
/// attribute values, whether it was `/>`, and how many attributes it has.
fn tag_end(bytes: &[u8], from: usize) -> (usize, bool, usize) {
    let mut quote = 0u8;
    let mut attributes = 0usize;
    let mut previous = 0u8;
    let mut at = from;
    while at < bytes.len() {
        let byte = bytes[at];
        if quote != 0 {
            if byte == quote {
                quote = 0;
            }
        } else if byte == b'"' || byte == b'\'' {
            quote = byte;
        } else if byte == b'=' {
            attributes += 1;
        } else if byte == b'>' {
            return (at + 1, previous == b'/', attributes);
        }
        previous = byte;
        at += 1;
    }
    (bytes.len(), true, attributes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_depth_and_nodes() {
        assert_eq!(json(br#"{"a": [1, 2, "[[["], "b": {}}"#).unwrap().nodes, 9);
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(json(deep.as_bytes()).unwrap_err().contains("levels deep"));
        let fine = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(json(fine.as_bytes()).is_ok());
    }

    #[test]
    fn xml_depth_ignores_comments_cdata_and_quotes() {
        let text = r#"<?xml version="1.0"?><schedule a="x>y"><!-- <a><b> --><day><![CDATA[<x><y>]]></day><br/></schedule>"#;
        assert!(xml_ok(text));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(xml(&deep).unwrap_err().contains("levels deep"));
        let siblings = "<a></a>".repeat(10 * MAX_DEPTH);
        assert!(xml_ok(&siblings));
        let crowded = format!(
            "<a {}/>",
            (0..=MAX_ATTRIBUTES)
                .map(|i| format!("x{i}='' "))
                .collect::<String>()
        );
        assert!(xml(&crowded).unwrap_err().contains("attributes"));
    }

    fn xml_ok(text: &str) -> bool {
        xml(text).is_ok()
    }
}

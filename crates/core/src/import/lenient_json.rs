//! Reading JSON the way real schedule exports write it.
//!
//! Keys go missing, values are `null`, ids are strings in one place and integers
//! in another (Sessionize: `"1252943"` vs `1252943`). Typed serde structs would
//! refuse a whole file for one odd value, so the JSON parsers walk a
//! [`serde_json::Value`] with these accessors, which answer "absent" instead of
//! failing and treat a number and its decimal text as the same id.

use serde_json::Value;

/// The value at `key` as text: a string as is, a number or boolean in decimal;
/// `None` when absent, null, or an array or object.
pub(crate) fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(scalar)
}

/// Like [`text`], but `None` also for blank text.
pub(crate) fn non_blank(value: &Value, key: &str) -> Option<String> {
    text(value, key).filter(|t| !t.trim().is_empty())
}

/// A scalar as text (see [`text`]).
pub(crate) fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The array at `key`, empty when absent or not an array.
pub(crate) fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// True when `key` holds `true`.
pub(crate) fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_read_the_same_as_strings_or_numbers() {
        let value = json!({"a": "1252943", "b": 1252943, "c": null, "d": [1], "e": "  "});
        assert_eq!(text(&value, "a"), text(&value, "b"));
        assert_eq!(text(&value, "c"), None);
        assert_eq!(text(&value, "d"), None);
        assert_eq!(non_blank(&value, "e"), None);
        assert_eq!(array(&value, "d").len(), 1);
        assert!(array(&value, "missing").is_empty());
        assert!(!flag(&value, "a"));
    }
}

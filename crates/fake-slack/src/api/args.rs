//! A Web API call's arguments. Slack takes them as a query string, a form body
//! or a JSON body (slack-morphism uses the query for reads and JSON for
//! writes), so they are merged into one JSON object and read leniently: a
//! number may come as `"10"`, a flag as `"true"`/`"1"`, a list as a JSON array
//! or `"a,b"`, and structured fields (`blocks`, `metadata`) as JSON or as a
//! JSON string inside a form.

use serde_json::{Map, Value};

use crate::error::SlackError;

/// The merged arguments of one call.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Args(pub(crate) Map<String, Value>);

impl Args {
    /// A scalar argument as text (numbers and booleans too); empty is absent.
    pub(crate) fn str(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A required scalar argument; `invalid_arguments` if absent.
    pub(crate) fn required(&self, key: &str) -> Result<String, SlackError> {
        self.str(key).ok_or_else(|| SlackError::missing(key))
    }

    /// A flag: `true`, `"true"` or `"1"`.
    pub(crate) fn flag(&self, key: &str) -> bool {
        self.opt_flag(key).unwrap_or(false)
    }

    /// A flag, or `None` when absent.
    pub(crate) fn opt_flag(&self, key: &str) -> Option<bool> {
        match self.0.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => Some(s == "true" || s == "1"),
            Value::Number(n) => Some(n.as_u64() == Some(1)),
            _ => None,
        }
    }

    /// A whole number; `invalid_arguments` if present but not one.
    pub(crate) fn number(&self, key: &str) -> Result<Option<u64>, SlackError> {
        let Some(text) = self.str(key) else {
            return Ok(None);
        };
        text.parse().map(Some).map_err(|_| {
            SlackError::with_detail("invalid_arguments", format!("{key} must be a number"))
        })
    }

    /// A list of strings: a JSON array, or comma-separated text.
    pub(crate) fn list(&self, key: &str) -> Vec<String> {
        match self.0.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A structured argument: JSON as sent, or a JSON string (a form field)
    /// parsed; `bad` is the error code if that string is not JSON.
    pub(crate) fn json(&self, key: &str, bad: &str) -> Result<Option<Value>, SlackError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| SlackError::new(bad)),
            Some(other) => Ok(Some(other.clone())),
        }
    }

    /// A structured argument that must be a JSON array.
    pub(crate) fn array(&self, key: &str, bad: &str) -> Result<Option<Vec<Value>>, SlackError> {
        match self.json(key, bad)? {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(SlackError::new(bad)),
        }
    }
}

/// Splits `a=1&b=two+words` into decoded pairs (`+` is a space, as in forms).
pub(crate) fn parse_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn form_and_json_arguments_read_alike() {
        let mut form = Map::new();
        for (k, v) in parse_pairs(
            "channel=C1&limit=10&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D&text=a+b&flag=1",
        ) {
            form.insert(k, Value::String(v));
        }
        let form = Args(form);
        let Value::Object(body) = json!({ "channel": "C1", "limit": 10, "blocks": [{ "type": "divider" }], "text": "a b", "flag": true })
        else {
            unreachable!()
        };
        let body = Args(body);
        for args in [form, body] {
            assert_eq!(args.required("channel").unwrap(), "C1");
            assert_eq!(args.number("limit").unwrap(), Some(10));
            assert_eq!(
                args.array("blocks", "invalid_blocks_format")
                    .unwrap()
                    .unwrap()
                    .len(),
                1
            );
            assert_eq!(args.str("text").as_deref(), Some("a b"));
            assert!(args.flag("flag"));
            assert_eq!(args.required("ts").unwrap_err().code, "invalid_arguments");
        }
    }
}

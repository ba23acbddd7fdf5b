//! The two ways things go wrong here: a Slack API error the fake answers with, and
//! a test's wait that ran out of time.

use serde_json::{json, Value};

/// A Web API error as Slack reports it: HTTP 200 with `{"ok": false, "error": code}`,
/// plus, for argument and block errors, the detail lines Slack puts in `errors`
/// and `response_metadata.messages`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}{}", .details.iter().map(|d| format!("; {d}")).collect::<String>())]
pub struct SlackError {
    /// Slack's error code, e.g. `not_in_channel`.
    pub code: String,
    /// Detail lines, e.g. `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.
    pub details: Vec<String>,
}

impl SlackError {
    pub(crate) fn new(code: &str) -> Self {
        Self {
            code: code.to_owned(),
            details: Vec::new(),
        }
    }

    pub(crate) fn with_detail(code: &str, detail: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            details: vec![detail.into()],
        }
    }

    /// `invalid_arguments` naming a missing field, as Slack words it.
    pub(crate) fn missing(field: &str) -> Self {
        Self::with_detail(
            "invalid_arguments",
            format!("missing required field: {field}"),
        )
    }

    pub(crate) fn channel_not_found() -> Self {
        Self::new("channel_not_found")
    }

    pub(crate) fn message_not_found() -> Self {
        Self::new("message_not_found")
    }

    /// The JSON body Slack answers with.
    pub(crate) fn body(&self) -> Value {
        let mut body = json!({ "ok": false, "error": self.code });
        if !self.details.is_empty() {
            let messages: Vec<String> = self
                .details
                .iter()
                .map(|d| format!("[ERROR] {d}"))
                .collect();
            body["errors"] = json!(self.details);
            body["response_metadata"] = json!({ "messages": messages });
        }
        body
    }
}

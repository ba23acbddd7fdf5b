//! The log of every Web API call the bot made, in arrival order, so tests assert
//! on what went over the wire rather than on what the bot meant to do.

use std::fmt;
use std::time::Instant;

use serde_json::Value;

/// One Web API call as the fake received and answered it.
///
/// `Debug` redacts the token so a logged call never leaks it; read
/// [`RecordedCall::token`] to assert on it.
#[derive(Clone, PartialEq)]
pub struct RecordedCall {
    /// Position in the log, from 0.
    pub index: usize,
    /// The Web API method, e.g. `chat.postMessage`; `<upload>` for a file
    /// upload to a URL from `files.getUploadURLExternal`.
    pub method: String,
    /// `GET` or `POST`.
    pub http_method: String,
    /// The arguments, query string and body merged into one JSON object. Form
    /// values stay strings (`"blocks": "[…]"`), as they were sent.
    pub args: Value,
    /// The request's `content-type`, if any.
    pub content_type: Option<String>,
    /// The token the call carried (`Authorization: Bearer` or a `token`
    /// argument).
    pub token: Option<String>,
    /// The HTTP status answered: 200 (also for Slack errors), 429, 5xx.
    pub status: u16,
    /// The Slack error code, when the answer was `ok: false`.
    pub error: Option<String>,
    /// The JSON answered (`{}` for a 429 or 5xx).
    pub response: Value,
    /// When the request had been read (for latency measurements).
    pub received_at: Instant,
}

impl RecordedCall {
    /// Whether this is a call of `method`.
    #[must_use]
    pub fn is(&self, method: &str) -> bool {
        self.method == method
    }

    /// Whether Slack answered `ok: true`.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.status == 200 && self.error.is_none()
    }

    /// A string argument, e.g. `channel`.
    #[must_use]
    pub fn arg(&self, key: &str) -> Option<&str> {
        self.args.get(key)?.as_str()
    }
}

impl fmt::Debug for RecordedCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedCall")
            .field("index", &self.index)
            .field("method", &self.method)
            .field("http_method", &self.http_method)
            .field("args", &redacted(&self.args))
            .field("content_type", &self.content_type)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("status", &self.status)
            .field("error", &self.error)
            .field("response", &self.response)
            .finish()
    }
}

/// The arguments with a `token` argument hidden.
fn redacted(args: &Value) -> Value {
    let mut args = args.clone();
    if let Some(token) = args.get_mut("token") {
        *token = Value::String("<redacted>".to_owned());
    }
    args
}

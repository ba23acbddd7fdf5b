//! The log of every REST call the bot made, in arrival order, so tests assert on
//! what went over the wire rather than on what the bot meant to do.

use std::collections::BTreeMap;
use std::fmt;

/// Request headers worth asserting on; everything else is dropped.
pub(crate) const HEADERS_OF_INTEREST: [&str; 5] = [
    "authorization",
    "content-type",
    "user-agent",
    "x-audit-log-reason",
    "x-ratelimit-precision",
];

/// One REST call as the fake received and answered it.
///
/// `Debug` redacts the `authorization` header so a logged request never leaks the
/// bot token; read it with [`RecordedRequest::header`] to assert on it.
#[derive(Clone, PartialEq)]
pub struct RecordedRequest {
    /// Position in the log, from 0.
    pub index: usize,
    /// HTTP method, upper case.
    pub method: String,
    /// Path after `/api/v10`, as sent (emoji stay percent-encoded), e.g.
    /// `/channels/1/messages`.
    pub path: String,
    /// Query pairs in order, empty pairs (serenity sends `?&limit=2`) dropped.
    pub query: Vec<(String, String)>,
    /// The JSON body, or the parsed `payload_json` of a multipart body.
    pub body: Option<serde_json::Value>,
    /// Files of a multipart body.
    pub attachments: Vec<RecordedAttachment>,
    /// The headers of interest (lower-case names).
    pub headers: BTreeMap<String, String>,
    /// The HTTP status the fake answered with.
    pub status: u16,
    /// When the request's body had been read (for latency measurements).
    pub received_at: std::time::Instant,
}

/// A file uploaded in a multipart request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedAttachment {
    /// The form field, e.g. `files[0]`.
    pub field: String,
    /// The file name given by the client.
    pub filename: String,
    /// The part's content type, if any.
    pub content_type: Option<String>,
    /// The size of the file in bytes.
    pub len: usize,
}

impl RecordedRequest {
    /// Whether this is `method` on exactly `path`.
    #[must_use]
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && self.path == path
    }

    /// A header by lower-case name.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The first query value for `key`.
    #[must_use]
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A string field of the JSON body, e.g. `content`.
    #[must_use]
    pub fn body_str(&self, key: &str) -> Option<&str> {
        self.body.as_ref()?.get(key)?.as_str()
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: BTreeMap<&str, &str> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let shown = if k == "authorization" {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("index", &self.index)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body", &self.body)
            .field("attachments", &self.attachments)
            .field("headers", &headers)
            .field("status", &self.status)
            .finish()
    }
}

/// Splits a raw query string, dropping the empty pairs serenity produces.
pub(crate) fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

/// Percent-decodes one URL component (lossy on invalid UTF-8).
pub(crate) fn decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

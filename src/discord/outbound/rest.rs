//! The few REST calls the sender makes, with the response details pacing needs
//! (status, rate-limit headers) that serenity's errors do not keep.

use crate::discord::token::BotToken;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// How long one HTTP exchange may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A file sent with a message (multipart), as the core hands it over.
pub use emcee_core::chat::Attachment;

/// A REST client bound to one API base and token.
#[derive(Clone)]
pub struct Rest {
    base: String,
    authorization: HeaderValue,
    client: reqwest::Client,
}

impl fmt::Debug for Rest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rest")
            .field("base", &self.base)
            .field("authorization", &"<redacted>")
            .finish()
    }
}

/// Rate-limit headers of one response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateHeaders {
    pub retry_after: Option<f64>,
    pub global: bool,
    pub remaining: Option<u32>,
    pub reset_after: Option<f64>,
}

/// What came back from one attempt.
#[derive(Debug, Clone)]
pub struct RestResponse {
    /// Method and path, for logs and errors (no secrets in it).
    pub route: String,
    pub outcome: Outcome,
}

/// An HTTP answer, or why there was none.
#[derive(Debug, Clone)]
pub enum Outcome {
    Answered {
        status: u16,
        rate: RateHeaders,
        body: Value,
    },
    Transport(String),
}

impl Rest {
    /// A client for `{api_base}/api/v10`.
    pub fn new(api_base: &str, token: &BotToken, client: reqwest::Client) -> Self {
        let mut authorization = HeaderValue::from_str(&format!("Bot {}", token.expose()))
            .unwrap_or_else(|_| HeaderValue::from_static("Bot invalid"));
        authorization.set_sensitive(true);
        Self {
            base: format!("{}/api/v10", api_base.trim_end_matches('/')),
            authorization,
            client,
        }
    }

    pub async fn get(&self, path: &str) -> RestResponse {
        self.send("GET", path, self.client.get(self.url(path)))
            .await
    }

    pub async fn put(&self, path: &str) -> RestResponse {
        self.send(
            "PUT",
            path,
            self.client
                .put(self.url(path))
                .header(reqwest::header::CONTENT_LENGTH, 0),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> RestResponse {
        self.send("DELETE", path, self.client.delete(self.url(path)))
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> RestResponse {
        self.send("PATCH", path, self.client.patch(self.url(path)).json(body))
            .await
    }

    /// POSTs JSON, or multipart (`payload_json` + `files[n]`) when there are files.
    pub async fn post(&self, path: &str, body: &Value, files: &[Attachment]) -> RestResponse {
        let request = self.client.post(self.url(path));
        let request = if files.is_empty() {
            request.json(body)
        } else {
            let mut form = reqwest::multipart::Form::new().text("payload_json", body.to_string());
            for (index, file) in files.iter().enumerate() {
                let part = reqwest::multipart::Part::bytes(file.bytes.clone())
                    .file_name(file.filename.clone())
                    .mime_str(&file.content_type)
                    .unwrap_or_else(|_| {
                        reqwest::multipart::Part::bytes(file.bytes.clone())
                            .file_name(file.filename.clone())
                    });
                form = form.part(format!("files[{index}]"), part);
            }
            request.multipart(form)
        };
        self.send("POST", path, request).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> RestResponse {
        let route = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let request = request
            .header(AUTHORIZATION, self.authorization.clone())
            .timeout(REQUEST_TIMEOUT);
        let outcome = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let rate = rate_headers(response.headers());
                let bytes = response.bytes().await.unwrap_or_default();
                let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                Outcome::Answered { status, rate, body }
            }
            // reqwest's error text names the URL, never the Authorization header.
            Err(error) => Outcome::Transport(error.without_url().to_string()),
        };
        RestResponse { route, outcome }
    }
}

fn rate_headers(headers: &HeaderMap) -> RateHeaders {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    RateHeaders {
        retry_after: text("retry-after").and_then(|v| v.parse().ok()),
        global: text("x-ratelimit-global").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        remaining: text("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
        reset_after: text("x-ratelimit-reset-after").and_then(|v| v.parse().ok()),
    }
}

impl RestResponse {
    /// The body of a success, or the refusal as an error.
    pub fn into_result(self) -> Result<Value, super::OutboundError> {
        match self.outcome {
            Outcome::Answered { status, body, .. } if (200..300).contains(&status) => Ok(body),
            Outcome::Answered { status, body, .. } => Err(super::OutboundError::Rejected {
                route: self.route,
                status,
                code: body["code"].as_i64().unwrap_or(0),
                message: body["message"].as_str().unwrap_or("").to_owned(),
            }),
            Outcome::Transport(reason) => Err(super::OutboundError::GaveUp {
                route: self.route,
                attempts: 1,
                last: reason,
            }),
        }
    }

    /// One line about what happened, for logs.
    pub fn describe(&self) -> String {
        match &self.outcome {
            Outcome::Answered { status, body, .. } => {
                format!("HTTP {status} {}", body["message"].as_str().unwrap_or(""))
            }
            Outcome::Transport(reason) => reason.clone(),
        }
    }
}

/// Percent-encodes an emoji for a reaction route (`name:id` stays readable).
pub fn encode_emoji(emoji: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b':')
        .remove(b'_')
        .remove(b'-');
    percent_encoding::utf8_percent_encode(emoji, KEEP).to_string()
}

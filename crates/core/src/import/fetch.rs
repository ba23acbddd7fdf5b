//! Getting a schedule's bytes from where organisers publish it: a file, or an
//! http(s) URL that a running bot polls.
//!
//! Polling every few minutes should cost the publisher almost nothing, so
//! requests revalidate (`If-None-Match` / `If-Modified-Since`) and an unchanged
//! schedule comes back as a bodiless 304. A misbehaving server must not stall or
//! exhaust the bot: every request has a timeout and the body a size cap, counted
//! after gzip decoding so a small compressed bomb is refused too. Redirects are
//! followed here, not by reqwest, so each hop is checked against the
//! [`destination`](super::destination) rule first.

use super::destination::{Policy, PublicOnly};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Where a schedule comes from: `[agenda] source` or `--agenda`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLocation {
    Path(PathBuf),
    Url(String),
}

impl SourceLocation {
    /// An `http://` or `https://` URL, else a path. `webcal://` (how calendar
    /// links are published) is read as https, and a `file://` URL as its path.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let lower = text.get(..9).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Self::Url(text.to_owned())
        } else if lower.starts_with("webcal://") {
            Self::Url(format!("https://{}", text.get(9..).unwrap_or_default()))
        } else if lower.starts_with("file://") {
            let path = reqwest::Url::parse(text)
                .ok()
                .and_then(|url| url.to_file_path().ok())
                .unwrap_or_else(|| PathBuf::from(text.get(7..).unwrap_or_default()));
            Self::Path(path)
        } else {
            Self::Path(PathBuf::from(text))
        }
    }

    /// True for a URL, which is worth refreshing on an interval.
    pub fn is_url(&self) -> bool {
        matches!(self, Self::Url(_))
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(path) => write!(f, "{}", path.display()),
            Self::Url(url) => f.write_str(url),
        }
    }
}

/// Limits for one fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The whole request, from connecting to the last body byte.
    pub timeout: Duration,
    /// The largest schedule accepted, in bytes after decompression.
    pub max_bytes: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// `[agenda] allow_private`: redirects may reach private and loopback addresses.
    pub allow_private: bool,
}

impl Default for FetchOptions {
    /// 30 seconds, 32 MiB (FOSDEM's XML is 2 MB), 5 redirects, public addresses only.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_bytes: 32 * 1024 * 1024,
            max_redirects: 5,
            allow_private: false,
        }
    }
}

/// What the server said to identify this version, sent back to revalidate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The outcome of a successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// A (possibly new) version.
    Body {
        bytes: Vec<u8>,
        validators: Validators,
    },
    /// 304: the version we hold is current.
    NotModified,
}

/// Why a schedule could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{location} is larger than the {limit}-byte limit")]
    TooLarge { location: String, limit: usize },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    /// A redirect (or the URL itself) goes where schedule requests may not.
    #[error("{url}: refused: {reason}")]
    Refused { url: String, reason: String },
    #[error("{url}: {}", describe(.source))]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        error.to_string()
    }
}

/// A client suited to schedule sources: rustls, gzip, a connect timeout, a
/// user agent that tells publishers who polls them, and no redirects of its own
/// ([`fetch`] follows them after checking each hop). Prefer [`client_for`],
/// which also guards the connection against DNS rebinding.
///
/// # Errors
/// [`FetchError::Http`] when the TLS backend cannot be initialised.
pub fn client() -> Result<reqwest::Client, FetchError> {
    build(builder())
}

/// [`client`] for fetching `location`: names other than the location's own host
/// resolve to public addresses only, unless `allow_private` (`[agenda]
/// allow_private`), so a redirect's host cannot pass the destination check and
/// then resolve to a private address when reqwest connects.
///
/// # Errors
/// [`FetchError::Http`] when the TLS backend cannot be initialised.
pub fn client_for(
    location: &SourceLocation,
    allow_private: bool,
) -> Result<reqwest::Client, FetchError> {
    if allow_private {
        return client();
    }
    let own_host = match location {
        SourceLocation::Url(url) => reqwest::Url::parse(url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_ascii_lowercase)),
        SourceLocation::Path(_) => None,
    };
    build(builder().dns_resolver(std::sync::Arc::new(PublicOnly { own_host })))
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "emcee/",
            env!("CARGO_PKG_VERSION"),
            " (conference chat bot; schedule import)"
        ))
}

fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, FetchError> {
    builder.build().map_err(|source| FetchError::Http {
        url: String::new(),
        source,
    })
}

/// Fetches `location`, revalidating against `known` (for URLs).
///
/// # Errors
/// A [`FetchError`] for an unreadable file, a failed or non-2xx request, a timeout,
/// a body over `options.max_bytes`, or a redirect refused by the destination rule
/// (too many, https to http, or to a private address other than the configured one).
pub async fn fetch(
    client: &reqwest::Client,
    location: &SourceLocation,
    known: &Validators,
    options: &FetchOptions,
) -> Result<Fetched, FetchError> {
    match location {
        SourceLocation::Path(path) => read_file(path, options.max_bytes).await,
        SourceLocation::Url(url) => get(client, url, known, options).await,
    }
}

async fn read_file(path: &std::path::Path, max_bytes: usize) -> Result<Fetched, FetchError> {
    let read_error = |source| FetchError::Read {
        path: path.to_owned(),
        source,
    };
    let length = tokio::fs::metadata(path).await.map_err(read_error)?.len();
    if usize::try_from(length).unwrap_or(usize::MAX) > max_bytes {
        return Err(FetchError::TooLarge {
            location: path.display().to_string(),
            limit: max_bytes,
        });
    }
    let bytes = tokio::fs::read(path).await.map_err(read_error)?;
    Ok(Fetched::Body {
        bytes,
        validators: Validators::default(),
    })
}

async fn get(
    client: &reqwest::Client,
    url: &str,
    known: &Validators,
    options: &FetchOptions,
) -> Result<Fetched, FetchError> {
    let http_error = |source| FetchError::Http {
        url: url.to_owned(),
        source,
    };
    let mut response = follow(client, url, known, options).await?;
    let status = response.status();
    tracing::debug!(url, %status, "schedule source answered");
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
        });
    }
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let validators = Validators {
        etag: header(reqwest::header::ETAG),
        last_modified: header(reqwest::header::LAST_MODIFIED),
    };
    let too_large = || FetchError::TooLarge {
        location: url.to_owned(),
        limit: options.max_bytes,
    };
    // Content-Length is that of the compressed body when gzip is on; the real cap is below.
    if response
        .content_length()
        .is_some_and(|length| usize::try_from(length).unwrap_or(usize::MAX) > options.max_bytes)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(http_error)? {
        if bytes.len() + chunk.len() > options.max_bytes {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Fetched::Body { bytes, validators })
}

/// Sends the request and follows up to `options.max_redirects` redirects, each
/// checked against the destination rule before it is requested.
async fn follow(
    client: &reqwest::Client,
    url: &str,
    known: &Validators,
    options: &FetchOptions,
) -> Result<reqwest::Response, FetchError> {
    let refused = |at: &reqwest::Url, reason: String| FetchError::Refused {
        url: at.to_string(),
        reason,
    };
    let configured = reqwest::Url::parse(url).map_err(|e| FetchError::Refused {
        url: url.to_owned(),
        reason: format!("not a URL ({e})"),
    })?;
    let policy = Policy::for_url(&configured, options.allow_private).await;
    let mut from = configured.clone();
    let mut at = configured;
    // One timeout for the whole chain, as for a single request.
    let deadline = tokio::time::Instant::now() + options.timeout;
    for _ in 0..=options.max_redirects {
        policy
            .check(&from, &at)
            .await
            .map_err(|r| refused(&at, r))?;
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let mut request = client.get(at.clone()).timeout(left);
        if let Some(etag) = &known.etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(last_modified) = &known.last_modified {
            request = request.header(reqwest::header::IF_MODIFIED_SINCE, last_modified);
        }
        let response = request.send().await.map_err(|source| FetchError::Http {
            url: at.to_string(),
            source,
        })?;
        if !response.status().is_redirection() || response.status().as_u16() == 304 {
            return Ok(response);
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| refused(&at, "a redirect without a Location".to_owned()))?;
        let next = at
            .join(location)
            .map_err(|e| refused(&at, format!("a redirect to a bad URL ({e})")))?;
        tracing::debug!(from = %at, to = %next, "schedule source redirects");
        from = std::mem::replace(&mut at, next);
    }
    Err(refused(
        &at,
        format!("more than {} redirects", options.max_redirects),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        assert!(SourceLocation::parse("https://fosdem.org/2025/schedule/xml").is_url());
        assert!(SourceLocation::parse(" HTTP://x ").is_url());
        assert_eq!(
            SourceLocation::parse("agenda.ics"),
            SourceLocation::Path("agenda.ics".into())
        );
        assert!(!SourceLocation::parse("httpd.ics").is_url());
        assert_eq!(
            SourceLocation::parse("webcal://example.org/cal.ics"),
            SourceLocation::Url("https://example.org/cal.ics".into())
        );
        assert_eq!(
            SourceLocation::parse("file:///srv/agenda%20v2.ics"),
            SourceLocation::Path("/srv/agenda v2.ics".into())
        );
    }
}

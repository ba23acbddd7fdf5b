//! Getting a schedule's bytes from where organisers publish it: a file, or an
//! http(s) URL that a running bot polls.
//!
//! Polling every few minutes should cost the publisher almost nothing, so
//! requests revalidate (`If-None-Match` / `If-Modified-Since`) and an unchanged
//! schedule comes back as a bodiless 304. A misbehaving server must not stall or
//! exhaust the bot: every request has a timeout and the body a size cap, counted
//! after gzip decoding so a small compressed bomb is refused too.

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
    /// An `http://` or `https://` URL, else a path.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Self::Url(text.to_owned())
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
}

impl Default for FetchOptions {
    /// 30 seconds and 32 MiB: FOSDEM's XML is 2 MB.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_bytes: 32 * 1024 * 1024,
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

/// A client suited to schedule sources: rustls, gzip, a connect timeout, and a
/// user agent that tells publishers who polls them.
///
/// # Errors
/// [`FetchError::Http`] when the TLS backend cannot be initialised.
pub fn client() -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!(
            "emcee/",
            env!("CARGO_PKG_VERSION"),
            " (conference chat bot; schedule import)"
        ))
        .build()
        .map_err(|source| FetchError::Http {
            url: String::new(),
            source,
        })
}

/// Fetches `location`, revalidating against `known` (for URLs).
///
/// # Errors
/// A [`FetchError`] for an unreadable file, a failed or non-2xx request, a timeout,
/// or a body over `options.max_bytes`.
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
    let mut request = client.get(url).timeout(options.timeout);
    if let Some(etag) = &known.etag {
        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    if let Some(last_modified) = &known.last_modified {
        request = request.header(reqwest::header::IF_MODIFIED_SINCE, last_modified);
    }
    let mut response = request.send().await.map_err(http_error)?;
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
    }
}

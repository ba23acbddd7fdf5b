//! The REST API under `/api/v10`: one entry point records every call, applies
//! injected faults, routes to the endpoint and adds rate-limit headers, so all
//! endpoints behave alike on the wire.

mod application;
mod channels;
mod interactions;
mod polls;
mod polls_votes;
mod ratelimit;
mod routes;
mod scheduled_events;
mod threads;

pub(crate) use application::command_id;
pub(crate) use channels::react;
pub use polls::{FakeAnswer, FakePoll};
pub(crate) use ratelimit::Buckets;
pub use scheduled_events::FakeScheduledEvent;
pub use threads::FakeThread;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::faults::Effect;
use crate::record::{parse_query, RecordedAttachment, RecordedRequest, HEADERS_OF_INTEREST};
use crate::{gateway, lock, Inner};

/// Discord's upload limit for an unboosted guild, plus room for the JSON part.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// What an endpoint answers on success.
#[derive(Debug)]
pub(crate) enum Reply {
    /// 200 with a JSON body.
    Json(Value),
    /// 204 without a body.
    NoContent,
}

/// The fake's whole HTTP surface: REST, the gateway, and a recorded 404 for the
/// rest.
pub(crate) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/gateway", get(gateway::upgrade))
        .route("/api/v10/{*route}", any(entry))
        .fallback(entry)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(inner)
}

async fn entry(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let (mut recorded, versioned) = match read_request(request).await {
        Ok(read) => read,
        Err(error) => return error_response(&error),
    };
    if let Err(retry_after) = lock(&inner.buckets).admit(&recorded.path) {
        let limited = Effect::RateLimited {
            retry_after,
            global: true,
        };
        let response = ratelimit::fault_response(&limited);
        recorded.status = response.status().as_u16();
        inner.record(recorded);
        return response;
    }
    let effects = lock(&inner.faults).take(&recorded.method, &recorded.path);
    let mut fault_response = None;
    for effect in effects {
        match effect {
            Effect::Delay(delay) => tokio::time::sleep(delay).await,
            failure => fault_response = Some(ratelimit::fault_response(&failure)),
        }
    }
    let response = match fault_response {
        Some(response) => response,
        None => answer(&inner, &recorded, versioned),
    };
    recorded.status = response.status().as_u16();
    inner.record(recorded);
    response
}

/// Runs the endpoint and turns its result into a response with rate-limit headers.
/// Only paths under `/api/v10` (`versioned`) reach an endpoint.
fn answer(inner: &Inner, request: &RecordedRequest, versioned: bool) -> Response {
    let result = if versioned {
        routes::route(inner, request)
    } else {
        Err(ApiError::not_found())
    };
    let mut response = match result {
        Ok(Reply::Json(value)) => (StatusCode::OK, axum::Json(value)).into_response(),
        Ok(Reply::NoContent) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => {
            if error.code == 0 && error.status == 404 {
                tracing::warn!(method = %request.method, path = %request.path, "fake discord: unknown route");
            }
            error_response(&error)
        }
    };
    let headers = lock(&inner.buckets).headers(&request.method, &request.path);
    response.headers_mut().extend(headers);
    response
}

pub(crate) fn error_response(error: &ApiError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(error.body())).into_response()
}

/// Reads method, path, query, headers of interest and the body (JSON or multipart);
/// also says whether the path was under `/api/v10`.
async fn read_request(request: Request) -> Result<(RecordedRequest, bool), ApiError> {
    let method = request.method().as_str().to_owned();
    let raw_path = request.uri().path().to_owned();
    let query = parse_query(request.uri().query());
    let headers = interesting_headers(request.headers());
    let (path, versioned) = match raw_path.strip_prefix("/api/v10") {
        Some(rest) => (rest.to_owned(), true),
        None => (raw_path, false),
    };
    let is_multipart = headers
        .get("content-type")
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let (body, attachments) = if is_multipart {
        read_multipart(request).await?
    } else {
        (read_json(request.into_body()).await?, Vec::new())
    };
    let recorded = RecordedRequest {
        index: 0,
        method,
        path,
        query,
        body,
        attachments,
        headers,
        status: 0,
        received_at: std::time::Instant::now(),
    };
    Ok((recorded, versioned))
}

fn interesting_headers(map: &HeaderMap) -> BTreeMap<String, String> {
    HEADERS_OF_INTEREST
        .iter()
        .filter_map(|name| {
            let value = map.get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect()
}

async fn read_json(body: Body) -> Result<Option<Value>, ApiError> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| ApiError::new(413, 40005, "Request entity too large"))?;
    if bytes.is_empty() {
        return Ok(None);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| ApiError::new(400, 50109, "The request body contains invalid JSON."))
}

async fn read_multipart(
    request: Request,
) -> Result<(Option<Value>, Vec<RecordedAttachment>), ApiError> {
    let bad = |_| ApiError::bad_body("malformed multipart body");
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|_| ApiError::bad_body("not multipart"))?;
    let mut payload = None;
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "payload_json" {
            let text = field.text().await.map_err(bad)?;
            payload =
                Some(serde_json::from_str(&text).map_err(|_| ApiError::bad_body("payload_json"))?);
            continue;
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(str::to_owned);
        let len = field.bytes().await.map_err(bad)?.len();
        files.push(RecordedAttachment {
            field: name,
            filename,
            content_type,
            len,
        });
    }
    Ok((payload, files))
}

/// The 429 body Discord sends next to the `retry-after` header.
pub(crate) fn rate_limited_body(retry_after: f64, global: bool) -> Value {
    json!({ "message": "You are being rate limited.", "retry_after": retry_after, "global": global })
}

pub(crate) fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

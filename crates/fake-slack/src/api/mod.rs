//! The Web API at `/api/{method}`: one entry point reads the arguments (query,
//! form or JSON), applies injected faults, checks the token, records the call
//! and answers with Slack's envelope, so every method behaves alike on the wire:
//! HTTP 200 with `{"ok": true, …}` or `{"ok": false, "error": …}`, HTTP 429 with
//! `Retry-After` when rate limited; an answer the fault injection loses
//! breaks the connection instead ([`lost`]).

mod args;
mod chat;
mod conversations;
mod files;
mod limits;
mod lost;
mod pins;
mod reactions;
mod views;
mod workspace;

pub(crate) use args::{parse_pairs, Args};
pub(crate) use files::upload;
pub(crate) use limits::Limits;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::error::SlackError;
use crate::faults::Effect;
use crate::record::RecordedCall;
use crate::world::World;
use crate::{lock, socket, Inner};

const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// What a method sees: the world (locked), its arguments, and where to put the
/// events it causes.
pub(crate) struct Ctx<'a> {
    pub(crate) world: &'a mut World,
    pub(crate) args: &'a Args,
    pub(crate) base_url: &'a str,
    /// `event` bodies to send over Socket Mode once the world is unlocked.
    pub(crate) events: Vec<Value>,
}

type Method = fn(&mut Ctx<'_>) -> Result<Value, SlackError>;

/// The methods the fake serves.
fn method(name: &str) -> Option<Method> {
    chat::method(name)
        .or_else(|| conversations::method(name))
        .or_else(|| files::method(name))
        .or_else(|| pins::method(name))
        .or_else(|| reactions::method(name))
        .or_else(|| views::method(name))
        .or_else(|| workspace::method(name))
}

/// A read request: its arguments and the token it carried.
struct Read {
    http_method: String,
    args: Args,
    content_type: Option<String>,
    token: Option<String>,
}

pub(crate) async fn entry(
    State(inner): State<Arc<Inner>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let received_at = Instant::now();
    let read = read(request).await;
    let mut call = RecordedCall {
        index: 0,
        method: name.clone(),
        http_method: String::new(),
        args: json!({}),
        content_type: None,
        token: None,
        status: 200,
        error: None,
        response: json!({}),
        received_at,
    };
    let read = match read {
        Ok(read) => read,
        Err(error) => return answer(&inner, call, Err(error)),
    };
    call.http_method = read.http_method;
    call.args = Value::Object(read.args.0.clone());
    call.content_type = read.content_type;
    call.token = read.token.clone();
    if let Some(response) = faulted(&inner, &mut call).await {
        return response;
    }
    if let Err(error) = authorise(&inner, &name, read.token.as_deref()) {
        return answer(&inner, call, Err(error));
    }
    if inner.config.enforce_rate_limits {
        let channel = read.args.str("channel");
        if let Err(wait) = lock(&inner.limits).admit(&name, channel.as_deref()) {
            let response = rate_limited(wait);
            call.status = response.status().as_u16();
            inner.record(call);
            return response;
        }
    }
    let result = run(&inner, &name, &read.args);
    let has = |arg: &str| read.args.0.contains_key(arg);
    if result.is_ok() && lock(&inner.faults).lose_answer(&name, has) {
        drop(answer(&inner, call, result));
        return lost::answer();
    }
    answer(&inner, call, result)
}

/// Applies the armed faults: delays, then at most one failure answer, which
/// is recorded.
pub(super) async fn faulted(inner: &Inner, call: &mut RecordedCall) -> Option<Response> {
    let effects = lock(&inner.faults).take(&call.method);
    let mut failure = None;
    for effect in effects {
        match effect {
            Effect::Delay(delay) => tokio::time::sleep(delay).await,
            other => failure = Some(other),
        }
    }
    let response = match failure? {
        Effect::RateLimited(wait) => rate_limited(wait),
        Effect::ServerError(status) => server_error(status),
        Effect::Delay(_) => return None,
    };
    call.status = response.status().as_u16();
    inner.record(call.clone());
    Some(response)
}

fn rate_limited(wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        headers.insert(header::RETRY_AFTER, value);
    }
    let body = axum::Json(json!({ "ok": false, "error": "ratelimited" }));
    (StatusCode::TOO_MANY_REQUESTS, headers, body).into_response()
}

fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = [(header::CONTENT_TYPE, "text/html")];
    (
        status,
        headers,
        "<html><body>Slack is having trouble</body></html>",
    )
        .into_response()
}

/// Checks the token: the app token for `apps.connections.open`, the bot token
/// for everything else.
fn authorise(inner: &Inner, method: &str, token: Option<&str>) -> Result<(), SlackError> {
    let token = token.ok_or_else(|| SlackError::new("not_authed"))?;
    let config = &inner.config;
    if lock(&inner.faults).revoked(token) {
        return Err(SlackError::new("invalid_auth"));
    }
    let wants_app = method == "apps.connections.open";
    match (token == config.bot_token, token == config.app_token) {
        (true, _) if !wants_app => Ok(()),
        (_, true) if wants_app => Ok(()),
        (true, _) | (_, true) => Err(SlackError::new("not_allowed_token_type")),
        _ => Err(SlackError::new("invalid_auth")),
    }
}

/// Runs the method with the world locked, then sends the events it caused.
fn run(inner: &Arc<Inner>, name: &str, args: &Args) -> Result<Value, SlackError> {
    if name == "apps.connections.open" {
        let ticket = lock(&inner.sockets).issue_ticket();
        let url = format!("ws://{}/socket/{ticket}", inner.addr);
        return Ok(json!({ "url": url }));
    }
    let Some(method) = method(name) else {
        tracing::warn!(method = name, "fake slack: unknown method");
        return Err(SlackError::new("unknown_method"));
    };
    let base_url = inner.base_url();
    let (result, events) = {
        let mut world = lock(&inner.world);
        let mut ctx = Ctx {
            world: &mut world,
            args,
            base_url: &base_url,
            events: Vec::new(),
        };
        let result = method(&mut ctx);
        (result, ctx.events)
    };
    for event in events {
        socket::send_event(inner, &inner.ids.team_id, event);
    }
    result
}

/// Records the call and answers it with Slack's envelope.
fn answer(inner: &Inner, mut call: RecordedCall, result: Result<Value, SlackError>) -> Response {
    let body = match result {
        Ok(Value::Object(mut fields)) => {
            let mut body = Map::new();
            body.insert("ok".into(), Value::Bool(true));
            body.append(&mut fields);
            Value::Object(body)
        }
        Ok(_) => json!({ "ok": true }),
        Err(error) => {
            call.error = Some(error.code.clone());
            error.body()
        }
    };
    call.response = body.clone();
    inner.record(call);
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// Reads the arguments: query pairs, then the body (JSON object, form or
/// multipart fields) on top.
async fn read(request: Request) -> Result<Read, SlackError> {
    let http_method = request.method().as_str().to_owned();
    let mut args = Map::new();
    for (k, v) in parse_pairs(request.uri().query().unwrap_or_default()) {
        args.insert(k, Value::String(v));
    }
    let headers = request.headers();
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let content_type = text(header::CONTENT_TYPE).map(str::to_owned);
    let bearer = text(header::AUTHORIZATION)
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
        .await
        .map_err(|_| SlackError::new("request_too_large"))?;
    let kind = content_type.as_deref().unwrap_or_default();
    let json = kind.starts_with("application/json");
    // A `token` argument counts in a query or form, not in a JSON body: Slack
    // takes JSON only with the token in `Authorization`.
    let query_token = args.get("token").and_then(Value::as_str).map(str::to_owned);
    if json && !bytes.is_empty() {
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(body)) => args.extend(body),
            _ => return Err(SlackError::new("invalid_json")),
        }
    } else if kind.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in parse_pairs(&String::from_utf8_lossy(&bytes)) {
            args.insert(k, Value::String(v));
        }
    }
    let form_token = if json {
        None
    } else {
        args.get("token").and_then(Value::as_str).map(str::to_owned)
    };
    let token = bearer.or(form_token).or(query_token);
    Ok(Read {
        http_method,
        args: Args(args),
        content_type,
        token,
    })
}

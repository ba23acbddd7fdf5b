//! `POST /response/{token}`: the `response_url` of a slash command or a click.
//! The body is JSON (or a form with a `payload` field); what it did is kept in
//! the world ([`crate::ResponsePost`]). Accepted posts answer `{"ok": true}`;
//! refused ones (a sixth use, past 30 minutes, an unknown URL) HTTP 404 with
//! the reason, `used_url`, `expired_url` or `no_service`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::api::parse_pairs;
use crate::world::ResponseEffect;
use crate::{lock, Inner};

pub(crate) async fn entry(
    State(inner): State<Arc<Inner>>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let Some(body) = parse(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "ok": false, "error": "invalid_payload" })),
        )
            .into_response();
    };
    let effect = lock(&inner.world).respond(&token, &body);
    inner.changes.bump();
    match effect {
        ResponseEffect::Refused(error) => {
            let body = json!({ "ok": false, "error": error });
            (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
        }
        _ => (StatusCode::OK, axum::Json(json!({ "ok": true }))).into_response(),
    }
}

/// A JSON object body, or the JSON in the `payload` field of a form.
fn parse(body: &[u8]) -> Option<Value> {
    if let Ok(value @ Value::Object(_)) = serde_json::from_slice(body) {
        return Some(value);
    }
    let form = parse_pairs(&String::from_utf8_lossy(body));
    let (_, payload) = form.into_iter().find(|(k, _)| k == "payload")?;
    serde_json::from_str(&payload).ok().filter(Value::is_object)
}

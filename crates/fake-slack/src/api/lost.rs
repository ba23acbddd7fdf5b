//! A lost answer: the status line and headers go out, then the body fails, so
//! the server drops the connection mid-response and the client reads an
//! error, never Slack's JSON, though the call was carried out.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A body whose first read fails.
struct Broken;

impl HttpBody for Broken {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fake slack: the answer was lost",
        ))))
    }
}

/// The answer that never arrives whole.
pub(super) fn answer() -> Response {
    let headers = [(axum::http::header::CONTENT_TYPE, "application/json")];
    (StatusCode::OK, headers, Body::new(Broken)).into_response()
}

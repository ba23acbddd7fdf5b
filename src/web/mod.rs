//! The HTTP side of the calendar feeds: `GET /cal/<token>.ics` (a user's
//! sessions), `/cal/conference.ics` and `/cal/track/<slug>.ics`, one router
//! served on `[web] listen`, or beside `/metrics` on `[metrics] listen` when
//! only that is set.
//!
//! What a feed holds is the core's (`emcee_core::feeds`); this module only
//! maps paths to feeds and answers. Anything that names no feed is a plain
//! 404, whatever it looks like (a wrong or reset token, `..`, a huge path):
//! the file system is never read, and a token never reaches a log line. A
//! small global cap on feeds written at once answers 503 past it, so a
//! flood of requests cannot queue unbounded work on the database.

mod listen;

pub use listen::{feed_config, start, KEY_VAR};

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use emcee_core::app::App;
use emcee_core::feeds::FeedToken;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Feeds written at once; more wait for none and get 503.
const AT_ONCE: usize = 32;

#[derive(Clone)]
struct Web {
    app: App,
    permits: Arc<Semaphore>,
}

/// The feed routes over `app`, to serve on any listener.
pub fn router(app: App) -> Router {
    let web = Web {
        app,
        permits: Arc::new(Semaphore::new(AT_ONCE)),
    };
    Router::new()
        .route("/cal/conference.ics", get(conference))
        .route("/cal/track/{file}", get(track))
        .route("/cal/{file}", get(personal))
        .with_state(web)
}

async fn conference(State(web): State<Web>) -> Response {
    let Ok(_permit) = web.permits.try_acquire() else {
        return busy();
    };
    let programme = web.app.programme();
    match web.app.feeds.conference_calendar(&programme.agenda).await {
        Ok(ics) => calendar(ics, PUBLIC),
        Err(error) => unavailable(&error),
    }
}

async fn track(State(web): State<Web>, Path(file): Path<String>) -> Response {
    let Some(slug) = file.strip_suffix(".ics") else {
        return not_found();
    };
    let Ok(_permit) = web.permits.try_acquire() else {
        return busy();
    };
    let programme = web.app.programme();
    match web.app.feeds.track_calendar(&programme.agenda, slug).await {
        Ok(Some(ics)) => calendar(ics, PUBLIC),
        Ok(None) => not_found(),
        Err(error) => unavailable(&error),
    }
}

async fn personal(State(web): State<Web>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics").and_then(FeedToken::parse) else {
        return not_found();
    };
    let Ok(_permit) = web.permits.try_acquire() else {
        return busy();
    };
    let programme = web.app.programme();
    match web
        .app
        .feeds
        .personal_calendar(&programme.agenda, &token)
        .await
    {
        Ok(Some(ics)) => calendar(ics, PRIVATE),
        Ok(None) => not_found(),
        Err(error) => unavailable(&error),
    }
}

/// A feed the database could not serve now; the calendar app tries again.
fn unavailable(error: &emcee_core::feeds::FeedError) -> Response {
    tracing::error!(%error, "could not serve a calendar feed");
    (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
}

/// How long caches may keep a feed; a personal one only the subscriber's.
const PUBLIC: &str = "public, max-age=300";
const PRIVATE: &str = "private, max-age=300";

/// `ics` as a calendar, cached as `cache` says.
fn calendar(ics: String, cache: &'static str) -> Response {
    let mut response = ics.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such calendar\n").into_response()
}

fn busy() -> Response {
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, "busy; try again\n").into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

//! Operational metrics and health, for organisers watching the bot on the day.
//!
//! Counters and histograms go through the `metrics` facade (cheap when nobody
//! scrapes) into a Prometheus recorder; an optional HTTP listener serves
//! `/metrics` in the Prometheus text format and `/healthz` as JSON: whether the
//! gateway is connected, whether the database is writable, how old the agenda is,
//! and which background tasks are down (dead, or waiting to restart).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use emcee_core::health::{StorageHealth, Tasks};
use emcee_core::store::Store;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// Metric names, in one place so dashboards and code agree.
pub use emcee_core::telemetry as names;

static INSTALLED: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the Prometheus recorder once per process and returns its handle.
/// Concurrent first calls wait for the one that installs (tests run in
/// parallel threads), so none of them finds the recorder half-installed.
///
/// # Errors
/// A message when another recorder was installed first.
pub fn install() -> Result<PrometheusHandle, String> {
    INSTALLED.get_or_init(install_recorder).clone()
}

fn install_recorder() -> Result<PrometheusHandle, String> {
    let buckets = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    let recorder = PrometheusBuilder::new()
        .set_buckets(&buckets)
        .map_err(|e| e.to_string())?
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).map_err(|e| e.to_string())?;
    describe();
    register_at_zero();
    Ok(handle)
}

fn describe() {
    use names::*;
    metrics::describe_counter!(COMMANDS, "Commands handled, by command and outcome");
    metrics::describe_histogram!(
        COMMAND_SECONDS,
        metrics::Unit::Seconds,
        "Time to answer a command"
    );
    metrics::describe_counter!(GATEWAY_CONNECTS, "Gateway sessions started or resumed");
    metrics::describe_counter!(
        REST_REQUESTS,
        "REST requests the bot sent on its own, by route and status"
    );
    metrics::describe_counter!(RATE_LIMITED, "429 answers received");
    metrics::describe_counter!(
        ANNOUNCEMENTS,
        "Announcements, by outcome (posted, skipped, late)"
    );
    metrics::describe_histogram!(
        ANNOUNCEMENT_LATENESS,
        metrics::Unit::Seconds,
        "Scheduled instant to posted"
    );
    metrics::describe_gauge!(OPEN_POLLS, "Polls open now");
    metrics::describe_counter!(VOTES, "Vote changes stored");
    metrics::describe_counter!(REMINDERS, "Personal reminders sent");
    metrics::describe_counter!(STORE_WRITE_FAILURES, "Database writes that failed");
    metrics::describe_counter!(
        emcee_core::health::TASK_DEATHS,
        "Background tasks that panicked or stopped, by task"
    );
}

/// The log target of the few lines an organiser should see at the default
/// level (which is warnings): "connected as …". `RUST_LOG` can still hide it.
pub const STATUS: &str = "emcee::status";

/// Every series whose labels are known up front, at zero: a scraper sees
/// `emcee_announcements_total{outcome="failed"} 0` from the start, as
/// Prometheus expects, instead of an empty page until the first event (and a
/// `rate()` over a series that appears only when it first moves).
fn register_at_zero() {
    use names::*;
    for name in [RATE_LIMITED, VOTES, REMINDERS, STORE_WRITE_FAILURES] {
        metrics::counter!(name).increment(0);
    }
    for outcome in ["posted", "late", "skipped", "failed"] {
        metrics::counter!(ANNOUNCEMENTS, "outcome" => outcome).increment(0);
    }
    for kind in ["identify", "resume"] {
        metrics::counter!(GATEWAY_CONNECTS, "kind" => kind).increment(0);
    }
    metrics::gauge!(OPEN_POLLS).increment(0.0);
}

/// What `/healthz` reports.
#[derive(Default)]
pub struct Health {
    /// False for the console, which has no gateway to report on.
    expects_gateway: bool,
    gateway_connected: AtomicBool,
    agenda_loaded: Mutex<Option<Instant>>,
    store: Mutex<Option<Arc<dyn StorageHealth>>>,
    tasks: Mutex<Option<Arc<Tasks>>>,
}

impl Health {
    /// Health for a chat bot using `store`.
    pub fn new(store: Option<Arc<dyn StorageHealth>>) -> Arc<Self> {
        Arc::new(Self {
            expects_gateway: true,
            store: Mutex::new(store),
            agenda_loaded: Mutex::new(Some(Instant::now())),
            ..Self::default()
        })
    }

    /// Health for the console, which has no gateway.
    pub fn for_console(store: Option<Store>) -> Arc<Self> {
        Arc::new(Self {
            store: Mutex::new(store.map(|s| Arc::new(s) as Arc<dyn StorageHealth>)),
            agenda_loaded: Mutex::new(Some(Instant::now())),
            ..Self::default()
        })
    }

    /// Reports the supervised tasks of `tasks` too: any down is unhealthy.
    pub fn watch_tasks(&self, tasks: Arc<Tasks>) {
        *self.tasks.lock().unwrap_or_else(PoisonError::into_inner) = Some(tasks);
    }

    /// Records whether the gateway session is up.
    pub fn set_gateway_connected(&self, connected: bool) {
        self.gateway_connected.store(connected, Ordering::Relaxed);
    }

    /// Records that a (new) agenda was loaded now.
    pub fn agenda_loaded(&self) {
        *self
            .agenda_loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    }

    async fn report(&self) -> HealthReport {
        let store = self
            .store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        // A probe (lock, room under the size cap) and the last minute's writes:
        // a full disk only shows when something tries to write.
        let store_error = match &store {
            Some(store) => store.check_writable().await.err().map(|e| e.to_string()),
            None => None,
        };
        let agenda_age = self
            .agenda_loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map(|at| at.elapsed());
        let tasks_down = self
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|tasks| tasks.down())
            .unwrap_or_default();
        HealthReport {
            tasks_down,
            gateway_connected: self
                .expects_gateway
                .then(|| self.gateway_connected.load(Ordering::Relaxed)),
            store_writable: store_error.is_none(),
            store_error,
            agenda_age_seconds: agenda_age.map(|age| age.as_secs()),
        }
    }
}

/// The `/healthz` body.
#[derive(Debug, serde::Serialize)]
struct HealthReport {
    /// `None` where there is no gateway (the console).
    gateway_connected: Option<bool>,
    store_writable: bool,
    /// Why the store is not writable (e.g. "database or disk is full").
    #[serde(skip_serializing_if = "Option::is_none")]
    store_error: Option<String>,
    agenda_age_seconds: Option<u64>,
    /// Background tasks not running now (dead, or waiting to restart).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tasks_down: Vec<String>,
}

#[derive(Clone)]
struct Served {
    handle: PrometheusHandle,
    health: Arc<Health>,
}

/// Serves `/metrics` and `/healthz` on `listen` until `shutdown` completes.
/// Other routes (the calendar feeds) may be served beside them: `extra`.
///
/// # Errors
/// When the address cannot be bound.
pub async fn serve(
    listen: SocketAddr,
    handle: PrometheusHandle,
    health: Arc<Health>,
    extra: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<SocketAddr> {
    let app = Router::new()
        .route("/metrics", get(metrics_text))
        .route("/healthz", get(healthz))
        .with_state(Served { handle, health })
        .merge(extra);
    let bound = serve_router(listen, app, shutdown).await?;
    tracing::info!(%bound, "serving /metrics and /healthz");
    Ok(bound)
}

/// Serves `app` on `listen` until `shutdown` completes; the address bound.
///
/// # Errors
/// When the address cannot be bound.
pub async fn serve_router(
    listen: SocketAddr,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(%error, "an HTTP listener stopped");
        }
    });
    Ok(bound)
}

async fn metrics_text(State(served): State<Served>) -> impl IntoResponse {
    served.handle.run_upkeep();
    (
        [("content-type", "text/plain; version=0.0.4")],
        served.handle.render(),
    )
}

async fn healthz(State(served): State<Served>) -> impl IntoResponse {
    let report = served.health.report().await;
    let healthy = report.gateway_connected.unwrap_or(true)
        && report.store_writable
        && report.tasks_down.is_empty();
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report))
}

/// Path segments after which Discord URLs carry an interaction token (valid
/// for 15 minutes, enough to answer as the bot): `/webhooks/{app}/{token}`
/// and `/interactions/{id}/{token}/callback`.
const TOKEN_ROUTES: [&str; 2] = ["/webhooks/", "/interactions/"];

/// `text` with every interaction token in a URL replaced by `[redacted]`.
/// reqwest's errors name the URL they failed on (and serenity's wrap them),
/// so a follow-up that fails at the transport level would print its token.
pub fn redact_tokens(text: &str) -> std::borrow::Cow<'_, str> {
    if !TOKEN_ROUTES.iter().any(|route| text.contains(route)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let token_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, route)) = TOKEN_ROUTES
        .iter()
        .filter_map(|route| rest.find(route).map(|at| (at, *route)))
        .min()
    {
        let after = at + route.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        // The id segment, then the token.
        let id_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if id_len == 0 || !rest[id_len..].starts_with('/') {
            continue;
        }
        out.push_str(&rest[..=id_len]);
        rest = &rest[id_len + 1..];
        let token_len = rest.find(|c: char| !token_char(c)).unwrap_or(rest.len());
        if token_len > 0 {
            out.push_str("[redacted]");
            rest = &rest[token_len..];
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Where logs go: stderr, with interaction tokens redacted from every line
/// (ours, poise's and serenity's alike; see [`redact_tokens`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactingStderr;

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingStderr {
    type Writer = Redacting<std::io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        Redacting(std::io::stderr())
    }
}

/// A writer that redacts interaction tokens from what passes through it.
/// The formatter writes each event in one call, so a token is never split.
#[derive(Debug)]
pub struct Redacting<W>(pub W);

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact_tokens(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Whether to colour logs: only on a terminal, and never when `NO_COLOR` is
/// set to anything (<https://no-color.org>). A log file, a pipe to a log
/// collector or a test's captured stderr gets plain text, not escape codes.
pub fn log_colour() -> bool {
    use std::io::IsTerminal;
    colour_for(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// [`log_colour`] with the terminal test and the variable given, for tests.
fn colour_for(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(std::ffi::OsStr::is_empty)
}

/// Times a command and counts it by name and outcome.
pub fn command_finished(command: &str, outcome: &'static str, took: Duration) {
    metrics::counter!(names::COMMANDS, "command" => command.to_owned(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!(names::COMMAND_SECONDS, "command" => command.to_owned())
        .record(took.as_secs_f64());
}

/// Starts `/metrics` and `/healthz` on `listen` for the rest of the process.
///
/// # Errors
/// A message when the recorder cannot be installed or the address bound.
pub async fn start(listen: SocketAddr, health: Arc<Health>) -> Result<SocketAddr, String> {
    start_with(listen, health, Router::new()).await
}

/// [`start`], with the routes of `extra` (the calendar feeds) beside them.
///
/// # Errors
/// A message when the recorder cannot be installed or the address bound.
pub async fn start_with(
    listen: SocketAddr,
    health: Arc<Health>,
    extra: Router,
) -> Result<SocketAddr, String> {
    let handle = install()?;
    serve(listen, handle, health, extra, std::future::pending())
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn logs_are_coloured_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(super::colour_for(true, None));
        assert!(super::colour_for(true, Some(OsStr::new(""))));
        assert!(!super::colour_for(true, Some(OsStr::new("1"))));
        assert!(!super::colour_for(false, None));
    }

    use super::*;

    #[tokio::test]
    async fn a_transport_error_on_a_followup_never_logs_its_token() {
        // A real reqwest failure (nothing listens on port 1) names its URL.
        let url = "http://127.0.0.1:1/api/v10/webhooks/1100000000000000001/aW50ZXJhY3Rpb246c2VjcmV0/messages/@original?wait=true";
        let error = reqwest::Client::new().get(url).send().await.unwrap_err();
        let text = format!("{error:?} {error}");
        assert!(
            text.contains("aW50ZXJhY3Rpb246c2VjcmV0"),
            "the raw error has it: {text}"
        );
        let mut logged = Vec::new();
        std::io::Write::write_all(&mut Redacting(&mut logged), text.as_bytes()).unwrap();
        let logged = String::from_utf8(logged).unwrap();
        assert!(!logged.contains("aW50ZXJhY3Rpb246c2VjcmV0"), "{logged}");
        assert!(
            logged.contains("/webhooks/1100000000000000001/[redacted]/messages"),
            "{logged}"
        );
        let callback = redact_tokens("POST /interactions/42/tok.en-_x/callback failed");
        assert_eq!(callback, "POST /interactions/42/[redacted]/callback failed");
        assert_eq!(redact_tokens("GET /webhooks/x"), "GET /webhooks/x");
        assert_eq!(redact_tokens("no urls"), "no urls");
    }

    #[test]
    fn every_series_with_known_labels_is_there_at_zero_before_any_event() {
        let page = install().unwrap().render();
        for series in [
            r#"emcee_announcements_total{outcome="failed"}"#,
            r#"emcee_gateway_connects_total{kind="resume"}"#,
            "emcee_votes_recorded_total",
            "emcee_store_write_failures_total",
            "emcee_open_polls",
        ] {
            assert!(
                page.lines().any(|line| line.starts_with(series)),
                "{series} missing from:\n{page}"
            );
        }
    }

    #[tokio::test]
    async fn metrics_and_health_are_served_over_http() {
        let handle = install().unwrap();
        let store = Store::in_memory().unwrap();
        let health = Health::new(Some(Arc::new(store)));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let addr = serve(
            "127.0.0.1:0".parse().unwrap(),
            handle,
            Arc::clone(&health),
            Router::new(),
            shutdown,
        )
        .await
        .unwrap();
        command_finished("next", "ok", Duration::from_micros(300));
        metrics::counter!(names::RATE_LIMITED).increment(2);

        let client = reqwest::Client::new();
        let text = client
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains(r#"emcee_commands_total{command="next",outcome="ok"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("emcee_command_duration_seconds_bucket"),
            "{text}"
        );
        assert!(text.contains("emcee_rate_limited_total 2"), "{text}");

        let down = client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(down.status(), 503, "the gateway is not connected yet");
        health.set_gateway_connected(true);
        let up = client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(up.status(), 200);
        let body: serde_json::Value = up.json().await.unwrap();
        assert_eq!(body["store_writable"], true);
        assert!(body["agenda_age_seconds"].as_u64().is_some());
        let _ = stop.send(());
    }
}

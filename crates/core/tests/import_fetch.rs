//! URL sources against a scripted HTTP server on 127.0.0.1: revalidation (ETag,
//! Last-Modified, 304), failures (500, timeout, oversized bodies), gzip, the last
//! good copy on disk, and the diff a refresh yields.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emcee_core::import::fetch::{
    self, FetchError, FetchOptions, Fetched, SourceLocation, Validators,
};
use emcee_core::import::source::{AgendaSource, Origin, Refresh, SourceError, SourceOptions};
use emcee_core::import::ImportOptions;
use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One scripted answer.
#[derive(Clone, Default)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// Send no Content-Length: the body ends when the connection closes.
    no_length: bool,
    delay: Duration,
}

fn ok(body: &[u8], etag: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![("ETag", format!("\"{etag}\""))],
        body: body.to_vec(),
        ..Reply::default()
    }
}

fn status(code: u16) -> Reply {
    Reply {
        status: code,
        ..Reply::default()
    }
}

/// A server that answers each connection with the next scripted reply and records
/// the request heads it received. It stops when the test's runtime ends.
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

async fn serve(script: Vec<Reply>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/schedule.ics", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let recorded = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let Some(reply) = script.lock().unwrap().pop_front() else {
                break;
            };
            let recorded = recorded.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65_536 {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                recorded
                    .lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).to_lowercase());
                tokio::time::sleep(reply.delay).await;
                let mut response = format!(
                    "HTTP/1.1 {} Scripted\r\nConnection: close\r\n",
                    reply.status
                );
                if !reply.no_length {
                    response.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
                }
                for (name, value) in &reply.headers {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.write_all(&reply.body).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Server { url, requests }
}

/// A one-event calendar; `hour` moves the event.
fn calendar(hour: u32, title: &str) -> Vec<u8> {
    format!(
        "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Brussels\r\nBEGIN:VEVENT\r\nUID:talk-1\r\nSUMMARY:{title}\r\n\
         DTSTART:20250201T{hour:02}0000Z\r\nDTEND:20250201T{hour:02}3000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    .into_bytes()
}

fn source(url: &str, cache_file: Option<std::path::PathBuf>, fetch: FetchOptions) -> AgendaSource {
    let options = SourceOptions {
        import: ImportOptions::new(chrono_tz::Europe::Brussels),
        fetch,
        cache_file,
    };
    AgendaSource::new(
        SourceLocation::parse(url),
        options,
        fetch::client().unwrap(),
    )
}

fn quick() -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_millis(500),
        max_bytes: 4096,
        ..FetchOptions::default()
    }
}

/// A cache file in a fresh temporary directory, removed when the guard drops.
struct TempCache(std::path::PathBuf);

impl TempCache {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("emcee-import-fetch-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }

    fn file(&self) -> std::path::PathBuf {
        self.0.join("agenda.cache")
    }
}

impl Drop for TempCache {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn etag_then_304_then_a_moved_session() {
    let server = serve(vec![
        ok(&calendar(9, "Opening"), "v1"),
        status(304),
        ok(&calendar(10, "Opening!"), "v2"),
    ])
    .await;
    let source = source(&server.url, None, quick());
    let loaded = source.load().await.unwrap();
    assert_eq!(loaded.origin, Origin::Source);
    assert_eq!(loaded.agenda.sessions().len(), 1);
    assert!(matches!(
        source.refresh(&loaded.agenda).await.unwrap(),
        Refresh::Unchanged
    ));
    let Refresh::Updated(update) = source.refresh(&loaded.agenda).await.unwrap() else {
        panic!("expected an update")
    };
    assert_eq!(update.diff.moved.len(), 1);
    assert_eq!(update.diff.renamed.len(), 1);
    assert_eq!(update.agenda.sessions()[0].title, "Opening!");
    let requests = server.requests.lock().unwrap();
    assert!(!requests[0].contains("if-none-match"));
    assert!(
        requests[1].contains("if-none-match: \"v1\""),
        "{}",
        requests[1]
    );
    assert!(requests[2].contains("if-none-match: \"v1\""));
}

#[tokio::test]
async fn last_modified_is_sent_back_as_if_modified_since() {
    let date = "Sat, 01 Feb 2025 08:00:00 GMT".to_owned();
    let first = Reply {
        headers: vec![("Last-Modified", date.clone())],
        ..ok(&calendar(9, "A"), "x")
    };
    let server = serve(vec![first, status(304)]).await;
    let source = source(&server.url, None, quick());
    let loaded = source.load().await.unwrap();
    assert!(matches!(
        source.refresh(&loaded.agenda).await.unwrap(),
        Refresh::Unchanged
    ));
    let requests = server.requests.lock().unwrap();
    assert!(
        requests[1].contains(&format!("if-modified-since: {}", date.to_lowercase())),
        "{}",
        requests[1]
    );
}

#[tokio::test]
async fn a_500_keeps_the_agenda_and_a_restart_uses_the_last_good_copy() {
    let guard = TempCache::new("500");
    let cache = guard.file();
    let server = serve(vec![
        ok(&calendar(9, "Opening"), "v1"),
        status(500),
        status(500),
    ])
    .await;
    let first = source(&server.url, Some(cache.clone()), quick());
    let loaded = first.load().await.unwrap();
    let error = first.refresh(&loaded.agenda).await.unwrap_err();
    assert!(
        matches!(
            error,
            SourceError::Fetch(FetchError::Status { status: 500, .. })
        ),
        "{error}"
    );
    let restarted = source(&server.url, Some(cache.clone()), quick());
    let from_cache = restarted.load().await.unwrap();
    assert!(
        matches!(&from_cache.origin, Origin::Cache { reason } if reason.contains("500")),
        "{:?}",
        from_cache.origin
    );
    assert_eq!(from_cache.agenda.sessions(), loaded.agenda.sessions());
    // The restarted source revalidated with the cached ETag.
    assert!(server.requests.lock().unwrap()[2].contains("if-none-match: \"v1\""));
}

#[tokio::test]
async fn a_304_at_startup_serves_the_cached_copy() {
    let guard = TempCache::new("304");
    let cache = guard.file();
    let server = serve(vec![ok(&calendar(9, "Opening"), "v1"), status(304)]).await;
    source(&server.url, Some(cache.clone()), quick())
        .load()
        .await
        .unwrap();
    let loaded = source(&server.url, Some(cache), quick())
        .load()
        .await
        .unwrap();
    assert_eq!(loaded.origin, Origin::Source);
    assert_eq!(loaded.agenda.sessions()[0].title, "Opening");
}

#[tokio::test]
async fn a_timeout_is_an_error_and_falls_back_to_the_cache() {
    let guard = TempCache::new("timeout");
    let cache = guard.file();
    let slow = Reply {
        delay: Duration::from_secs(3),
        ..ok(&calendar(9, "Late"), "v2")
    };
    let server = serve(vec![ok(&calendar(9, "Opening"), "v1"), slow.clone(), slow]).await;
    let first = source(&server.url, Some(cache.clone()), quick());
    let loaded = first.load().await.unwrap();
    let error = first.refresh(&loaded.agenda).await.unwrap_err();
    assert!(error.to_string().contains("timed out"), "{error}");
    let restarted = source(&server.url, Some(cache), quick())
        .load()
        .await
        .unwrap();
    assert!(matches!(restarted.origin, Origin::Cache { .. }));
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_or_without_a_length() {
    let big = vec![b'x'; 10_000];
    let streamed = Reply {
        no_length: true,
        ..ok(&big, "big")
    };
    let server = serve(vec![ok(&big, "big"), streamed]).await;
    let client = fetch::client().unwrap();
    let location = SourceLocation::parse(&server.url);
    for _ in 0..2 {
        let error = fetch::fetch(&client, &location, &Validators::default(), &quick())
            .await
            .unwrap_err();
        assert!(
            matches!(error, FetchError::TooLarge { limit: 4096, .. }),
            "{error}"
        );
    }
}

#[tokio::test]
async fn gzip_bodies_are_decoded() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&calendar(9, "Compressed")).unwrap();
    let gzipped = Reply {
        headers: vec![("Content-Encoding", "gzip".into())],
        ..ok(&encoder.finish().unwrap(), "gz")
    };
    let server = serve(vec![gzipped]).await;
    let loaded = source(&server.url, None, quick()).load().await.unwrap();
    assert_eq!(loaded.agenda.sessions()[0].title, "Compressed");
    assert!(server.requests.lock().unwrap()[0].contains("accept-encoding: gzip"));
}

#[tokio::test]
async fn a_broken_refresh_keeps_the_good_copy() {
    let guard = TempCache::new("broken");
    let cache = guard.file();
    let server = serve(vec![
        ok(&calendar(9, "Opening"), "v1"),
        ok(b"<html>oops</html>", "v2"),
        status(503),
    ])
    .await;
    let first = source(&server.url, Some(cache.clone()), quick());
    let loaded = first.load().await.unwrap();
    let error = first.refresh(&loaded.agenda).await.unwrap_err();
    assert!(matches!(error, SourceError::Import { .. }), "{error}");
    let restarted = source(&server.url, Some(cache), quick())
        .load()
        .await
        .unwrap();
    assert_eq!(restarted.agenda.sessions()[0].title, "Opening");
}

#[tokio::test]
async fn a_source_that_is_down_with_no_copy_is_an_error() {
    let server = serve(vec![status(500)]).await;
    let error = source(&server.url, None, quick()).load().await.unwrap_err();
    assert!(error.to_string().contains("500"), "{error}");
}

#[tokio::test]
async fn files_are_sources_too() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/schedules/ical/lca-2020.ics"
    );
    let file = source(path, None, FetchOptions::default());
    let loaded = file.load().await.unwrap();
    assert_eq!(loaded.agenda.sessions().len(), 262);
    assert!(matches!(
        file.refresh(&loaded.agenda).await.unwrap(),
        Refresh::Unchanged
    ));
    let small = FetchOptions {
        max_bytes: 1000,
        ..FetchOptions::default()
    };
    let fetched = fetch::fetch(
        &fetch::client().unwrap(),
        &SourceLocation::parse(path),
        &Validators::default(),
        &small,
    )
    .await;
    assert!(matches!(fetched, Err(FetchError::TooLarge { .. })));
    assert!(!matches!(fetched, Ok(Fetched::NotModified)));
}

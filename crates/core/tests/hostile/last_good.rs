//! A source whose publisher turns hostile: the refresh is refused and the agenda
//! kept, and a restart starts from the last good copy, saying why.

use super::corpus;
use emcee_core::import::fetch::{self, FetchOptions, SourceLocation};
use emcee_core::import::source::{AgendaSource, Origin, SourceError, SourceOptions};
use emcee_core::import::{ImportError, ImportOptions};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server on 127.0.0.1 answering 200 with whatever `body` holds at the time.
async fn publisher(body: Arc<Mutex<Vec<u8>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/schedule", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer).await;
            let body = body.lock().unwrap().clone();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
    });
    url
}

fn source(url: &str, cache: &std::path::Path) -> AgendaSource {
    let options = SourceOptions {
        import: ImportOptions::new(chrono_tz::UTC),
        fetch: FetchOptions::default(),
        cache_file: Some(cache.to_owned()),
    };
    AgendaSource::new(
        SourceLocation::parse(url),
        options,
        fetch::client().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_versions_are_refused_and_the_last_good_copy_serves() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("agenda.last-good");
    let good = corpus::many_events(3);
    let body = Arc::new(Mutex::new(good));
    let url = publisher(Arc::clone(&body)).await;

    let running = source(&url, &cache);
    let loaded = running.load().await.unwrap();
    assert_eq!(loaded.origin, Origin::Source);
    assert_eq!(loaded.agenda.sessions().len(), 3);

    let hostile = [
        corpus::deep_xml(1_500),
        corpus::dtd_entities(10_000, 1_000),
        corpus::tiny_json_values(8 * 1024 * 1024),
        corpus::deep_json(10_000),
    ];
    for bytes in hostile {
        *body.lock().unwrap() = bytes;
        let error = running.refresh(&loaded.agenda).await.unwrap_err();
        assert!(
            matches!(
                error,
                SourceError::Import {
                    source: ImportError::Refused { .. } | ImportError::Malformed { .. },
                    ..
                }
            ),
            "{error}"
        );

        // A restart now: the publisher still serves the hostile version.
        let restarted = source(&url, &cache).load().await.unwrap();
        assert_eq!(restarted.agenda.sessions().len(), 3);
        match restarted.origin {
            Origin::Cache { reason } => {
                assert!(
                    reason.contains("refused") || reason.contains("DTD"),
                    "{reason}"
                );
            }
            Origin::Source => panic!("the hostile version was taken"),
        }
    }
}

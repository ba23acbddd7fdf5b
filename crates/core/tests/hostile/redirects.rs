//! Redirects between loopback servers (127.0.0.0/8 only): the configured URL's
//! own address may be private, a redirect to a different private address may not,
//! unless `[agenda] allow_private`; chains are bounded.

use emcee_core::import::fetch::{
    self, FetchError, FetchOptions, Fetched, SourceLocation, Validators,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server on `ip` answering every request with `head` (status line and
/// headers) and `body`; counts the requests it got. `{self}` in the head is
/// replaced by the server's own base URL.
async fn serve(ip: &str, head: &'static str, body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    let head = head.replace("{self}", &base);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer).await;
            counted.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    (base, hits)
}

/// A server redirecting every request to `target`.
async fn redirect_to(ip: &str, target: &str) -> String {
    let head: &'static str =
        Box::leak(format!("HTTP/1.1 302 Found\r\nLocation: {target}").into_boxed_str());
    serve(ip, head, "").await.0
}

async fn get(url: &str, allow_private: bool) -> Result<Fetched, FetchError> {
    let options = FetchOptions {
        allow_private,
        ..FetchOptions::default()
    };
    let location = SourceLocation::parse(url);
    let client = fetch::client_for(&location, allow_private).unwrap();
    fetch::fetch(&client, &location, &Validators::default(), &options).await
}

#[tokio::test]
async fn a_redirect_to_another_private_address_is_refused() {
    let (target, hits) = serve("127.0.0.2", "HTTP/1.1 200 OK", "secret").await;
    let start = redirect_to("127.0.0.1", &format!("{target}/latest/meta-data")).await;
    let error = get(&format!("{start}/schedule.ics"), false)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, FetchError::Refused { .. }), "{text}");
    assert!(
        text.contains("127.0.0.2") && text.contains("allow_private"),
        "{text}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the private target was never asked"
    );
}

#[tokio::test]
async fn allow_private_follows_it() {
    let (target, hits) = serve("127.0.0.2", "HTTP/1.1 200 OK", "BEGIN:VCALENDAR").await;
    let start = redirect_to("127.0.0.1", &format!("{target}/cal.ics")).await;
    match get(&format!("{start}/schedule.ics"), true).await.unwrap() {
        Fetched::Body { bytes, .. } => assert_eq!(bytes, b"BEGIN:VCALENDAR"),
        Fetched::NotModified => panic!("304"),
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_configured_address_itself_may_be_private() {
    let (target, _) = serve("127.0.0.1", "HTTP/1.1 200 OK", "ok").await;
    let start = redirect_to("127.0.0.1", &format!("{target}/moved.ics")).await;
    assert!(matches!(
        get(&format!("{start}/schedule.ics"), false).await,
        Ok(Fetched::Body { .. })
    ));
}

#[tokio::test]
async fn the_configured_host_may_be_a_name_for_a_private_address() {
    // The guarded resolver refuses private answers for every other name.
    let (base, hits) = serve("127.0.0.1", "HTTP/1.1 200 OK", "ok").await;
    let by_name = base.replace("127.0.0.1", "localhost");
    assert!(matches!(
        get(&format!("{by_name}/schedule.ics"), false).await,
        Ok(Fetched::Body { .. })
    ));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn redirect_chains_are_bounded() {
    let (start, hits) = serve(
        "127.0.0.1",
        "HTTP/1.1 302 Found\r\nLocation: {self}/again",
        "",
    )
    .await;
    let error = get(&format!("{start}/schedule.ics"), false)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("more than 5 redirects"),
        "{error}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn other_schemes_in_a_redirect_are_refused() {
    let start = redirect_to("127.0.0.1", "file:///etc/passwd").await;
    let error = get(&format!("{start}/schedule.ics"), true)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("file: URL"), "{error}");
}

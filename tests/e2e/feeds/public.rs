//! The feeds anyone may subscribe to, and what strangers get.

use super::{feed_config, fetch, listen, sessions_in};
use crate::harness::{BotOptions, TestBot};
use std::collections::BTreeSet;
use std::net::SocketAddr;

#[tokio::test]
async fn the_conference_and_track_feeds_are_for_everyone_and_an_unknown_track_is_404() {
    let dir = tempfile::tempdir().unwrap();
    let config = feed_config(dir.path());
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let options = BotOptions {
        config: config.clone(),
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, "2021-10-07T08:30:00-07:00", options).await;
    let addr = listen(&config, &bot.data).await;
    let agenda = bot.data.programme().agenda.clone();

    let (status, ics) = fetch(&format!("http://{addr}/cal/conference.ics")).await;
    assert_eq!(status, 200);
    let all = sessions_in(&ics);
    assert_eq!(all.len(), agenda.sessions().len(), "{ics}");
    assert!(
        ics.contains(&format!("X-WR-CALNAME:{}", agenda.name())),
        "{ics}"
    );

    let (status, ics) = fetch(&format!("http://{addr}/cal/track/observability.ics")).await;
    assert_eq!(status, 200);
    let ids = |sessions: Vec<emcee_core::agenda::Session>| -> BTreeSet<String> {
        let id = |s: &emcee_core::agenda::Session| s.id.as_str().replace("@emcee", "");
        sessions.iter().map(id).collect()
    };
    let expected: BTreeSet<String> = agenda
        .track_sessions("Observability")
        .iter()
        .map(|s| s.id.as_str().to_owned())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(sessions_in(&ics)), expected, "{ics}");
    let slug = emcee_core::feeds::track_slug("Distributed Databases and Storage");
    let (status, _) = fetch(&format!("http://{addr}/cal/track/{slug}.ics")).await;
    assert_eq!(status, 200, "{slug}");
    for missing in ["/cal/track/no-such-track.ics", "/cal/track/observability"] {
        let (status, _) = fetch(&format!("http://{addr}{missing}")).await;
        assert_eq!(status, 404, "{missing}");
    }
    bot.stop().await;
}

/// Bad and absent tokens, traversal, a huge path and HEAD, against a live
/// listener whose working feed is `working`.
pub async fn strangers_get_404s_and_head_works(addr: SocketAddr, working: &str) {
    let client = reqwest::Client::new();
    let base = format!("http://{addr}");
    for path in [
        "/cal/".to_owned(),
        "/cal/.ics".to_owned(),
        format!("/cal/{}.ics", "0".repeat(40)),
        format!("/cal/{}.ics", "A".repeat(40)),
        "/cal/../../etc/passwd".to_owned(),
        "/cal/%2e%2e%2f%2e%2e%2fetc%2fpasswd.ics".to_owned(),
        "/cal/track/..%2f..%2fCargo.toml".to_owned(),
        "/cal/conference.ics/extra".to_owned(),
        format!("/cal/{}.ics", "f".repeat(60_000)),
    ] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        let status = response.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{status} for {}",
            &path[..path.len().min(80)]
        );
    }
    let huge = raw_status(addr, &format!("/cal/{}.ics", "f".repeat(1_000_000))).await;
    assert!(
        huge.as_ref().is_none_or(|line| line.contains(" 4")),
        "a megabyte of path: {huge:?}"
    );
    let head = client.head(working).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert!(head.text().await.unwrap().is_empty(), "HEAD has no body");
    let (status, _) = fetch(working).await;
    assert_eq!(status, 200, "the listener still serves after all that");
}

/// The status line the listener answers a raw GET of `path` with (longer
/// than any URL a client library would send); `None` if it closed instead.
async fn raw_status(addr: SocketAddr, path: &str) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: feeds\r\nConnection: close\r\n\r\n");
    // The listener may stop reading (and close) before the whole request is in.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer
        .lines()
        .next()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
}

#[tokio::test]
async fn without_web_listen_the_feeds_are_served_beside_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let config = feed_config(dir.path());
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .replace("listen = \"127.0.0.1:0\"\n", "")
        .replace("[metrics]\n", "[metrics]\nlisten = \"127.0.0.1:0\"\n");
    std::fs::write(&config, text).unwrap();
    let settings = emcee_core::config::Config::load(&config).unwrap().settings;
    assert!(settings.web.listen.is_none() && settings.metrics.listen.is_some());
    let bot = TestBot::start_at("2021-10-07T08:30:00-07:00").await;
    let addr = listen(&config, &bot.data).await;
    assert_eq!(
        fetch(&format!("http://{addr}/cal/conference.ics")).await.0,
        200
    );
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200, "one listener for both");
    bot.stop().await;
}

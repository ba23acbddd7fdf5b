//! A background task of `emcee run` that dies is noticed: logged, shown in
//! `/healthz`, started again; one that keeps dying stops the process with
//! status 1 (so a service manager restarts it). The task is killed through
//! `EMCEE_TEST_PANIC`, a hook that only debug builds read.

use super::{emcee_command, finish, sample_config, terminate, TOKEN};
use crate::harness::PATIENCE;
use fake_discord::FakeDiscord;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The sample config with `/healthz` on a free loopback port.
fn config_with_metrics() -> (tempfile::TempDir, std::net::SocketAddr) {
    let dir = sample_config();
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let path = dir.path().join("emcee.toml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "# listen = \"127.0.0.1:9187\"",
        &format!("listen = \"{addr}\""),
    );
    std::fs::write(&path, text).unwrap();
    (dir, addr)
}

/// Asks `/healthz` until `wanted` holds for its status and body.
async fn health_until(addr: std::net::SocketAddr, wanted: impl Fn(u16, &Value) -> bool) -> Value {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(answer) = client.get(format!("http://{addr}/healthz")).send().await {
            let status = answer.status().as_u16();
            if let Ok(body) = answer.json::<Value>().await {
                if wanted(status, &body) {
                    return body;
                }
            }
        }
        assert!(Instant::now() < deadline, "/healthz never got there");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn down(body: &Value) -> Vec<String> {
    body["tasks_down"]
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_scheduler_that_panics_is_reported_then_restarted_and_still_announces() {
    let fake = FakeDiscord::start().await.unwrap();
    let (config, addr) = config_with_metrics();
    let mut command = emcee_command(&fake, &config, Some(TOKEN));
    command.env("EMCEE_TEST_PANIC", "scheduler:1");
    let child = command.spawn().expect("emcee runs");
    let pid = child.id().expect("running");
    let exited = tokio::spawn(finish(child));

    let dead = health_until(addr, |status, body| {
        status == 503 && down(body) == ["scheduler"]
    })
    .await;
    assert_eq!(dead["store_writable"], true, "{dead}");
    let healthy = health_until(addr, |status, _| status == 200).await;
    assert!(down(&healthy).is_empty(), "{healthy}");
    // The restarted scheduler posts the 16:00 announcements (due at 15:55).
    fake.wait_until("an announcement", PATIENCE, |fake| {
        let channels = fake.ids().text_channels();
        channels
            .iter()
            .flat_map(|(channel, _)| fake.messages(*channel))
            .find(|m| m.nonce.as_deref().is_some_and(|n| n.starts_with("em")))
    })
    .await
    .expect("the restarted scheduler announces");

    let (code, stderr) = terminate(pid, exited).await;
    assert_eq!(code, Some(0), "{stderr}");
    let died = stderr
        .lines()
        .find(|l| l.contains("a background task died; restarting it"))
        .unwrap_or_else(|| panic!("the death is logged: {stderr}"));
    assert!(
        died.contains("scheduler") && died.contains("panicked"),
        "{died}"
    );
}

#[tokio::test]
async fn a_scheduler_that_keeps_dying_stops_the_process_with_status_1() {
    let fake = FakeDiscord::start().await.unwrap();
    let config = sample_config();
    let mut command = emcee_command(&fake, &config, Some(TOKEN));
    command.env("EMCEE_TEST_PANIC", "scheduler:99");
    let (code, stderr) = finish(command.spawn().expect("emcee runs")).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("giving up on it"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("error: the scheduler task died")),
        "one line for the operator: {stderr}"
    );
}

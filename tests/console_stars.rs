//! Rehearsing "my day" in the console: the real binary, the sample agenda,
//! its scheduler running so stars set reminders.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn organisers_rehearse_stars_and_mytalks_in_the_console() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(["console", "--at", "2021-10-07T15:30:00Z", "--announce"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let script = "/mytalks\n/star morling-jfrunit\n/star morling-jfrunit\n\
                  /star Get Lower Latency and Higher Throughput for Java Applications\n\
                  /star oliveira-telemetry\n/star nothing-like-this\n/star\n/mytalks\n\
                  /reminders\n/unstar morling-jfrunit\n/unstar morling-jfrunit\n/reminders\n\
                  /help\n:quit\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(text.contains("You have starred no sessions yet."), "{text}");
    assert!(
        text.contains(
            "⭐ Starred “Continuous Performance Regression Testing with JfrUnit”. \
             I'll DM you 10 min before."
        ),
        "{text}"
    );
    assert!(text.contains("is starred already; see /mytalks."), "{text}");
    assert!(
        text.contains("I found no session matching “nothing-like-this”."),
        "{text}"
    );
    assert!(text.contains("Usage: /star SESSION"), "{text}");
    assert!(text.contains("Your day (3 starred):"), "{text}");
    assert!(text.contains("Thursday 7 October"), "the local day: {text}");
    assert!(
        text.contains("⚠ 09:00–09:25 Continuous Performance Regression Testing with JfrUnit"),
        "times in the conference's zone, the clash flagged: {text}"
    );
    assert!(
        text.contains(
            "overlaps “Get Lower Latency and Higher Throughput for Java Applications”; \
             catch it later on demand: <https://www.p99conf.io/session/get-lower-latency"
        ),
        "the suggestion is the other talk's video: {text}"
    );
    assert!(
        text.contains("• 10:10–10:35 Data Structures for High Resolution"),
        "{text}"
    );
    assert!(text.contains("Your reminders (3):"), "{text}");
    assert!(
        text.contains(
            "Unstarred “Continuous Performance Regression Testing with JfrUnit”, \
             and cancelled the reminder it set."
        ),
        "{text}"
    );
    assert!(text.contains("was not starred."), "{text}");
    assert!(text.contains("Your reminders (2):"), "{text}");
    assert!(
        text.contains("/star session") && text.contains("/mytalks"),
        "/help lists stars: {text}"
    );
}

//! Hostile schedules through the `emcee` binary: agenda text never reaches the
//! terminal with its control characters (`agenda`, `import`, `console`), a file
//! the import refuses exits 2 with the reason (never a signal), and extreme dates
//! leave `import --out` with a file `check` accepts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const HOSTILE_TITLE: &str = "Real\u{1b}]0;pwned\u{7}\u{1b}[2J\u{0}\u{9b}31m talk";

fn calendar(events: &[(&str, &str, &str)]) -> String {
    let mut text =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/Brussels\r\n");
    for (uid, summary, start) in events {
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nDESCRIPTION:Abstract \u{1b}[31mred\r\n\
             DTSTART:{start}\r\nDURATION:PT30M\r\nEND:VEVENT\r\n"
        ));
    }
    text + "END:VCALENDAR\r\n"
}

fn emcee(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emcee"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("EMCEE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run emcee");
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn assert_clean(what: &str, output: &Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n' && *c != '\r')
            .collect();
        assert!(bad.is_empty(), "{what}: {bad:?} in {text}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn agenda_import_and_console_strip_terminal_controls() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "hostile.ics",
        &calendar(&[("ctl", HOSTILE_TITLE, "20250201T100000Z")]),
    );
    let import = emcee(&["import", &file], None);
    assert_eq!(import.status.code(), Some(0), "{import:?}");
    assert_clean("import", &import);

    let at = "2025-02-01T09:55:00Z";
    let agenda = emcee(
        &["agenda", "--agenda", &file, "--at", at, "session", "ctl"],
        None,
    );
    assert_eq!(agenda.status.code(), Some(0), "{agenda:?}");
    assert_clean("agenda", &agenda);
    let text = String::from_utf8_lossy(&agenda.stdout);
    assert!(text.contains("Real]0;pwned[2J31m talk"), "{text}");

    let json = emcee(
        &[
            "agenda", "--agenda", &file, "--at", at, "--format", "json", "next",
        ],
        None,
    );
    assert_eq!(json.status.code(), Some(0), "{json:?}");
    assert_clean("agenda --format json", &json);
    let sessions: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        sessions[0]["title"], HOSTILE_TITLE,
        "JSON keeps the text, escaped"
    );

    let console = emcee(
        &["console", "--agenda", &file, "--at", at],
        Some("/session ctl\n/next\n"),
    );
    assert_eq!(console.status.code(), Some(0), "{console:?}");
    assert_clean("console", &console);
}

#[test]
fn a_refused_schedule_exits_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "<schedule>{}{}</schedule>",
        "<p>".repeat(5_000),
        "</p>".repeat(5_000)
    );
    let file = write(dir.path(), "deep.xml", &deep);
    let output = emcee(&["import", &file], None);
    // Before the depth limit this died of a stack overflow (SIGABRT, no code).
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains("refused") && error.contains("levels deep"),
        "{error}"
    );
}

#[test]
fn import_out_skips_extreme_dates_and_writes_a_file_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "dates.ics",
        &calendar(&[
            ("ok", "Opening", "20250201T090000Z"),
            ("y9999", "Far future", "99991231T230000Z"),
        ]),
    );
    let out = dir.path().join("agenda.toml");
    let output = emcee(&["import", &file, "--out", out.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        report.contains("y9999 \"Far future\": dated outside"),
        "{report}"
    );
    let check = emcee(&["check", "--agenda", out.to_str().unwrap()], None);
    assert_eq!(check.status.code(), Some(0), "{check:?}");

    let url = format!("file://{}", dir.path().join("dates.ics").display());
    let by_url = emcee(&["import", &url], None);
    assert_eq!(by_url.status.code(), Some(0), "{by_url:?}");
}

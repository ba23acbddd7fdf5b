//! Each hostile-input class at full size (up to the 32 MiB fetch cap) against
//! the import budget of issue 12: under 2 s and 256 MB on a debug build, never a
//! signal or a panic.
//!
//! `cargo bench -p emcee-core --profile dev --bench hostile_import` (the budget is
//! on the debug build). The corpus is generated (`tests/hostile/corpus.rs`) and
//! written to a temporary file; each case is imported in a child process (this
//! binary again) that reads the file as a fetch would and reports its own peak
//! resident memory (`VmHWM` in /proc/self/status), so one case's memory never
//! hides in another's. Exits non-zero when any case is over budget or crashes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/hostile/corpus.rs"]
mod corpus;

use emcee_core::import::{from_bytes, ImportOptions};
use std::process::Command;
use std::time::{Duration, Instant};

const TIME_BUDGET: Duration = Duration::from_secs(2);
const MEMORY_BUDGET_MB: u64 = 256;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, path] = args.as_slice() {
        if mode == "child" {
            child(path);
            return;
        }
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let exe = std::env::current_exe().expect("this binary");
    println!(
        "{:<32} {:>9} {:>9} {:>9}  outcome",
        "case", "input MB", "time ms", "peak MB"
    );
    let mut over = 0;
    let fosdem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/schedules/frab_xml/fosdem-2025.schedule.xml"
    ))
    .expect("the FOSDEM fixture");
    let real = corpus::Case {
        name: "FOSDEM 2025 (real, for scale)",
        bytes: fosdem,
    };
    for case in std::iter::once(real).chain(corpus::full_size()) {
        let path = dir.path().join("case");
        std::fs::write(&path, &case.bytes).expect("write the case");
        let size_mb = case.bytes.len() as f64 / 1e6;
        drop(case.bytes);
        let output = Command::new(&exe)
            .arg("child")
            .arg(&path)
            .output()
            .expect("run the child");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut fields = stdout.trim().splitn(3, '\t');
        let millis: u128 = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0);
        let peak_kb: u64 = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0);
        let outcome = match (output.status.success(), fields.next()) {
            (true, Some(outcome)) => outcome.to_owned(),
            _ => format!(
                "CRASHED ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
            ),
        };
        let within = output.status.success()
            && millis < TIME_BUDGET.as_millis()
            && peak_kb / 1024 < MEMORY_BUDGET_MB;
        over += usize::from(!within);
        println!(
            "{:<32} {:>9.1} {:>9} {:>9}  {}{}",
            case.name,
            size_mb,
            millis,
            peak_kb / 1024,
            if within { "" } else { "OVER BUDGET: " },
            outcome
        );
    }
    println!(
        "budget: {} ms and {MEMORY_BUDGET_MB} MB per case; {over} case(s) over",
        TIME_BUDGET.as_millis()
    );
    if over > 0 {
        std::process::exit(1);
    }
}

/// Reads and imports one case; prints `millis \t peak_kb \t outcome`.
fn child(path: &str) {
    let started = Instant::now();
    let bytes = std::fs::read(path).expect("read the case");
    let outcome = match from_bytes(&bytes, &ImportOptions::new(chrono_tz::Europe::Brussels)) {
        Ok(imported) => format!(
            "imported {} of {} events, {} skipped, {} notes",
            imported.report.imported,
            imported.report.events_seen,
            imported.report.skipped.len(),
            imported.report.notes.len()
        ),
        Err(error) => {
            let text = error.to_string();
            let short: String = text.chars().take(90).collect();
            format!("not imported: {short}")
        }
    };
    let millis = started.elapsed().as_millis();
    println!("{millis}\t{}\t{outcome}", peak_kb());
}

/// This process's peak resident set, in KiB (0 where /proc is missing).
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

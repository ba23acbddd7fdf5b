//! How long importing the 2 MB FOSDEM 2025 XML takes (target: under 50 ms in release).
//!
//! `cargo bench -p emcee-core --bench import`. Plain `std::time::Instant` timing
//! (harness = false) so the workspace needs no benchmarking framework; prints the
//! median and p99 of 50 runs after 3 warm-up runs, for each fixture format.

use emcee_core::agenda::Agenda;
use emcee_core::import::{from_bytes, ImportOptions};
use std::time::{Duration, Instant};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/schedules"
);
const RUNS: usize = 50;

fn main() {
    let files = [
        "frab_xml/fosdem-2025.schedule.xml",
        "schedule_json/36c3-stages.schedule.json",
        "sessionize/scottish-summit-2026.all.json",
        "ical/lca-2020.ics",
    ];
    for file in files {
        let Ok(bytes) = std::fs::read(format!("{FIXTURES}/{file}")) else {
            eprintln!("cannot read {file}");
            std::process::exit(1);
        };
        let options = ImportOptions::new(chrono_tz::Europe::Brussels);
        let import =
            || from_bytes(&bytes, &options).map(|imported| imported.conference.sessions.len());
        let index = || {
            from_bytes(&bytes, &options).map(|imported| Agenda::new(imported.conference).is_ok())
        };
        report(file, "import", &bytes, import);
        report(file, "import + Agenda::new", &bytes, index);
    }
}

fn report<T, E: std::fmt::Debug>(
    file: &str,
    what: &str,
    bytes: &[u8],
    run: impl Fn() -> Result<T, E>,
) {
    for _ in 0..3 {
        if let Err(error) = run() {
            eprintln!("{file}: {error:?}");
            std::process::exit(1);
        }
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let outcome = run();
            let elapsed = started.elapsed();
            std::hint::black_box(outcome.is_ok());
            elapsed
        })
        .collect();
    times.sort();
    let at = |fraction: f64| {
        times
            .get(((times.len() - 1) as f64 * fraction).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{file} ({} KB) {what}: median {:.2} ms, p99 {:.2} ms over {RUNS} runs",
        bytes.len() / 1024,
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}

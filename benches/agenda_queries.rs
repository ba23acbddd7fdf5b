//! Agenda query speed on a generated 10,000-session programme.
//!
//! Prints median and p99 per query, and the ratio to the same query on a
//! 100-session programme measured in the same run: sorted indexes keep that
//! ratio near 1, a scan of everything would make it near 100.
//! Run with `cargo bench --bench agenda_queries`.

use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::agenda::{
    Agenda, Conference, Room, Session, SessionId, SessionKind, Speaker, Track,
};
use std::hint::black_box;
use std::time::Instant;

const TRACKS: usize = 50;
const SAMPLES: usize = 2_000;

fn main() {
    let small = generate(100);
    let large = generate(10_000);
    let start = large.first_start().unwrap_or_default();
    println!("agenda queries: median and p99 over {SAMPLES} calls; ratio = 10,000 sessions / 100 sessions");
    println!(
        "{:<28} {:>12} {:>12} {:>12} {:>8}",
        "query", "median 100", "median 10k", "p99 10k", "ratio"
    );
    let report = |name: &str, query: &dyn Fn(&Agenda, usize) -> usize| {
        let (small_median, _) = measure(&small, query);
        let (median, p99) = measure(&large, query);
        let ratio = median.as_secs_f64() / small_median.as_secs_f64().max(1e-12);
        println!("{name:<28} {small_median:>12.2?} {median:>12.2?} {p99:>12.2?} {ratio:>8.2}");
    };
    let at = |i: usize| start + TimeDelta::minutes((i % 2_000) as i64 * 3);
    report("next(t, 1, any track)", &|a, i| {
        a.next(at(i), 1, None).len()
    });
    report("next(t, 1, one track)", &|a, i| {
        a.next(at(i), 1, Some(&format!("Track {}", i % TRACKS)))
            .len()
    });
    report("now(t)", &|a, i| a.now(at(i)).len());
    report("speaker(\"surname\")", &|a, i| {
        a.speaker(&format!("Surname{}", i % 90)).len()
    });
    report("speaker(\"Given Surname\")", &|a, i| {
        a.speaker(&format!("Given{} Surname{}", i % 7, i % 90))
            .len()
    });
    report("search(\"word\")", &|a, i| {
        a.search(&format!("topic{}", i % 300)).len()
    });
}

/// (median, p99) of `SAMPLES` calls.
fn measure(
    agenda: &Agenda,
    query: &dyn Fn(&Agenda, usize) -> usize,
) -> (std::time::Duration, std::time::Duration) {
    let mut times: Vec<std::time::Duration> = (0..SAMPLES)
        .map(|i| {
            let started = Instant::now();
            black_box(query(black_box(agenda), i));
            started.elapsed()
        })
        .collect();
    times.sort();
    (times[SAMPLES / 2], times[SAMPLES * 99 / 100])
}

/// `count` 25-minute talks in 50 tracks, 30-minute slots from 08:00 UTC, with
/// speakers drawn from a pool and titles from a vocabulary of topics.
fn generate(count: usize) -> Agenda {
    let origin = DateTime::<Utc>::from_timestamp(1_633_593_600, 0).unwrap_or_default();
    let sessions = (0..count)
        .map(|i| {
            let slot = (i / TRACKS) as i64;
            let start = origin + TimeDelta::minutes(30 * slot);
            Session {
                id: SessionId::new(format!("s{i}")),
                title: format!("Talk {i} on topic{} and topic{}", i % 300, (i * 7) % 300),
                abstract_text: format!("An abstract about topic{} with details.", (i * 13) % 300),
                kind: SessionKind::Talk,
                track: Some(format!("Track {}", i % TRACKS)),
                room: Some(format!("Room {}", i % TRACKS)),
                speakers: vec![Speaker {
                    name: format!("Given{} Surname{}", i % 7, i % 1_000),
                    affiliation: None,
                    ..Speaker::default()
                }],
                start,
                end: start + TimeDelta::minutes(25),
                links: Vec::new(),
            }
        })
        .collect();
    let conference = Conference {
        name: "Generated".into(),
        timezone: chrono_tz::UTC,
        tracks: (0..TRACKS)
            .map(|t| Track {
                name: format!("Track {t}"),
                description: None,
            })
            .collect(),
        rooms: (0..TRACKS)
            .map(|t| Room {
                name: format!("Room {t}"),
            })
            .collect(),
        sessions,
    };
    match Agenda::new(conference) {
        Ok(agenda) => agenda,
        Err(error) => panic!("generated agenda is invalid: {error}"),
    }
}

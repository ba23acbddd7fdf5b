//! The command layer against the shipped sample programme.

use super::*;
use crate::config::Config;
use std::path::Path;

fn sample() -> Agenda {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/emcee.toml");
    Config::load(&path).unwrap().programme.agenda
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn answer(agenda: &Agenda, request: Request, now: &str) -> Answer {
    match execute(agenda, &request, at(now)).unwrap() {
        Reply::Sessions(answer) => answer,
        Reply::Help(_) => panic!("expected sessions"),
    }
}

fn ids(answer: &Answer) -> Vec<&str> {
    answer.sessions.iter().map(|s| s.id.as_str()).collect()
}

#[test]
fn empty_answers_always_carry_a_notice() {
    let agenda = sample();
    let before = answer(&agenda, Request::Now, "2021-10-07T14:00:00Z");
    assert_eq!(
        before.notice,
        Some(Notice::NotStarted {
            starts_at: at("2021-10-07T15:00:00Z")
        })
    );
    let gap = answer(&agenda, Request::Now, "2021-10-07T15:22:00Z");
    assert!(gap.sessions.is_empty());
    assert_eq!(
        gap.notice,
        Some(Notice::NothingLive {
            next_at: at("2021-10-07T15:25:00Z")
        })
    );
    let after = answer(
        &agenda,
        Request::Next { track: None },
        "2021-10-07T23:00:00Z",
    );
    assert_eq!(
        after.notice,
        Some(Notice::Over {
            ended_at: at("2021-10-07T20:00:00Z")
        })
    );
    let no_more = answer(
        &agenda,
        Request::Next {
            track: Some("unikernels".into()),
        },
        "2021-10-07T19:00:00Z",
    );
    assert_eq!(no_more.notice, Some(Notice::NoMoreSessions));
    assert_eq!(no_more.heading, "Next up in Unikernels");
}

#[test]
fn unknown_names_suggest_close_ones() {
    let agenda = sample();
    let error = execute(
        &agenda,
        &Request::Track("Unikernals".into()),
        at("2021-10-07T16:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "No track matches “Unikernals”; did you mean “Unikernels”?"
    );
    let error = execute(
        &agenda,
        &Request::Speaker("Cantrell".into()),
        at("2021-10-07T16:00:00Z"),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("did you mean “Bryan Cantrill”"),
        "{error}"
    );
    let error = execute(
        &agenda,
        &Request::Room("   ".into()),
        at("2021-10-07T16:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(
        error,
        CommandError::MissingArgument {
            what: "a room name"
        }
    );
    let long = "x".repeat(MAX_ARGUMENT_CHARS + 1);
    assert!(matches!(
        execute(&agenda, &Request::Search(long), at("2021-10-07T16:00:00Z")),
        Err(CommandError::TooLong { .. })
    ));
}

#[test]
fn session_by_id_exact_title_or_words() {
    let agenda = sample();
    let by_id = answer(
        &agenda,
        Request::Session("johansson-g1".into()),
        "2021-10-07T16:00:00Z",
    );
    assert!(by_id.detailed);
    assert_eq!(ids(&by_id), ["johansson-g1"]);
    let by_words = answer(
        &agenda,
        Request::Session("kafka latency".into()),
        "2021-10-07T16:00:00Z",
    );
    assert_eq!(ids(&by_words), ["urbon-bayes-kafka-p99"]);
    let several = answer(
        &agenda,
        Request::Session("ebpf".into()),
        "2021-10-07T16:00:00Z",
    );
    assert!(!several.detailed);
    assert_eq!(
        ids(&several),
        ["mccoid-ebpf-xdp-io-uring", "rexed-ebpf-k8s-health"]
    );
}

#[test]
fn day_view_filters_by_track_and_refuses_unknown_days() {
    let agenda = sample();
    let day = answer(
        &agenda,
        Request::Agenda {
            day: Some("2021-10-07".into()),
            track: Some("observability".into()),
        },
        "2021-10-01T00:00:00Z",
    );
    assert_eq!(
        ids(&day),
        ["morling-jfrunit", "grabner-slos-k8s", "oliveira-telemetry"]
    );
    assert_eq!(day.heading, "Thursday 7 October 2021 — Observability");
    let today = answer(
        &agenda,
        Request::Agenda {
            day: None,
            track: None,
        },
        "2021-10-07T16:00:00Z",
    );
    assert_eq!(today.sessions.len(), agenda.sessions().len());
    let error = execute(
        &agenda,
        &Request::Agenda {
            day: Some("someday".into()),
            track: None,
        },
        at("2021-10-07T16:00:00Z"),
    );
    assert!(matches!(
        error,
        Err(CommandError::NoMatch(NoMatch { kind: "day", .. }))
    ));
}

#[test]
fn speaker_answers_list_every_session_once_in_order() {
    let agenda = sample();
    let riscv = answer(
        &agenda,
        Request::Speaker("giori".into()),
        "2021-10-07T16:00:00Z",
    );
    assert_eq!(riscv.heading, "Sessions by Kathy Giori");
    assert_eq!(ids(&riscv), ["shaposhnik-giori-risc-v"]);
    let bryans = answer(
        &agenda,
        Request::Speaker("bryan".into()),
        "2021-10-07T16:00:00Z",
    );
    assert_eq!(bryans.heading, "Speakers matching “bryan”");
    assert_eq!(
        ids(&bryans),
        ["cantrill-wrights-law", "mccoid-ebpf-xdp-io-uring"]
    );
}

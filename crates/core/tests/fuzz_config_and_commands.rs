//! Property tests: the config loader and the command layer never panic, on any
//! input, and refusals always point into the file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::agenda::Agenda;
use emcee_core::command::{execute, Reply, Request};
use emcee_core::config::{agenda_file, Config, Settings, Source};
use emcee_core::polls::PollLimits;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn sample_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../config")
            .join(name),
    )
    .unwrap()
}

fn agenda() -> &'static Agenda {
    static AGENDA: OnceLock<Agenda> = OnceLock::new();
    AGENDA.get_or_init(|| {
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/emcee.toml"))
            .unwrap()
            .programme
            .agenda
    })
}

/// The sample file with `len` bytes at `at` replaced by `junk` (on char boundaries).
fn mutate(text: &str, at: usize, len: usize, junk: &str) -> String {
    let start = text
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| i >= at % text.len().max(1))
        .unwrap_or(0);
    let end = text[start..]
        .char_indices()
        .map(|(i, _)| start + i)
        .nth(len)
        .unwrap_or(text.len());
    format!("{}{}{}", &text[..start], junk, &text[end..])
}

fn check_located(result: Result<(), emcee_core::config::ConfigError>, text: &str) {
    if let Err(error) = result {
        if let Some(location) = error.location() {
            assert!(
                location.line >= 1 && location.line <= text.lines().count().max(1) + 1,
                "{error}"
            );
            assert!(location.column >= 1, "{error}");
        }
        assert!(!error.to_string().is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn settings_loader_never_panics_on_mutated_files(at in 0usize..4000, len in 0usize..40, junk in "\\PC{0,24}") {
        let text = mutate(&sample_text("emcee.toml"), at, len, &junk);
        let source = Source { file: PathBuf::from("emcee.toml"), text: text.clone() };
        check_located(source.parse::<Settings>().map(drop), &text);
    }

    #[test]
    fn agenda_loader_never_panics_on_mutated_files(at in 0usize..20000, len in 0usize..40, junk in "\\PC{0,24}") {
        let text = mutate(&sample_text("agenda.toml"), at, len, &junk);
        let source = Source { file: PathBuf::from("agenda.toml"), text: text.clone() };
        check_located(agenda_file::load(&source, chrono_tz::UTC, &PollLimits::default()).map(drop), &text);
    }

    #[test]
    fn loaders_never_panic_on_arbitrary_text(text in "\\PC{0,400}") {
        let source = Source { file: PathBuf::from("x.toml"), text: text.clone() };
        check_located(source.parse::<Settings>().map(drop), &text);
        check_located(agenda_file::load(&source, chrono_tz::UTC, &PollLimits::default()).map(drop), &text);
    }

    #[test]
    fn commands_answer_or_refuse_any_argument(argument in "\\PC{0,300}", minutes in -2000i64..2000) {
        let at: DateTime<Utc> = DateTime::from_timestamp(1_633_622_100, 0).unwrap() + TimeDelta::minutes(minutes);
        let requests = [
            Request::Next { track: Some(argument.clone()) },
            Request::Agenda { day: Some(argument.clone()), track: None },
            Request::Agenda { day: None, track: Some(argument.clone()) },
            Request::Track(argument.clone()),
            Request::Speaker(argument.clone()),
            Request::Room(argument.clone()),
            Request::Session(argument.clone()),
            Request::Search(argument.clone()),
        ];
        for request in &requests {
            match execute(agenda(), request, at) {
                Ok(Reply::Sessions(answer)) => prop_assert!(answer.sessions.len() <= agenda().sessions().len()),
                Ok(Reply::Help(_)) => {}
                Err(error) => prop_assert!(error.to_string().chars().count() < 2_000),
            }
        }
    }
}

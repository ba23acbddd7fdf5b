#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use emcee_core::agenda::Agenda;
use emcee_core::command::{execute, Request};
use std::path::Path;

fn sample() -> Agenda {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml");
    emcee_core::config::Config::load(&path)
        .unwrap()
        .programme
        .agenda
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn json(content: &SlackMessageContent) -> String {
    serde_json::to_string(content).unwrap()
}

#[test]
fn a_long_day_pages_with_buttons_and_reader_local_times() {
    let agenda = sample();
    let request = Request::Agenda {
        day: None,
        track: None,
    };
    let reply = execute(&agenda, &request, at("2021-10-07T15:55:00Z")).unwrap();
    let pages = pages(&reply, agenda.name());
    assert!(pages.len() > 1, "the sample day needs paging");
    let first = json(&message(
        &pages[0],
        Some(("K", 0, pages.len())),
        Some(("K", 0)),
    ));
    assert!(first.contains("emcee:page:K:1"), "{first}");
    assert!(!first.contains("emcee:page:K:-"), "no ◀ on the first page");
    assert!(first.contains("<!date^"), "{first}");
    assert!(first.contains(SHARE_ACTION));
    let last = json(&message(
        pages.last().unwrap(),
        Some(("K", pages.len() - 1, pages.len())),
        None,
    ));
    assert!(last.contains(&format!("emcee:page:K:{}", pages.len() - 2)));
    assert!(!last.contains(SHARE_ACTION));
    for page in &pages {
        assert!(page.blocks.len() <= blocks::MAX_BLOCKS);
    }
}

#[test]
fn session_details_offer_remind_me() {
    let agenda = sample();
    let id = agenda
        .days()
        .next()
        .map(|day| agenda.day(day)[0].id.clone())
        .unwrap();
    let reply = execute(
        &agenda,
        &Request::Session(id.as_str().to_owned()),
        at("2021-10-07T15:00:00Z"),
    )
    .unwrap();
    let pages = pages(&reply, agenda.name());
    assert_eq!(pages.len(), 1);
    let content = json(&message(&pages[0], None, Some(("K", 0))));
    assert!(content.contains(REMIND_ACTION), "{content}");
    assert!(content.contains(&emcee_core::reminders::session_ref(&id)));
    assert!(content.contains("When:"));
}

#[test]
fn help_names_the_slash_command() {
    let reply = execute(&sample(), &Request::Help, at("2021-10-07T15:00:00Z")).unwrap();
    let content = json(&message(&pages(&reply, "x")[0], None, None));
    assert!(content.contains("/emcee next [track]"), "{content}");
}

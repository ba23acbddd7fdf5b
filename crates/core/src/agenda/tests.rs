//! Query tests on small hand-built agendas, including the edges: exact start and
//! end instants, parallel sessions, empty agendas, before and after, DST.

use super::*;
use chrono::{DateTime, TimeDelta, Utc};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn session(
    id: &str,
    title: &str,
    track: Option<&str>,
    start: &str,
    minutes: i64,
    speakers: &[&str],
) -> Session {
    let start = at(start);
    Session {
        id: SessionId::new(id),
        title: title.into(),
        abstract_text: format!("About {title}."),
        kind: SessionKind::Talk,
        track: track.map(Into::into),
        room: track.map(|t| format!("{t} room")),
        speakers: speakers
            .iter()
            .map(|n| Speaker {
                name: (*n).into(),
                affiliation: None,
                ..Speaker::default()
            })
            .collect(),
        start,
        end: start + TimeDelta::minutes(minutes),
        links: Vec::new(),
    }
}

fn conference(sessions: Vec<Session>, timezone: Tz) -> Conference {
    let mut tracks: Vec<String> = sessions.iter().filter_map(|s| s.track.clone()).collect();
    tracks.sort();
    tracks.dedup();
    Conference {
        name: "Test".into(),
        timezone,
        rooms: tracks
            .iter()
            .map(|t| Room {
                name: format!("{t} room"),
            })
            .collect(),
        tracks: tracks
            .into_iter()
            .map(|name| Track {
                name,
                description: None,
            })
            .collect(),
        sessions,
    }
}

/// 16:00Z keynote (30 min), two parallel talks at 16:30Z, one at 17:00Z in Obs.
fn sample() -> Agenda {
    Agenda::new(conference(
        vec![
            session(
                "k",
                "Opening Keynote",
                None,
                "2021-10-07T16:00:00Z",
                30,
                &["Bryan Cantrill"],
            ),
            session(
                "o1",
                "Tracing at Scale",
                Some("Observability"),
                "2021-10-07T16:30:00Z",
                25,
                &["Gunnar Morling"],
            ),
            session(
                "l1",
                "Kafka P99",
                Some("Streaming"),
                "2021-10-07T16:30:00Z",
                25,
                &["Pere Urbón-Bayes"],
            ),
            session(
                "o2",
                "Telemetry Structures",
                Some("Observability"),
                "2021-10-07T17:00:00Z",
                25,
                &["Felipe Oliveira", "Pere Urbón-Bayes"],
            ),
        ],
        chrono_tz::US::Pacific,
    ))
    .unwrap()
}

fn ids(sessions: &[&Session]) -> Vec<String> {
    sessions.iter().map(|s| s.id.to_string()).collect()
}

#[test]
fn now_includes_the_start_instant_and_excludes_the_end_instant() {
    let agenda = sample();
    assert_eq!(ids(&agenda.now(at("2021-10-07T16:00:00Z"))), ["k"]);
    assert_eq!(ids(&agenda.now(at("2021-10-07T16:29:59Z"))), ["k"]);
    let at_end = agenda.now(at("2021-10-07T16:30:00Z"));
    assert_eq!(
        ids(&at_end),
        ["o1", "l1"],
        "the keynote ended; both parallel talks started"
    );
    assert!(
        agenda.now(at("2021-10-07T16:55:00Z")).is_empty(),
        "gap between blocks"
    );
}

#[test]
fn now_before_and_after_the_conference_is_empty() {
    let agenda = sample();
    assert!(agenda.now(at("2021-10-07T15:59:59Z")).is_empty());
    assert!(agenda.now(at("2021-10-07T17:25:00Z")).is_empty());
}

#[test]
fn next_returns_every_parallel_session_of_the_next_slot() {
    let agenda = sample();
    assert_eq!(
        ids(&agenda.next(at("2021-10-07T16:00:00Z"), 1, None)),
        ["o1", "l1"]
    );
    // At the exact start instant a session is "now", not "next".
    assert_eq!(
        ids(&agenda.next(at("2021-10-07T16:30:00Z"), 1, None)),
        ["o2"]
    );
    assert_eq!(
        ids(&agenda.next(at("2021-10-07T15:00:00Z"), 2, None)),
        ["k", "o1", "l1"]
    );
    assert!(agenda.next(at("2021-10-07T17:00:00Z"), 1, None).is_empty());
}

#[test]
fn next_in_a_track_skips_other_tracks_and_ignores_case() {
    let agenda = sample();
    assert_eq!(
        ids(&agenda.next(at("2021-10-07T16:00:00Z"), 1, Some("observability"))),
        ["o1"]
    );
    assert_eq!(
        ids(&agenda.next(at("2021-10-07T16:30:00Z"), 1, Some("Observability"))),
        ["o2"]
    );
    assert!(agenda
        .next(at("2021-10-07T16:00:00Z"), 1, Some("Nope"))
        .is_empty());
}

#[test]
fn speaker_matches_without_accents_case_or_word_order() {
    let agenda = sample();
    for query in [
        "urbon-bayes",
        "Pere Urbón",
        "Urbón-Bayes, Pere",
        "PERE URBON BAYES",
        "urbo",
    ] {
        let found = agenda.speaker(query);
        assert_eq!(found.len(), 1, "{query}");
        assert_eq!(found[0].name, "Pere Urbón-Bayes");
        assert_eq!(ids(&found[0].sessions), ["l1", "o2"], "{query}");
    }
    assert!(agenda.speaker("urbon smith").is_empty());
    assert!(agenda.speaker("").is_empty());
}

#[test]
fn search_needs_every_word_in_title_abstract_or_speakers() {
    let agenda = sample();
    assert_eq!(ids(&agenda.search("tracing")), ["o1"]);
    assert_eq!(ids(&agenda.search("TELEMETRY oliveira")), ["o2"]);
    assert_eq!(ids(&agenda.search("urbón")), ["l1", "o2"]);
    assert!(agenda.search("tracing oliveira").is_empty());
    assert!(agenda.search("   ").is_empty());
}

#[test]
fn search_finds_technology_names_as_words_and_short_words_whole() {
    let talks = [
        ("cs", "Async C# in Practice"),
        ("cpp", "Modern C++ Allocators"),
        ("c", "C: Still Fast"),
        ("net", "Profiling .NET 8"),
        ("node", "Node.js Event Loops"),
        ("go", "Go Schedulers"),
        ("google", "Google's Tail at Scale"),
    ];
    let sessions = talks
        .iter()
        .enumerate()
        .map(|(i, (id, title))| {
            let start = format!("2021-10-07T{:02}:00:00Z", 10 + i);
            session(id, title, None, &start, 30, &["Ada Lovelace"])
        })
        .collect();
    let agenda = Agenda::new(conference(sessions, chrono_tz::UTC)).unwrap();
    assert_eq!(ids(&agenda.search("C#")), ["cs"]);
    assert_eq!(ids(&agenda.search("c++")), ["cpp"]);
    assert_eq!(
        ids(&agenda.search("C")),
        ["c"],
        "one letter is a whole word"
    );
    assert_eq!(ids(&agenda.search(".net")), ["net"]);
    assert_eq!(ids(&agenda.search("node.js")), ["node"]);
    assert_eq!(ids(&agenda.search("js")), ["node"]);
    assert_eq!(ids(&agenda.search("go")), ["go"], "not Google");
    assert_eq!(ids(&agenda.search("goo")), ["google"]);
    assert_eq!(
        ids(&agenda.search("sched")),
        ["go"],
        "longer words are prefixes"
    );
}

#[test]
fn one_typed_name_suggests_every_speaker_with_a_close_first_or_last_name() {
    let agenda = sample();
    assert!(agenda.speaker("brian").is_empty());
    let mut suggestions = agenda.suggest_speakers("brian");
    suggestions.truncate(2);
    assert_eq!(suggestions, ["Bryan Cantrill"]);
    let agenda = Agenda::new(conference(
        vec![
            session(
                "a",
                "A",
                None,
                "2021-10-07T16:00:00Z",
                30,
                &["Bryan Cantrill"],
            ),
            session(
                "b",
                "B",
                None,
                "2021-10-07T17:00:00Z",
                30,
                &["Bryan McCoid"],
            ),
            session(
                "c",
                "C",
                None,
                "2021-10-07T18:00:00Z",
                30,
                &["Roman Shaposhnik"],
            ),
        ],
        chrono_tz::UTC,
    ))
    .unwrap();
    assert_eq!(
        agenda.suggest_speakers("brian"),
        ["Bryan Cantrill", "Bryan McCoid"],
        "both Bryans, and not Roman (a chance likeness)"
    );
}

#[test]
fn tracks_rooms_and_ids() {
    let agenda = sample();
    assert_eq!(ids(&agenda.track_sessions("OBSERVABILITY")), ["o1", "o2"]);
    assert_eq!(ids(&agenda.room_sessions("streaming room")), ["l1"]);
    assert!(agenda.track_sessions("Unknown").is_empty());
    assert_eq!(
        agenda
            .session(&SessionId::new("o2"))
            .map(|s| s.title.as_str()),
        Some("Telemetry Structures")
    );
    assert!(agenda.session(&SessionId::new("zz")).is_none());
    assert_eq!(
        agenda.find_track("observ"),
        NameMatch::Found("Observability".into())
    );
    assert_eq!(
        agenda.find_track("Observabilty"),
        NameMatch::Unknown {
            suggestions: vec!["Observability".into()]
        }
    );
}

#[test]
fn empty_agenda_answers_nothing_without_failing() {
    let agenda = Agenda::new(conference(Vec::new(), chrono_tz::UTC)).unwrap();
    let t = at("2021-10-07T16:00:00Z");
    assert!(agenda.now(t).is_empty());
    assert!(agenda.next(t, 3, None).is_empty());
    assert!(agenda.speaker("anyone").is_empty());
    assert!(agenda.search("anything").is_empty());
    assert_eq!(agenda.days().count(), 0);
    assert_eq!(agenda.first_start(), None);
}

#[test]
fn days_follow_the_conference_timezone_across_midnight_and_dst() {
    // US/Pacific leaves DST on 2021-11-07 at 02:00 local (09:00Z).
    let agenda = Agenda::new(conference(
        vec![
            session(
                "late",
                "Late Night",
                Some("A"),
                "2021-11-07T07:30:00Z",
                90,
                &[],
            ), // 00:30 PDT on the 7th
            session("eve", "Evening", Some("A"), "2021-11-07T06:30:00Z", 20, &[]), // 23:30 PDT on the 6th
            session(
                "after",
                "After DST",
                Some("A"),
                "2021-11-07T10:30:00Z",
                30,
                &[],
            ), // 02:30 PST on the 7th
            session(
                "next-day",
                "Next Day",
                Some("A"),
                "2021-11-08T07:59:00Z",
                30,
                &[],
            ), // 23:59 PST on the 7th
        ],
        chrono_tz::US::Pacific,
    ))
    .unwrap();
    let days: Vec<_> = agenda.days().map(|d| d.to_string()).collect();
    assert_eq!(days, ["2021-11-06", "2021-11-07"]);
    let seventh = NaiveDate::from_ymd_opt(2021, 11, 7).unwrap();
    let on_seventh: Vec<&str> = agenda.day(seventh).iter().map(|s| s.id.as_str()).collect();
    assert_eq!(on_seventh, ["late", "after", "next-day"]);
    // A session that runs through the DST change is running at the repeated hour.
    assert_eq!(ids(&agenda.now(at("2021-11-07T08:45:00Z"))), ["late"]);
    assert!(agenda
        .day(NaiveDate::from_ymd_opt(2021, 11, 9).unwrap())
        .is_empty());
}

#[test]
fn validation_refuses_hard_problems_and_warns_about_room_overlaps() {
    let mut dup = sample_conference();
    dup.sessions[1].id = SessionId::new("k");
    let AgendaError::Invalid(problems) = Agenda::new(dup).unwrap_err();
    assert_eq!(problems[0].field, Field::Id);
    assert_eq!(problems[0].session, 1);

    let mut backwards = sample_conference();
    backwards.sessions[0].end = backwards.sessions[0].start;
    let AgendaError::Invalid(problems) = Agenda::new(backwards).unwrap_err();
    assert_eq!(problems[0].field, Field::End);

    let mut unknown = sample_conference();
    unknown.sessions[2].track = Some("Nowhere".into());
    unknown.sessions[3].title = "  ".into();
    let AgendaError::Invalid(problems) = Agenda::new(unknown).unwrap_err();
    let fields: Vec<Field> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, [Field::Track, Field::Title]);

    let mut overlapping = sample_conference();
    overlapping.sessions[3].start = overlapping.sessions[1].start + TimeDelta::minutes(10);
    overlapping.sessions[3].end = overlapping.sessions[3].start + TimeDelta::minutes(25);
    let agenda = Agenda::new(overlapping).unwrap();
    assert_eq!(agenda.warnings().len(), 1);
    assert!(
        agenda.warnings()[0].message.contains("overlaps"),
        "{}",
        agenda.warnings()[0]
    );
}

fn sample_conference() -> Conference {
    let agenda = sample();
    Conference {
        name: agenda.name().into(),
        timezone: agenda.timezone(),
        tracks: agenda.tracks().to_vec(),
        rooms: agenda.rooms().to_vec(),
        sessions: agenda.sessions().to_vec(),
    }
}

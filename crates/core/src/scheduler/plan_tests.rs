//! Planning against small hand-made programmes.

use super::*;
use crate::agenda::{Agenda, Conference, Link, LinkKind, SessionId, SessionKind};
use crate::config::AnnouncementSettings;

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(2021, 10, 7, hour, minute, 0)
        .single()
        .unwrap()
}

fn session(id: &str, kind: SessionKind, track: Option<&str>, start: DateTime<Utc>) -> Session {
    Session {
        id: SessionId::new(id),
        title: format!("Talk {id}"),
        abstract_text: String::new(),
        kind,
        track: track.map(str::to_owned),
        room: None,
        speakers: Vec::new(),
        start,
        end: start + TimeDelta::minutes(25),
        links: Vec::new(),
    }
}

fn programme(sessions: Vec<Session>) -> Programme {
    let conference = Conference {
        name: "C".into(),
        timezone: chrono_tz::UTC,
        tracks: vec![crate::agenda::Track {
            name: "Observability".into(),
            description: None,
        }],
        rooms: Vec::new(),
        sessions,
    };
    Programme {
        agenda: Agenda::new(conference).unwrap(),
        polls: Vec::new(),
        contests: Vec::new(),
    }
}

fn settings() -> PlanSettings {
    let mut announcements = AnnouncementSettings {
        default_channel: Some("announcements".into()),
        main_channel: Some("main".into()),
        on_demand: true,
        ..AnnouncementSettings::default()
    };
    announcements
        .tracks
        .insert("observability".into(), "obs".into());
    announcements
        .kind_roles
        .insert("keynote".into(), "999".into());
    PlanSettings {
        announcements,
        poll_channel: Some("polls".into()),
        nudges: None,
    }
}

fn summary(jobs: &[Job]) -> Vec<String> {
    jobs.iter()
        .map(|j| {
            let ids: Vec<&str> = j.message.items.iter().map(|i| i.session.as_str()).collect();
            format!(
                "{} {} {} {}",
                j.due_at.format("%H:%M"),
                j.kind(),
                j.target,
                ids.join("+")
            )
        })
        .collect()
}

#[test]
fn routes_by_track_then_default_and_keynotes_also_to_main() {
    let mut keynote = session("k", SessionKind::Keynote, None, at(9, 0));
    keynote.links.push(Link {
        kind: LinkKind::Video,
        url: "https://v/k".into(),
    });
    let jobs = plan(
        &programme(vec![
            keynote,
            session("o", SessionKind::Talk, Some("Observability"), at(10, 0)),
        ]),
        &settings(),
        &[],
    );
    assert_eq!(
        summary(&jobs),
        [
            "08:55 announce #announcements k",
            "08:55 announce #main k",
            "09:00 announce #announcements k",
            "09:00 announce #main k",
            "09:25 on_demand #announcements k",
            "09:55 announce #obs o",
            "10:00 announce #obs o",
        ]
    );
    assert_eq!(jobs[0].message.role.as_deref(), Some("999"), "keynote role");
    assert_eq!(jobs[5].message.role, None);
    assert_eq!(
        jobs[2].expires_at,
        at(9, 25),
        "starting-now expires at the end"
    );
    assert_eq!(
        jobs[0].expires_at,
        at(9, 0),
        "in-5-minutes expires at the start"
    );
}

#[test]
fn sessions_at_one_instant_in_one_channel_share_a_message() {
    let jobs = plan(
        &programme(vec![
            session("a", SessionKind::Talk, None, at(10, 0)),
            session("b", SessionKind::Talk, None, at(10, 0)),
            session("c", SessionKind::Talk, Some("Observability"), at(10, 0)),
        ]),
        &settings(),
        &[],
    );
    assert_eq!(
        summary(&jobs),
        [
            "09:55 announce #announcements a+b",
            "09:55 announce #obs c",
            "10:00 announce #announcements a+b",
            "10:00 announce #obs c",
        ]
    );
}

#[test]
fn keys_are_deterministic_and_follow_a_moved_session() {
    let before = plan(
        &programme(vec![session("a", SessionKind::Talk, None, at(10, 0))]),
        &settings(),
        &[],
    );
    let again = plan(
        &programme(vec![session("a", SessionKind::Talk, None, at(10, 0))]),
        &settings(),
        &[],
    );
    let moved = plan(
        &programme(vec![session("a", SessionKind::Talk, None, at(11, 0))]),
        &settings(),
        &[],
    );
    let keys = |jobs: &[Job]| jobs.iter().map(|j| j.key.clone()).collect::<Vec<_>>();
    assert_eq!(keys(&before), keys(&again));
    assert!(keys(&moved).iter().all(|k| !keys(&before).contains(k)));
}

#[test]
fn reminders_polls_and_digests_are_planned() {
    let mut settings = settings();
    settings.announcements.digest_at = NaiveTime::from_hms_opt(8, 0, 0);
    let mut programme = programme(vec![session("a", SessionKind::Talk, None, at(10, 0))]);
    programme.polls.push(FlashPoll {
        id: "p".into(),
        question: "Q?".into(),
        options: Vec::new(),
        opens_at: at(10, 5),
        closes_at: at(10, 10),
        multi: false,
        channel: None,
        style: None,
    });
    let reminder = Reminder {
        user: "42".into(),
        session: SessionId::new("a"),
        minutes_before: 15,
    };
    let jobs = plan(&programme, &settings, std::slice::from_ref(&reminder));
    assert_eq!(
        summary(&jobs),
        [
            "08:00 digest #main a",
            "09:45 reminder user 42 a",
            "09:55 announce #announcements a",
            "10:00 announce #announcements a",
            "10:05 poll_open #polls ",
        ]
    );
    let single = reminder_job(&programme.agenda.sessions()[0], &reminder, &settings);
    assert_eq!(single, jobs[1], "one reminder plans as in the whole plan");
}

#[test]
fn a_change_notice_lists_moves_and_cancellations_once() {
    use crate::agenda::diff::AgendaDiff;
    let mut settings = settings();
    settings.announcements.change_notices = true;
    let old = programme(vec![
        session("a", SessionKind::Talk, None, at(10, 0)),
        session("b", SessionKind::Talk, None, at(11, 0)),
    ]);
    let new = programme(vec![session("a", SessionKind::Talk, None, at(12, 0))]);
    let diff = AgendaDiff::between(&old.agenda, &new.agenda);
    let notice = crate::scheduler::change_notice(&diff, &new.agenda, &settings, at(9, 0)).unwrap();
    assert_eq!(notice.message.items.len(), 2);
    assert_eq!(notice.message.items[0].was.map(|w| w.0), Some(at(10, 0)));
    assert!(notice.message.items[1].cancelled);
    let later = crate::scheduler::change_notice(&diff, &new.agenda, &settings, at(9, 5)).unwrap();
    assert_eq!(notice.key, later.key, "the same change has the same key");
}

#[test]
fn sessions_at_the_edges_of_time_are_planned_without_a_panic() {
    let mut settings = settings();
    settings.announcements.on_demand = true;
    settings.announcements.digest_at = NaiveTime::from_hms_opt(8, 0, 0);
    let first = DateTime::<Utc>::MIN_UTC;
    let last = DateTime::<Utc>::MAX_UTC - TimeDelta::minutes(30);
    let mut early = session("early", SessionKind::Talk, None, first);
    early.end = first + TimeDelta::minutes(25);
    let mut late = session("late", SessionKind::Talk, None, last);
    late.end = DateTime::<Utc>::MAX_UTC;
    late.links = vec![Link {
        kind: LinkKind::Video,
        url: "https://v.example/late".into(),
    }];
    let programme = programme(vec![early, late]);
    let reminder = Reminder {
        user: "42".into(),
        session: SessionId::new("early"),
        minutes_before: 1440,
    };
    let jobs = plan(&programme, &settings, &[reminder]);
    let early_due: Vec<_> = jobs.iter().filter(|j| j.key.ends_with(":early")).collect();
    assert!(early_due
        .iter()
        .all(|j| j.due_at >= DateTime::<Utc>::MIN_UTC));
    let on_demand = jobs.iter().find(|j| j.kind() == JobKind::OnDemand).unwrap();
    assert_eq!(
        on_demand.expires_at,
        DateTime::<Utc>::MAX_UTC,
        "held at the end of time"
    );
}

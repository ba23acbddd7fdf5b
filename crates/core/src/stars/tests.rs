use super::*;
use crate::agenda::{Agenda, Conference, Link, LinkKind, Session, SessionKind};
use crate::clock::ManualClock;
use crate::reminders::ReminderService;
use crate::scheduler::{PlanSettings, Scheduler, SchedulerOptions};
use crate::store::{JobState, JobStore, Store};
use chrono::{DateTime, TimeDelta, Utc};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn session(id: &str, title: &str, start: &str, minutes: i64, video: bool) -> Session {
    let start = at(start);
    Session {
        id: SessionId::new(id),
        title: title.into(),
        abstract_text: String::new(),
        kind: SessionKind::Talk,
        track: None,
        room: None,
        speakers: Vec::new(),
        start,
        end: start + TimeDelta::minutes(minutes),
        links: video
            .then(|| Link {
                kind: LinkKind::Video,
                url: format!("https://example.org/{id}"),
            })
            .into_iter()
            .collect(),
    }
}

/// Two days in Los Angeles: a morning of three overlapping talks, one with
/// a video, one repeated in the afternoon, and a talk the next day.
fn agenda() -> Agenda {
    let sessions = vec![
        session("a", "Tracing", "2021-10-07T16:00:00Z", 30, false),
        session("b", "Fast I/O", "2021-10-07T16:15:00Z", 30, true),
        session("c", "Latency", "2021-10-07T16:20:00Z", 20, false),
        session("c2", "latency", "2021-10-07T20:00:00Z", 20, false),
        session("d", "Wrap-up", "2021-10-07T16:45:00Z", 15, false),
        session("e", "Day two", "2021-10-08T16:00:00Z", 30, false),
    ];
    Agenda::new(Conference {
        name: "C".into(),
        timezone: chrono_tz::America::Los_Angeles,
        tracks: Vec::new(),
        rooms: Vec::new(),
        sessions,
    })
    .unwrap()
}

fn ids(ids: &[&str]) -> Vec<SessionId> {
    ids.iter().map(|id| SessionId::new(*id)).collect()
}

fn clashes_of(day: &MyDay, id: &str) -> Vec<(String, Option<Suggestion>)> {
    let entry = day
        .days
        .iter()
        .flat_map(|d| &d.entries)
        .find(|e| e.session.id.as_str() == id)
        .unwrap();
    entry
        .clashes
        .iter()
        .map(|c| (c.other.id.to_string(), c.suggestion.clone()))
        .collect()
}

#[test]
fn starred_sessions_are_grouped_by_local_day_with_clashes_and_their_suggestions() {
    let agenda = agenda();
    let day = plan(&agenda, &ids(&["e", "d", "c", "b", "a", "gone", "a"]));
    let dates: Vec<String> = day.days.iter().map(|d| d.date.to_string()).collect();
    assert_eq!(dates, ["2021-10-07", "2021-10-08"]);
    let first: Vec<&str> = day.days[0]
        .entries
        .iter()
        .map(|e| e.session.id.as_str())
        .collect();
    assert_eq!(
        first,
        ["a", "b", "c", "d"],
        "start order, the duplicate once"
    );
    assert_eq!(day.gone, ids(&["gone"]));
    let video = Some(Suggestion::Video("https://example.org/b".into()));
    let repeat = agenda.session(&SessionId::new("c2")).cloned();
    assert_eq!(
        clashes_of(&day, "a"),
        [
            ("b".to_owned(), video.clone()),
            ("c".to_owned(), repeat.clone().map(Suggestion::Repeat))
        ],
        "b has a video; c repeats later (same title, any case)"
    );
    assert_eq!(
        clashes_of(&day, "b"),
        [
            ("a".to_owned(), None),
            ("c".to_owned(), repeat.map(Suggestion::Repeat))
        ],
        "a has neither"
    );
    assert!(
        clashes_of(&day, "d").is_empty(),
        "d starts as b ends: no clash"
    );
    assert!(clashes_of(&day, "e").is_empty());
}

#[test]
fn a_repeat_that_overlaps_the_attended_session_is_no_suggestion() {
    let agenda = agenda();
    let day = plan(&agenda, &ids(&["c", "c2"]));
    assert!(clashes_of(&day, "c").is_empty());
    let lines: Vec<String> = plan(&agenda, &ids(&["c2", "a", "c"]))
        .lines()
        .iter()
        .map(Text::to_plain)
        .collect();
    assert_eq!(lines[0], "Your day (3 starred):");
    assert_eq!(lines[1], "Thursday 7 October");
    assert!(lines[2].starts_with("⚠ 2021-10-07 16:00 UTC–"), "{lines:?}");
    assert!(
        lines[3].contains("overlaps “Latency”; it repeats"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("• ")), "{lines:?}");
    let empty = plan(&agenda, &[]).lines();
    assert!(empty[0].to_plain().contains("starred no sessions"));
}

struct Rig {
    stars: StarService,
    store: Store,
    clock: ManualClock,
}

fn rig(minutes: u32) -> Rig {
    let store = Store::in_memory().unwrap();
    let clock = ManualClock::new(at("2021-10-07T12:00:00Z"));
    let programme = Arc::new(Programme {
        agenda: agenda(),
        polls: Vec::new(),
        contests: Vec::new(),
    });
    let settings = PlanSettings {
        announcements: crate::config::AnnouncementSettings::default(),
        poll_channel: None,
        nudges: None,
    };
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let scheduler = Scheduler::new(
        store.clone(),
        Arc::clone(&shared),
        settings,
        SchedulerOptions::default(),
    );
    let stars = StarService::new(Arc::new(store.clone()), shared);
    stars.configure(StarSettings {
        reminder_minutes: minutes,
    });
    stars.attach_programme(Arc::new(move || Arc::clone(&programme)));
    stars.attach_reminders(ReminderService::new(scheduler));
    Rig {
        stars,
        store,
        clock,
    }
}

fn reminder_jobs(store: &Store) -> Vec<(String, JobState)> {
    let mut jobs: Vec<(String, JobState)> = store
        .job_records()
        .unwrap()
        .into_iter()
        .map(|job| (job.key, job.state))
        .collect();
    jobs.sort_by_key(|(key, state)| (key.clone(), state.as_str()));
    jobs
}

#[tokio::test]
async fn a_star_sets_its_reminder_and_unstarring_cancels_only_that_one() {
    let rig = rig(15);
    let a = SessionId::new("a");
    let starred = rig.stars.star("g", "7", &a).await.unwrap();
    assert_eq!(starred.reminder, StarReminder::Set(15));
    assert!(starred.text().to_plain().contains("15 min before"));
    let again = rig.stars.star("g", "7", &a).await.unwrap();
    assert!(!again.new, "starring twice changes nothing");
    assert_eq!(reminder_jobs(&rig.store).len(), 1);
    let unstarred = rig.stars.unstar("g", "7", &a).await.unwrap();
    assert!(unstarred.was_starred && unstarred.reminder_cancelled);
    let states: Vec<JobState> = reminder_jobs(&rig.store).into_iter().map(|j| j.1).collect();
    assert_eq!(states, [JobState::Cancelled]);
    let twice = rig.stars.unstar("g", "7", &a).await.unwrap();
    assert!(!twice.was_starred);
}

#[tokio::test]
async fn a_reminder_set_by_hand_survives_the_star() {
    let rig = rig(10);
    let reminders = rig.stars.reminders.get().unwrap().clone();
    let programme = rig.stars.agenda_now().unwrap();
    let (a, b) = (SessionId::new("a"), SessionId::new("b"));
    // Held before starring: the star keeps it and leaves it on unstarring.
    reminders.remind(&programme, "7", "a", 30).await.unwrap();
    let kept = rig.stars.star("g", "7", &a).await.unwrap();
    assert_eq!(kept.reminder, StarReminder::Kept);
    rig.stars.unstar("g", "7", &a).await.unwrap();
    assert_eq!(reminders.lead_of("7", &a).await.unwrap(), Some(30));
    // Changed by hand after starring: it is the user's now.
    rig.stars.star("g", "7", &b).await.unwrap();
    reminders.remind(&programme, "7", "b", 5).await.unwrap();
    let unstarred = rig.stars.unstar("g", "7", &b).await.unwrap();
    assert!(!unstarred.reminder_cancelled);
    assert_eq!(reminders.lead_of("7", &b).await.unwrap(), Some(5));
}

#[tokio::test]
async fn stars_belong_to_their_community_and_follow_the_settings() {
    let rig = rig(0);
    let starred = rig
        .stars
        .star("g", "7", &SessionId::new("a"))
        .await
        .unwrap();
    assert_eq!(starred.reminder, StarReminder::None, "0: no reminder");
    assert!(reminder_jobs(&rig.store).is_empty());
    rig.stars
        .star("g", "7", &SessionId::new("e"))
        .await
        .unwrap();
    assert_eq!(
        rig.stars.starred_sessions("g", "7").await.unwrap(),
        ids(&["a", "e"])
    );
    assert!(rig
        .stars
        .starred_sessions("other", "7")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(rig.stars.my_day("g", "7").await.unwrap().count(), 2);
    let unknown = rig.stars.star("g", "7", &SessionId::new("nope")).await;
    assert!(matches!(unknown, Err(StarError::UnknownSession(_))));
    let typed = rig.stars.toggle("g", "7", "Fast I/O").await.unwrap();
    assert!(
        typed.to_plain().starts_with("⭐ Starred “Fast I/O”"),
        "{typed:?}"
    );
    let toggled = rig.stars.toggle("g", "7", "b").await.unwrap();
    assert_eq!(toggled.to_plain(), "Unstarred “Fast I/O”.");
    rig.clock.set(at("2021-10-07T16:30:00Z"));
    let started = rig
        .stars
        .star("g", "8", &SessionId::new("a"))
        .await
        .unwrap();
    assert_eq!(
        started.reminder,
        StarReminder::None,
        "no reminder once started"
    );
}

//! Reminders that start early, on a manual clock: the loop runs for real on a
//! paused tokio runtime (its lease ticks advance virtual time, never real
//! time), and the test moves the scheduler's clock by hand.

use super::*;
use crate::agenda::{Agenda, Conference, Session, SessionKind};
use crate::clock::ManualClock;
use crate::config::AnnouncementSettings;
use crate::polls::FlashPoll;
use crate::store::{JobState, JobStore};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Mutex;

/// The keynote starts at 10:00; reminder and announcement are both due 09:50.
pub(super) fn keynote_at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_600_800, 0).unwrap()
}

pub(super) fn programme() -> Programme {
    let start = keynote_at();
    let keynote = Session {
        id: SessionId::new("keynote"),
        title: "Keynote".into(),
        abstract_text: String::new(),
        kind: SessionKind::Keynote,
        track: None,
        room: None,
        speakers: Vec::new(),
        start,
        end: start + TimeDelta::minutes(45),
        links: Vec::new(),
    };
    let conference = Conference {
        name: "C".into(),
        timezone: chrono_tz::UTC,
        tracks: Vec::new(),
        rooms: Vec::new(),
        sessions: vec![keynote],
    };
    Programme {
        agenda: Agenda::new(conference).unwrap(),
        polls: Vec::new(),
        contests: Vec::new(),
    }
}

pub(super) fn settings() -> PlanSettings {
    PlanSettings {
        announcements: AnnouncementSettings {
            lead_minutes: vec![10],
            on_demand: false,
            default_channel: Some("general".into()),
            ..AnnouncementSettings::default()
        },
        poll_channel: None,
        nudges: None,
    }
}

/// Records what was sent and at which clock instant; fails the first
/// `failures` DMs for a passing reason.
pub(super) struct Recorder {
    pub(super) clock: ManualClock,
    pub(super) sent: Mutex<Vec<(JobKind, DateTime<Utc>)>>,
    pub(super) failures: Mutex<u32>,
}

impl Recorder {
    pub(super) fn sent(&self) -> Vec<(JobKind, DateTime<Utc>)> {
        self.sent.lock().unwrap().clone()
    }
}

impl Announcer for Recorder {
    fn post<'a>(&'a self, _: &'a str, message: &'a Message, _: &'a str) -> Delivery<'a> {
        self.sent
            .lock()
            .unwrap()
            .push((message.kind, self.clock.now()));
        Box::pin(async { Ok("m".to_owned()) })
    }

    fn direct<'a>(&'a self, _: &'a str, message: &'a Message, _: &'a str) -> Delivery<'a> {
        let mut failures = self.failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            return Box::pin(async { Err(DeliveryError::Transient("502".into())) });
        }
        self.sent
            .lock()
            .unwrap()
            .push((message.kind, self.clock.now()));
        Box::pin(async { Ok("dm".to_owned()) })
    }

    fn open_poll<'a>(&'a self, _: &'a FlashPoll, _: &'a str) -> Delivery<'a> {
        Box::pin(async { Err(DeliveryError::Refused("no polls here".into())) })
    }

    fn close_poll<'a>(&'a self, _: &'a crate::polls::MessageKey) -> Delivery<'a> {
        Box::pin(async { Err(DeliveryError::Refused("no polls here".into())) })
    }
}

/// Lets the loop run a minute of virtual time (several lease ticks).
pub(super) async fn settle() {
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
}

async fn start(failures: u32) -> (ManualClock, Arc<Recorder>, Store) {
    let due = keynote_at() - TimeDelta::minutes(10);
    let clock = ManualClock::new(due - TimeDelta::seconds(31));
    let store = Store::in_memory().unwrap();
    let reminder = Reminder {
        user: "7".into(),
        session: SessionId::new("keynote"),
        minutes_before: 10,
    };
    crate::store::ReminderStore::add_reminder(&store, &reminder, 10, clock.now()).unwrap();
    let options = SchedulerOptions {
        holder: "test".into(),
        reminders_ahead: TimeDelta::seconds(30),
        ..SchedulerOptions::default()
    };
    let scheduler = Scheduler::new(store.clone(), Arc::new(clock.clone()), settings(), options);
    let recorder = Arc::new(Recorder {
        clock: clock.clone(),
        sent: Mutex::default(),
        failures: Mutex::new(failures),
    });
    let programme = Arc::new(programme());
    let announcer: Arc<dyn Announcer> = recorder.clone();
    tokio::spawn(async move {
        let source: ProgrammeSource = Arc::new(move || Arc::clone(&programme));
        scheduler
            .run(announcer, source, std::future::pending())
            .await;
    });
    settle().await;
    (clock, recorder, store)
}

#[tokio::test(start_paused = true)]
async fn a_reminder_starts_up_to_its_lead_early_and_an_announcement_never_does() {
    let due = keynote_at() - TimeDelta::minutes(10);
    let (clock, recorder, store) = start(0).await;
    assert!(recorder.sent().is_empty(), "31 s before: nothing yet");

    clock.set(due - TimeDelta::seconds(30));
    settle().await;
    assert_eq!(
        recorder.sent(),
        [(JobKind::Reminder, due - TimeDelta::seconds(30))],
        "the reminder starts 30 s early; the announcement due with it waits"
    );

    clock.set(due - TimeDelta::seconds(1));
    settle().await;
    assert_eq!(recorder.sent().len(), 1, "still only the reminder");

    clock.set(due);
    settle().await;
    clock.advance(TimeDelta::minutes(5));
    settle().await;
    assert_eq!(
        recorder.sent(),
        [
            (JobKind::Reminder, due - TimeDelta::seconds(30)),
            (JobKind::Announce, due),
        ],
        "each once, the announcement on time"
    );
    let states: Vec<JobState> = store
        .job_records()
        .unwrap()
        .into_iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(states, [JobState::Done, JobState::Done]);
}

#[tokio::test(start_paused = true)]
async fn a_reminder_that_failed_early_waits_the_full_retry_delay() {
    let due = keynote_at() - TimeDelta::minutes(10);
    let (clock, recorder, store) = start(1).await;
    clock.set(due - TimeDelta::seconds(30));
    settle().await;
    assert!(recorder.sent().is_empty(), "the first attempt failed");

    // Retried 30 s (retry_after) after the failure, not at once.
    clock.set(due - TimeDelta::seconds(1));
    settle().await;
    assert!(recorder
        .sent()
        .iter()
        .all(|(kind, _)| *kind != JobKind::Reminder));
    clock.set(due);
    settle().await;
    let reminders: Vec<DateTime<Utc>> = recorder
        .sent()
        .into_iter()
        .filter(|(kind, _)| *kind == JobKind::Reminder)
        .map(|(_, at)| at)
        .collect();
    assert_eq!(reminders, [due], "the retry, once");
    assert!(store
        .job_records()
        .unwrap()
        .iter()
        .all(|r| r.state == JobState::Done));
}

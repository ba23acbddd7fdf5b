//! Poll closes as jobs: planned at the deadline, left alone by re-planning,
//! claimed once, closed and announced once, and run however late.

use super::*;
use crate::agenda::{Agenda, Conference, Session, SessionId, SessionKind};
use crate::chat::{ChatPort, Limits, MessageKey, PortFuture, Post};
use crate::clock::ManualClock;
use crate::config::AnnouncementSettings;
use crate::polls::{PollOption, PollRequest, PollService, PollState};
use crate::programme::Programme;
use crate::scheduler::{Announcer, ChatAnnouncer, PlanSettings, SchedulerOptions};
use crate::store::{JobState, JobStore as _, PollStore, Store};
use chrono::{TimeDelta, TimeZone};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// A platform that records every post and edit, and deduplicates nothing:
/// a second announcement would show as a second post.
#[derive(Default)]
struct Recording {
    posts: Mutex<Vec<(String, Post)>>,
    edits: Mutex<Vec<MessageKey>>,
    changed: Notify,
}

impl Recording {
    fn posts_with(&self, dedupe: &str) -> usize {
        let posts = self.posts.lock().unwrap();
        posts
            .iter()
            .filter(|(_, p)| p.dedupe.as_deref() == Some(dedupe))
            .count()
    }

    fn edits_of(&self, message: &MessageKey) -> usize {
        self.edits
            .lock()
            .unwrap()
            .iter()
            .filter(|m| *m == message)
            .count()
    }

    async fn wait_for(&self, dedupe: &str) {
        let waited = tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                let changed = self.changed.notified();
                if self.posts_with(dedupe) > 0 {
                    return;
                }
                changed.await;
            }
        });
        waited.await.expect("the post arrives");
    }
}

impl ChatPort for Recording {
    fn limits(&self) -> Limits {
        Limits::default()
    }

    fn post<'a>(&'a self, channel: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        Box::pin(async move {
            let mut posts = self.posts.lock().unwrap();
            posts.push((channel.to_owned(), post.clone()));
            let key = MessageKey::new(channel, posts.len());
            drop(posts);
            self.changed.notify_waiters();
            Ok(key)
        })
    }

    fn edit<'a>(&'a self, message: &'a MessageKey, _: &'a Post) -> PortFuture<'a, ()> {
        Box::pin(async move {
            self.edits.lock().unwrap().push(message.clone());
            Ok(())
        })
    }

    fn delete<'a>(&'a self, _: &'a MessageKey) -> PortFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    fn react<'a>(&'a self, _: &'a MessageKey, _: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    fn unreact<'a>(&'a self, _: &'a MessageKey, _: &'a str, _: &'a str) -> PortFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }

    fn reactors<'a>(&'a self, _: &'a MessageKey, _: &'a str) -> PortFuture<'a, BTreeSet<String>> {
        Box::pin(async { Ok(BTreeSet::new()) })
    }

    fn has_reacted<'a>(
        &'a self,
        _: &'a MessageKey,
        _: &'a str,
        _: &'a str,
    ) -> PortFuture<'a, bool> {
        Box::pin(async { Ok(false) })
    }

    fn direct<'a>(&'a self, user: &'a str, post: &'a Post) -> PortFuture<'a, MessageKey> {
        self.post(user, post)
    }

    fn resolve_channel<'a>(&'a self, _: Option<&'a str>, name: &'a str) -> PortFuture<'a, String> {
        Box::pin(async move { Ok(name.to_owned()) })
    }

    fn emoji_key(&self, typed: &str) -> Option<String> {
        Some(typed.to_owned())
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 10, 7, 15, 55, 0)
        .single()
        .unwrap()
}

/// One talk at 17:00 with announcements in #general, so planning has jobs.
fn programme() -> Programme {
    let begins = start() + TimeDelta::hours(1);
    let talk = Session {
        id: SessionId::new("talk"),
        title: "A talk".into(),
        abstract_text: String::new(),
        kind: SessionKind::Talk,
        track: None,
        room: None,
        speakers: Vec::new(),
        start: begins,
        end: begins + TimeDelta::minutes(25),
        links: Vec::new(),
    };
    let conference = Conference {
        name: "C".into(),
        timezone: chrono_tz::UTC,
        tracks: Vec::new(),
        rooms: Vec::new(),
        sessions: vec![talk],
    };
    Programme {
        agenda: Agenda::new(conference).unwrap(),
        polls: Vec::new(),
        contests: Vec::new(),
    }
}

/// A process: its poll service and scheduler on `store`, sharing `clock`.
struct Process {
    port: Arc<Recording>,
    polls: PollService,
    scheduler: Scheduler,
}

fn process(store: &Store, clock: &ManualClock, holder: &str) -> Process {
    let port = Arc::new(Recording::default());
    let clock: Arc<dyn crate::clock::Clock> = Arc::new(clock.clone());
    let polls = PollService::new(
        Arc::new(store.clone()),
        Arc::clone(&port) as Arc<dyn ChatPort>,
        Arc::clone(&clock),
    );
    let settings = PlanSettings {
        announcements: AnnouncementSettings {
            default_channel: Some("general".into()),
            catch_up_minutes: 10,
            ..AnnouncementSettings::default()
        },
        poll_channel: None,
        nudges: None,
    };
    let options = SchedulerOptions {
        holder: holder.into(),
        // Longer than any jump of the manual clock here: a lease is judged on
        // that clock, and a jump past it would let the other process take it.
        lease_ttl: Duration::from_secs(3600),
        ..SchedulerOptions::default()
    };
    let scheduler = Scheduler::new(store.clone(), clock, settings, options);
    polls.attach_deadlines(Arc::new(scheduler.clone()));
    Process {
        port,
        polls,
        scheduler,
    }
}

fn request(minutes: i64) -> PollRequest {
    PollRequest {
        channel: "general".into(),
        question: "Tabs or spaces?".into(),
        options: vec![PollOption::parse("Tabs"), PollOption::parse("Spaces")],
        closes_at: start() + TimeDelta::minutes(minutes),
        multi: false,
        hide_tally: false,
        style: None,
        declared_id: None,
        created_by: None,
        community: None,
    }
}

fn close_job(store: &Store, poll: &Poll) -> Option<crate::store::JobRecord> {
    let key = poll_close_job(poll).key;
    store
        .job_records()
        .unwrap()
        .into_iter()
        .find(|r| r.key == key)
}

/// Runs `process`'s scheduler until the returned sender fires.
fn run(
    process: &Process,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let scheduler = process.scheduler.clone();
    let announcer =
        Arc::new(ChatAnnouncer::new(process.port.clone()).with_polls(process.polls.clone()));
    let programme = Arc::new(programme());
    let task = tokio::spawn(async move {
        let source: crate::scheduler::ProgrammeSource = Arc::new(move || Arc::clone(&programme));
        scheduler
            .run(announcer, source, async {
                let _ = stopped.await;
            })
            .await;
    });
    (stop, task)
}

#[tokio::test]
async fn a_posted_poll_gets_a_close_job_at_its_deadline_that_planning_leaves_and_one_claim_takes() {
    let store = Store::in_memory().unwrap();
    let clock = ManualClock::new(start());
    let bot = process(&store, &clock, "a");
    let poll = bot.polls.post(request(5)).await.unwrap();
    let job = close_job(&store, &poll).expect("the close is a stored job");
    assert_eq!(job.key, format!("poll_close:p/{}", poll.id));
    assert_eq!((job.kind, job.due_at), (JobKind::PollClose, poll.closes_at));
    assert_eq!(job.state, JobState::Pending);

    let report = bot.scheduler.plan_all(&programme()).await.unwrap();
    assert!(report.planned > 0, "the programme has jobs of its own");
    assert_eq!(report.cancelled, 0, "{report:?}");
    assert_eq!(close_job(&store, &poll).unwrap().state, JobState::Pending);

    let claim = |holder| {
        let kind = Some(JobKind::PollClose);
        crate::store::JobStore::claim_due(&store, job.due_at, kind, 10, holder).unwrap()
    };
    assert_eq!(claim("a").len(), 1);
    assert!(claim("b").is_empty(), "claimed once");
    bot.scheduler.plan_all(&programme()).await.unwrap();
    assert_eq!(close_job(&store, &poll).unwrap().state, JobState::Claimed);
}

#[tokio::test]
async fn closing_a_poll_twice_announces_it_once() {
    let store = Store::in_memory().unwrap();
    let clock = ManualClock::new(start());
    let bot = process(&store, &clock, "a");
    let poll = bot.polls.post(request(5)).await.unwrap();
    clock.advance(TimeDelta::minutes(5));
    let announcer = ChatAnnouncer::new(bot.port.clone()).with_polls(bot.polls.clone());
    let first = announcer.close_poll(&poll.message).await.unwrap();
    let second = announcer.close_poll(&poll.message).await.unwrap();
    assert!(first.contains(&format!("poll {}", poll.id)), "{first}");
    assert!(second.contains("no longer open"), "{second}");
    let result = format!("poll-{}-result", poll.id);
    assert_eq!(bot.port.posts_with(&result), 1);
    assert_eq!(bot.port.edits_of(&poll.message), 1, "one final tally");
    let stored = store.poll_by_message(&poll.message).unwrap().unwrap();
    assert_eq!((stored.state, stored.announced), (PollState::Closed, true));
}

#[tokio::test]
async fn the_process_holding_the_lease_closes_a_poll_another_process_posted_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emcee.sqlite3");
    let clock = ManualClock::new(start());
    let holder = process(&Store::open(&path).unwrap(), &clock, "a");
    let (stop_a, task_a) = run(&holder);
    let lease = crate::store::Lease::new(Store::open(&path).unwrap(), "scheduler", "probe");
    while lease.holder().unwrap().as_deref() != Some("a") {
        tokio::task::yield_now().await;
    }
    let other = process(&Store::open(&path).unwrap(), &clock, "b");
    let (stop_b, task_b) = run(&other);
    let poll = other.polls.post(request(5)).await.unwrap();
    clock.advance(TimeDelta::minutes(6));
    // Another process's job wakes nobody here: in production the holder
    // finds it at its next lease tick; the test nudges it instead.
    holder.scheduler.wake();
    let result = format!("poll-{}-result", poll.id);
    holder.port.wait_for(&result).await;
    for (stop, task) in [(stop_b, task_b), (stop_a, task_a)] {
        stop.send(()).unwrap();
        task.await.unwrap();
    }
    assert_eq!(holder.port.posts_with(&result), 1);
    assert_eq!(other.port.posts_with(&result), 0);
    assert_eq!(holder.port.edits_of(&poll.message), 1, "one final tally");
    assert_eq!(other.port.edits_of(&poll.message), 0);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.poll_by_message(&poll.message).unwrap().unwrap().state,
        PollState::Closed
    );
    assert_eq!(close_job(&store, &poll).unwrap().state, JobState::Done);
    assert!(
        other.polls.recorder().watch(&poll.message).is_none(),
        "stopped counting"
    );
}

#[tokio::test]
async fn a_close_that_fell_due_hours_ago_still_runs_when_the_scheduler_starts() {
    let store = Store::in_memory().unwrap();
    let clock = ManualClock::new(start());
    let bot = process(&store, &clock, "a");
    let poll = bot.polls.post(request(5)).await.unwrap();
    // Down for two hours, far past the ten-minute catch-up window.
    clock.advance(TimeDelta::hours(2));
    let (stop, task) = run(&bot);
    let result = format!("poll-{}-result", poll.id);
    bot.port.wait_for(&result).await;
    stop.send(()).unwrap();
    task.await.unwrap();
    assert_eq!(bot.port.posts_with(&result), 1);
    assert_eq!(close_job(&store, &poll).unwrap().state, JobState::Done);
}

#[tokio::test]
async fn without_a_scheduler_a_poll_still_closes_at_its_deadline() {
    let store = Store::in_memory().unwrap();
    let clock = ManualClock::new(start());
    let port = Arc::new(Recording::default());
    let polls = PollService::new(
        Arc::new(store.clone()),
        Arc::clone(&port) as Arc<dyn ChatPort>,
        Arc::new(clock.clone()),
    );
    let poll = polls.post(request(5)).await.unwrap();
    assert!(close_job(&store, &poll).is_none());
    clock.advance(TimeDelta::minutes(5));
    port.wait_for(&format!("poll-{}-result", poll.id)).await;
}

#[tokio::test]
async fn a_poll_opened_before_closes_were_jobs_gets_one_when_the_scheduler_is_attached() {
    let store = Store::in_memory().unwrap();
    let clock = ManualClock::new(start());
    // Stored by an older version, which kept the deadline in memory only.
    let poll = store
        .insert_poll(&crate::polls::NewPoll {
            message: MessageKey::new("general", "41"),
            question: "Tabs or spaces?".into(),
            choices: ["A", "B"]
                .map(|key| crate::polls::Choice {
                    key: key.into(),
                    label: key.into(),
                })
                .to_vec(),
            multi: false,
            hide_tally: false,
            style: crate::polls::PollStyle::Reactions,
            opened_at: start(),
            closes_at: start() + TimeDelta::minutes(5),
            declared_id: None,
            created_by: None,
            community: None,
        })
        .unwrap();
    assert!(close_job(&store, &poll).is_none());
    // A restart: the new process loads the open poll, then starts its scheduler.
    let after = process(&store, &clock, "a");
    let planned = tokio::time::timeout(Duration::from_secs(10), async {
        while close_job(&store, &poll).is_none() {
            tokio::task::yield_now().await;
        }
    });
    planned.await.expect("the open poll's close is planned");
    let (stop, task) = run(&after);
    clock.advance(TimeDelta::minutes(5));
    after
        .port
        .wait_for(&format!("poll-{}-result", poll.id))
        .await;
    stop.send(()).unwrap();
    task.await.unwrap();
}

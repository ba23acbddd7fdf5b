//! Jobs: planning, exact cancellation, claims with tokens, retries.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::agenda::{SessionId, SessionKind};
use emcee_core::scheduler::{reminder_subject, Item, Job, JobKind, Message, Retried, Target};
use emcee_core::store::JobState;
use std::collections::BTreeSet;

contract!(
    planning_twice_stores_once_and_vanished_jobs_are_cancelled,
    done_jobs_stay_done_when_planned_again,
    two_processes_claiming_at_once_get_disjoint_jobs,
    a_stale_claim_can_neither_finish_nor_retry_nor_miss,
    a_retried_job_gives_up_after_its_attempts,
    reminders_may_be_claimed_early_and_nothing_else_is,
    cancelling_is_exact_per_user_and_session,
    a_reminder_added_while_planning_survives_the_plan,
);

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_618_800 + minute * 60, 0).unwrap()
}

fn job(key: &str, minute: i64) -> Job {
    Job {
        key: key.into(),
        due_at: at(minute),
        expires_at: at(minute) + TimeDelta::hours(1),
        target: Target::Channel("general".into()),
        message: Message::new(JobKind::Announce, Vec::new()),
    }
}

fn reminder(user: &str, session: &str, minute: i64) -> Job {
    let item = Item {
        session: SessionId::new(session),
        title: "T".into(),
        kind: SessionKind::Talk,
        speakers: String::new(),
        place: None,
        start: at(minute + 10),
        end: at(minute + 40),
        video: None,
        was: None,
        cancelled: false,
    };
    Job {
        key: format!("reminder:10:u/{user}:{}:{session}", at(minute).timestamp()),
        due_at: at(minute),
        expires_at: at(minute + 10),
        target: Target::User(user.into()),
        message: Message::new(JobKind::Reminder, vec![item]),
    }
}

async fn states(f: &Fixture) -> Vec<(String, JobState)> {
    let records = f.db.jobs.all_jobs().await.unwrap();
    records.into_iter().map(|r| (r.key, r.state)).collect()
}

async fn planning_twice_stores_once_and_vanished_jobs_are_cancelled(f: Fixture) {
    let jobs = &f.db.jobs;
    let report = jobs
        .sync_jobs(vec![job("a", 0), job("b", 5)])
        .await
        .unwrap();
    assert_eq!((report.planned, report.cancelled), (2, 0));
    let again = jobs
        .sync_jobs(vec![job("a", 0), job("b", 5)])
        .await
        .unwrap();
    assert_eq!(again.cancelled, 0, "{again:?}");
    assert_eq!(states(&f).await.len(), 2, "stored once");
    let mut change = job("n", 1);
    change.message.kind = JobKind::Change;
    jobs.add_jobs(vec![change]).await.unwrap();
    let report = jobs
        .sync_jobs(vec![job("a", 0), job("c", 9)])
        .await
        .unwrap();
    assert_eq!(
        report.cancelled, 1,
        "b left the plan; the change notice is no plan's"
    );
    assert_eq!(
        states(&f).await,
        [
            ("a".into(), JobState::Pending),
            ("n".into(), JobState::Pending),
            ("b".into(), JobState::Cancelled),
            ("c".into(), JobState::Pending),
        ]
    );
    assert_eq!(jobs.next_due().await.unwrap(), Some(at(0)));
    let report = jobs.sync_jobs(vec![job("b", 6)]).await.unwrap();
    assert_eq!(
        report.planned, 1,
        "a cancelled job planned again is revived"
    );
    let records = jobs.all_jobs().await.unwrap();
    let b = records.iter().find(|r| r.key == "b").unwrap();
    assert_eq!((b.state, b.due_at), (JobState::Pending, at(6)));
}

async fn done_jobs_stay_done_when_planned_again(f: Fixture) {
    let jobs = &f.db.jobs;
    jobs.add_jobs(vec![job("a", 0)]).await.unwrap();
    let claim = jobs.claim_due(at(0), None, 10, "me".into()).await.unwrap();
    let token = claim[0].token.clone();
    let done = jobs.finish_job("a".into(), token, JobState::Done, "posted".into(), at(0));
    assert!(done.await.unwrap());
    let report = jobs.sync_jobs(vec![job("a", 3)]).await.unwrap();
    assert_eq!(report.planned, 0);
    assert_eq!(states(&f).await, [("a".into(), JobState::Done)]);
    assert!(jobs
        .claim_due(at(9), None, 10, "me".into())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(jobs.next_due().await.unwrap(), None);
}

async fn two_processes_claiming_at_once_get_disjoint_jobs(f: Fixture) {
    let planned: Vec<Job> = (0..60).map(|n| job(&format!("j{n:02}"), n % 5)).collect();
    f.db.jobs.sync_jobs(planned).await.unwrap();
    let other = f.another().await;
    let claim_all = |db: emcee_core::store::Database, holder: &'static str| async move {
        let mut claimed = Vec::new();
        loop {
            let batch = db
                .jobs
                .claim_due(at(10), None, 7, holder.into())
                .await
                .unwrap();
            if batch.is_empty() {
                return claimed;
            }
            claimed.extend(batch);
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(claim_all(f.db.clone(), "a")),
        tokio::spawn(claim_all(other, "b"))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let keys_a: BTreeSet<&str> = a.iter().map(|c| c.job.key.as_str()).collect();
    let keys_b: BTreeSet<&str> = b.iter().map(|c| c.job.key.as_str()).collect();
    assert_eq!(keys_a.len() + keys_b.len(), 60, "every job claimed once");
    assert!(keys_a.is_disjoint(&keys_b));
    let tokens_a: BTreeSet<&str> = a.iter().map(|c| c.token.as_str()).collect();
    assert!(b.iter().all(|c| !tokens_a.contains(c.token.as_str())));
    let ordered: Vec<DateTime<Utc>> = a.iter().map(|c| c.job.due_at).take(7).collect();
    assert!(ordered.windows(2).all(|w| w[0] <= w[1]), "oldest first");
}

async fn a_stale_claim_can_neither_finish_nor_retry_nor_miss(f: Fixture) {
    let jobs = &f.db.jobs;
    jobs.add_jobs(vec![job("a", 0), reminder("7", "s", 0)])
        .await
        .unwrap();
    let stale = jobs
        .claim_due(at(0), None, 10, "paused".into())
        .await
        .unwrap();
    assert_eq!(stale.len(), 2);
    // The paused process lost its lease; the new holder releases and claims.
    assert_eq!(jobs.release_claims().await.unwrap(), 2);
    let fresh = jobs
        .claim_due(at(0), None, 10, "next".into())
        .await
        .unwrap();
    assert_eq!(fresh.len(), 2);
    for claim in &stale {
        let key = claim.job.key.clone();
        let token = claim.token.clone();
        assert!(!jobs.holds_claim(key.clone(), token.clone()).await.unwrap());
        let finished = jobs.finish_job(
            key.clone(),
            token.clone(),
            JobState::Done,
            "x".into(),
            at(1),
        );
        assert!(!finished.await.unwrap(), "a stale token finishes nothing");
        let retried = jobs
            .retry_job(key, token, at(2), "502".into(), 9)
            .await
            .unwrap();
        assert_eq!(retried, Retried::Lost);
    }
    let message = Message::new(JobKind::Reminder, Vec::new());
    let key = reminder("7", "s", 0).key;
    let stale_token = stale
        .iter()
        .find(|c| c.job.key == key)
        .unwrap()
        .token
        .clone();
    let missed = jobs.miss_reminder(key.clone(), stale_token, "7".into(), message.clone(), at(1));
    assert!(!missed.await.unwrap());
    assert!(f
        .db
        .reminders
        .missed_of("7".into())
        .await
        .unwrap()
        .is_empty());
    for claim in &fresh {
        assert!(jobs
            .holds_claim(claim.job.key.clone(), claim.token.clone())
            .await
            .unwrap());
        let done = jobs.finish_job(
            claim.job.key.clone(),
            claim.token.clone(),
            JobState::Done,
            "posted".into(),
            at(1),
        );
        assert!(done.await.unwrap());
    }
    let stale_a = stale
        .iter()
        .find(|c| c.job.key == "a")
        .unwrap()
        .token
        .clone();
    let reset = jobs
        .retry_job("a".into(), stale_a, at(2), "502".into(), 9)
        .await
        .unwrap();
    assert_eq!(reset, Retried::Lost, "a done job is not put back");
    assert!(states(&f)
        .await
        .iter()
        .all(|(_, state)| *state == JobState::Done));
}

async fn a_retried_job_gives_up_after_its_attempts(f: Fixture) {
    let jobs = &f.db.jobs;
    jobs.add_jobs(vec![job("a", 0)]).await.unwrap();
    let claim = |minute| jobs.claim_due(at(minute), None, 1, "me".into());
    let first = claim(0).await.unwrap().remove(0);
    let retried = jobs
        .retry_job("a".into(), first.token, at(3), "502".into(), 2)
        .await
        .unwrap();
    assert_eq!(retried, Retried::Again);
    assert!(claim(2).await.unwrap().is_empty(), "due again at minute 3");
    let second = claim(3).await.unwrap().remove(0);
    assert_eq!(second.job.due_at, at(3));
    let retried = jobs
        .retry_job("a".into(), second.token, at(6), "502".into(), 2)
        .await
        .unwrap();
    assert_eq!(retried, Retried::GaveUp);
    let records = jobs.all_jobs().await.unwrap();
    assert_eq!(
        (records[0].state, records[0].outcome.as_deref()),
        (JobState::Failed, Some("502"))
    );
}

async fn reminders_may_be_claimed_early_and_nothing_else_is(f: Fixture) {
    let jobs = &f.db.jobs;
    jobs.add_jobs(vec![job("a", 1), reminder("7", "s", 2)])
        .await
        .unwrap();
    let ahead = TimeDelta::seconds(90);
    assert_eq!(
        jobs.next_start(JobKind::Reminder, ahead).await.unwrap(),
        Some(at(2) - ahead),
        "the reminder may start at 0:30, before the announcement at 1:00"
    );
    let early = jobs.claim_due(at(2), Some(JobKind::Reminder), 10, "me".into());
    let early = early.await.unwrap();
    assert_eq!(early.len(), 1);
    assert_eq!(early[0].job.kind(), JobKind::Reminder);
    assert_eq!(early[0].job, reminder("7", "s", 2), "the job round-trips");
    assert_eq!(
        jobs.next_start(JobKind::Reminder, ahead).await.unwrap(),
        Some(at(1))
    );
    assert_eq!(jobs.next_due().await.unwrap(), Some(at(1)));
}

async fn cancelling_is_exact_per_user_and_session(f: Fixture) {
    let jobs = &f.db.jobs;
    let all = vec![
        reminder("7", "b", 0),
        reminder("7", "a:b", 0),
        reminder("7", "B", 0),
        reminder("7", "x_b", 0),
        reminder("70", "b", 0),
    ];
    jobs.add_jobs(all).await.unwrap();
    let subject = reminder_subject("7", &SessionId::new("b"));
    let cancelled = jobs
        .cancel_jobs(JobKind::Reminder, subject.clone())
        .await
        .unwrap();
    assert_eq!(cancelled, 1, "only user 7's job for session b");
    let cancelled_keys: Vec<String> = states(&f)
        .await
        .into_iter()
        .filter(|(_, state)| *state == JobState::Cancelled)
        .map(|(key, _)| key)
        .collect();
    assert_eq!(cancelled_keys, [reminder("7", "b", 0).key]);
    assert_eq!(
        jobs.cancel_jobs(JobKind::Announce, subject).await.unwrap(),
        0
    );
}

/// A `/remind` that lands while a plan is being made (in this process or
/// another) adds a job the plan does not know; the plan must not cancel it.
/// A reminder job the plan replaced (its session moved) is cancelled.
async fn a_reminder_added_while_planning_survives_the_plan(f: Fixture) {
    let remind = |user: &str, session: &str| emcee_core::scheduler::Reminder {
        user: user.into(),
        session: SessionId::new(session),
        minutes_before: 10,
    };
    let reminders = &f.db.reminders;
    reminders
        .add_reminder(remind("7", "s"), 10, at(0))
        .await
        .unwrap();
    reminders
        .add_reminder(remind("7", "moved"), 10, at(0))
        .await
        .unwrap();
    let jobs = &f.db.jobs;
    let old = reminder("7", "moved", 5);
    jobs.add_jobs(vec![
        reminder("7", "s", 5),
        reminder("7", "gone", 5),
        old.clone(),
    ])
    .await
    .unwrap();
    let report = jobs
        .sync_jobs(vec![job("a", 0), reminder("7", "moved", 8)])
        .await
        .unwrap();
    assert_eq!(report.cancelled, 2, "{report:?}");
    let by_key: std::collections::BTreeMap<String, JobState> =
        states(&f).await.into_iter().collect();
    assert_eq!(
        by_key[&reminder("7", "s", 5).key],
        JobState::Pending,
        "added meanwhile"
    );
    assert_eq!(
        by_key[&reminder("7", "gone", 5).key],
        JobState::Cancelled,
        "no reminder"
    );
    assert_eq!(
        by_key[&old.key],
        JobState::Cancelled,
        "replaced by the plan"
    );
    assert_eq!(by_key[&reminder("7", "moved", 8).key], JobState::Pending);
}

//! Reminders and the ones a user missed.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::agenda::SessionId;
use emcee_core::scheduler::{Job, JobKind, Message, Reminder, Target};
use emcee_core::store::Added;

contract!(
    reminders_are_limited_per_user_and_replaced_per_session,
    a_missed_reminder_is_kept_under_its_claim_and_taken_once,
);

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_618_800, 0).unwrap()
}

fn reminder(user: &str, session: &str, minutes_before: u32) -> Reminder {
    Reminder {
        user: user.into(),
        session: SessionId::new(session),
        minutes_before,
    }
}

async fn reminders_are_limited_per_user_and_replaced_per_session(f: Fixture) {
    let store = &f.db.reminders;
    let add = |r: Reminder| store.add_reminder(r, 2, now());
    assert_eq!(add(reminder("u", "a", 10)).await.unwrap(), Added::New);
    assert_eq!(add(reminder("u", "a", 5)).await.unwrap(), Added::Replaced);
    assert_eq!(add(reminder("u", "b", 10)).await.unwrap(), Added::New);
    assert_eq!(
        add(reminder("u", "c", 10)).await.unwrap(),
        Added::LimitReached
    );
    assert_eq!(
        add(reminder("u", "a", 15)).await.unwrap(),
        Added::Replaced,
        "at the limit"
    );
    assert_eq!(add(reminder("v", "c", 10)).await.unwrap(), Added::New);
    let held = store.reminders_of("u".into()).await.unwrap();
    assert_eq!(held, [reminder("u", "a", 15), reminder("u", "b", 10)]);
    assert!(store
        .remove_reminder("u".into(), SessionId::new("a"))
        .await
        .unwrap());
    assert!(!store
        .remove_reminder("u".into(), SessionId::new("a"))
        .await
        .unwrap());
    let mut all = f.db.jobs.all_reminders().await.unwrap();
    all.sort_by(|a, b| (&a.user, &a.session).cmp(&(&b.user, &b.session)));
    assert_eq!(all, [reminder("u", "b", 10), reminder("v", "c", 10)]);
}

async fn a_missed_reminder_is_kept_under_its_claim_and_taken_once(f: Fixture) {
    let message = |lead| {
        let mut message = Message::new(JobKind::Reminder, Vec::new());
        message.lead_minutes = lead;
        message
    };
    let jobs: Vec<Job> = [("r1", 1), ("r2", 2)]
        .into_iter()
        .map(|(key, minute)| Job {
            key: key.into(),
            due_at: now() + TimeDelta::minutes(minute),
            expires_at: now() + TimeDelta::hours(1),
            target: Target::User("7".into()),
            message: message(10),
        })
        .collect();
    f.db.jobs.add_jobs(jobs).await.unwrap();
    let horizon = now() + TimeDelta::minutes(5);
    let claims =
        f.db.jobs
            .claim_due(horizon, None, 10, "me".into())
            .await
            .unwrap();
    assert_eq!(claims.len(), 2);
    assert!(f.db.reminders.users_with_missed().await.unwrap().is_empty());
    for (claim, lead) in claims.iter().zip([10, 5]) {
        let kept = f.db.jobs.miss_reminder(
            claim.job.key.clone(),
            claim.token.clone(),
            "7".into(),
            message(lead),
            now(),
        );
        assert!(kept.await.unwrap());
    }
    let users = f.db.reminders.users_with_missed().await.unwrap();
    assert_eq!(users.into_iter().collect::<Vec<_>>(), ["7"]);
    let missed = f.db.reminders.missed_of("7".into()).await.unwrap();
    let messages: Vec<_> = missed.iter().map(|(_, m)| m.clone()).collect();
    assert_eq!(messages, [message(10), message(5)], "oldest first");
    assert_eq!(
        f.db.reminders.missed_of("7".into()).await.unwrap(),
        missed,
        "reading forgets nothing"
    );
    let first = vec![missed[0].0];
    f.db.reminders
        .forget_missed("7".into(), first)
        .await
        .unwrap();
    assert_eq!(
        f.db.reminders.missed_of("7".into()).await.unwrap(),
        missed[1..]
    );
    let rest = missed[1..].iter().map(|(id, _)| *id).collect();
    f.db.reminders
        .forget_missed("7".into(), rest)
        .await
        .unwrap();
    assert!(f
        .db
        .reminders
        .missed_of("7".into())
        .await
        .unwrap()
        .is_empty());
    assert!(f.db.reminders.users_with_missed().await.unwrap().is_empty());
    let records = f.db.jobs.all_jobs().await.unwrap();
    assert!(records
        .iter()
        .all(|r| r.outcome.as_deref() == Some("direct messages closed")));
}

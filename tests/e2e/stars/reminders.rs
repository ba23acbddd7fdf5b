//! The reminder a star sets: one DM at `[stars] reminder_minutes` (10)
//! before the session on the manual clock, none after unstarring, and a
//! reminder set by hand that unstarring leaves alone.

use super::{private, AT, JAVA, JFRUNIT};
use crate::harness::{eventually, instant, BotOptions, TestBot, PATIENCE};
use emcee_core::scheduler::SchedulerOptions;
use emcee_core::store::{JobRecord, JobState, JobStore};
use fake_discord::{FakeDiscord, FakeUser};
use serde_json::json;
use std::time::Duration;

fn with_scheduler() -> BotOptions {
    BotOptions {
        scheduler: Some(SchedulerOptions {
            holder: "stars".into(),
            lease_ttl: Duration::from_secs(1),
            ..SchedulerOptions::default()
        }),
        ..BotOptions::default()
    }
}

/// The reminder jobs of `user`.
fn reminders_of(bot: &TestBot, user: &FakeUser) -> Vec<JobRecord> {
    let marker = format!("u/{}:", user.id);
    bot.store
        .job_records()
        .unwrap()
        .into_iter()
        .filter(|job| job.key.contains(&marker))
        .collect()
}

#[tokio::test]
async fn a_star_reminds_once_by_dm_and_unstarring_cancels_only_the_stars_reminder() {
    let fake = FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, AT, with_scheduler()).await;
    let (fan, fickle, planner) = (
        FakeUser::attendee(1),
        FakeUser::attendee(2),
        FakeUser::attendee(3),
    );
    let starred = private(&bot, &fan, "star", json!({ "session": JFRUNIT })).await;
    assert!(starred.ends_with("I'll DM you 10 min before."), "{starred}");
    private(&bot, &fickle, "star", json!({ "session": JFRUNIT })).await;
    let unstarred = private(&bot, &fickle, "unstar", json!({ "session": JFRUNIT })).await;
    assert!(
        unstarred.ends_with("and cancelled the reminder it set."),
        "{unstarred}"
    );
    let by_hand = json!({ "session": JAVA, "minutes_before": 10 });
    private(&bot, &planner, "remind", by_hand).await;
    let kept = private(&bot, &planner, "star", json!({ "session": JAVA })).await;
    assert!(
        kept.ends_with("Your reminder for it stays as it is."),
        "{kept}"
    );
    let unstarred = private(&bot, &planner, "unstar", json!({ "session": JAVA })).await;
    assert!(!unstarred.contains("cancelled"), "{unstarred}");

    bot.clock.set(instant("2021-10-07T08:50:00-07:00"));
    let dm = bot.fake.dm_channel(&fan);
    let message = bot
        .fake
        .wait_until("the star's reminder DM", PATIENCE, |fake| {
            fake.messages(dm).into_iter().next()
        })
        .await
        .unwrap();
    assert!(message.content.contains("JfrUnit"), "{}", message.content);
    let planner_dm = bot.fake.dm_channel(&planner);
    bot.fake
        .wait_until("the hand-set reminder DM", PATIENCE, |fake| {
            fake.messages(planner_dm).into_iter().next()
        })
        .await
        .unwrap();
    // Past the sessions' start, every job due by then is finished: the
    // scheduler has had every chance to send a second DM.
    let later = instant("2021-10-07T09:30:00-07:00");
    bot.clock.set(later);
    eventually("every job due by 09:30 finished", || {
        let jobs = bot.store.job_records().ok()?;
        let open = |job: &&JobRecord| matches!(job.state, JobState::Pending | JobState::Claimed);
        (!jobs.iter().filter(|j| j.due_at <= later).any(|j| open(&j))).then_some(())
    })
    .await;
    assert_eq!(bot.fake.messages(dm).len(), 1, "one reminder DM");
    let fickle_dm = bot.fake.dm_channel(&fickle);
    assert!(bot.fake.messages(fickle_dm).is_empty(), "unstarred: no DM");
    let states = |user| -> Vec<JobState> {
        reminders_of(&bot, user)
            .into_iter()
            .map(|job| job.state)
            .collect()
    };
    assert_eq!(states(&fan), [JobState::Done]);
    assert_eq!(states(&fickle), [JobState::Cancelled]);
    assert_eq!(
        states(&planner),
        [JobState::Done],
        "the hand-set one stayed"
    );
    bot.stop().await;
}

//! Missed reminders (closed DMs) shown after a command: a notice part Discord
//! refuses loses none of the reminders it carried.

use super::bot_options;
use crate::harness::{eventually, instant, TestBot};
use emcee_core::agenda::{SessionId, SessionKind};
use emcee_core::scheduler::{Item, JobKind, Message};
use emcee_core::store::JobStore;
use emcee_core::store::{ReminderStore, Store};
use fake_discord::{FakeDiscord, FakeUser, Fault, Matcher, RecordedRequest};
use serde_json::json;

/// A missed reminder whose title is easy to find in the notice.
fn missed(n: usize) -> Message {
    let start = instant("2021-10-07T16:00:00Z");
    let item = Item {
        session: SessionId::new(format!("s{n}")),
        title: format!("Session number {n:02} {}", "with a long title ".repeat(5)),
        kind: SessionKind::Talk,
        speakers: "Ann Example, Bob Example".into(),
        place: Some("Track A".into()),
        start,
        end: start + chrono::TimeDelta::minutes(20),
        video: None,
        was: None,
        cancelled: false,
    };
    Message::new(JobKind::Reminder, vec![item])
}

/// The notice parts sent after `asked`, in order.
fn notice_parts(fake: &FakeDiscord, token: &str) -> Vec<RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/webhooks") && r.path.contains(token))
        .collect()
}

fn titles_in(text: &str) -> Vec<usize> {
    (0..20)
        .filter(|n| text.contains(&format!("Session number {n:02} ")))
        .collect()
}

#[tokio::test]
async fn a_refused_part_of_the_missed_notice_keeps_its_reminders_for_next_time() {
    let store = Store::in_memory().unwrap();
    let user = FakeUser::attendee(7);
    let now = instant("2021-10-07T15:50:00Z");
    for n in 0..16 {
        // Each missed reminder as the scheduler leaves it: a claimed reminder
        // job whose DM could not be delivered.
        let key = format!("reminder:10:u/{}:x:s{n}", user.id);
        let job = emcee_core::scheduler::Job {
            key: key.clone(),
            due_at: now,
            expires_at: now + chrono::TimeDelta::hours(1),
            target: emcee_core::scheduler::Target::User(user.id.to_string()),
            message: missed(n),
        };
        store.add_jobs(&[job]).unwrap();
        let token = store
            .claim_due(now, None, 1, "earlier")
            .unwrap()
            .remove(0)
            .token;
        assert!(store
            .miss_reminder(&key, &token, &user.id.to_string(), &missed(n), now)
            .unwrap());
    }
    let fake = FakeDiscord::start().await.unwrap();
    let bot =
        TestBot::start_with(fake, "2021-10-07T15:55:00Z", bot_options("a", Some(store))).await;
    let application = bot.fake.ids().application_id;

    let first = bot.fake.slash_command(&user, "now", json!({})).await;
    bot.fake.inject(Fault::ServerError {
        matcher: Matcher::new("POST", &format!("/webhooks/{application}/{}", first.token)),
        status: 500,
        times: 1,
    });
    bot.response(&first).await;
    let kept = wait_for_missed(&bot, &user, |left| left < 16).await;
    let parts = notice_parts(&bot.fake, &first.token);
    assert!(parts.len() >= 2, "the notice is split: {}", parts.len());
    assert_eq!(parts[0].status, 500, "the first part was refused");
    assert!(parts[1..].iter().all(|p| p.status == 200));
    let refused = titles_in(parts[0].body_str("content").unwrap());
    assert!(!refused.is_empty());
    assert_eq!(kept, refused.len(), "exactly the refused ones are kept");
    let delivered: Vec<usize> = parts[1..]
        .iter()
        .flat_map(|p| titles_in(p.body_str("content").unwrap()))
        .collect();
    assert!(delivered.iter().all(|n| !refused.contains(n)));
    assert_eq!(
        refused.len() + delivered.len(),
        16,
        "{refused:?} {delivered:?}"
    );

    let second = bot.fake.slash_command(&user, "now", json!({})).await;
    bot.response(&second).await;
    wait_for_missed(&bot, &user, |left| left == 0).await;
    let again = notice_parts(&bot.fake, &second.token);
    assert_eq!(again.len(), 1);
    let shown = titles_in(again[0].body_str("content").unwrap());
    assert_eq!(shown, refused, "the refused ones come back, and only they");
    bot.stop().await;
}

/// Waits until the number of `user`'s stored missed reminders passes `done`.
async fn wait_for_missed(bot: &TestBot, user: &FakeUser, done: impl Fn(usize) -> bool) -> usize {
    let user = user.id.to_string();
    eventually("the delivered reminders forgotten", || {
        let left = bot.store.missed_of(&user).unwrap().len();
        done(left).then_some(left)
    })
    .await
}

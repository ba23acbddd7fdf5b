//! Filling the database through the core's own writers until each is refused.

use super::Posted;
use crate::harness::TestBot;
use emcee_core::clock::Clock;
use emcee_core::polls::{Choice, MessageKey, NewPoll, PollState, Reaction};
use emcee_core::reminders::ReminderError;

/// Filler ids sort before the fake's attendees (1_2…), so the writes under
/// test land where the filler ran out of room.
pub const FILLER: u64 = 1_100_000_000_000_000_000;

/// How many rows each writer stored before the database refused one.
pub struct Filled {
    pub reminders: u32,
    pub polls: u32,
    pub votes: u32,
}

/// Fills the database through the core's own writers (reminders, polls, votes)
/// until each is refused for want of room.
pub async fn fill(bot: &TestBot, poll: &Posted) -> Filled {
    let service = bot.data.reminders().expect("reminders run");
    let programme = bot.data.programme();
    let mut reminders = 0;
    loop {
        let user = (FILLER + u64::from(reminders)).to_string();
        match service
            .remind(&programme, &user, "huici-unikraft", 10)
            .await
        {
            Ok(_) => reminders += 1,
            Err(ReminderError::Store(e)) if e.is_storage_failure() => break,
            Err(other) => panic!("{other}"),
        }
    }
    let recorder = bot.data.polls.recorder();
    let now = bot.clock.now();
    let mut polls = 0;
    while recorder.open(filler_poll(polls, now)).await.is_ok() {
        polls += 1;
    }
    let mut votes = 0;
    loop {
        let reaction = Reaction {
            message: poll.key(),
            voter: (FILLER + u64::from(votes)).to_string(),
            key: "🦀".into(),
            added: true,
            by_self: false,
        };
        match recorder.react(reaction, std::time::Instant::now()).await {
            Ok(_) => votes += 1,
            Err(_) => break,
        }
    }
    Filled {
        reminders,
        polls,
        votes,
    }
}

fn filler_poll(n: u32, now: chrono::DateTime<chrono::Utc>) -> NewPoll {
    let choice = |key: &str| Choice {
        key: key.into(),
        label: key.into(),
    };
    NewPoll {
        message: MessageKey::new(FILLER, FILLER + u64::from(n)),
        question: "filler".into(),
        choices: vec![choice("🦀"), choice("🐹")],
        multi: false,
        hide_tally: false,
        style: emcee_core::polls::PollStyle::Reactions,
        opened_at: now,
        closes_at: now + chrono::TimeDelta::hours(8),
        declared_id: None,
        created_by: None,
        community: None,
    }
}

/// Cancels the filler polls (and marks them announced) so a restart does not
/// try to show them on Discord.
pub async fn close_fillers(bot: &TestBot, count: u32) {
    let recorder = bot.data.polls.recorder();
    let now = bot.clock.now();
    for n in 0..count {
        let key = filler_poll(n, now).message;
        if let Some((poll, _)) = recorder
            .close(&key, PollState::Cancelled, now)
            .await
            .unwrap()
        {
            recorder.set_announced(poll.id).await.unwrap();
        }
    }
}

//! Polls and votes on the fake Discord, for the full-database test.

use super::{posts, STORAGE_FAILING};
use crate::harness::{TestBot, PATIENCE};
use emcee_core::polls::MessageKey;
use emcee_core::store::PollStore;
use fake_discord::FakeUser;
use serde_json::json;
use std::time::{Duration, Instant};

/// A poll on the fake: its channel and message.
pub struct Posted {
    pub channel: u64,
    pub message: u64,
}

impl Posted {
    pub fn key(&self) -> MessageKey {
        MessageKey::new(self.channel, self.message)
    }
}

/// Organiser `n` creates a poll; `None` when the bot answers that storage fails.
pub async fn create_poll(bot: &TestBot, n: u32) -> Option<Posted> {
    let before = posts(&bot.fake);
    let options =
        json!({ "create": { "question": "Which language?", "options": "🦀 Rust | 🐹 Go" } });
    let asked = bot
        .fake
        .slash_command(&FakeUser::organiser(n), "poll", options)
        .await;
    let answer = bot.response(&asked).await;
    assert_eq!(answer["data"]["flags"], 64, "ephemeral: {answer}");
    if answer["data"]["content"]
        .as_str()
        .unwrap()
        .contains(STORAGE_FAILING)
    {
        return None;
    }
    let (channel, message) = bot
        .fake
        .wait_until("the poll", PATIENCE, |f| {
            let channels = f.ids().text_channels();
            let all = channels.iter().flat_map(|(id, _)| f.messages(*id));
            all.filter(|m| !before.contains(&m.id))
                .find(|m| {
                    m.embeds
                        .first()
                        .is_some_and(|e| e["title"].as_str().is_some_and(|t| t.starts_with("📊")))
                })
                .map(|m| (m.channel_id, m.id))
        })
        .await
        .unwrap();
    Some(Posted { channel, message })
}

/// Attendee `n` votes 🦀; true when the vote was not stored.
pub async fn vote(bot: &TestBot, poll: &Posted, n: u32) -> bool {
    let user = FakeUser::attendee(n);
    bot.fake
        .react(poll.channel, poll.message, &user, "🦀")
        .await
        .unwrap();
    !wait_stored(bot, poll, user.id, Duration::from_secs(2)).await
}

pub async fn wait_stored(bot: &TestBot, poll: &Posted, voter: u64, patience: Duration) -> bool {
    let id = bot.store.poll_by_message(&poll.key()).unwrap().unwrap().id;
    let started = Instant::now();
    while started.elapsed() < patience {
        let marks = bot.store.marks(id).unwrap();
        if marks
            .iter()
            .any(|m| m.voter == voter.to_string() && m.net > 0)
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

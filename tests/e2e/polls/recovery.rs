//! Polls under load and across a crash: votes made while the bot was down
//! are reconciled at start, and a burst of 2,000 voters ends at the exact tally.

use super::{create, react, wait_reaction_gone, wait_tally, Posted, AT};
use crate::harness::{BotOptions, Rng, TestBot};
use fake_discord::FakeUser;
use serde_json::json;

#[tokio::test]
async fn votes_made_while_the_bot_was_down_are_reconciled_at_start() {
    let bot = TestBot::start_at(AT).await;
    let poll = create(&bot, json!({ "duration": "30m" })).await;
    let (alice, bob) = (FakeUser::attendee(1), FakeUser::attendee(2));
    react(&bot, &poll, &alice, "🦀").await;
    react(&bot, &poll, &bob, "🇧").await;
    wait_tally(&bot, &poll.key(), &[1, 1, 0], 2).await;
    let (fake, store) = bot.kill();
    // Invalid-session close: the killed client stops for good, like a crash.
    fake.close_gateway(4004);
    unreact_raw(&fake, &poll, &alice, "🦀").await;
    fake.react(poll.channel, poll.message, &bob, "🦀")
        .await
        .unwrap();
    for n in 0..150 {
        let user = FakeUser::attendee(100 + n);
        fake.react(poll.channel, poll.message, &user, "🇨")
            .await
            .unwrap();
    }
    let before = fake.requests().len();
    let again = TestBot::start_with(
        fake,
        "2021-10-07T15:58:00Z",
        BotOptions {
            store: Some(store),
            ..BotOptions::default()
        },
    )
    .await;
    wait_tally(&again, &poll.key(), &[1, 0, 150], 151).await;
    wait_reaction_gone(&again, &poll, "🇧", &bob).await;
    let pages = again.fake.requests()[before..]
        .iter()
        .filter(|r| {
            r.method == "GET" && r.path.contains("/reactions/") && r.query("after").is_some()
        })
        .count();
    assert!(pages >= 1, "reactions fetched page by page");
    again.stop().await;
}

async fn unreact_raw(
    fake: &fake_discord::FakeDiscord,
    poll: &Posted,
    user: &FakeUser,
    emoji: &str,
) {
    fake.unreact(poll.channel, poll.message, user, emoji)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_two_thousand_voters_ends_at_the_exact_tally() {
    let bot = TestBot::start_at(AT).await;
    let poll = create(
        &bot,
        json!({ "multi": true, "duration": "1h", "options": "A | B | C | D" }),
    )
    .await;
    let keys = ["🇦", "🇧", "🇨", "🇩"];
    let mut rng = Rng(0x00C0_FFEE);
    let mut expected = vec![0u64; 4];
    let mut voters = 0;
    for n in 0..2000 {
        let user = FakeUser::attendee(10_000 + n);
        let mut voted = false;
        for (option, key) in keys.iter().enumerate() {
            // Each chosen option gets 1-4 alternating clicks (add, remove, ...).
            if rng.below(3) != 0 {
                continue;
            }
            let clicks = 1 + rng.below(4);
            for click in 0..clicks {
                if click % 2 == 0 {
                    bot.fake
                        .react(poll.channel, poll.message, &user, key)
                        .await
                        .unwrap();
                } else {
                    bot.fake
                        .unreact(poll.channel, poll.message, &user, key)
                        .await
                        .unwrap();
                }
            }
            if clicks % 2 == 1 {
                expected[option] += 1;
                voted = true;
            }
        }
        voters += u64::from(voted);
    }
    wait_tally(&bot, &poll.key(), &expected, voters).await;
    let bot_id = bot.fake.ids().bot_user_id;
    for (option, key) in keys.iter().enumerate() {
        let on_discord = bot
            .fake
            .reaction_users(poll.message, key)
            .into_iter()
            .filter(|&u| u != bot_id)
            .count();
        assert_eq!(on_discord as u64, expected[option], "{key}");
    }
    bot.stop().await;
}

/// A closed poll whose result was never posted, stored directly (as a crash
/// between closing and posting leaves it).
fn closed_unannounced(store: &emcee_core::store::Store, channel: u64, message: u64) -> i64 {
    use emcee_core::polls::{Choice, NewPoll, PollState};
    use emcee_core::store::PollStore;
    let at = crate::harness::instant("2021-10-07T15:40:00Z");
    let choice = |key: &str| Choice {
        key: key.into(),
        label: format!("Option {key}"),
    };
    let poll = store
        .insert_poll(&NewPoll {
            message: emcee_core::polls::MessageKey::new(channel, message),
            question: format!("Poll in channel {channel}?"),
            choices: vec![choice("🇦"), choice("🇧")],
            multi: false,
            hide_tally: false,
            style: emcee_core::polls::PollStyle::Reactions,
            opened_at: at,
            closes_at: at + chrono::TimeDelta::minutes(5),
            declared_id: None,
            created_by: None,
            community: None,
        })
        .unwrap();
    let closed_at = at + chrono::TimeDelta::minutes(5);
    assert!(store
        .set_state(poll.id, PollState::Closed, closed_at)
        .unwrap());
    poll.id
}

#[tokio::test]
async fn a_result_that_cannot_be_posted_does_not_block_the_later_ones_at_start() {
    let store = emcee_core::store::Store::in_memory().unwrap();
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let general = fake.ids().general_channel_id;
    // The first poll's channel was deleted while the bot was down.
    closed_unannounced(&store, 4_242_424_242, 1);
    let later = closed_unannounced(&store, general, 2);
    let bot = TestBot::start_with(
        fake,
        AT,
        BotOptions {
            store: Some(store),
            ..BotOptions::default()
        },
    )
    .await;
    let announced = crate::harness::eventually("the later result posted", || {
        let polls = emcee_core::store::PollStore::all_polls(&bot.store).unwrap();
        let flags: Vec<(i64, bool)> = polls.iter().map(|p| (p.id, p.announced)).collect();
        flags
            .iter()
            .any(|(id, done)| *id == later && *done)
            .then_some(flags)
    })
    .await;
    assert_eq!(announced, [(later - 1, false), (later, true)]);
    assert!(
        !bot.fake.messages(general).is_empty(),
        "posted in its channel"
    );
    bot.stop().await;
}

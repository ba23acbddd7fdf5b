//! Flash polls end to end: organisers create them with `/poll`, attendees vote
//! with reactions on the fake Discord, and the bot counts, tidies reactions,
//! edits the tally, closes on time or on command, and recovers after a restart.

use crate::harness::{TestBot, PATIENCE};
use emcee_core::polls::{MessageKey, PollState};
use fake_discord::{FakeUser, StoredMessage};
use serde_json::{json, Value};

mod native;
mod processes;
mod recovery;

const AT: &str = "2021-10-07T15:55:00Z";

/// A poll on the fake: its channel and message.
struct Posted {
    channel: u64,
    message: u64,
}

impl Posted {
    fn key(&self) -> MessageKey {
        MessageKey::new(self.channel, self.message)
    }
}

/// An organiser runs `/poll create` with `options` (question added); waits for
/// the post and all its seed reactions.
async fn create(bot: &TestBot, mut options: Value) -> Posted {
    options["question"] = json!("Which language for a new project?");
    options
        .as_object_mut()
        .unwrap()
        .entry("options")
        .or_insert(json!("🦀 Rust | Go | Zig"));
    let asked = bot
        .fake
        .slash_command(
            &FakeUser::organiser(1),
            "poll",
            json!({ "create": options }),
        )
        .await;
    let answer = bot.response(&asked).await;
    assert_eq!(answer["data"]["flags"], 64, "ephemeral: {answer}");
    let channel = bot.fake.ids().general_channel_id;
    let message = wait_message(bot, channel, |m| poll_title(m).is_some()).await;
    let description = message.embeds[0]["description"]
        .as_str()
        .unwrap()
        .to_owned();
    // Each option line starts with its emoji: "🦀 **Rust**".
    let keys: Vec<String> = description
        .lines()
        .filter(|l| l.contains("**"))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    let bot_id = bot.fake.ids().bot_user_id;
    let id = message.id;
    bot.fake
        .wait_until("seed reactions", PATIENCE, |f| {
            keys.iter()
                .all(|k| f.reaction_users(id, k).contains(&bot_id))
                .then_some(())
        })
        .await
        .unwrap();
    Posted {
        channel,
        message: id,
    }
}

fn poll_title(message: &StoredMessage) -> Option<&str> {
    let title = message.embeds.first()?["title"].as_str()?;
    title.starts_with("📊").then_some(title)
}

async fn wait_message(
    bot: &TestBot,
    channel: u64,
    pred: impl Fn(&StoredMessage) -> bool,
) -> StoredMessage {
    bot.fake
        .wait_until("a message", PATIENCE, |f| {
            f.messages(channel).into_iter().rev().find(|m| pred(m))
        })
        .await
        .unwrap()
}

/// Waits until the stored tally of an open poll is `counts` with `voters`.
async fn wait_tally(bot: &TestBot, key: &MessageKey, counts: &[u64], voters: u64) {
    let mut view = bot.data.polls.recorder().watch(key).expect("poll is open");
    let waited = tokio::time::timeout(PATIENCE, async {
        loop {
            let now = view.borrow_and_update().tally.clone();
            if now.counts == counts && now.voters == voters {
                return;
            }
            view.changed().await.unwrap();
        }
    })
    .await;
    let now = view.borrow().tally.clone();
    assert!(
        waited.is_ok(),
        "tally stuck at {now:?}, wanted {counts:?} / {voters}"
    );
}

async fn react(bot: &TestBot, poll: &Posted, user: &FakeUser, emoji: &str) {
    bot.fake
        .react(poll.channel, poll.message, user, emoji)
        .await
        .unwrap();
}

async fn unreact(bot: &TestBot, poll: &Posted, user: &FakeUser, emoji: &str) {
    bot.fake
        .unreact(poll.channel, poll.message, user, emoji)
        .await
        .unwrap();
}

async fn wait_reaction_gone(bot: &TestBot, poll: &Posted, emoji: &str, user: &FakeUser) {
    let (id, user) = (poll.message, user.id);
    bot.fake
        .wait_until("the bot removes a reaction", PATIENCE, |f| {
            (!f.reaction_users(id, emoji).contains(&user)).then_some(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_flood_of_stray_emoji_is_cleared_in_a_few_coalesced_calls() {
    let bot = TestBot::start_at(AT).await;
    let poll = create(&bot, json!({})).await;
    let before = bot.fake.requests().len();
    let strays = ["🍕", "🍔"];
    for n in 0..400 {
        let user = FakeUser::attendee(1_000 + n);
        react(&bot, &poll, &user, strays[n as usize % 2]).await;
    }
    let id = poll.message;
    bot.fake
        .wait_until("every stray gone", PATIENCE, |f| {
            strays
                .iter()
                .all(|emoji| f.reaction_users(id, emoji).is_empty())
                .then_some(())
        })
        .await
        .unwrap();
    let prefix = format!(
        "/channels/{}/messages/{}/reactions/",
        poll.channel, poll.message
    );
    let deletes = bot.fake.requests()[before..]
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with(&prefix))
        .count();
    println!("stray flood: 400 strays of 2 emoji, {deletes} clean-up calls");
    assert!(
        deletes <= 40,
        "400 strays cost {deletes} clean-up calls on the poll's channel"
    );
    wait_tally(&bot, &poll.key(), &[0, 0, 0], 0).await;
    bot.stop().await;
}

#[tokio::test]
async fn attendees_are_refused_and_organisers_post_polls_whose_seed_reactions_do_not_count() {
    let bot = TestBot::start_at(AT).await;
    let refused = bot
        .ask(
            "poll",
            json!({ "create": { "question": "Tabs?", "options": "Yes | No" } }),
        )
        .await;
    assert_eq!(refused["data"]["flags"], 64);
    assert!(refused["data"]["content"]
        .as_str()
        .unwrap()
        .contains("Only organisers"));
    let channel = bot.fake.ids().general_channel_id;
    assert!(bot
        .fake
        .messages(channel)
        .iter()
        .all(|m| poll_title(m).is_none()));

    let poll = create(&bot, json!({ "duration": "10m" })).await;
    let message = bot.fake.message(poll.message).unwrap();
    let description = message.embeds[0]["description"].as_str().unwrap();
    let closes = crate::harness::instant(AT).timestamp() + 600;
    assert!(
        description.contains(&format!("<t:{closes}:R>")),
        "{description}"
    );
    assert!(
        description.contains("🦀 **Rust**") && description.contains("🇧 **Go**"),
        "{description}"
    );
    let puts: Vec<String> = bot
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/@me"))
        .map(|r| r.path)
        .collect();
    assert_eq!(
        puts.len(),
        3,
        "one seed reaction per option, in order: {puts:?}"
    );
    assert!(puts[0].contains("%F0%9F%A6%80"), "🦀 first: {puts:?}");
    let stored = bot
        .data
        .polls
        .recorder()
        .watch(&poll.key())
        .unwrap()
        .borrow()
        .clone();
    assert_eq!(
        (stored.tally.counts, stored.tally.voters),
        (vec![0, 0, 0], 0)
    );
    let sent = bot
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .unwrap();
    assert_eq!(
        sent.body.unwrap()["allowed_mentions"],
        json!({ "parse": [] })
    );
    bot.stop().await;
}

#[tokio::test]
async fn single_choice_moves_votes_removes_foreign_emoji_and_unvotes() {
    let bot = TestBot::start_at(AT).await;
    let poll = create(&bot, json!({})).await;
    let (alice, bob) = (FakeUser::attendee(1), FakeUser::attendee(2));
    react(&bot, &poll, &alice, "🦀").await;
    wait_tally(&bot, &poll.key(), &[1, 0, 0], 1).await;
    react(&bot, &poll, &alice, "🇧").await;
    wait_reaction_gone(&bot, &poll, "🦀", &alice).await;
    wait_tally(&bot, &poll.key(), &[0, 1, 0], 1).await;
    react(&bot, &poll, &bob, "🍕").await;
    wait_reaction_gone(&bot, &poll, "🍕", &bob).await;
    react(&bot, &poll, &bob, "🇨").await;
    wait_tally(&bot, &poll.key(), &[0, 1, 1], 2).await;
    unreact(&bot, &poll, &alice, "🇧").await;
    wait_tally(&bot, &poll.key(), &[0, 0, 1], 1).await;
    let path = format!("/channels/{}/messages/{}", poll.channel, poll.message);
    bot.fake
        .wait_for_request(
            |r| {
                r.method == "PATCH"
                    && r.path == path
                    && r.body
                        .as_ref()
                        .is_some_and(|b| b.to_string().contains("1 vote (100%)"))
            },
            PATIENCE,
        )
        .await
        .expect("the live tally is edited in");
    bot.stop().await;
}

#[tokio::test]
async fn multi_choice_counts_each_option_once_per_voter() {
    let bot = TestBot::start_at(AT).await;
    let poll = create(
        &bot,
        json!({ "multi": true, "options": "Yes | No | Maybe" }),
    )
    .await;
    let (alice, bob) = (FakeUser::attendee(1), FakeUser::attendee(2));
    react(&bot, &poll, &alice, "🇦").await;
    react(&bot, &poll, &alice, "🇧").await;
    react(&bot, &poll, &bob, "🇧").await;
    wait_tally(&bot, &poll.key(), &[1, 2, 0], 2).await;
    let deletes = bot
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 0, "nothing to remove in a multi-choice poll");
    bot.stop().await;
}

#[tokio::test]
async fn a_poll_closes_at_its_deadline_with_a_chart_and_later_votes_do_not_count() {
    let bot = TestBot::start_at(AT).await;
    let poll = create(&bot, json!({ "duration": "5m" })).await;
    let (alice, bob, carol) = (
        FakeUser::attendee(1),
        FakeUser::attendee(2),
        FakeUser::attendee(3),
    );
    react(&bot, &poll, &alice, "🦀").await;
    react(&bot, &poll, &bob, "🦀").await;
    react(&bot, &poll, &carol, "🇨").await;
    wait_tally(&bot, &poll.key(), &[2, 0, 1], 3).await;
    bot.clock.advance(chrono::TimeDelta::minutes(4));
    bot.clock.advance(chrono::TimeDelta::minutes(1));
    let result = wait_message(&bot, poll.channel, |m| !m.attachments.is_empty()).await;
    let attachment = &result.attachments[0];
    assert_eq!(attachment.filename, "poll-results.png");
    assert!(attachment.size > 1000, "{attachment:?}");
    let embed = &result.embeds[0];
    let text = embed["description"].as_str().unwrap();
    assert!(
        text.contains("**Winner:** 🦀 Rust") && text.contains("3 voters"),
        "{text}"
    );
    assert!(
        text.contains("2 votes (67%)") && text.contains('█'),
        "{text}"
    );
    let post = bot
        .fake
        .requests()
        .into_iter()
        .rfind(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .unwrap();
    let body = post.body.unwrap();
    assert_eq!(
        body["message_reference"]["message_id"],
        poll.message.to_string()
    );
    let dave = FakeUser::attendee(4);
    react(&bot, &poll, &dave, "🇨").await;
    let results = bot
        .ask(
            "poll",
            json!({ "results": { "message": poll.message.to_string() } }),
        )
        .await;
    let shown = results["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap();
    assert!(shown.contains("3 voters"), "{shown}");
    let (stored, final_results) = bot
        .data
        .polls
        .recorder()
        .results(&poll.key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.state, final_results.voters), (PollState::Closed, 3));
    bot.stop().await;
}

#[tokio::test]
async fn organisers_close_and_cancel_polls_by_command() {
    let bot = TestBot::start_at(AT).await;
    let poll = create(&bot, json!({})).await;
    react(&bot, &poll, &FakeUser::attendee(1), "🇧").await;
    wait_tally(&bot, &poll.key(), &[0, 1, 0], 1).await;
    let refused = bot.ask("poll", json!({ "close": {} })).await;
    assert!(refused["data"]["content"]
        .as_str()
        .unwrap()
        .contains("Only organisers"));
    let organiser = FakeUser::organiser(1);
    bot.fake
        .slash_command(&organiser, "poll", json!({ "close": {} }))
        .await;
    let result = wait_message(&bot, poll.channel, |m| !m.attachments.is_empty()).await;
    assert!(result.embeds[0]["description"]
        .as_str()
        .unwrap()
        .contains("**Winner:** 🇧 Go"));

    let second = create(&bot, json!({ "options": "Tea | Coffee" })).await;
    bot.fake
        .slash_command(&organiser, "poll", json!({ "cancel": {} }))
        .await;
    let notice = wait_message(&bot, second.channel, |m| {
        m.content.contains("was cancelled")
    })
    .await;
    assert!(notice.attachments.is_empty());
    let (stored, _) = bot
        .data
        .polls
        .recorder()
        .results(&second.key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, PollState::Cancelled);
    bot.stop().await;
}

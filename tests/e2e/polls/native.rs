//! Discord's native polls end to end: with `[polls] style = "native"` a
//! poll is posted as a Discord poll (its minutes rounded up to hours), the
//! fake's users vote on it with MESSAGE_POLL_VOTE_ADD/REMOVE, the bot stores
//! each vote, ends the poll with the expire endpoint at its own close time
//! and posts the result; votes cast while it was down are read back from
//! the answer-voters endpoint; what a native poll cannot hold takes
//! reactions, and the organiser is told why.

use super::{wait_message, wait_tally, Posted, AT};
use crate::harness::{BotOptions, TestBot, PATIENCE};
use chrono::TimeDelta;
use fake_discord::{FakeDiscord, FakeUser};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The sample config with `[polls] style = "native"` (and room for 12 options).
fn native_config() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let config = std::fs::read_to_string(sample.join("emcee.toml"))
        .unwrap()
        .replace("max_options = 10", "max_options = 12\nstyle = \"native\"");
    assert!(
        config.contains("style = \"native\""),
        "the sample's [polls] changed"
    );
    std::fs::write(dir.path().join("emcee.toml"), config).unwrap();
    std::fs::copy(sample.join("agenda.toml"), dir.path().join("agenda.toml")).unwrap();
    let path = dir.path().join("emcee.toml");
    (dir, path)
}

async fn start(fake: FakeDiscord, config: &Path, options: BotOptions) -> TestBot {
    let options = BotOptions {
        config: config.to_path_buf(),
        ..options
    };
    TestBot::start_with(fake, AT, options).await
}

/// An organiser runs `/poll create` with `options`; returns the organiser's
/// reply (sent once the poll is stored) and the newest message in #general.
async fn create(bot: &TestBot, mut options: Value) -> (String, Posted) {
    options["question"] = json!("Which language for a new project?");
    let create = json!({ "create": options });
    let asked = bot
        .fake
        .slash_command(&FakeUser::organiser(1), "poll", create)
        .await;
    let answer = bot.response(&asked).await;
    let reply = answer["data"]["content"].as_str().unwrap().to_owned();
    assert!(reply.starts_with("Poll posted"), "{reply}");
    let channel = bot.fake.ids().general_channel_id;
    // The newest post of the bot's own, not the interaction's reply.
    let message = bot
        .fake
        .messages(channel)
        .into_iter()
        .rfind(|m| m.author.bot && m.interaction_id.is_none() && m.flags & 64 == 0)
        .unwrap()
        .id;
    (reply, Posted { channel, message })
}

async fn vote(bot: &TestBot, poll: &Posted, user: &FakeUser, answer: u64) {
    bot.fake
        .poll_vote(poll.message, user, answer)
        .await
        .unwrap();
}

async fn unvote(fake: &FakeDiscord, poll: &Posted, user: &FakeUser, answer: u64) {
    fake.poll_unvote(poll.message, user, answer).await.unwrap();
}

#[tokio::test]
async fn a_native_poll_counts_fifty_voters_with_moves_and_is_ended_by_expire_with_the_result() {
    let (_dir, config) = native_config();
    let fake = FakeDiscord::start().await.unwrap();
    let bot = start(fake, &config, BotOptions::default()).await;
    let (_, poll) = create(
        &bot,
        json!({ "options": "🦀 Rust | Go | Zig", "duration": "10m" }),
    )
    .await;
    let native = bot.fake.poll(poll.message).expect("a native poll");
    assert_eq!(native.question, "Which language for a new project?");
    let texts: Vec<&str> = native.answers.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(texts, ["Rust", "Go", "Zig"]);
    assert_eq!(native.answers[0].emoji, Some(json!({ "name": "🦀" })));
    assert_eq!(native.answers[1].emoji, Some(json!({ "name": "🇧" })));
    assert_eq!(
        (native.duration_hours, native.allow_multiselect),
        (1, false)
    );
    let message = bot.fake.message(poll.message).unwrap();
    let closes = crate::harness::instant(AT).timestamp() + 600;
    assert!(
        message.content.contains(&format!("<t:{closes}:R>")),
        "{}",
        message.content
    );
    assert!(
        bot.fake
            .requests()
            .iter()
            .all(|r| !r.path.contains("/reactions/")),
        "a native poll gets no seed reactions"
    );

    let mut expected = [0u64; 3];
    for n in 0..50u32 {
        let answer = u64::from(n % 3) + 1;
        vote(&bot, &poll, &FakeUser::attendee(n), answer).await;
        expected[(n % 3) as usize] += 1;
    }
    // Every fifth voter moves to the next answer: Discord takes the vote back first.
    for n in (0..50u32).step_by(5) {
        let (from, to) = (u64::from(n % 3) + 1, u64::from((n + 1) % 3) + 1);
        let user = FakeUser::attendee(n);
        unvote(&bot.fake, &poll, &user, from).await;
        vote(&bot, &poll, &user, to).await;
        expected[(n % 3) as usize] -= 1;
        expected[((n + 1) % 3) as usize] += 1;
    }
    wait_tally(&bot, &poll.key(), &expected, 50).await;
    let counts: Vec<u64> = bot
        .fake
        .poll(poll.message)
        .unwrap()
        .counts()
        .iter()
        .map(|&c| c as u64)
        .collect();
    assert_eq!(counts, expected, "the fake agrees");

    bot.clock.advance(TimeDelta::minutes(10));
    let result = wait_message(&bot, poll.channel, |m| !m.attachments.is_empty()).await;
    let text = result.embeds[0]["description"].as_str().unwrap();
    assert!(text.contains("50 voters"), "{text}");
    for count in expected {
        assert!(
            text.contains(&format!("{count} votes")),
            "{count} in {text}"
        );
    }
    let expire = format!("/channels/{}/polls/{}/expire", poll.channel, poll.message);
    let requests = bot.fake.requests();
    let ended = requests
        .iter()
        .position(|r| r.method == "POST" && r.path == expire);
    let posted = requests
        .iter()
        .rposition(|r| r.method == "POST" && r.path.ends_with("/messages"));
    assert!(
        ended.is_some() && ended < posted,
        "ended before the result is posted"
    );
    assert!(bot.fake.poll(poll.message).unwrap().finalized);
    assert!(
        requests
            .iter()
            .all(|r| !(r.method == "PATCH" && r.path.ends_with(&poll.message.to_string()))),
        "a native poll is never edited"
    );
    bot.stop().await;
}

#[tokio::test]
async fn votes_cast_while_the_bot_was_down_are_read_back_page_by_page_once_each() {
    let (_dir, config) = native_config();
    let fake = FakeDiscord::start().await.unwrap();
    let bot = start(fake, &config, BotOptions::default()).await;
    let (_, poll) = create(
        &bot,
        json!({ "options": "A | B | C", "duration": "90m", "multi": true }),
    )
    .await;
    assert_eq!(bot.fake.poll(poll.message).unwrap().duration_hours, 2);
    for n in 0..20 {
        vote(&bot, &poll, &FakeUser::attendee(n), 1).await;
    }
    vote(&bot, &poll, &FakeUser::attendee(0), 2).await;
    wait_tally(&bot, &poll.key(), &[20, 1, 0], 20).await;
    let (fake, store) = bot.kill();
    // Invalid-session close: the killed client stops for good, like a crash.
    fake.close_gateway(4004);
    for n in 0..5 {
        unvote(&fake, &poll, &FakeUser::attendee(n), 1).await;
    }
    fake.poll_vote(poll.message, &FakeUser::attendee(1), 2)
        .await
        .unwrap();
    for n in 0..150 {
        fake.poll_vote(poll.message, &FakeUser::attendee(100 + n), 3)
            .await
            .unwrap();
    }
    let before = fake.requests().len();
    let options = BotOptions {
        store: Some(store),
        ..BotOptions::default()
    };
    let again = start(fake, &config, options).await;
    // Voters 2-4 took their only vote back; voter 0 kept B, voter 1 moved to B.
    wait_tally(&again, &poll.key(), &[15, 2, 150], 167).await;
    let answers = format!("/channels/{}/polls/{}/answers/", poll.channel, poll.message);
    let pages = again.fake.requests()[before..]
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with(&answers) && r.query("after").is_some())
        .count();
    assert!(pages >= 1, "voters fetched page by page");
    // Votes go on arriving after the restart and count once each.
    vote(&again, &poll, &FakeUser::attendee(2), 3).await;
    wait_tally(&again, &poll.key(), &[15, 2, 151], 168).await;
    again.stop().await;
}

#[tokio::test]
async fn what_a_native_poll_cannot_hold_takes_reactions_and_the_organiser_is_told() {
    let (_dir, config) = native_config();
    let fake = FakeDiscord::start().await.unwrap();
    let bot = start(fake, &config, BotOptions::default()).await;
    let eleven = (1..=11)
        .map(|n| format!("Option {n}"))
        .collect::<Vec<_>>()
        .join(" | ");
    let long = format!("A | {}", "x".repeat(56));
    for (options, why) in [
        (json!({ "options": eleven }), "at most 10 options"),
        (
            json!({ "options": long }),
            "option 2 is longer than the 55 characters",
        ),
        (
            json!({ "options": "A | B", "hide_tally": true }),
            "hides its tally",
        ),
        (json!({ "options": "A | B", "style": "reactions" }), ""),
    ] {
        let (reply, poll) = create(&bot, options).await;
        assert!(bot.fake.poll(poll.message).is_none(), "not native: {why}");
        if why.is_empty() {
            assert!(!reply.contains("reactions"), "asked for: {reply}");
        } else {
            assert!(
                reply.contains("It takes reactions, not a native poll") && reply.contains(why),
                "{reply}"
            );
        }
        let message = bot.fake.message(poll.message).unwrap();
        assert!(message.embeds[0]["title"]
            .as_str()
            .unwrap()
            .starts_with("📊"));
        let bot_id = bot.fake.ids().bot_user_id;
        bot.fake
            .wait_until("the seed reactions", PATIENCE, |f| {
                f.reaction_users(poll.message, "🇦")
                    .contains(&bot_id)
                    .then_some(())
            })
            .await
            .unwrap();
    }
    bot.stop().await;
}

#[tokio::test]
async fn a_vote_naming_another_server_counts_nowhere() {
    let (_dir, config) = native_config();
    let fake = FakeDiscord::start().await.unwrap();
    // Every server served: the event reaches the core, which binds the poll to its own.
    let options = BotOptions {
        every_server: true,
        ..BotOptions::default()
    };
    let bot = start(fake, &config, options).await;
    let (_, poll) = create(&bot, json!({ "options": "A | B" })).await;
    let forged = json!({
        "user_id": FakeUser::attendee(66).id.to_string(),
        "channel_id": poll.channel.to_string(),
        "message_id": poll.message.to_string(),
        "guild_id": "424242424242424242",
        "answer_id": 1,
    });
    bot.fake.dispatch_raw("MESSAGE_POLL_VOTE_ADD", &forged);
    vote(&bot, &poll, &FakeUser::attendee(7), 2).await;
    wait_tally(&bot, &poll.key(), &[0, 1], 1).await;
    bot.clock.advance(TimeDelta::minutes(5));
    let result = wait_message(&bot, poll.channel, |m| !m.attachments.is_empty()).await;
    let text = result.embeds[0]["description"].as_str().unwrap();
    assert!(
        text.contains("1 voter") && !text.contains("2 voters"),
        "{text}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn one_poll_asks_to_be_native_where_reactions_are_the_default() {
    let bot = TestBot::start_at(AT).await;
    let refused = bot
        .fake
        .slash_command(
            &FakeUser::organiser(1),
            "poll",
            json!({ "create": { "question": "Tabs?", "options": "Yes | No", "style": "carrier pigeon" } }),
        )
        .await;
    let refused = bot.response(&refused).await;
    let said = refused["data"]["content"].as_str().unwrap();
    assert!(said.contains("`reactions` or `native`"), "{said}");
    let (reply, poll) = create(
        &bot,
        json!({ "options": "Yes | No", "style": "native", "multi": true }),
    )
    .await;
    assert!(!reply.contains("reactions"), "{reply}");
    let native = bot.fake.poll(poll.message).expect("a native poll");
    assert_eq!((native.duration_hours, native.allow_multiselect), (1, true));
    let (_, plain) = create(&bot, json!({ "options": "Yes | No" })).await;
    assert!(
        bot.fake.poll(plain.message).is_none(),
        "the config's default stays reactions"
    );
    bot.stop().await;
}

//! `/poll create` as organisers type it: options one per field as well as
//! `A | B | C`, a target channel by name, and the ephemeral answers to a
//! create without options.

use crate::harness::{TestBot, PATIENCE};
use fake_discord::FakeUser;
use serde_json::{json, Value};

const AT: &str = "2021-10-07T15:55:00Z";

async fn create(bot: &TestBot, options: Value) -> Value {
    let asked = bot
        .fake
        .slash_command(
            &FakeUser::organiser(1),
            "poll",
            json!({ "create": options }),
        )
        .await;
    bot.response(&asked).await
}

#[tokio::test]
async fn options_given_one_per_field_are_posted_in_order_in_the_channel_named() {
    let bot = TestBot::start_at(AT).await;
    let answer = create(
        &bot,
        json!({
            "question": "Best systems language?",
            "channel": "#Polls",
            "option_1": "🦀 Rust",
            "option_2": "Zig",
            "option_3": "  ",
            "option_4": "C++",
        }),
    )
    .await;
    let polls = bot.fake.ids().polls_channel_id;
    assert_eq!(answer["data"]["flags"], 64, "ephemeral: {answer}");
    let text = answer["data"]["content"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("<#{polls}>")), "{answer}");

    let bot_id = bot.fake.ids().bot_user_id;
    let posted = bot
        .fake
        .wait_until("the poll and its three reactions", PATIENCE, |f| {
            let poll = f
                .messages(polls)
                .into_iter()
                .find(|m| !m.embeds.is_empty())?;
            ["🦀", "🇧", "🇨"]
                .iter()
                .all(|e| f.reaction_users(poll.id, e).contains(&bot_id))
                .then_some(poll)
        })
        .await
        .expect("posted in #polls");
    let description = posted.embeds[0]["description"].as_str().unwrap();
    let at = |option: &str| description.find(option).expect(option);
    assert!(
        at("Rust") < at("Zig") && at("Zig") < at("C++"),
        "{description}"
    );
    assert!(
        bot.fake.reaction_users(posted.id, "🇩").is_empty(),
        "the blank field is no option"
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_poll_without_options_or_with_an_unknown_channel_gets_a_private_hint() {
    let bot = TestBot::start_at(AT).await;
    let before = bot.fake.requests().len();
    for (options, hint) in [
        (json!({ "question": "Nothing to pick?" }), "option_1"),
        (
            json!({ "question": "Where?", "options": "A | B", "channel": "#no-such-room" }),
            "no such channel",
        ),
    ] {
        let answer = create(&bot, options).await;
        assert_eq!(answer["data"]["flags"], 64, "ephemeral: {answer}");
        let text = answer["data"]["content"].as_str().unwrap_or_default();
        assert!(text.contains(hint), "{text}");
    }
    let posted = bot.fake.requests()[before..]
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages"))
        .count();
    assert_eq!(posted, 0, "nothing is posted");
    bot.stop().await;
}

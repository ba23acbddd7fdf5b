//! Hostile text, from the agenda and from users, through every agenda command:
//! nothing may ping anyone, break out of formatting, or go unanswered.

use crate::harness::{mentions_nobody, BotOptions, TestBot};
use fake_discord::{FakeDiscord, FakeUser};
use serde_json::{json, Value};

/// Inputs that try to ping, break markdown, or overflow.
fn hostile_inputs() -> Vec<String> {
    let mut inputs: Vec<String> = [
        "@everyone",
        "@here look",
        "<@&123456789012345678>",
        "<@123456789012345678> hi",
        "<#123456789012345678>",
        "@\u{200B}everyone",
        "＠everyone",
        "```\n@everyone\n```",
        "**bold** __under__ ||spoiler|| ~~gone~~",
        "[click](https://evil.example)",
        "\u{202E}desrever",
        "bell\u{7} nul\u{0} esc\u{1b}[31m",
        "👩‍👩‍👧‍👦🦀🇦",
        "g1\u{0301}",
    ]
    .map(str::to_owned)
    .to_vec();
    inputs.push("A".repeat(10_000));
    inputs
}

/// Every piece of text a reply shows.
fn shown_text(response: &Value) -> String {
    let data = &response["data"];
    let mut text = data["content"].as_str().unwrap_or_default().to_owned();
    for embed in data["embeds"].as_array().into_iter().flatten() {
        text.push_str(embed["title"].as_str().unwrap_or_default());
        text.push_str(embed["description"].as_str().unwrap_or_default());
        for field in embed["fields"].as_array().into_iter().flatten() {
            text.push_str(field["name"].as_str().unwrap_or_default());
            text.push_str(field["value"].as_str().unwrap_or_default());
        }
    }
    text
}

fn assert_inert(response: &Value, context: &str) {
    assert!(mentions_nobody(response), "{context}: {response}");
    let text = shown_text(response);
    for raw in ["@everyone", "@here", "<@", "<#"] {
        assert!(!text.contains(raw), "{context}: {raw} survives in {text:?}");
    }
    assert!(
        text.chars().count() <= 6_000,
        "{context}: over Discord's per-message limit"
    );
}

#[tokio::test]
async fn hostile_arguments_to_every_command_are_answered_privately_and_never_ping() {
    let bot = TestBot::start_at("2021-10-07T16:00:00Z").await;
    let commands: [(&str, &str); 7] = [
        ("track", "name"),
        ("speaker", "name"),
        ("room", "name"),
        ("session", "name"),
        ("search", "text"),
        ("next", "track"),
        ("agenda", "day"),
    ];
    let mut asked = 0;
    for input in hostile_inputs() {
        for (command, option) in commands {
            // A different attendee each time: this test is about text, not rate limits.
            let user = FakeUser::attendee(1_000 + asked);
            let handle = bot
                .fake
                .slash_command(&user, command, json!({ option: input }))
                .await;
            let response = bot.response(&handle).await;
            assert_inert(
                &response,
                &format!("/{command} {}", input.chars().take(40).collect::<String>()),
            );
            asked += 1;
        }
    }
    eprintln!(
        "abuse suite: {asked} hostile command inputs answered, 0 pings, 0 unescaped mentions"
    );
    bot.stop().await;
}

#[tokio::test]
async fn hostile_agenda_text_is_escaped_in_every_answer() {
    let dir = tempfile::tempdir().unwrap();
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    std::fs::copy(config.join("emcee.toml"), dir.path().join("emcee.toml")).unwrap();
    let agenda = std::fs::read_to_string(config.join("agenda.toml")).unwrap().replace(
        "title = \"G1: To Infinity and Beyond\"",
        "title = \"@everyone **G1** <@&123456789012345678> ||x|| [win](https://evil.example) @here\"",
    );
    let agenda = agenda.replace(
        "name = \"Stefan Johansson\"",
        "name = \"Stefan <@123456789012345678> Johansson\"",
    );
    std::fs::write(dir.path().join("agenda.toml"), agenda).unwrap();
    let fake = FakeDiscord::start().await.unwrap();
    let options = BotOptions {
        config: dir.path().join("emcee.toml"),
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, "2021-10-07T17:15:00Z", options).await;
    for (command, arguments) in [
        ("now", json!({})),
        ("track", json!({ "name": "Programming Languages" })),
        ("session", json!({ "name": "johansson-g1" })),
        ("speaker", json!({ "name": "johansson" })),
        ("search", json!({ "text": "G1" })),
    ] {
        let response = bot.ask(command, arguments).await;
        assert_inert(&response, command);
        assert!(
            shown_text(&response).contains("\\*\\*G1\\*\\*"),
            "/{command}: the title is shown, escaped"
        );
    }
    bot.stop().await;
}

#[tokio::test]
async fn one_user_spamming_commands_is_slowed_down_politely_and_others_are_not() {
    let bot = TestBot::start_at("2021-10-07T16:00:00Z").await;
    let spammer = FakeUser::attendee(7);
    let mut answered = 0;
    let mut slowed = 0;
    for _ in 0..12 {
        let handle = bot.fake.slash_command(&spammer, "now", json!({})).await;
        let response = bot.response(&handle).await;
        assert_inert(&response, "spam");
        if response["data"]["flags"] == 64 {
            assert!(
                shown_text(&response).contains("please try again in"),
                "{response}"
            );
            slowed += 1;
        } else {
            answered += 1;
        }
    }
    assert_eq!(
        (answered, slowed),
        (8, 4),
        "a burst of 8, then a polite private refusal"
    );
    let other = bot
        .fake
        .slash_command(&FakeUser::attendee(8), "now", json!({}))
        .await;
    assert_eq!(
        bot.response(&other).await["data"]["embeds"][0]["title"],
        "Live now"
    );
    eprintln!(
        "abuse suite: 12 rapid commands from one user, {answered} answered, {slowed} slowed down"
    );
    bot.stop().await;
}

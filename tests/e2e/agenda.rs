//! Every agenda command through serenity and the fake Discord, at fixed instants.

use crate::harness::{embed, instant, mentions_nobody, BotOptions, TestBot, PATIENCE};
use fake_discord::FakeUser;
use serde_json::json;

/// 08:55 PDT: the break after the keynotes, five minutes before the first block.
const BEFORE_FIRST_BLOCK: &str = "2021-10-07T15:55:00Z";

fn unix(text: &str) -> i64 {
    instant(text).timestamp()
}

#[tokio::test]
async fn next_lists_the_whole_next_slot_with_reader_local_times() {
    let bot = TestBot::start_at(BEFORE_FIRST_BLOCK).await;
    let response = bot.ask("next", json!({})).await;
    assert_eq!(response["type"], 4);
    assert!(mentions_nobody(&response), "{response}");
    let embed = embed(&response);
    assert_eq!(embed["title"], "Next up");
    let description = embed["description"].as_str().unwrap();
    for title in [
        "JfrUnit",
        "Higher Throughput for Java",
        "eBPF, XDP, and io\\_uring",
        "Speakers Lounge",
    ] {
        assert!(
            description.contains(title),
            "{title} missing from {description}"
        );
    }
    let start = unix("2021-10-07T16:00:00Z");
    assert!(
        description.contains(&format!("<t:{start}:t>")),
        "{description}"
    );
    assert!(
        description.contains(&format!("<t:{start}:R>")),
        "{description}"
    );
    assert!(
        description.contains("Gunnar Morling (Red Hat) · Observability · Stage 1"),
        "{description}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn now_track_speaker_room_search_and_help_answer_from_the_agenda() {
    let bot = TestBot::start_at("2021-10-07T16:10:00Z").await;
    let now = bot.ask("now", json!({})).await;
    let now_text = embed(&now)["description"].as_str().unwrap().to_owned();
    assert!(
        now_text.contains("JfrUnit") && now_text.contains("🔴 live"),
        "{now_text}"
    );
    assert!(
        !now_text.contains("Wright's Law"),
        "the keynote has ended: {now_text}"
    );

    let track = bot.ask("track", json!({ "name": "observability" })).await;
    assert_eq!(embed(&track)["title"], "Track: Observability");
    // Start and end of all three, plus "in N minutes" for the two not yet live.
    assert_eq!(
        embed(&track)["description"]
            .as_str()
            .unwrap()
            .matches("<t:")
            .count(),
        3 * 2 + 2
    );

    let speaker = bot
        .ask("speaker", json!({ "name": "Urbón-Bayes, Pere" }))
        .await;
    assert_eq!(embed(&speaker)["title"], "Sessions by Pere Urbón-Bayes");
    assert!(embed(&speaker)["description"]
        .as_str()
        .unwrap()
        .contains("Understanding Apache Kafka P99 Latency at Scale"));

    let room = bot.ask("room", json!({ "name": "stage 3" })).await;
    assert_eq!(embed(&room)["title"], "Room: Stage 3");

    let search = bot.ask("search", json!({ "text": "ebpf" })).await;
    let found = embed(&search)["description"].as_str().unwrap();
    assert!(
        found.contains("Measure the k8s Cluster Health") && found.contains("io\\_uring"),
        "{found}"
    );

    let help = bot.ask("help", json!({})).await;
    let listed = embed(&help)["description"].as_str().unwrap();
    for usage in [
        "`/speaker name`",
        "`/ask question [session] [anonymous]`",
        "`/questions [session]`",
    ] {
        assert!(listed.contains(usage), "{listed}");
    }
    assert!(
        !listed.contains("/emcee"),
        "Slack's syntax on Discord: {listed}"
    );
    for response in [&now, &track, &speaker, &room, &search, &help] {
        assert!(mentions_nobody(response), "{response}");
    }
    bot.stop().await;
}

#[tokio::test]
async fn session_detail_shows_the_video_only_once_the_session_has_ended() {
    let bot = TestBot::start_at("2021-10-07T17:00:00Z").await;
    let during = bot.ask("session", json!({ "name": "johansson-g1" })).await;
    let fields = embed(&during)["fields"].to_string();
    assert_eq!(embed(&during)["title"], "G1: To Infinity and Beyond");
    assert!(
        fields.contains("Stefan Johansson (Oracle)") && fields.contains("Programming Languages"),
        "{fields}"
    );
    assert!(!fields.contains("On demand"), "{fields}");
    bot.clock.set(instant("2021-10-07T18:00:00Z"));
    let after = bot
        .ask("session", json!({ "name": "G1: To Infinity and Beyond" }))
        .await;
    let fields = embed(&after)["fields"].to_string();
    assert!(
        fields.contains("On demand") && fields.contains("g1-to-infinity-and-beyond"),
        "{fields}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn long_answers_page_with_buttons() {
    let bot = TestBot::start_at(BEFORE_FIRST_BLOCK).await;
    let handle = bot
        .fake
        .slash_command(
            &FakeUser::attendee(2),
            "agenda",
            json!({ "day": "2021-10-07" }),
        )
        .await;
    let first = bot.response(&handle).await;
    assert!(
        embed(&first)["footer"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Page 1 of 3"),
        "{first}"
    );
    let buttons = &first["data"]["components"][0]["components"];
    assert_eq!(buttons[0]["disabled"], true, "no previous page on page 1");
    let next_id = buttons[1]["custom_id"].as_str().unwrap().to_owned();

    let message = bot
        .fake
        .wait_until("the paged reply is stored", PATIENCE, |fake| {
            fake.messages(handle.channel_id)
                .into_iter()
                .find(|m| m.interaction_id == Some(handle.id))
        })
        .await
        .expect("the reply is a stored message");
    let click = bot
        .fake
        .click_button(&FakeUser::attendee(2), message.id, &next_id)
        .await;
    let second = bot.response(&click).await;
    assert_eq!(second["type"], 7, "the page flips in place");
    assert!(embed(&second)["footer"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Page 2 of 3"));
    assert!(mentions_nobody(&second));
    let descriptions =
        [&first, &second].map(|r| embed(r)["description"].as_str().unwrap().to_owned());
    assert_ne!(descriptions[0], descriptions[1]);
    assert!(descriptions.iter().all(|d| d.chars().count() <= 4096));
    bot.stop().await;
}

#[tokio::test]
async fn unknown_names_get_a_private_did_you_mean() {
    let bot = TestBot::start_at(BEFORE_FIRST_BLOCK).await;
    for (command, options, expected) in [
        (
            "track",
            json!({ "name": "Unikernals" }),
            "No track matches “Unikernals”; did you mean “Unikernels”?",
        ),
        (
            "speaker",
            json!({ "name": "Cantrell" }),
            "did you mean “Bryan Cantrill”",
        ),
        (
            "agenda",
            json!({ "day": "someday" }),
            "No day matches “someday”",
        ),
    ] {
        let response = bot.ask(command, options).await;
        assert_eq!(response["data"]["flags"], 64, "ephemeral: {response}");
        assert!(
            response["data"]["content"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{response}"
        );
        assert!(mentions_nobody(&response), "{response}");
    }
    bot.stop().await;
}

#[tokio::test]
async fn typing_a_name_never_costs_the_command_it_is_for() {
    let bot = TestBot::start_at(BEFORE_FIRST_BLOCK).await;
    let user = FakeUser::attendee(4);
    // "urbon-bayes" typed one key at a time: more completions than the
    // command allowance's burst of 8.
    let typed = "urbon-bayes";
    for end in 1..=typed.len() {
        let handle = bot
            .fake
            .autocomplete(&user, "speaker", json!({ "name": &typed[..end] }), "name")
            .await;
        assert_eq!(bot.response(&handle).await["type"], 8, "completion {end}");
    }
    for _ in 0..8 {
        let asked = bot
            .fake
            .slash_command(&user, "speaker", json!({ "name": typed }))
            .await;
        let answer = bot.response(&asked).await;
        assert!(
            !answer.to_string().contains("please try again in"),
            "the command is answered: {answer}"
        );
    }
    bot.stop().await;
}

#[tokio::test]
async fn autocomplete_offers_ranked_choices_within_discords_limit() {
    let bot = TestBot::start_at(BEFORE_FIRST_BLOCK).await;
    let user = FakeUser::attendee(3);
    let handle = bot
        .fake
        .autocomplete(&user, "speaker", json!({ "name": "urb" }), "name")
        .await;
    let response = bot.response(&handle).await;
    assert_eq!(response["type"], 8);
    assert_eq!(response["data"]["choices"][0]["name"], "Pere Urbón-Bayes");

    let handle = bot
        .fake
        .autocomplete(&user, "session", json!({ "name": "" }), "name")
        .await;
    let choices = bot.response(&handle).await["data"]["choices"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        choices.len(),
        22,
        "all 22 sessions fit in Discord's 25 choices"
    );
    assert_eq!(
        choices[0]["value"], "cantrill-wrights-law",
        "sessions come in start order"
    );

    let handle = bot
        .fake
        .autocomplete(&user, "next", json!({ "track": "new" }), "track")
        .await;
    let names: Vec<String> = bot.response(&handle).await["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names[..2],
        ["New Hardware Architectures", "New Operating System Methods"]
    );
    bot.stop().await;
}

#[tokio::test]
async fn the_bot_resumes_after_the_gateway_drops_and_keeps_answering() {
    let bot = TestBot::start_at(BEFORE_FIRST_BLOCK).await;
    assert!(bot.fake.drop_gateway());
    bot.fake
        .wait_until("a resume", PATIENCE, |fake| {
            (fake.resumes() > 0).then_some(())
        })
        .await
        .unwrap();
    bot.fake.wait_ready(PATIENCE).await.unwrap();
    let response = bot.ask("now", json!({})).await;
    assert_eq!(embed(&response)["title"], "Live now");
    bot.stop().await;
}

#[tokio::test]
async fn the_bot_identifies_with_unprivileged_intents_only_unless_contests_are_on() {
    let bot = TestBot::start_at(BEFORE_FIRST_BLOCK).await;
    let identify = bot.fake.identifies().into_iter().next().unwrap();
    let intents = identify["d"]["intents"]
        .as_u64()
        .or_else(|| identify["intents"].as_u64())
        .unwrap();
    // GUILDS (1) | GUILD_MESSAGE_REACTIONS (1 << 10) | DIRECT_MESSAGES (1 << 12)
    // | GUILD_SCHEDULED_EVENTS (1 << 16) | GUILD_MESSAGE_POLLS (1 << 24): no
    // privileged one, so a portal with them all off connects.
    assert_eq!(intents, 1 | (1 << 10) | (1 << 12) | (1 << 16) | (1 << 24));
    let organiser = FakeUser::organiser(1);
    let asked = bot
        .fake
        .slash_command(
            &organiser,
            "contest",
            json!({ "open": { "channel": "polls", "minutes": 10 } }),
        )
        .await;
    let answer = bot.response(&asked).await;
    let text = answer["data"]["content"].as_str().unwrap();
    assert!(text.contains("Message Content"), "{answer}");
    assert_eq!(answer["data"]["flags"], 64, "private: {answer}");
    // The meme contest on: GUILD_MESSAGES (1 << 9) and MESSAGE_CONTENT
    // (1 << 15), the one privileged intent, are asked for too.
    let programme = emcee_core::config::Config::load(&BotOptions::default().config).unwrap();
    let mut settings = programme.settings.clone();
    settings.discord.contests = true;
    assert!(emcee::discord::wants_message_content(
        &settings,
        &programme.programme
    ));
    let on = emcee::discord::intents(true).bits();
    assert_eq!(on, intents | (1 << 9) | (1 << 15));
    bot.stop().await;
}

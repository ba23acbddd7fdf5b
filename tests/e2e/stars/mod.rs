//! Stars through the fake Discord: `/star`, `/unstar`, the ☆ button under
//! `/session` toggling, `/mytalks` with the sample's parallel tracks
//! clashing, the reminder a star sets (delivered once by DM on the manual
//! clock, cancelled by unstarring), and stars kept across a restart.

mod reminders;

use crate::harness::{mentions_nobody, BotOptions, TestBot, PATIENCE};
use fake_discord::{FakeUser, InteractionHandle};
use serde_json::{json, Value};

/// 08:30 PDT on the sample day, half an hour before the parallel tracks.
pub const AT: &str = "2021-10-07T15:30:00Z";
pub const JFRUNIT: &str = "morling-jfrunit";
/// On at the same time as JfrUnit, in another track, with a video.
pub const JAVA: &str = "ritter-java-latency";
/// 09:00 and 09:25 PDT, when both run.
const NINE: i64 = 1_633_622_400;
const NINE_25: i64 = 1_633_623_900;

/// `user` runs `/name options`; returns the private answer's text.
pub async fn private(bot: &TestBot, user: &FakeUser, name: &str, options: Value) -> String {
    let handle = bot.fake.slash_command(user, name, options).await;
    private_answer(bot, &handle).await
}

async fn private_answer(bot: &TestBot, handle: &InteractionHandle) -> String {
    let response = bot.response(handle).await;
    assert_eq!(response["data"]["flags"], 64, "private: {response}");
    assert!(mentions_nobody(&response), "{response}");
    response["data"]["content"].as_str().unwrap().to_owned()
}

/// The guild's id as the core's community.
pub fn community(bot: &TestBot) -> String {
    bot.fake.ids().guild_id.to_string()
}

#[tokio::test]
async fn mytalks_lists_the_starred_day_and_flags_the_clash_with_the_others_video() {
    let bot = TestBot::start_at(AT).await;
    let user = FakeUser::attendee(1);
    let empty = private(&bot, &user, "mytalks", json!({})).await;
    assert!(empty.contains("starred no sessions"), "{empty}");
    let starred = private(&bot, &user, "star", json!({ "session": JFRUNIT })).await;
    assert_eq!(
        starred,
        "⭐ Starred “Continuous Performance Regression Testing with JfrUnit”."
    );
    let by_title =
        json!({ "session": "Get Lower Latency and Higher Throughput for Java Applications" });
    private(&bot, &user, "star", by_title).await;
    private(
        &bot,
        &user,
        "star",
        json!({ "session": "oliveira-telemetry" }),
    )
    .await;
    let unknown = private(&bot, &user, "star", json!({ "session": "no such talk" })).await;
    assert_eq!(unknown, "I found no session matching “no such talk”.");
    let listed = private(&bot, &user, "mytalks", json!({})).await;
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "Your day (3 starred):");
    assert_eq!(lines[1], "**Thursday 7 October**");
    assert_eq!(
        lines[2],
        format!(
            "⚠ <t:{NINE}:t>–<t:{NINE_25}:t> **Continuous Performance Regression Testing \
             with JfrUnit** (Observability)"
        )
    );
    assert_eq!(
        lines[3],
        "    overlaps “Get Lower Latency and Higher Throughput for Java Applications”; catch \
         it later on demand: <https://www.p99conf.io/session/get-lower-latency-and-higher-\
         throughput-for-java-applications/>"
    );
    assert!(
        lines[4].starts_with("⚠ ") && lines[4].contains("Java"),
        "{listed}"
    );
    assert!(
        lines[5].contains("overlaps “Continuous Performance"),
        "{listed}"
    );
    assert!(
        lines[6].starts_with("• <t:") && lines[6].contains("Telemetry"),
        "no clash: {listed}"
    );
    let other = private(&bot, &FakeUser::attendee(2), "mytalks", json!({})).await;
    assert!(other.contains("starred no sessions"), "stars are per user");
    let unstarred = private(&bot, &user, "unstar", json!({ "session": JFRUNIT })).await;
    assert_eq!(
        unstarred,
        "Unstarred “Continuous Performance Regression Testing with JfrUnit”."
    );
    let stars = &bot.data.stars;
    let left = stars
        .starred_sessions(&community(&bot), &user.id.to_string())
        .await
        .unwrap();
    let mut left: Vec<&str> = left.iter().map(|s| s.as_str()).collect();
    left.sort_unstable();
    assert_eq!(left, ["oliveira-telemetry", JAVA]);
    bot.stop().await;
}

#[tokio::test]
async fn the_star_button_under_a_session_toggles_the_star_privately() {
    let bot = TestBot::start_at(AT).await;
    let handle = bot
        .fake
        .slash_command(
            &FakeUser::attendee(1),
            "session",
            json!({ "name": JFRUNIT }),
        )
        .await;
    let details = bot.response(&handle).await;
    let rows = details["data"]["components"].as_array().unwrap();
    let star_id = rows
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap())
        .filter_map(|button| button["custom_id"].as_str())
        .find(|id| id.starts_with("star:"))
        .unwrap_or_else(|| panic!("a ☆ button: {details}"))
        .to_owned();
    let message = bot
        .fake
        .wait_until("the details are stored", PATIENCE, |fake| {
            fake.messages(handle.channel_id)
                .into_iter()
                .find(|m| m.interaction_id == Some(handle.id))
        })
        .await
        .unwrap();
    let clicker = FakeUser::attendee(2);
    let stars = &bot.data.stars;
    let (guild, user) = (community(&bot), clicker.id.to_string());
    let mut answers = Vec::new();
    for _ in 0..2 {
        let click = bot.fake.click_button(&clicker, message.id, &star_id).await;
        let response = bot.response(&click).await;
        assert_eq!(response["type"], 4, "a new private message: {response}");
        answers.push(private_answer(&bot, &click).await);
        let held = stars.starred_sessions(&guild, &user).await.unwrap();
        assert_eq!(held.len(), 2 - answers.len(), "{answers:?}");
    }
    assert!(
        answers[0].starts_with("⭐ Starred “Continuous"),
        "{answers:?}"
    );
    assert!(
        answers[1].starts_with("Unstarred “Continuous"),
        "{answers:?}"
    );
    assert!(
        stars
            .starred_sessions(&guild, &FakeUser::attendee(1).id.to_string())
            .await
            .unwrap()
            .is_empty(),
        "the asker's stars are untouched by another's click"
    );
    bot.stop().await;
}

#[tokio::test]
async fn stars_are_kept_across_a_restart() {
    let bot = TestBot::start_at(AT).await;
    let user = FakeUser::attendee(1);
    for session in [JFRUNIT, JAVA] {
        private(&bot, &user, "star", json!({ "session": session })).await;
    }
    let (fake, store) = bot.stop().await;
    let options = BotOptions {
        store: Some(store),
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, AT, options).await;
    let listed = private(&bot, &user, "mytalks", json!({})).await;
    assert!(listed.starts_with("Your day (2 starred):"), "{listed}");
    assert_eq!(listed.matches("⚠ ").count(), 2, "{listed}");
    let again = private(&bot, &user, "star", json!({ "session": JFRUNIT })).await;
    assert!(again.contains("is starred already"), "{again}");
    bot.stop().await;
}

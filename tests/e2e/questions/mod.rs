//! Session Q&A through the fake Discord: `/ask` with a ▲ per question,
//! upvotes from many users and their toggles, anonymous questions, merged
//! duplicates, the hosts' `/questions` and their controls, the debounced
//! "next question" board, and a crash during a burst of upvotes.

mod forum;
mod kill;
mod on_demand;
mod restart;
pub(crate) mod threads;

use crate::harness::{eventually, BotOptions, TestBot, PATIENCE};
use fake_discord::{FakeUser, StoredMessage};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// 09:05 PDT on the sample day: the Speakers Lounge, JfrUnit (Observability)
/// and the Java talk are live.
pub const AT: &str = "2021-10-07T16:05:00Z";
pub const SESSION: &str = "morling-jfrunit";

/// The speaker of [`SESSION`], mapped to a Discord user in the agenda.
pub fn speaker() -> FakeUser {
    FakeUser::attendee(777)
}

/// The sample config in a temporary folder, with the JfrUnit speaker mapped
/// to [`speaker`], attendee 778 hosting the lounge, a one-second board, and
/// every track and room announced in #announcements.
pub fn config_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let agenda = std::fs::read_to_string(sample.join("agenda.toml")).unwrap();
    let mapped = agenda.replace(
        "speakers = [{ name = \"Gunnar Morling\", affiliation = \"Red Hat\" }]",
        &format!(
            "speakers = [{{ name = \"Gunnar Morling\", affiliation = \"Red Hat\", discord = \"{}\" }}]",
            speaker().id
        ),
    );
    assert_ne!(
        agenda, mapped,
        "the sample agenda still has the JfrUnit speaker"
    );
    std::fs::write(dir.path().join("agenda.toml"), mapped).unwrap();
    let settings = std::fs::read_to_string(sample.join("emcee.toml")).unwrap();
    // Every scheduled post goes to the fake's #announcements.
    let settings: Vec<String> = settings
        .lines()
        .map(|line| match line.split_once(" = \"") {
            Some((key, _)) if key.starts_with('"') || key == "main_channel" => {
                format!("{key} = \"announcements\"")
            }
            _ => line.to_owned(),
        })
        .collect();
    let settings = settings.join("\n");
    let settings = format!(
        "{settings}\n[questions]\nboard_every_seconds = 1\nper_person = 3\nlounge_hosts = [\"{}\"]\n",
        FakeUser::attendee(778).id
    );
    let path = dir.path().join("emcee.toml");
    std::fs::write(&path, settings).unwrap();
    (dir, path)
}

/// A bot on [`config_dir`]'s config at [`AT`].
pub async fn start() -> (TestBot, tempfile::TempDir) {
    let (dir, config) = config_dir();
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let options = BotOptions {
        config,
        ..BotOptions::default()
    };
    (TestBot::start_with(fake, AT, options).await, dir)
}

/// `user` runs `/ask` in #general; returns the private answer's text.
pub async fn ask(bot: &TestBot, user: &FakeUser, options: Value) -> String {
    let handle = bot.fake.slash_command(user, "ask", options).await;
    let response = bot.response(&handle).await;
    assert_eq!(response["data"]["flags"], 64, "private: {response}");
    response["data"]["content"].as_str().unwrap().to_owned()
}

/// The question message whose text contains `text`, once posted.
pub async fn question_message(bot: &TestBot, text: &str) -> StoredMessage {
    let channel = bot.fake.ids().general_channel_id;
    eventually("the question's message", || {
        bot.fake
            .messages(channel)
            .into_iter()
            .find(|m| m.content.contains(text) && !m.components.is_empty())
    })
    .await
}

/// The ▲ button's id and label on a stored message.
pub fn upvote_button(message: &StoredMessage) -> (String, String) {
    let button = &message.components[0]["components"][0];
    (
        button["custom_id"].as_str().unwrap().to_owned(),
        button["label"].as_str().unwrap().to_owned(),
    )
}

/// Waits until the message `id` shows `label` on its ▲.
pub async fn wait_count(bot: &TestBot, id: u64, label: &str) {
    let shown = bot
        .fake
        .wait_until("the ▲ count", PATIENCE, |fake| {
            let message = fake.message(id)?;
            (upvote_button(&message).1 == label).then_some(())
        })
        .await;
    assert!(
        shown.is_ok(),
        "▲ never showed {label}: {:?}",
        bot.fake.message(id).map(|m| upvote_button(&m))
    );
}

/// `users` each click ▲ on `message`, all at once; waits for every answer.
pub async fn click_all(bot: &TestBot, message: u64, button: &str, users: &[FakeUser]) {
    let mut handles = Vec::new();
    for user in users {
        handles.push(bot.fake.click_button(user, message, button).await);
    }
    for handle in &handles {
        let response = bot.response(handle).await;
        assert_eq!(
            response["type"], 7,
            "the message updated in place: {response}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upvotes_from_fifty_users_toggle_and_a_duplicate_joins_with_its_vote() {
    let (bot, _dir) = start().await;
    let asker = FakeUser::attendee(1);
    let answer = ask(
        &bot,
        &asker,
        json!({ "question": "Does JfrUnit catch @everyone **regressions**?", "session": SESSION }),
    )
    .await;
    assert!(answer.contains("is up"), "{answer}");
    let message = question_message(&bot, "regressions").await;
    assert!(
        !message.content.contains("@everyone") && message.content.contains("\\*\\*regressions"),
        "user text is inert: {}",
        message.content
    );
    assert!(message.content.contains("attendee1"), "{}", message.content);
    let (button, label) = upvote_button(&message);
    assert_eq!(label, "▲ 0");
    let voters: Vec<FakeUser> = (100..150).map(FakeUser::attendee).collect();
    click_all(&bot, message.id, &button, &voters).await;
    wait_count(&bot, message.id, "▲ 50").await;
    click_all(&bot, message.id, &button, &voters[..10]).await;
    wait_count(&bot, message.id, "▲ 40").await;

    let merged = ask(
        &bot,
        &FakeUser::attendee(2),
        json!({ "question": "does jfrunit catch @everyone regressions", "session": SESSION }),
    )
    .await;
    assert!(
        merged.contains("already") && merged.contains("41"),
        "{merged}"
    );
    wait_count(&bot, message.id, "▲ 41").await;
    let shown = bot.fake.message(message.id).unwrap();
    assert!(shown.content.contains("and 1 more"), "{}", shown.content);
    let general = bot.fake.ids().general_channel_id;
    let questions = bot
        .fake
        .messages(general)
        .into_iter()
        .filter(|m| !m.components.is_empty() && m.flags & 64 == 0)
        .count();
    assert_eq!(questions, 1, "the duplicate posted nothing new");

    // The "next question" board settles on the stored count.
    let board = eventually("the next-question board", || {
        bot.fake
            .messages(general)
            .into_iter()
            .find(|m| m.content.contains("Next question") && m.content.contains("▲ 41"))
    })
    .await;
    assert!(
        board.content.contains("1 open question"),
        "{}",
        board.content
    );
    bot.stop().await;
}

#[tokio::test]
async fn anonymous_questions_limits_and_the_hosts_controls() {
    let (bot, _dir) = start().await;
    let asker = FakeUser::attendee(3);
    let asked =
        json!({ "question": "Is the overhead measurable?", "session": SESSION, "anonymous": true });
    assert!(ask(&bot, &asker, asked).await.contains("is up"));
    let message = question_message(&bot, "overhead").await;
    assert!(
        message.content.contains("anonymous") && !message.content.contains("attendee3"),
        "the room does not see who asked: {}",
        message.content
    );
    for text in ["Second one?", "Third one?"] {
        let options = json!({ "question": text, "session": SESSION });
        assert!(ask(&bot, &asker, options).await.contains("is up"));
    }
    let fourth = ask(
        &bot,
        &asker,
        json!({ "question": "Fourth?", "session": SESSION }),
    )
    .await;
    assert!(fourth.contains("limit"), "{fourth}");
    let long = "x".repeat(301);
    let refused = ask(
        &bot,
        &asker,
        json!({ "question": long, "session": SESSION }),
    )
    .await;
    assert!(refused.contains("at most 300"), "{refused}");

    // An attendee is no host; the speaker is, and sees who asked.
    let handle = bot
        .fake
        .slash_command(
            &FakeUser::attendee(4),
            "questions",
            json!({ "session": SESSION }),
        )
        .await;
    let refused = bot.response(&handle).await;
    assert!(refused["data"]["content"]
        .as_str()
        .unwrap()
        .contains("Only the session"));
    let handle = bot
        .fake
        .slash_command(&speaker(), "questions", json!({ "session": SESSION }))
        .await;
    let panel = bot.response(&handle).await;
    let content = panel["data"]["content"].as_str().unwrap();
    assert_eq!(panel["data"]["flags"], 64, "private to the host");
    assert!(
        content.contains(&format!("attendee3 ({}, anonymous)", asker.id)),
        "{content}"
    );
    let rows = panel["data"]["components"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let (_, id) = upvote_button(&message)
        .0
        .rsplit_once(':')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    let panel_message = eventually("the panel message", || {
        bot.fake
            .messages(handle.channel_id)
            .into_iter()
            .find(|m| m.content.contains("Questions for"))
    })
    .await;
    let host_click = |action: &str| format!("qa:{action}:{id}");
    let clicked = bot
        .fake
        .click_button(&speaker(), panel_message.id, &host_click("answered"))
        .await;
    let updated = bot.response(&clicked).await;
    assert_eq!(updated["type"], 7, "{updated}");
    assert!(
        updated["data"]["content"].as_str().unwrap().contains("✅"),
        "{updated}"
    );
    eventually("the question shows answered", || {
        bot.fake
            .message(message.id)
            .filter(|m| m.content.starts_with("✅"))
    })
    .await;
    let hide = bot
        .fake
        .click_button(&speaker(), panel_message.id, &host_click("hide"))
        .await;
    bot.response(&hide).await;
    let hidden = eventually("the question is hidden", || {
        bot.fake
            .message(message.id)
            .filter(|m| m.content.contains("A host hid"))
    })
    .await;
    assert!(!hidden.content.contains("overhead"), "{}", hidden.content);
    assert_eq!(hidden.components[0]["components"][0]["disabled"], true);
    // An attendee's click on a host control acts on nothing.
    let sneaky = bot
        .fake
        .click_button(&FakeUser::attendee(5), panel_message.id, &host_click("pin"))
        .await;
    let told = bot.response(&sneaky).await;
    assert!(
        told["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Only the session"),
        "{told}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_question_without_a_session_goes_to_the_lounge_and_its_host() {
    let (bot, _dir) = start().await;
    let answer = ask(
        &bot,
        &FakeUser::attendee(6),
        json!({ "question": "Who is around?" }),
    )
    .await;
    assert!(answer.contains("Speakers Lounge"), "{answer}");
    let handle = bot
        .fake
        .slash_command(&FakeUser::attendee(778), "questions", json!({}))
        .await;
    let panel = bot.response(&handle).await;
    let content = panel["data"]["content"].as_str().unwrap();
    assert!(
        content.contains("Speakers Lounge") && content.contains("Who is around"),
        "{content}"
    );
    let unknown = ask(
        &bot,
        &FakeUser::attendee(6),
        json!({ "question": "Hm?", "session": "no such talk" }),
    )
    .await;
    assert!(unknown.contains("No session matches"), "{unknown}");
    bot.stop().await;
}

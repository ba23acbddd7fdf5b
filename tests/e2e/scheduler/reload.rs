//! Agenda changes end to end: after `/reload`, a moved session is announced
//! at its new time only, a cancelled one not at all.

use super::{bot_options, due_since, fixture, planned, step};
use crate::harness::{instant, BotOptions, TestBot, PATIENCE};
use fake_discord::{FakeDiscord, FakeUser};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The fixture and a copy of the agenda in a temporary folder, to edit.
fn editable_config(dir: &Path) -> PathBuf {
    let agenda =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml"))
            .unwrap();
    std::fs::write(dir.join("agenda.toml"), agenda).unwrap();
    let config = std::fs::read_to_string(fixture())
        .unwrap()
        .replace("../../../config/agenda.toml", "agenda.toml");
    std::fs::write(dir.join("emcee.toml"), config).unwrap();
    dir.join("emcee.toml")
}

/// Moves `morling-jfrunit` from 09:00 to 09:40 and cancels `ritter-java-latency`.
fn move_and_cancel(dir: &Path) {
    let agenda = std::fs::read_to_string(dir.join("agenda.toml")).unwrap();
    let mut blocks: Vec<String> = agenda.split("[[sessions]]").map(str::to_owned).collect();
    blocks.retain(|b| !b.contains("id = \"ritter-java-latency\""));
    for block in &mut blocks {
        if block.contains("id = \"morling-jfrunit\"") {
            *block = block.replace("T09:00:00-07:00", "T09:40:00-07:00");
        }
    }
    std::fs::write(dir.join("agenda.toml"), blocks.join("[[sessions]]")).unwrap();
}

#[tokio::test]
async fn after_a_reload_a_moved_session_is_announced_at_its_new_time_only_and_a_cancelled_one_not_at_all(
) {
    let dir = tempfile::tempdir().unwrap();
    let config = editable_config(dir.path());
    let fake = FakeDiscord::start().await.unwrap();
    let options = BotOptions {
        config: config.clone(),
        ..bot_options("a", None)
    };
    let bot = TestBot::start_with(fake, "2021-10-07T08:52:00-07:00", options).await;
    move_and_cancel(dir.path());
    let asked = bot
        .fake
        .slash_command(&FakeUser::organiser(1), "reload", json!({}))
        .await;
    let answer = bot
        .fake
        .wait_for_request(
            |r| r.path.starts_with("/webhooks") && r.path.contains(&asked.token),
            PATIENCE,
        )
        .await
        .unwrap();
    assert!(
        answer
            .body_str("content")
            .unwrap()
            .contains("1 cancelled, 1 moved"),
        "{answer:?}"
    );
    let notice = bot
        .fake
        .wait_until("the change notice", PATIENCE, |fake| {
            fake.messages(fake.ids().announcements_channel_id)
                .into_iter()
                .find(|m| m.content.contains("Schedule change"))
        })
        .await
        .unwrap();
    assert!(
        notice.content.contains(&format!(
            "<t:{}:f>",
            instant("2021-10-07T09:40:00-07:00").timestamp()
        )),
        "{}",
        notice.content
    );
    let jobs = planned(&config);
    let start = instant("2021-10-07T08:52:00-07:00");
    let instants: BTreeSet<_> = jobs
        .iter()
        .map(|j| j.due_at)
        .filter(|at| *at > start && *at <= instant("2021-10-07T09:40:00-07:00"))
        .collect();
    for at in instants {
        step(&bot, at, 1 + due_since(&jobs, start, at)).await;
    }
    let about = |id: &str| {
        jobs.iter()
            .filter(|j| j.message.items.iter().any(|i| i.session.as_str() == id))
            .count()
    };
    assert_eq!(about("ritter-java-latency"), 0);
    let organisers = bot.fake.messages(bot.fake.ids().organisers_channel_id);
    let morling: Vec<_> = organisers
        .iter()
        .filter(|m| m.content.contains("JfrUnit"))
        .collect();
    assert_eq!(morling.len(), 2, "09:35 and 09:40 only");
    let polls = bot.fake.messages(bot.fake.ids().polls_channel_id);
    assert!(
        polls
            .iter()
            .all(|m| !m.content.contains("Java Applications")),
        "cancelled: never announced"
    );
    bot.stop().await;
}

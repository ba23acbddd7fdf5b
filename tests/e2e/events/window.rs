//! The rolling window: keynotes and the next sessions get events, the
//! window rolling on the clock makes the next ones and completes the ended,
//! and `/reload` patches a moved or renamed session and deletes a
//! cancelled one.

use super::{at, conference, file_store, sample_agenda, titles, EventsBot};
use fake_discord::{FakeDiscord, FakeUser};
use serde_json::json;

#[tokio::test]
async fn keynotes_and_the_window_get_events_and_the_window_rolls_on_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let config = conference(dir.path(), 1, None);
    let fake = FakeDiscord::start().await.unwrap();
    let store = file_store(dir.path());
    let bot = EventsBot::start(fake, "2021-10-07T07:00:00-07:00", &config, store, "a").await;
    let keynotes = titles(&config, &["cantrill-wrights-law", "rostedt-linux-tracing"]);
    let names = |ids: &[&str]| {
        let mut all = keynotes.clone();
        all.extend(titles(&config, ids));
        all
    };
    let first = names(&[]);
    let made = bot
        .settled(&first.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let keynote = made.iter().find(|e| e.name == keynotes[0]).unwrap();
    assert_eq!(keynote.start, at("2021-10-07T08:00:00-07:00"));
    assert_eq!(keynote.end, Some(at("2021-10-07T08:20:00-07:00")));
    assert_eq!(keynote.entity_type, 3, "EXTERNAL");
    assert_eq!(keynote.location.as_deref(), Some("#announcements"));
    assert!(keynote
        .description
        .as_deref()
        .unwrap()
        .contains("Bryan Cantrill"));

    // 08:00: the sessions starting by 09:00 join (the break does not).
    bot.bot.clock.set(at("2021-10-07T08:00:00-07:00"));
    let nine = [
        "speakers-lounge",
        "morling-jfrunit",
        "ritter-java-latency",
        "mccoid-ebpf-xdp-io-uring",
    ];
    let second = names(&nine);
    bot.settled(&second.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let morling = bot
        .ours()
        .into_iter()
        .find(|e| e.name == titles(&config, &["morling-jfrunit"])[0])
        .unwrap();
    assert_eq!(
        morling.location.as_deref(),
        Some("#observability"),
        "the track's channel"
    );

    // 08:30: the first keynote is over (its event goes), 09:30's join.
    bot.bot.clock.set(at("2021-10-07T08:30:00-07:00"));
    let mut third = titles(&config, &["rostedt-linux-tracing"]);
    third.extend(titles(&config, &nine));
    third.extend(titles(
        &config,
        &[
            "grabner-slos-k8s",
            "portante-fix-logging",
            "shafir-io-rings-windows",
        ],
    ));
    bot.settled(&third.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    assert_eq!(
        bot.calls("POST", 0).len(),
        2 + 4 + 3,
        "each event made once"
    );
    let ended = bot.bot.fake.scheduled_events(bot.guild());
    let ended = ended.iter().find(|e| e.id == keynote.id).unwrap();
    assert_eq!(
        ended.status,
        super::COMPLETED,
        "the ended keynote's is completed"
    );
    assert!(bot.calls("DELETE", 0).is_empty(), "none deleted");
    let patches = bot.calls("PATCH", 0);
    assert!(
        patches
            .iter()
            .all(|r| r.body.as_ref().unwrap().as_object().unwrap().len() == 1
                && r.body.as_ref().unwrap().get("status").is_some()),
        "only status changes, nothing else changed: {patches:?}"
    );
    bot.stop().await;
}

/// Moves `morling-jfrunit` from 09:00 to 09:40, cancels
/// `ritter-java-latency` and renames `mccoid-ebpf-xdp-io-uring`.
fn move_cancel_and_rename(agenda: &str) -> String {
    let mut blocks: Vec<String> = agenda.split("[[sessions]]").map(str::to_owned).collect();
    blocks.retain(|b| !b.contains("id = \"ritter-java-latency\""));
    for block in &mut blocks {
        if block.contains("id = \"morling-jfrunit\"") {
            *block = block.replace("T09:00:00-07:00", "T09:40:00-07:00");
        }
        if block.contains("id = \"mccoid-ebpf-xdp-io-uring\"") {
            let title = block
                .lines()
                .find(|l| l.starts_with("title = "))
                .unwrap()
                .to_owned();
            *block = block.replace(&title, "title = \"eBPF, XDP and io_uring @everyone\"");
        }
    }
    blocks.join("[[sessions]]")
}

#[tokio::test]
async fn a_reload_patches_a_moved_or_renamed_session_and_deletes_a_cancelled_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = conference(dir.path(), 2, None);
    let fake = FakeDiscord::start().await.unwrap();
    let store = file_store(dir.path());
    let bot = EventsBot::start(fake, "2021-10-07T07:50:00-07:00", &config, store, "a").await;
    let ids = [
        "cantrill-wrights-law",
        "rostedt-linux-tracing",
        "speakers-lounge",
        "morling-jfrunit",
        "ritter-java-latency",
        "mccoid-ebpf-xdp-io-uring",
        "grabner-slos-k8s",
        "portante-fix-logging",
        "shafir-io-rings-windows",
    ];
    let before = titles(&config, &ids);
    let made = bot
        .settled(&before.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let id_of = |title: &str| made.iter().find(|e| e.name == title).unwrap().id;
    let (morling, ritter, mccoid) = (id_of(&before[3]), id_of(&before[4]), id_of(&before[5]));
    let since = bot.bot.fake.requests().len();

    std::fs::write(
        dir.path().join("agenda.toml"),
        move_cancel_and_rename(&sample_agenda()),
    )
    .unwrap();
    let asked = bot
        .bot
        .fake
        .slash_command(&FakeUser::organiser(1), "reload", json!({}))
        .await;
    bot.bot.response(&asked).await;
    let mut after: Vec<&str> = before.iter().map(String::as_str).collect();
    after.retain(|t| *t != before[4]);
    // The new title's `@everyone` is defused.
    after[4] = "eBPF, XDP and io_uring @\u{200B}everyone";
    let now = bot.settled(&after).await;
    let moved = now.iter().find(|e| e.id == morling).unwrap();
    assert_eq!(moved.start, at("2021-10-07T09:40:00-07:00"));
    assert_eq!(moved.end, Some(at("2021-10-07T10:05:00-07:00")));
    assert!(now.iter().any(|e| e.id == mccoid), "renamed in place");
    assert!(now.iter().all(|e| e.id != ritter));
    let patched: Vec<String> = bot
        .calls("PATCH", since)
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(patched.len(), 2, "{patched:?}");
    assert!(patched.iter().any(|p| p.ends_with(&morling.to_string())));
    assert!(patched.iter().any(|p| p.ends_with(&mccoid.to_string())));
    let deleted = bot.calls("DELETE", since);
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0].path.ends_with(&ritter.to_string()));
    assert!(bot.calls("POST", since).is_empty(), "no event made again");
    bot.stop().await;
}

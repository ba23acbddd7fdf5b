//! Live and over: Discord starts no EXTERNAL event by itself, so the bot
//! makes a session's event ACTIVE at its start and COMPLETED at its end,
//! one PATCH each, also across a restart in between or a restart after the
//! end; a live session that a `/reload` moves keeps its start.

use super::{at, conference, file_store, moved, reload, sample_agenda, titles, EventsBot};
use super::{ACTIVE, COMPLETED};
use fake_discord::FakeDiscord;

const KEYNOTES: [&str; 2] = ["cantrill-wrights-law", "rostedt-linux-tracing"];

/// The keynotes' events, made by a bot started at 07:00 with a one-hour
/// window, and the bot.
async fn keynotes_made(dir: &std::path::Path) -> (EventsBot, u64, u64) {
    let config = conference(dir, 1, None);
    let fake = FakeDiscord::start().await.unwrap();
    let store = file_store(dir);
    let bot = EventsBot::start(fake, "2021-10-07T07:00:00-07:00", &config, store, "a").await;
    let names = titles(&config, &KEYNOTES);
    let made = bot
        .settled(&names.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let id = |name: &str| made.iter().find(|e| e.name == name).unwrap().id;
    let (cantrill, rostedt) = (id(&names[0]), id(&names[1]));
    assert!(bot.statuses(cantrill).is_empty(), "scheduled, not started");
    (bot, cantrill, rostedt)
}

#[tokio::test]
async fn an_event_goes_live_at_its_start_and_is_completed_at_its_end_once_each_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (bot, cantrill, _) = keynotes_made(dir.path()).await;
    bot.bot.clock.set(at("2021-10-07T08:00:00-07:00"));
    let live = bot.reaches(cantrill, ACTIVE).await;
    assert_eq!(live.start, at("2021-10-07T08:00:00-07:00"));
    let (fake, _) = bot.stop().await;

    // Restarted while it is live: it stays live, and ends at its end.
    let config = dir.path().join("emcee.toml");
    let store = file_store(dir.path());
    let bot = EventsBot::start(fake, "2021-10-07T08:10:00-07:00", &config, store, "b").await;
    bot.bot.clock.set(at("2021-10-07T08:20:00-07:00"));
    bot.reaches(cantrill, COMPLETED).await;
    assert_eq!(
        bot.statuses(cantrill),
        [ACTIVE, COMPLETED],
        "one PATCH each"
    );
    bot.refused_nothing();
    bot.stop().await;
}

#[tokio::test]
async fn a_session_that_ended_while_the_bot_was_down_is_completed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let (bot, cantrill, rostedt) = keynotes_made(dir.path()).await;
    let (fake, _) = bot.stop().await;

    // Back at 08:30: the first keynote ended at 08:20, the second is on.
    let config = dir.path().join("emcee.toml");
    let store = file_store(dir.path());
    let bot = EventsBot::start(fake, "2021-10-07T08:30:00-07:00", &config, store, "b").await;
    bot.reaches(cantrill, COMPLETED).await;
    bot.reaches(rostedt, ACTIVE).await;
    assert_eq!(
        bot.statuses(cantrill),
        [ACTIVE, COMPLETED],
        "Discord has no way from SCHEDULED to COMPLETED but through ACTIVE"
    );
    assert_eq!(bot.statuses(rostedt), [ACTIVE]);
    assert!(bot.calls("DELETE", 0).is_empty(), "completed, not deleted");
    bot.stop().await;
}

/// A bot started at 08:55 with a two-hour window, its clock at 09:05:
/// morling's 09:00 talk is live; the bot and its event.
async fn morling_live(dir: &std::path::Path) -> (EventsBot, fake_discord::FakeScheduledEvent) {
    let config = conference(dir, 2, None);
    let fake = FakeDiscord::start().await.unwrap();
    let store = file_store(dir);
    let bot = EventsBot::start(fake, "2021-10-07T08:55:00-07:00", &config, store, "a").await;
    let morling = titles(&config, &["morling-jfrunit"]).remove(0);
    let found = bot
        .bot
        .fake
        .wait_until("morling's event", crate::harness::PATIENCE, |fake| {
            let events = fake.scheduled_events(fake.ids().guild_id);
            events.into_iter().find(|e| e.name == morling)
        })
        .await
        .unwrap();
    bot.bot.clock.set(at("2021-10-07T09:05:00-07:00"));
    let found = bot.reaches(found.id, ACTIVE).await;
    (bot, found)
}

#[tokio::test]
async fn a_live_session_moved_by_a_reload_keeps_its_start_and_ends_at_its_new_end() {
    let dir = tempfile::tempdir().unwrap();
    let (bot, found) = morling_live(dir.path()).await;
    let config = dir.path().join("emcee.toml");
    let since = bot.bot.fake.requests().len();

    // Running late: the organisers move it to 09:40, while it is live.
    let agenda = moved(
        &sample_agenda(),
        &["morling-jfrunit"],
        "T09:00:00-07:00",
        "T09:40:00-07:00",
    );
    reload(&bot, dir.path(), &agenda).await;
    let guild = bot.guild();
    let new_end = at("2021-10-07T10:05:00-07:00");
    bot.bot
        .fake
        .wait_until(
            "the live event's new end",
            crate::harness::PATIENCE,
            |fake| {
                let events = fake.scheduled_events(guild);
                let event = events.into_iter().find(|e| e.id == found.id)?;
                (event.end == Some(new_end)).then_some(event)
            },
        )
        .await
        .unwrap();
    // (The 09:00 sessions after it may still be going live.)
    let path = format!("/scheduled-events/{}", found.id);
    let patches = bot.calls("PATCH", since);
    let patches: Vec<_> = patches.iter().filter(|r| r.path.ends_with(&path)).collect();
    assert_eq!(patches.len(), 1, "one edit: {patches:?}");
    assert!(
        patches.iter().all(|r| {
            let body = r.body.as_ref().unwrap();
            body.get("scheduled_start_time").is_none() && body.get("status").is_none()
        }),
        "never a new start for a live event, nor a status: {patches:?}"
    );
    // Past its old end it is still live: at 09:30, once the sync has gone
    // past it (it takes the stored events in session order, and started
    // shafir's, after morling's), it has not been completed.
    bot.bot.clock.set(at("2021-10-07T09:30:00-07:00"));
    let shafir = titles(&config, &["shafir-io-rings-windows"]).remove(0);
    let shafir = bot.ours().into_iter().find(|e| e.name == shafir).unwrap();
    bot.reaches(shafir.id, ACTIVE).await;
    assert_eq!(bot.statuses(found.id), [ACTIVE], "still live");
    bot.bot.clock.set(new_end);
    let over = bot.reaches(found.id, COMPLETED).await;
    assert_eq!(
        over.start,
        at("2021-10-07T09:00:00-07:00"),
        "its start kept"
    );
    assert_eq!(bot.statuses(found.id), [ACTIVE, COMPLETED]);
    bot.refused_nothing();
    bot.stop().await;
}

#[tokio::test]
async fn a_live_session_cancelled_by_a_reload_is_completed_not_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (bot, found) = morling_live(dir.path()).await;

    // Cut short: the session leaves the agenda while it is live. Discord
    // has no way from ACTIVE to CANCELED: it ends.
    let mut blocks: Vec<&str> = Vec::new();
    let agenda = sample_agenda();
    for block in agenda.split("[[sessions]]") {
        if !block.contains("id = \"morling-jfrunit\"") {
            blocks.push(block);
        }
    }
    reload(&bot, dir.path(), &blocks.join("[[sessions]]")).await;
    bot.reaches(found.id, COMPLETED).await;
    assert_eq!(bot.statuses(found.id), [ACTIVE, COMPLETED]);
    assert!(bot.calls("DELETE", 0).is_empty(), "completed, not deleted");
    bot.refused_nothing();
    bot.stop().await;
}

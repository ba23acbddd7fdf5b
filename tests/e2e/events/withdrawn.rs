//! Withdrawn by hand: an organiser who deletes or cancels a session's event
//! in Discord has decided; later syncs and a restart do not make it again,
//! until a `/reload` moves that session, which is a new event worth making.

use super::{at, conference, file_store, moved, reload, sample_agenda, titles, EventsBot};
use emcee_core::config::Config;
use emcee_core::scheduler::PlanSettings;
use fake_discord::FakeDiscord;
use std::path::Path;

/// The names of the events the window calls for at `now` (local time),
/// but those of sessions `except`.
fn planned(config: &Path, now: &str, hours: i64, except: &[&str]) -> Vec<String> {
    let config = Config::load(config).unwrap();
    let routing = PlanSettings::from_settings(&config.settings);
    let window = chrono::TimeDelta::hours(hours);
    let agenda = &config.programme.agenda;
    let all = emcee_core::events::plan(agenda, &routing, window, at(now), usize::MAX);
    all.into_iter()
        .filter(|e| !except.contains(&e.session.0.as_str()))
        .map(|e| e.name)
        .collect()
}

fn strs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

#[tokio::test]
async fn hand_deleted_and_cancelled_events_stay_so_across_syncs_and_a_restart_until_a_move() {
    let dir = tempfile::tempdir().unwrap();
    let config = conference(dir.path(), 2, None);
    let fake = FakeDiscord::start().await.unwrap();
    let store = file_store(dir.path());
    let start = "2021-10-07T07:50:00-07:00";
    let bot = EventsBot::start(fake, start, &config, store, "a").await;
    let made = bot.settled(&strs(&planned(&config, start, 2, &[]))).await;
    let withdrawn = ["morling-jfrunit", "ritter-java-latency"];
    let names = titles(&config, &withdrawn);
    let id_of = |name: &str| made.iter().find(|e| e.name == name).unwrap().id;
    let (deleted, cancelled) = (id_of(&names[0]), id_of(&names[1]));
    bot.bot.fake.delete_event_by_hand(deleted).unwrap();
    bot.bot.fake.cancel_event_by_hand(cancelled).unwrap();

    // The window rolls: the next sync finds them withdrawn and makes what
    // 10:00 adds, but not them again.
    bot.bot.clock.set(at("2021-10-07T08:00:00-07:00"));
    let at_eight = planned(&config, "2021-10-07T08:00:00-07:00", 2, &withdrawn);
    bot.settled(&strs(&at_eight)).await;
    let stored = bot.stored().await;
    let marked: Vec<&str> = stored
        .iter()
        .filter(|s| s.withdrawn)
        .map(|s| s.session.0.as_str())
        .collect();
    assert_eq!(marked, withdrawn, "remembered as the organiser's decision");
    let (fake, _) = bot.stop().await;

    // A restart later on: still not made again.
    let store = file_store(dir.path());
    let later = "2021-10-07T08:30:00-07:00";
    let since = fake.requests().len();
    let bot = EventsBot::start(fake, later, &config, store, "b").await;
    bot.settled(&strs(&planned(&config, later, 2, &withdrawn)))
        .await;
    // Every sync before has finished (the first bot's stopped): none of
    // them, nor this one, made either again.
    let posted = |since: usize| -> Vec<String> {
        let posts = bot.calls("POST", since);
        let names = posts.iter().map(|r| &r.body.as_ref().unwrap()["name"]);
        names.map(|n| n.as_str().unwrap().to_owned()).collect()
    };
    for name in &names {
        let times = posted(0).iter().filter(|n| *n == name).count();
        assert_eq!(times, 1, "{name} made once, before it was withdrawn");
    }
    assert!(
        !posted(since).is_empty(),
        "the window's new sessions are made"
    );

    // A /reload moves both: new events, worth making.
    let since = bot.bot.fake.requests().len();
    let agenda = moved(
        &sample_agenda(),
        &withdrawn,
        "T09:00:00-07:00",
        "T09:40:00-07:00",
    );
    reload(&bot, dir.path(), &agenda).await;
    let now = planned(&config, later, 2, &[]);
    let remade = bot.settled(&strs(&now)).await;
    for name in &names {
        let event = remade.iter().find(|e| e.name == *name).unwrap();
        assert_eq!(event.start, at("2021-10-07T09:40:00-07:00"), "{name}");
        assert!(event.id != deleted && event.id != cancelled);
    }
    assert_eq!(bot.calls("POST", since).len(), 2, "the two moved sessions'");
    assert!(bot.stored().await.iter().all(|s| !s.withdrawn));
    let hand_cancelled = bot.bot.fake.scheduled_events(bot.guild());
    let hand_cancelled = hand_cancelled.iter().find(|e| e.id == cancelled).unwrap();
    assert_eq!(
        hand_cancelled.status, 4,
        "the cancelled one is left as it is"
    );
    let touched =
        bot.bot.fake.requests().into_iter().any(|r| {
            r.path.ends_with(&format!("/scheduled-events/{cancelled}")) && r.method != "GET"
        });
    assert!(!touched, "never patched nor deleted");
    bot.stop().await;
}

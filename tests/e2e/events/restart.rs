//! Restarts: the events made before are adopted through their stored ids,
//! none is made twice, and an organiser's own event is never touched.

use super::{at, conference, file_store, titles, EventsBot};
use fake_discord::{FakeDiscord, FakeUser};

#[tokio::test]
async fn a_restart_makes_no_duplicates_and_an_organisers_event_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let config = conference(dir.path(), 1, None);
    let fake = FakeDiscord::start().await.unwrap();
    let guild = fake.ids().guild_id;
    let organiser = FakeUser::organiser(1);
    let by_hand = fake
        .hand_made_event(
            &organiser,
            guild,
            "Speakers' dinner",
            at("2021-10-07T08:10:00-07:00"),
            at("2021-10-07T09:00:00-07:00"),
            "Pier 39",
        )
        .unwrap();
    let store = file_store(dir.path());
    let first = EventsBot::start(fake, "2021-10-07T07:00:00-07:00", &config, store, "a").await;
    let keynotes = titles(&config, &["cantrill-wrights-law", "rostedt-linux-tracing"]);
    let before = first
        .settled(&keynotes.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let (fake, _) = first.stop().await;

    // Another process on the same database: it adopts, and makes only
    // what the rolled window adds.
    let store = file_store(dir.path());
    let since = fake.requests().len();
    let second = EventsBot::start(fake, "2021-10-07T07:00:00-07:00", &config, store, "b").await;
    second
        .bot
        .fake
        .wait_for_request(
            |r| r.index >= since && r.is("GET", &format!("/guilds/{guild}/scheduled-events")),
            crate::harness::PATIENCE,
        )
        .await
        .unwrap();
    second.bot.clock.set(at("2021-10-07T08:00:00-07:00"));
    let nine = [
        "speakers-lounge",
        "morling-jfrunit",
        "ritter-java-latency",
        "mccoid-ebpf-xdp-io-uring",
    ];
    let mut names = keynotes.clone();
    names.extend(titles(&config, &nine));
    let after = second
        .settled(&names.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    for event in &before {
        assert!(
            after.iter().any(|e| e.id == event.id),
            "{} kept",
            event.name
        );
    }
    assert_eq!(
        second.calls("POST", since).len(),
        nine.len(),
        "only the new ones"
    );
    let hand_made = second
        .bot
        .fake
        .scheduled_events(guild)
        .into_iter()
        .find(|e| e.id == by_hand)
        .expect("the organiser's event is still there");
    assert_eq!(hand_made.name, "Speakers' dinner");
    let touched = second
        .bot
        .fake
        .requests()
        .into_iter()
        .any(|r| r.path.ends_with(&format!("/scheduled-events/{by_hand}")));
    assert!(!touched, "never patched nor deleted");
    second.stop().await;
}

#[tokio::test]
async fn an_event_the_bot_made_but_never_stored_is_adopted_not_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let config = conference(dir.path(), 1, None);
    let fake = FakeDiscord::start().await.unwrap();
    let guild = fake.ids().guild_id;
    let keynotes = titles(&config, &["cantrill-wrights-law", "rostedt-linux-tracing"]);
    // As a process that died between Discord's answer and its own write
    // would have left it: made by the bot, with an older description.
    let outbound = super::outbound(&fake);
    let body = serde_json::json!({
        "name": keynotes[0],
        "description": "an older description",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": "2021-10-07T15:00:00Z",
        "scheduled_end_time": "2021-10-07T15:20:00Z",
        "entity_metadata": { "location": "#announcements" },
    });
    let orphan = outbound.create_scheduled_event(guild, &body).await.unwrap();
    let orphan: u64 = orphan["id"].as_str().unwrap().parse().unwrap();
    let since = fake.requests().len();
    let store = file_store(dir.path());
    let bot = EventsBot::start(fake, "2021-10-07T07:00:00-07:00", &config, store, "a").await;
    let made = bot
        .settled(&keynotes.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let adopted = made.iter().find(|e| e.id == orphan).expect("adopted");
    assert!(
        adopted
            .description
            .as_deref()
            .unwrap()
            .contains("Bryan Cantrill"),
        "brought up to date"
    );
    assert_eq!(
        bot.calls("POST", since).len(),
        1,
        "only the other keynote is made"
    );
    bot.stop().await;
}

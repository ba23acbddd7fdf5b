//! "Interested" on an event: the fake dispatches
//! `GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE`, and the bot's `interested()`
//! gets the event's session and the user, and stars or unstars it for them;
//! an organiser's event stands for no session.

use super::{at, conference, file_store, titles, EventsBot};
use crate::faults_storage::logs::Logs;
use crate::harness::PATIENCE;
use emcee_core::stars::StarStore;
use fake_discord::{FakeDiscord, FakeUser};
use std::time::Duration;

/// Waits until a line of `logs` contains every one of `parts`.
async fn line(logs: &Logs, parts: &[&str]) {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let text = logs.text();
        if text.lines().any(|l| parts.iter().all(|p| l.contains(p))) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no log line with {parts:?} in:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until `user`'s stars in `community` are exactly `sessions`.
async fn starred(bot: &EventsBot, community: &str, user: &FakeUser, sessions: &[&str]) {
    let user = user.id.to_string();
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let stars = bot.bot.store.stars_of(community, &user).await.unwrap();
        let now: Vec<&str> = stars.iter().map(|s| s.session.as_str()).collect();
        if now == sessions {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "stars {now:?}, not {sessions:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn interested_stars_the_events_session_for_the_user_and_taking_it_back_unstars() {
    let logs = Logs::capture_filtered("emcee::discord::events_sync=debug");
    let dir = tempfile::tempdir().unwrap();
    let config = conference(dir.path(), 1, None);
    let fake = FakeDiscord::start().await.unwrap();
    let guild = fake.ids().guild_id;
    let store = file_store(dir.path());
    let bot = EventsBot::start(fake, "2021-10-07T07:00:00-07:00", &config, store, "a").await;
    let keynotes = titles(&config, &["cantrill-wrights-law", "rostedt-linux-tracing"]);
    let made = bot
        .settled(&keynotes.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let keynote = made.iter().find(|e| e.name == keynotes[1]).unwrap().id;
    let attendee = FakeUser::attendee(42);

    bot.bot
        .fake
        .mark_interested(&attendee, keynote, true)
        .unwrap()
        .unwrap();
    let user = format!("user={}", attendee.id);
    let community = format!("community={guild}");
    let added = [
        "interested in a session",
        &user,
        &community,
        "session=rostedt-linux-tracing",
        "added=true",
    ];
    line(&logs, &added).await;
    starred(
        &bot,
        &guild.to_string(),
        &attendee,
        &["rostedt-linux-tracing"],
    )
    .await;
    bot.bot
        .fake
        .mark_interested(&attendee, keynote, false)
        .unwrap()
        .unwrap();
    let removed = [
        "interested in a session",
        &user,
        "session=rostedt-linux-tracing",
        "added=false",
    ];
    line(&logs, &removed).await;
    starred(&bot, &guild.to_string(), &attendee, &[]).await;

    let organiser = FakeUser::organiser(1);
    let start = at("2021-10-07T18:00:00-07:00");
    let by_hand = bot
        .bot
        .fake
        .hand_made_event(
            &organiser,
            guild,
            "Party",
            start,
            start + chrono::TimeDelta::hours(1),
            "Bar",
        )
        .unwrap();
    bot.bot
        .fake
        .mark_interested(&attendee, by_hand, true)
        .unwrap()
        .unwrap();
    line(&logs, &["not a session's", &by_hand.to_string()]).await;
    let text = logs.text();
    assert_eq!(text.matches("interested in a session").count(), 2, "{text}");
    bot.stop().await;
}

//! "Interested" on an event: the fake dispatches
//! `GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE`, and the bot's `interested()`
//! gets the event's session and the user; an organiser's event stands for
//! no session.

use super::{at, conference, file_store, titles, EventsBot};
use crate::harness::PATIENCE;
use fake_discord::{FakeDiscord, FakeUser};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bot's debug lines about scheduled events, from this thread (the
/// test's runtime runs the bot's tasks here too).
struct Logs {
    buffer: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture() -> Self {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink(Arc::clone(&buffer));
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_env_filter("emcee::discord::events_sync=debug")
            .with_writer(move || sink.clone())
            .finish();
        let guard = tracing::subscriber::set_default(subscriber);
        Self {
            buffer,
            _guard: guard,
        }
    }

    /// Waits until a line contains every one of `parts`; returns it.
    async fn line(&self, parts: &[&str]) -> String {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let text = String::from_utf8_lossy(&self.buffer.lock().unwrap()).into_owned();
            if let Some(line) = text.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
                return line.to_owned();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no log line with {parts:?} in:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test]
async fn interested_reaches_the_bot_as_the_events_session_and_user() {
    let logs = Logs::capture();
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
    logs.line(&added).await;
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
    logs.line(&removed).await;

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
    logs.line(&["not a session's", &by_hand.to_string()]).await;
    let text = String::from_utf8_lossy(&logs.buffer.lock().unwrap()).into_owned();
    assert_eq!(text.matches("interested in a session").count(), 2, "{text}");
    bot.stop().await;
}

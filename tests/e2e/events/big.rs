//! A big agenda: 300 sessions within the window, and never more than
//! Discord's 100 uncompleted events in the server, the organisers' own
//! included, as the window rolls: the ended ones are completed, which
//! frees their slots.

use super::{at, conference, file_store, sample_agenda, EventsBot, ACTIVE, COMPLETED, SCHEDULED};
use crate::harness::PATIENCE;
use fake_discord::{FakeDiscord, FakeScheduledEvent, FakeUser};

/// The sample agenda plus 300 talks, one a minute from 08:00, ten minutes each.
fn big_agenda() -> String {
    let mut agenda = sample_agenda();
    for n in 0..300 {
        let (hour, minute) = (8 + n / 60, n % 60);
        agenda.push_str(&format!(
            "\n[[sessions]]\nid = \"big-{n}\"\ntitle = \"Lightning talk {n}\"\nkind = \"talk\"\n\
             track = \"Observability\"\nroom = \"Stage 3\"\n\
             start = 2021-10-07T{hour:02}:{minute:02}:00-07:00\nminutes = 10\n"
        ));
    }
    agenda
}

/// Waits until the bot's own scheduled or live events in the server are 97:
/// Discord's 100 less the organisers' three.
async fn full(bot: &EventsBot, organiser: u64) {
    let guild = bot.guild();
    bot.bot
        .fake
        .wait_until("97 events of the bot's", PATIENCE, |fake| {
            let events = fake.scheduled_events(guild);
            let counting = |e: &&FakeScheduledEvent| e.status == SCHEDULED || e.status == ACTIVE;
            let ours = events
                .iter()
                .filter(counting)
                .filter(|e| e.creator_id != organiser);
            let ours = ours.count();
            (ours == 97).then_some(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn never_more_than_100_events_per_server_even_with_300_sessions_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let config = conference(dir.path(), 6, Some(big_agenda()));
    let fake = FakeDiscord::start().await.unwrap();
    let guild = fake.ids().guild_id;
    let organiser = FakeUser::organiser(1);
    for n in 0..3 {
        let start = at("2021-10-07T18:00:00-07:00") + chrono::TimeDelta::hours(n);
        fake.hand_made_event(
            &organiser,
            guild,
            &format!("Party {n}"),
            start,
            start + chrono::TimeDelta::hours(1),
            "Bar",
        )
        .unwrap();
    }
    let store = file_store(dir.path());
    let bot = EventsBot::start(fake, "2021-10-07T07:30:00-07:00", &config, store, "a").await;
    full(&bot, organiser.id).await;
    let keynotes = ["Rust, Wright's Law, and the Future of Low-Latency Systems"];
    let ours = bot.ours();
    assert!(ours.iter().any(|e| e.name == keynotes[0]), "keynotes first");
    let first_talks: Vec<&str> = ours
        .iter()
        .filter(|e| e.name.starts_with("Lightning"))
        .map(|e| e.name.as_str())
        .collect();
    assert!(first_talks.contains(&"Lightning talk 0"), "soonest first");
    assert!(!first_talks.contains(&"Lightning talk 299"));

    // The window rolls: ended talks make room for later ones, under the cap.
    let since = bot.bot.fake.requests().len();
    bot.bot.clock.set(at("2021-10-07T09:00:00-07:00"));
    bot.bot
        .fake
        .wait_until("the rolled window's events", PATIENCE, |fake| {
            let events = fake.scheduled_events(guild);
            events
                .iter()
                .any(|e| e.name == "Lightning talk 120")
                .then_some(())
        })
        .await
        .unwrap();
    full(&bot, organiser.id).await;
    let refused = bot
        .bot
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.status == 400)
        .count();
    assert_eq!(refused, 0, "Discord never had to refuse one (30038)");
    let completed = bot.calls("PATCH", since);
    let completed = completed
        .iter()
        .filter(|r| r.body.as_ref().is_some_and(|b| b["status"] == COMPLETED));
    assert!(completed.count() > 0, "the ended ones were completed");
    let events = bot.bot.fake.scheduled_events(guild);
    assert!(events.iter().filter(|e| e.status <= ACTIVE).count() <= 100);
    bot.stop().await;
}

//! Announcements and reminders on Slack: the core's scheduler posting through
//! the Slack port, with a manual clock stepped through the sample day. Every
//! wait is for a condition, never a fixed sleep.

use super::harness::{forms, SlackOptions, SlackTestBot};
use crate::harness::{instant, PATIENCE};
use emcee::slack::outbound::Pacing;
use emcee_core::config::Config;
use emcee_core::scheduler::{plan, Job, JobKind, PlanSettings, SchedulerOptions, Target};
use fake_slack::{FakeSlack, FakeUser, StoredMessage};
use std::collections::BTreeSet;
use std::time::Duration;

fn options() -> SlackOptions {
    SlackOptions {
        scheduler: Some(SchedulerOptions {
            holder: "slack".into(),
            lease_ttl: Duration::from_secs(1),
            ..SchedulerOptions::default()
        }),
        ..SlackOptions::default()
    }
}

/// The dedupe key a message carries in its metadata.
fn key_of(message: &StoredMessage) -> Option<String> {
    let metadata = message.metadata.as_ref()?;
    Some(metadata["event_payload"]["dedupe"].as_str()?.to_owned())
}

/// Every scheduled post by the bot in the workspace: (ts, key, channel name).
fn posted(fake: &FakeSlack) -> Vec<(String, String, String)> {
    let ids = fake.ids();
    let channels = [
        (&ids.general_channel_id, "general"),
        (&ids.announcements_channel_id, "announcements"),
        (&ids.random_channel_id, "random"),
    ];
    let mut all: Vec<(String, String, String)> = channels
        .iter()
        .flat_map(|(id, name)| {
            fake.messages(id)
                .into_iter()
                .filter(StoredMessage::by_bot)
                .filter_map(|m| Some((m.ts.clone(), key_of(&m)?, (*name).to_owned())))
                .collect::<Vec<_>>()
        })
        .filter(|(_, key, _)| key.starts_with("em"))
        .collect();
    all.sort();
    all
}

/// Waits for the scheduler's first plan of the day: a reminder added while
/// it is being made would be planned away with it.
async fn planned(bot: &SlackTestBot) {
    let started = std::time::Instant::now();
    while emcee_core::store::JobStore::job_records(&bot.store)
        .unwrap()
        .is_empty()
    {
        assert!(started.elapsed() < PATIENCE, "the day is planned");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn the_sample_day_is_announced_once_at_each_instant_in_the_right_channels() {
    // A day's posts in seconds: a tier-3 read (the dedupe lookup) per post
    // would otherwise take Slack's real 50 a minute.
    let fast = SlackOptions {
        pacing: Some(Pacing {
            per_minute: [1200.0, 1200.0, 1200.0],
            ..Pacing::default()
        }),
        ..options()
    };
    let bot = SlackTestBot::start_at("2021-10-07T14:59:00Z", fast).await;
    let config = Config::load(&bot.config_path()).unwrap();
    let settings = PlanSettings::from_settings(&config.settings);
    let jobs: Vec<Job> = plan(&config.programme, &settings, &[])
        .into_iter()
        .filter(|job| job.kind() != JobKind::PollOpen)
        .collect();
    assert!(jobs.len() > 20, "the sample day plans many posts");
    let instants: BTreeSet<_> = jobs.iter().map(|job| job.due_at).collect();
    for at in instants {
        let due = jobs.iter().filter(|job| job.due_at <= at).count();
        bot.clock.set(at);
        bot.fake
            .wait_until(&format!("{due} posts at {at}"), PATIENCE, |fake| {
                (posted(fake).len() >= due).then_some(())
            })
            .await
            .unwrap();
        assert_eq!(
            posted(&bot.fake).len(),
            due,
            "nothing early, nothing twice at {at}"
        );
    }
    let posts = posted(&bot.fake);
    for job in &jobs {
        let copies: Vec<_> = posts
            .iter()
            .filter(|(_, key, _)| *key == job.nonce())
            .collect();
        assert_eq!(copies.len(), 1, "{} once", job.key);
        let Target::Channel(channel) = &job.target else {
            panic!("{}", job.key)
        };
        assert_eq!(&copies[0].2, channel, "{}", job.key);
    }
    for message in [
        &bot.fake.ids().general_channel_id,
        &bot.fake.ids().announcements_channel_id,
    ]
    .into_iter()
    .flat_map(|c| bot.fake.messages(c))
    {
        let json =
            serde_json::json!({ "text": message.text, "blocks": message.blocks }).to_string();
        let pings: Vec<String> = forms(&json)
            .into_iter()
            .filter(|f| !f.starts_with("!date^") && !f.starts_with("http"))
            .collect();
        assert!(pings.is_empty(), "no post pings anyone: {pings:?}");
    }
    bot.stop().await;
}

#[tokio::test]
async fn a_reminder_arrives_by_direct_message_once() {
    let bot = SlackTestBot::start_at("2021-10-07T15:50:00Z", options()).await;
    let user = FakeUser::attendee(7);
    let general = bot.fake.ids().general_channel_id.clone();
    planned(&bot).await;
    let (_, answer) = bot
        .ask_as(
            &user,
            &general,
            "remind High-Performance Networking Using eBPF 5",
        )
        .await;
    assert!(
        answer.body.to_string().contains("I'll DM you"),
        "{}",
        answer.body
    );
    // The session starts at 16:00; the reminder is due at 15:55.
    bot.clock.set(instant("2021-10-07T15:55:00Z"));
    let dm = bot
        .fake
        .wait_until("a DM channel", PATIENCE, |fake| fake.dm_channel(&user.id))
        .await
        .unwrap();
    let reminder = bot
        .fake
        .wait_until("the reminder", PATIENCE, |fake| {
            fake.messages(&dm).into_iter().find(StoredMessage::by_bot)
        })
        .await
        .unwrap();
    assert!(
        reminder.text.contains("High-Performance Networking"),
        "{}",
        reminder.text
    );
    bot.clock.set(instant("2021-10-07T15:57:00Z"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = bot
        .fake
        .messages(&dm)
        .into_iter()
        .filter(StoredMessage::by_bot)
        .count();
    assert_eq!(sent, 1, "once");
    bot.stop().await;
}

/// A programme written to ping, link and forge lines in every field Slack shows.
const HOSTILE_AGENDA: &str = r#"
[conference]
name = "<!channel> Conf"
timezone = "UTC"

[[tracks]]
name = "Observability"
[[rooms]]
name = "<!here> Hall"

[[sessions]]
id = "ping-all"
title = "<!channel> <!here> <!everyone> Fast & Safe"
kind = "keynote"
room = "<!here> Hall"
start = 2021-10-07T16:00:00Z
minutes = 20
speakers = [{ name = "<@U0ADMIN01>", affiliation = "<!subteam^S0ORGANISE>" }]
abstract = "<https://evil.example|click here> &lt;!channel&gt;"

[[sessions]]
id = "forged-lines"
title = "Real talk\n*Starting now*\n<#C0GENERAL>"
kind = "talk"
track = "Observability"
room = "<!here> Hall"
start = 2021-10-07T16:00:00Z
minutes = 20
speakers = [{ name = "<!date^1^{date}|x> Mallory" }]
"#;

#[tokio::test]
async fn hostile_agenda_text_in_announcements_pings_nobody() {
    let hostile = SlackOptions {
        agenda: Some(HOSTILE_AGENDA.to_owned()),
        ..options()
    };
    let bot = SlackTestBot::start_at("2021-10-07T15:54:00Z", hostile).await;
    let ids = bot.fake.ids().clone();
    let channels = [
        &ids.general_channel_id,
        &ids.announcements_channel_id,
        &ids.random_channel_id,
    ];
    let mut posts = Vec::new();
    // Each instant posts in three channels: the keynote's two, the track's one.
    for (at, count) in [("2021-10-07T15:55:00Z", 3), ("2021-10-07T16:00:00Z", 6)] {
        bot.clock.set(instant(at));
        posts = bot
            .fake
            .wait_until(&format!("{count} announcements"), PATIENCE, |fake| {
                let posts: Vec<StoredMessage> = channels
                    .iter()
                    .flat_map(|c| fake.messages(c))
                    .filter(StoredMessage::by_bot)
                    .collect();
                (posts.len() >= count).then_some(posts)
            })
            .await
            .unwrap();
    }
    for post in &posts {
        let json = serde_json::json!({ "text": post.text, "blocks": post.blocks }).to_string();
        let forms: Vec<String> = forms(&json)
            .into_iter()
            .filter(|f| !f.starts_with("!date^1633"))
            .collect();
        assert!(forms.is_empty(), "pings or links: {forms:?} in {json}");
        assert!(
            json.contains("&lt;!"),
            "the hostile text is shown, as text: {json}"
        );
    }
    assert_eq!(
        bot.fake.bot_pings(),
        Vec::<String>::new(),
        "the fake's own reading"
    );
    bot.stop().await;
}

#[tokio::test]
async fn reminders_list_cancel_and_mycal_sends_the_calendar_file_by_dm() {
    let bot = SlackTestBot::start_at("2021-10-07T15:50:00Z", options()).await;
    planned(&bot).await;
    let user = FakeUser::attendee(8);
    let general = bot.fake.ids().general_channel_id.clone();
    let ask = |text: &'static str| {
        let (bot, user, general) = (&bot, user.clone(), general.clone());
        async move { bot.ask_as(&user, &general, text).await.1.body.to_string() }
    };
    assert!(ask("remind morling-jfrunit 15")
        .await
        .contains("I'll DM you 15 min"));
    let listed = ask("reminders").await;
    assert!(listed.contains("JfrUnit"), "{listed}");
    let sent = ask("mycal").await;
    assert!(sent.contains("1 session(s) in your calendar"), "{sent}");
    let dm = bot.fake.dm_channel(&user.id).expect("a DM channel");
    let file = bot
        .fake
        .wait_until("the calendar file", PATIENCE, |fake| {
            let shared = fake
                .messages(&dm)
                .into_iter()
                .find(|m| !m.files.is_empty())?;
            fake.file(&shared.files[0])
        })
        .await
        .unwrap();
    assert_eq!(file.name, "emcee.ics");
    let ics = String::from_utf8(file.bytes.unwrap()).unwrap();
    assert!(
        ics.starts_with("BEGIN:VCALENDAR") && ics.contains("JfrUnit"),
        "{ics}"
    );
    let cancelled = ask("reminders cancel morling-jfrunit").await;
    assert!(
        cancelled.contains("Cancelled that reminder."),
        "{cancelled}"
    );
    assert!(!cancelled.contains("JfrUnit"), "none left: {cancelled}");
    bot.stop().await;
}

//! The community boundary end to end: the fake Discord with a second server,
//! the stranger's, whose owner may manage it and so counts as an organiser
//! there. With `[discord] servers` listing the conference's server, nothing
//! they do reaches the conference; with `servers` empty, a channel name both
//! servers have stops the bot at start instead of being guessed.

use crate::harness::{BotOptions, TestBot, PATIENCE};
use emcee::discord::community::REFUSAL;
use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::BotToken;
use emcee_core::config::Config;
use emcee_core::polls::MessageKey;
use emcee_core::scheduler::{plan, PlanSettings, SchedulerOptions, Target};
use fake_discord::{FakeDiscord, FakeUser, InteractionHandle};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

mod first_run;

const AT: &str = "2021-10-07T15:55:00Z";

/// A fake Discord in which the bot is also in the stranger's server.
async fn two_servers() -> FakeDiscord {
    FakeDiscord::start_with(fake_discord::Config {
        stranger_guild: true,
        ..fake_discord::Config::default()
    })
    .await
    .unwrap()
}

/// The scheduler fixture (routed onto the fake's channels) with `[discord]
/// servers` set to `servers`, in a temporary folder.
fn config_serving(servers: &[u64]) -> (tempfile::TempDir, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = std::fs::read_to_string(root.join("tests/e2e/fixtures/scheduler.toml")).unwrap();
    let agenda = root.join("config/agenda.toml");
    let ids: Vec<String> = servers.iter().map(|id| format!("\"{id}\"")).collect();
    let text = fixture.replace(
        "source = \"../../../config/agenda.toml\"",
        &format!("source = {:?}", agenda.display().to_string()),
    ) + &format!("\n[discord]\nservers = [{}]\n", ids.join(", "));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emcee.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The conference's organiser opens a poll in its `#general`; waits for the post
/// and its seed reactions.
async fn conference_poll(bot: &TestBot) -> MessageKey {
    let create = json!({ "create": { "question": "Tabs or spaces?", "options": "Tabs | Spaces", "duration": "10m" } });
    let asked = bot
        .fake
        .slash_command(&FakeUser::organiser(1), "poll", create)
        .await;
    bot.response(&asked).await;
    let channel = bot.fake.ids().general_channel_id;
    let bot_id = bot.fake.ids().bot_user_id;
    let message = bot
        .fake
        .wait_until("the poll and its seed reactions", PATIENCE, |f| {
            let poll = f.messages(channel).into_iter().find(|m| {
                m.embeds
                    .first()
                    .is_some_and(|e| e["title"].as_str().is_some_and(|t| t.starts_with("📊")))
            })?;
            (poll.reactions.len() == 2 && poll.reactions.iter().all(|r| r.users.contains(&bot_id)))
                .then_some(poll)
        })
        .await
        .unwrap();
    MessageKey::new(channel, message.id)
}

/// What the stranger's owner tries from their own `#general`.
fn stranger_attempts(fake: &FakeDiscord, poll: &MessageKey) -> Vec<(&'static str, Value)> {
    let ids = fake.ids();
    let id = poll.message.clone();
    let link = format!(
        "https://discord.com/channels/{}/{}/{}",
        ids.guild_id, poll.channel, poll.message
    );
    let into_conference = json!({ "create": {
        "question": "Free crypto?", "options": "Yes | No",
        "channel": ids.announcements_channel_id.to_string(),
    }});
    let mut attempts = vec![("poll", into_conference)];
    for sub in ["close", "cancel", "results"] {
        attempts.push(("poll", json!({ sub: { "message": id } })));
        attempts.push(("poll", json!({ sub: { "message": link } })));
    }
    attempts.push(("reload", json!({})));
    attempts
}

#[tokio::test]
async fn the_strangers_owner_is_refused_everything_and_the_conference_poll_keeps_counting() {
    let fake = two_servers().await;
    let (_dir, config) = config_serving(&[fake.ids().guild_id]);
    let options = BotOptions {
        config,
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, AT, options).await;
    let poll = conference_poll(&bot).await;
    let before = bot.fake.requests().len();

    let stranger = FakeUser::stranger_owner();
    let their_general = bot.fake.ids().stranger.general_channel_id;
    let mut handles: Vec<InteractionHandle> = Vec::new();
    for (name, options) in stranger_attempts(&bot.fake, &poll) {
        let asked = bot
            .fake
            .slash_command_in(their_general, &stranger, name, options.clone())
            .await;
        let answer = bot.response(&asked).await;
        assert_eq!(answer["type"], 4, "/{name} {options}: {answer}");
        assert_eq!(answer["data"]["flags"], 64, "private: {answer}");
        assert_eq!(answer["data"]["content"], REFUSAL, "/{name} {options}");
        assert!(answer["data"]["embeds"]
            .as_array()
            .is_none_or(Vec::is_empty));
        handles.push(asked);
    }
    let callbacks: Vec<String> = handles
        .iter()
        .map(|h| format!("/interactions/{}/{}/callback", h.id, h.token))
        .collect();
    let caused: Vec<String> = bot.fake.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let expected: Vec<String> = callbacks.iter().map(|c| format!("POST {c}")).collect();
    assert_eq!(caused, expected, "one refusal each and nothing else");

    let recorder = bot.data.polls.recorder();
    let open = recorder
        .watch(&poll)
        .expect("the conference's poll is still open");
    assert_eq!(open.borrow().tally.voters, 0);
    vote_from_the_stranger_is_ignored_but_attendees_count(&bot, &poll).await;
    bot.stop().await;
}

/// A reaction claiming the stranger's server is dropped; an attendee's counts.
async fn vote_from_the_stranger_is_ignored_but_attendees_count(bot: &TestBot, poll: &MessageKey) {
    let ids = bot.fake.ids();
    let forged = json!({
        "user_id": ids.stranger.owner_user_id.to_string(),
        "channel_id": poll.channel,
        "message_id": poll.message,
        "guild_id": ids.stranger.guild_id.to_string(),
        "emoji": { "id": null, "name": "🇦" },
        "burst": false,
        "type": 0,
    });
    bot.fake.dispatch_raw("MESSAGE_REACTION_ADD", &forged);
    let (channel, message) = (poll.channel.parse().unwrap(), poll.message.parse().unwrap());
    bot.fake
        .react(channel, message, &FakeUser::attendee(7), "🇦")
        .await
        .unwrap();
    let mut view = bot.data.polls.recorder().watch(poll).unwrap();
    let counted = tokio::time::timeout(PATIENCE, async {
        while view.borrow_and_update().tally.voters == 0 {
            view.changed().await.unwrap();
        }
    })
    .await;
    assert!(counted.is_ok(), "the attendee's vote counts");
    let tally = view.borrow().tally.clone();
    assert_eq!(
        (tally.counts, tally.voters),
        (vec![1, 0], 1),
        "only the attendee's"
    );
}

#[tokio::test]
async fn announcements_go_to_the_conference_never_to_the_strangers_channel_of_that_name() {
    let fake = two_servers().await;
    let (_dir, config) = config_serving(&[fake.ids().guild_id]);
    let loaded = Config::load(&config).unwrap();
    let jobs = plan(
        &loaded.programme,
        &PlanSettings::from_settings(&loaded.settings),
        &[],
    );
    let announcement = Target::Channel("announcements".into());
    let first = jobs.iter().find(|j| j.target == announcement).unwrap();
    let start = first.due_at - chrono::TimeDelta::minutes(1);
    let options = BotOptions {
        config,
        scheduler: Some(SchedulerOptions::default()),
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, &start.to_rfc3339(), options).await;
    bot.clock.set(first.due_at);
    let ours = bot.fake.ids().announcements_channel_id;
    let nonce = first.nonce();
    bot.fake
        .wait_until(
            "the announcement in the conference's #announcements",
            PATIENCE,
            |f| {
                f.messages(ours)
                    .iter()
                    .any(|m| m.nonce.as_deref() == Some(&nonce))
                    .then_some(())
            },
        )
        .await
        .unwrap();
    let stranger = bot.fake.ids().stranger.clone();
    assert!(bot
        .fake
        .messages(stranger.announcements_channel_id)
        .is_empty());
    let touched: Vec<String> = bot
        .fake
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| {
            p.contains(&stranger.announcements_channel_id.to_string())
                || p.contains(&stranger.guild_id.to_string())
        })
        .collect();
    assert!(
        touched.is_empty(),
        "nothing about the stranger's server: {touched:?}"
    );
    bot.stop().await;
}

fn outbound(fake: &FakeDiscord) -> Outbound {
    let token = BotToken::new("fake-token".into()).unwrap();
    Outbound::new(
        &fake.base_url(),
        &token,
        reqwest::Client::new(),
        Pacing::default(),
    )
}

#[tokio::test]
async fn a_name_in_two_servers_is_refused_when_every_server_is_served_and_not_when_one_is() {
    let fake = two_servers().await;
    let ids = fake.ids().clone();
    let sender = outbound(&fake);
    let names = ["#Announcements".to_owned(), "polls".to_owned()];
    let error = emcee::discord::channels::resolve(&sender, &[], &names)
        .await
        .unwrap_err()
        .to_string();
    let both = format!(
        "#announcements is in {} (Fake Conf) and {} (Stranger's Server)",
        ids.guild_id, ids.stranger.guild_id
    );
    assert!(error.contains(&both), "{error}");
    assert!(!error.contains("#polls"), "only in one server: {error}");
    assert!(error.contains("`[discord] servers`"), "{error}");

    let served = emcee::discord::channels::resolve(&sender, &[ids.guild_id], &names)
        .await
        .unwrap();
    assert_eq!(
        served.get("announcements"),
        Some(&ids.announcements_channel_id)
    );
    assert_eq!(served.get("polls"), Some(&ids.polls_channel_id));
    let unambiguous = ["polls".to_owned(), "1234".to_owned(), "nowhere".to_owned()];
    let everywhere = emcee::discord::channels::resolve(&sender, &[], &unambiguous)
        .await
        .unwrap();
    assert_eq!(everywhere.len(), 1, "ids and missing names are left out");
}

#[tokio::test]
async fn emcee_run_with_no_servers_listed_stops_at_start_naming_both_servers() {
    let fake = two_servers().await;
    let config = crate::process::sample_config();
    let child = crate::process::emcee_run(&fake, &config, Some(crate::process::TOKEN));
    let (code, stderr) = crate::process::finish(child).await;
    assert_eq!(code, Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    let ids = fake.ids();
    for id in [ids.guild_id, ids.stranger.guild_id] {
        assert!(errors[0].contains(&id.to_string()), "{stderr}");
    }
    assert!(errors[0].contains("#announcements"), "{stderr}");
    let posted = fake
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.path.starts_with("/channels/"))
        .count();
    assert_eq!(posted, 0, "nothing posted before refusing");
}

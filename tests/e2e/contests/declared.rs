//! A contest declared in the agenda (`[[contests]]`) opens and closes on the
//! scheduler's clock, which the test moves: its own emoji, its entry limit
//! and the size of its result come from the agenda.

use super::{standings, wait, wait_counts};
use crate::harness::{instant, BotOptions, TestBot, PATIENCE};
use emcee_core::scheduler::SchedulerOptions;
use fake_discord::{FakeUser, UserFile};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DECLARED: &str = r#"
[[contests]]
id = "crab-memes"
title = "Crab memes"
channel = "polls"
opens = 2021-10-07T16:00:00Z
minutes = 30
entries_per_person = 2
emoji = ["🦀"]
top = 2
template = "https://example.org/crab.png"
"#;

/// The sample config and agenda, with the contest above, in `dir`.
fn config_in(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let agenda = std::fs::read_to_string(root.join("agenda.toml")).unwrap();
    std::fs::write(dir.join("agenda.toml"), format!("{agenda}\n{DECLARED}")).unwrap();
    let config = dir.join("emcee.toml");
    std::fs::copy(root.join("emcee.toml"), &config).unwrap();
    config
}

fn image(name: &str) -> UserFile {
    UserFile::new(name, Some("image/jpeg"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_contest_opens_and_closes_on_the_clock_with_its_own_rules() {
    let dir = tempfile::tempdir().unwrap();
    let options = BotOptions {
        config: config_in(dir.path()),
        scheduler: Some(SchedulerOptions {
            holder: "contest-test".into(),
            lease_ttl: Duration::from_secs(1),
            ..SchedulerOptions::default()
        }),
        ..BotOptions::default()
    };
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, "2021-10-07T15:55:00Z", options).await;
    let channel = bot.fake.ids().polls_channel_id;
    let (alice, bob) = (FakeUser::attendee(1), FakeUser::attendee(2));
    // An image posted before it opens would count or not by when the bot
    // handles its event, which the test cannot order against the clock:
    // the window is checked against the clock in the core's unit tests.
    bot.clock.set(instant("2021-10-07T16:00:00Z"));
    let call = bot
        .fake
        .wait_until("the call for entries", PATIENCE, |fake| {
            let posts = fake.messages(channel);
            posts.into_iter().find(|m| m.content.contains("Crab memes"))
        })
        .await
        .unwrap();
    assert!(
        call.content.contains("2 entries per person"),
        "{}",
        call.content
    );
    assert!(call.content.contains("🦀"), "{}", call.content);
    let contest = wait("the declared contest", || async {
        let open = bot.data.contests.open_contests().await.unwrap();
        open.into_iter()
            .find(|c| c.rules.declared_id.as_deref() == Some("crab-memes"))
    })
    .await;
    assert!(standings(&bot, contest.id).await.is_empty());

    let first = bot
        .fake
        .user_upload(channel, &alice, "one", &[image("a1.jpg")])
        .await;
    wait("alice's first", || async {
        (standings(&bot, contest.id).await.len() == 1).then_some(())
    })
    .await;
    bot.fake
        .user_upload(channel, &alice, "two", &[image("a2.jpg")])
        .await;
    // Her third waits until both count, so it is the one over the limit.
    wait("alice's second", || async {
        (standings(&bot, contest.id).await.len() == 2).then_some(())
    })
    .await;
    let third = bot
        .fake
        .user_upload(channel, &alice, "three", &[image("a3.jpg")])
        .await;
    let bobs = bot
        .fake
        .user_upload(channel, &bob, "mine", &[image("b.jpg")])
        .await;
    wait("three entries", || async {
        (standings(&bot, contest.id).await.len() == 3).then_some(())
    })
    .await;
    let voters: Vec<FakeUser> = (0..5).map(|n| FakeUser::attendee(50 + n)).collect();
    let burst = vec![
        (bobs, &voters[0], "🦀"),
        (bobs, &voters[1], "🦀"),
        (bobs, &voters[2], "🦀"),
        (first, &voters[3], "🦀"),
        (first, &voters[4], "🦀"),
        (first, &alice, "🦀"),
        (first, &voters[0], "👍"),
        (third, &voters[1], "🦀"),
    ];
    bot.fake.react_burst(channel, &burst).await.unwrap();
    let stored = standings(&bot, contest.id).await;
    let order: Vec<u64> = stored
        .iter()
        .map(|s| s.entry.entry.message.message.parse().unwrap())
        .collect();
    assert!(
        !order.contains(&third),
        "alice's third post is over her limit"
    );
    let expected: Vec<u32> = order
        .iter()
        .map(|&m| {
            if m == bobs {
                3
            } else if m == first {
                2
            } else {
                0
            }
        })
        .collect();
    wait_counts(&bot, contest.id, &expected).await;

    bot.clock.set(instant("2021-10-07T16:30:00Z"));
    let result = bot
        .fake
        .wait_until("the result", PATIENCE, |fake| {
            let posts: Vec<_> = fake
                .messages(channel)
                .into_iter()
                .filter(|m| m.author.id == fake.ids().bot_user_id)
                .skip_while(|m| !m.content.contains("Meme contest results"))
                .collect();
            (posts.len() == 3).then_some(posts)
        })
        .await
        .unwrap();
    let summary = &result[0].content;
    assert!(summary.contains("🥇 **attendee2**: 3 votes"), "{summary}");
    assert!(summary.contains("🥈 **attendee1**: 2 votes"), "{summary}");
    assert!(!summary.contains("🥉"), "top 2 only: {summary}");
    let closed = bot.data.contests.open_contests().await.unwrap();
    assert!(closed.iter().all(|c| c.id != contest.id));
    bot.stop().await;
}

//! Two processes on shards 0-1/4 and 2-3/4: every guild is served by the
//! process holding its shard, and their IDENTIFYs keep Discord's pace.

use super::{run_shards, Serving};
use crate::harness::PATIENCE;
use crate::process::finish;
use crate::process::sample_config;
use emcee::discord::shards::pacing::IDENTIFY_INTERVAL;
use fake_discord::{shard_of, Config, FakeDiscord, FakeUser, Shard};
use std::time::Duration;

/// serenity times its 5 s between boots from the previous shard's
/// connection, not from its IDENTIFY, so a gap inside one process may come
/// short by a HELLO's round trip; without pacing across processes two of
/// them would IDENTIFY within milliseconds.
const HELLO_SLACK: Duration = Duration::from_millis(250);

#[tokio::test]
async fn two_processes_share_four_shards_each_guild_answered_once_identifies_paced() {
    let fake = FakeDiscord::start_with(Config {
        shards: 4,
        max_concurrency: 1,
        extra_guilds: 4,
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = sample_config();
    let low = Serving::new(run_shards(&fake, &dir, "0-1/4"));
    let high = Serving::new(run_shards(&fake, &dir, "2-3/4"));
    // Four IDENTIFYs in one bucket, 5 s apart.
    fake.wait_shards_ready(&[0, 1, 2, 3], PATIENCE * 2)
        .await
        .expect("every shard connects");

    let log = fake.identify_log();
    let mut shards: Vec<Shard> = log.iter().map(|i| i.shard).collect();
    shards.sort_by_key(|s| s.id);
    let expected: Vec<Shard> = (0..4).map(|id| Shard { id, total: 4 }).collect();
    assert_eq!(shards, expected, "each shard identified once: {log:?}");
    assert!(log.iter().all(|i| i.refused.is_none()), "{log:?}");
    let gaps: Vec<Duration> = log.windows(2).map(|w| w[1].at - w[0].at).collect();
    let order: Vec<u32> = log.iter().map(|i| i.shard.id).collect();
    println!("IDENTIFY order {order:?}, gaps {gaps:?}");
    assert!(
        gaps.iter()
            .all(|gap| *gap + HELLO_SLACK >= IDENTIFY_INTERVAL),
        "one bucket (max_concurrency 1): IDENTIFYs 5 s apart, across processes too: {gaps:?}"
    );

    let user = FakeUser::attendee(7);
    let mut asked = Vec::new();
    for guild in fake.guilds() {
        let channel = guild.channels[0].0;
        let handle = fake
            .slash_command_in(channel, &user, "next", serde_json::json!({}))
            .await;
        fake.wait_for_interaction_response(&handle, PATIENCE)
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no answer in {} (shard {})",
                    guild.name,
                    shard_of(guild.id, 4)
                )
            });
        asked.push((guild.id, handle));
    }
    let dm = fake.dm_channel(&user);
    let in_dm = fake
        .slash_command_in(dm, &user, "next", serde_json::json!({}))
        .await;
    fake.wait_for_interaction_response(&in_dm, PATIENCE)
        .await
        .expect("a DM command is answered");
    let dm_shards: Vec<u32> = fake
        .dispatched()
        .iter()
        .filter(|d| d.event == "INTERACTION_CREATE" && d.data["guild_id"].is_null())
        .map(|d| d.shard)
        .collect();
    assert_eq!(dm_shards, [0], "a DM goes to shard 0 only");
    let carried: Vec<(u64, u32)> = fake
        .dispatched()
        .iter()
        .filter(|d| d.event == "INTERACTION_CREATE")
        .filter_map(|d| Some((d.data["guild_id"].as_str()?.parse().unwrap(), d.shard)))
        .collect();
    for (guild, handle) in &asked {
        assert!(
            carried.contains(&(*guild, shard_of(*guild, 4))),
            "guild {guild}'s command went to its own shard: {carried:?}"
        );
        let path = format!("/interactions/{}/{}/callback", handle.id, handle.token);
        let answers = fake
            .requests()
            .iter()
            .filter(|r| r.is("POST", &path))
            .count();
        assert_eq!(answers, 1, "guild {guild} answered exactly once");
    }
    assert_eq!(carried.len(), asked.len(), "one dispatch per command");

    for process in [low, high] {
        let (code, stderr) = process.stop().await;
        assert_eq!(code, Some(0), "{stderr}");
    }
}

#[tokio::test]
async fn an_impossible_range_is_a_usage_error_and_a_bad_config_range_names_its_line() {
    let fake = FakeDiscord::start().await.unwrap();
    let dir = sample_config();
    let (code, stderr) = finish(run_shards(&fake, &dir, "4-5/4")).await;
    assert_eq!(code, Some(64), "{stderr}");
    assert!(
        stderr.contains("LAST (5) must be below TOTAL (4)"),
        "{stderr}"
    );

    let path = dir.path().join("emcee.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("servers = []", "servers = []\nshards = \"2-1/4\"");
    std::fs::write(&path, text).unwrap();
    let mut command = crate::process::emcee_command(&fake, &dir, Some(crate::process::TOKEN));
    let (code, stderr) = finish(command.spawn().unwrap()).await;
    assert_eq!(code, Some(2), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("`discord.shards`"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        line.contains("emcee.toml:") && line.contains("FIRST (2) is after LAST (1)"),
        "{line}"
    );
    assert!(fake.identify_log().is_empty(), "nothing connected");
}

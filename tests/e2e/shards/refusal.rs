//! Discord refusing a shard: emcee stops with one line and a non-zero status
//! instead of hanging as serenity 0.12.5 does.

use super::run_shards;
use crate::harness::PATIENCE;
use crate::process::finish;
use crate::process::sample_config;
use fake_discord::{Config, FakeDiscord};

#[tokio::test]
async fn a_total_below_what_discord_requires_stops_the_process_with_one_line() {
    let fake = FakeDiscord::start_with(Config {
        shards: 4,
        sharding_required: true,
        extra_guilds: 4,
        ..Config::default()
    })
    .await
    .unwrap();
    let dir = sample_config();
    let (code, stderr) = finish(run_shards(&fake, &dir, "0-1/2")).await;
    assert_eq!(code, Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        errors,
        [
            "error: Discord refused shard 0 of 2: sharding required (4011); run more shards \
             (Discord recommends 4) with `--shards FIRST-LAST/TOTAL`, the same TOTAL in every process"
        ],
        "{stderr}"
    );
    let refused: Vec<Option<u16>> = fake.identify_log().iter().map(|i| i.refused).collect();
    assert_eq!(refused, [Some(4011)], "stopped at the first refusal");
}

/// A session Discord closes with 4010 (the fake closes it on the test's
/// word; `--shards` never lets a shard beyond TOTAL through): emcee reads
/// serenity's log line and stops instead of hanging.
#[tokio::test]
async fn an_invalid_shard_close_stops_the_process_with_one_line() {
    let fake = FakeDiscord::start().await.unwrap();
    let dir = sample_config();
    let exited = tokio::spawn(finish(run_shards(&fake, &dir, "0-0/1")));
    fake.wait_ready(PATIENCE).await.expect("the shard connects");
    assert!(fake.close_gateway(4010));
    let (code, stderr) = exited.await.unwrap();
    assert_eq!(code, Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        errors,
        ["error: Discord refused shard 0 of 1: invalid shard (4010); every process must use the same TOTAL"],
        "{stderr}"
    );
}

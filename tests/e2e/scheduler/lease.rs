//! The scheduler lease end to end: two processes on one database post once,
//! and a holder that crashed on this host does not hold announcements back.

use super::{count_due, due_since, fixture, options, planned, posted, step};
use crate::harness::{instant, start_scheduler, BotOptions, TestBot};
use emcee_core::config::Config;
use emcee_core::scheduler::holder;
use emcee_core::store::{Lease, Store};
use fake_discord::FakeDiscord;
use std::collections::BTreeSet;

#[tokio::test]
async fn two_schedulers_on_one_database_post_each_announcement_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emcee.sqlite3");
    let jobs = planned(&fixture());
    let fake = FakeDiscord::start().await.unwrap();
    let start = instant("2021-10-07T08:58:00-07:00");
    let bot = TestBot::start_with(
        fake,
        &start.to_rfc3339(),
        super::bot_options("a", Some(Store::open(&path).unwrap())),
    )
    .await;
    // A second process: its own connection to the same file, same clock.
    let config = Config::load(&fixture()).unwrap();
    let other_data = emcee::discord::Data::new(
        config.programme.clone(),
        std::sync::Arc::new(bot.clock.clone()),
        Store::open(&path).unwrap(),
        std::sync::Arc::clone(&bot.data.port),
    );
    let other = start_scheduler(&other_data, &config.settings, None, options("b"));
    // What was due shortly before the start goes out first (catch-up), before
    // the clock moves on and some of it would be too late.
    let mut due = due_since(&jobs, start, start);
    step(&bot, start, due).await;
    for at in [
        "2021-10-07T09:00:00-07:00",
        "2021-10-07T09:25:00-07:00",
        "2021-10-07T09:30:00-07:00",
    ] {
        due = due_since(&jobs, start, instant(at));
        step(&bot, instant(at), due).await;
    }
    let posts = posted(&bot.fake);
    let nonces: BTreeSet<_> = posts.iter().map(|(_, n, _)| n.clone()).collect();
    assert_eq!((posts.len(), nonces.len()), (due, due));
    other.stop().await;
    bot.stop().await;
}

#[tokio::test]
async fn a_holder_that_crashed_on_this_host_is_taken_over_before_its_lease_expires() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emcee.sqlite3");
    let me = holder::this_process();
    let (host, _) = me.split_once('/').unwrap();
    let (_, namespace) = me.rsplit_once('/').unwrap();
    let mut crashed = std::process::Command::new("true").spawn().unwrap();
    let dead = format!("{host}/pid{}-1/{namespace}", crashed.id());
    crashed.wait().unwrap();
    let lease = Lease::new(Store::open(&path).unwrap(), "scheduler", dead.as_str());
    let an_hour = chrono::TimeDelta::hours(1);
    assert!(lease.acquire(chrono::Utc::now(), an_hour).unwrap());

    let jobs = planned(&fixture());
    let start = instant("2021-10-07T08:58:00-07:00");
    let options = BotOptions {
        config: fixture(),
        store: Some(Store::open(&path).unwrap()),
        scheduler: Some(options(&me)),
        ..BotOptions::default()
    };
    let fake = FakeDiscord::start().await.unwrap();
    let bot = TestBot::start_with(fake, &start.to_rfc3339(), options).await;
    let at = instant("2021-10-07T09:00:00-07:00");
    let due = count_due(&jobs, at) - count_due(&jobs, start);
    assert!(due > 0);
    step(&bot, at, due).await;
    assert_eq!(lease.holder().unwrap(), Some(me));
    bot.stop().await;
}

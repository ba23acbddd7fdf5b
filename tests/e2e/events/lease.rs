//! Two processes on one database: only the lease holder syncs, so each
//! event is made once however many processes run.

use super::{at, conference, file_store, titles};
use crate::harness::PATIENCE;
use emcee::discord::events_sync::{self, SyncOptions};
use emcee_core::app::App;
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use fake_discord::FakeDiscord;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// One process's application over the shared database file and clock,
/// with its sync running as `holder`.
fn process(
    fake: &FakeDiscord,
    config: &Path,
    dir: &Path,
    clock: &ManualClock,
    holder: &str,
) -> (App, emcee_core::health::Supervised) {
    let loaded = Config::load(config).unwrap();
    let store = file_store(dir);
    let clock: Arc<dyn emcee_core::clock::Clock> = Arc::new(clock.clone());
    let port = Arc::new(emcee_core::chat::memory::MemoryPort::default());
    let polls =
        emcee_core::polls::PollService::new(Arc::new(store.clone()), port, Arc::clone(&clock));
    let app = App::new(loaded.programme, clock, store, polls);
    let outbound = super::outbound(fake);
    let options = SyncOptions {
        holder: holder.into(),
        lease_ttl: Duration::from_secs(1),
    };
    let servers = vec![fake.ids().guild_id];
    let sync = events_sync::start(&app, outbound, &loaded.settings, servers, options).unwrap();
    (app, sync)
}

#[tokio::test]
async fn two_processes_on_one_database_make_each_event_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = conference(dir.path(), 1, None);
    let fake = FakeDiscord::start().await.unwrap();
    let guild = fake.ids().guild_id;
    let clock = ManualClock::new(at("2021-10-07T07:00:00-07:00"));
    let (a, sync_a) = process(&fake, &config, dir.path(), &clock, "a");
    let (_b, sync_b) = process(&fake, &config, dir.path(), &clock, "b");
    let mut names = titles(&config, &["cantrill-wrights-law", "rostedt-linux-tracing"]);
    let wait = |count: usize| {
        let (fake, a) = (fake.clone(), a.clone());
        async move {
            let deadline = std::time::Instant::now() + PATIENCE;
            loop {
                let events = fake.scheduled_events(guild);
                let stored = a.store.events.events_of(guild.to_string()).await.unwrap();
                if events.len() >= count && stored.len() == events.len() {
                    return events;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{} events, {} stored",
                    events.len(),
                    stored.len()
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    wait(2).await;
    clock.set(at("2021-10-07T08:00:00-07:00"));
    names.extend(titles(
        &config,
        &[
            "speakers-lounge",
            "morling-jfrunit",
            "ritter-java-latency",
            "mccoid-ebpf-xdp-io-uring",
        ],
    ));
    let events = wait(names.len()).await;
    let mut made: Vec<String> = events.into_iter().map(|e| e.name).collect();
    made.sort();
    names.sort();
    assert_eq!(made, names, "each once");
    let posts = fake
        .requests()
        .into_iter()
        .filter(|r| r.is("POST", &format!("/guilds/{guild}/scheduled-events")))
        .count();
    assert_eq!(posts, names.len());
    sync_a.stop().await;
    sync_b.stop().await;
}

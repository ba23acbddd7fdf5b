//! The console rehearses `/mycal`: it shows the feed's address (and serves
//! it when `[web] listen` is set, as `emcee console` does).

use super::{feed_config, fetch, on, url_in};
use emcee::console::Console;
use emcee::render::text::TextStyle;
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use std::sync::Arc;

#[tokio::test]
async fn the_console_shows_the_feed_url_and_reset_makes_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = feed_config(dir.path());
    let config = Arc::new(Config::load(&path).unwrap());
    let clock = Arc::new(ManualClock::new(crate::harness::instant(
        "2021-10-07T15:55:00Z",
    )));
    let style = TextStyle {
        timezone: chrono_tz::UTC,
        conference: config.programme.agenda.name().to_owned(),
    };
    let store = emcee_core::store::Store::in_memory().unwrap();
    let console = Console::new(Arc::clone(&config), clock, style, store);
    let addr = super::listen(&path, console.app()).await;
    let mut output = Vec::new();
    let script: &[u8] = b"/mycal\n/mycal reset\n";
    console.run(script, &mut output, false).await.unwrap();
    let text = String::from_utf8(output).unwrap();
    let first = url_in(&text);
    let after = &text[text.find("new address").expect("the reset's answer")..];
    let second = url_in(after);
    assert_ne!(first, second, "{text}");
    assert!(text.contains("Reminders need the scheduler"), "{text}");
    assert_eq!(fetch(&on(addr, &first)).await.0, 404, "reset");
    assert_eq!(fetch(&on(addr, &second)).await.0, 200);
}

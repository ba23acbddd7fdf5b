//! Calendar feeds end to end: `/mycal` gives a personal URL, fetched over
//! real HTTP from the bot's listener and read back with emcee's own
//! iCalendar importer; a `/reload` that moves the session moves it in the
//! feed; `/mycal reset` ends the old URL; the conference and track feeds are
//! for everyone; and nothing a stranger sends gets more than a 404.

mod console;
mod public;
mod slack;

use crate::harness::{instant, mentions_nobody, BotOptions, TestBot, PATIENCE};
use chrono::{DateTime, Utc};
use emcee_core::agenda::Session;
use emcee_core::config::Config;
use fake_discord::FakeUser;
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// How the config writes feed URLs; the test maps it to the listener, as a
/// proxy in front of it would.
pub const PUBLIC_URL: &str = "http://feeds.test";

/// The sample config and agenda in `dir`, with `[web]` on a free port.
pub fn feed_config(dir: &Path) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    std::fs::copy(sample.join("agenda.toml"), dir.join("agenda.toml")).unwrap();
    let config = std::fs::read_to_string(sample.join("emcee.toml")).unwrap();
    let web = format!("\n[web]\nlisten = \"127.0.0.1:0\"\npublic_url = \"{PUBLIC_URL}/\"\n");
    std::fs::write(dir.join("emcee.toml"), config + &web).unwrap();
    dir.join("emcee.toml")
}

/// Starts the feeds' listener for `app` as `emcee run` does.
pub async fn listen(config: &Path, app: &emcee_core::app::App) -> SocketAddr {
    let settings = Config::load(config).unwrap().settings;
    let health = emcee::telemetry::Health::new(None);
    emcee::web::start(&settings, app, health)
        .await
        .unwrap()
        .expect("a feed listener")
}

/// The first feed URL in `text`, as the config writes it.
pub fn url_in(text: &str) -> String {
    let at = text
        .find(&format!("{PUBLIC_URL}/cal/"))
        .expect("a feed URL");
    let url: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || ":/._-".contains(*c))
        .collect();
    assert!(url.ends_with(".ics"), "{url}");
    url
}

/// `url` on the listener at `addr`.
pub fn on(addr: SocketAddr, url: &str) -> String {
    url.replace(PUBLIC_URL, &format!("http://{addr}"))
}

/// GETs `url`: the status and the body.
pub async fn fetch(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(kind, "text/calendar; charset=utf-8");
    }
    (status, response.text().await.unwrap())
}

/// `ics` read with emcee's own importer: it is valid iCalendar.
pub fn sessions_in(ics: &str) -> Vec<Session> {
    let options = emcee_core::import::ImportOptions::new(chrono_tz::UTC);
    let imported = emcee_core::import::from_bytes(ics.as_bytes(), &options)
        .unwrap_or_else(|error| panic!("not iCalendar: {error}\n{ics}"));
    assert!(imported.report.skipped.is_empty(), "{:?}", imported.report);
    imported.conference.sessions
}

/// The start of the session `id` in `ics`, if it is there.
pub fn start_of(ics: &str, id: &str) -> Option<DateTime<Utc>> {
    let uid = format!("{id}@emcee");
    sessions_in(ics)
        .into_iter()
        .find(|s| s.id.as_str() == uid || s.id.as_str() == id)
        .map(|s| s.start)
}

fn sequence_of(ics: &str) -> u32 {
    let line = ics.lines().find(|l| l.starts_with("SEQUENCE:")).unwrap();
    line["SEQUENCE:".len()..].trim().parse().unwrap()
}

/// Polls `check` until it finds something, for at most [`PATIENCE`].
pub async fn eventually_async<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Moves `morling-jfrunit` from 09:00 to 09:40 in the agenda in `dir`.
fn move_jfrunit(dir: &Path) {
    let agenda = std::fs::read_to_string(dir.join("agenda.toml")).unwrap();
    let blocks: Vec<String> = agenda
        .split("[[sessions]]")
        .map(|block| {
            if block.contains("id = \"morling-jfrunit\"") {
                block.replace("T09:00:00-07:00", "T09:40:00-07:00")
            } else {
                block.to_owned()
            }
        })
        .collect();
    std::fs::write(dir.join("agenda.toml"), blocks.join("[[sessions]]")).unwrap();
}

async fn mycal(bot: &TestBot, user: &FakeUser, options: serde_json::Value) -> serde_json::Value {
    let asked = bot.fake.slash_command(user, "mycal", options).await;
    let request = bot
        .fake
        .wait_for_interaction_response(&asked, PATIENCE)
        .await
        .unwrap();
    assert!(request.body.is_some(), "{request:?}");
    let body = request.body.clone().unwrap();
    assert!(mentions_nobody(&body), "{body}");
    assert_eq!(body["data"]["flags"], 64, "private: {body}");
    body
}

#[tokio::test]
async fn a_personal_feed_follows_a_reload_that_moves_the_session_and_a_reset_ends_the_old_url() {
    let dir = tempfile::tempdir().unwrap();
    let config = feed_config(dir.path());
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let options = BotOptions {
        config: config.clone(),
        scheduler: Some(emcee_core::scheduler::SchedulerOptions {
            holder: "feeds".into(),
            ..emcee_core::scheduler::SchedulerOptions::default()
        }),
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, "2021-10-07T08:30:00-07:00", options).await;
    let addr = listen(&config, &bot.data).await;
    let user = FakeUser::attendee(3);
    let asked = bot
        .fake
        .slash_command(&user, "remind", json!({"session": "morling-jfrunit"}))
        .await;
    let reminded = bot.response(&asked).await;
    assert!(reminded.to_string().contains("I'll DM you"), "{reminded}");

    let answer = mycal(&bot, &user, json!({})).await;
    let content = answer["data"]["content"].as_str().unwrap();
    let url = url_in(content);
    assert!(
        content.contains("1 session(s) in your calendar"),
        "{content}"
    );
    assert_eq!(
        url,
        url_in(mycal(&bot, &user, json!({})).await.to_string().as_str()),
        "stable"
    );
    let (status, ics) = fetch(&on(addr, &url)).await;
    assert_eq!(status, 200, "{ics}");
    assert_eq!(
        start_of(&ics, "morling-jfrunit"),
        Some(instant("2021-10-07T09:00:00-07:00")),
        "{ics}"
    );
    assert_eq!(
        sessions_in(&ics).len(),
        1,
        "only the reminded session: {ics}"
    );
    assert!(
        ics.contains("REFRESH-INTERVAL;VALUE=DURATION:PT15M"),
        "{ics}"
    );
    let before = sequence_of(&ics);

    move_jfrunit(dir.path());
    let reload = bot
        .fake
        .slash_command(&FakeUser::organiser(1), "reload", json!({}))
        .await;
    let reloaded = bot
        .fake
        .wait_for_request(
            |r| r.path.starts_with("/webhooks") && r.path.contains(&reload.token),
            PATIENCE,
        )
        .await
        .unwrap();
    assert!(
        reloaded.body_str("content").unwrap().contains("1 moved"),
        "{reloaded:?}"
    );
    // The answer may go out before the new programme is in place: wait for
    // the feed itself to show the move.
    let moved = eventually_async("the feed shows the move", || async {
        let (_, ics) = fetch(&on(addr, &url)).await;
        let start = start_of(&ics, "morling-jfrunit")?;
        (start == instant("2021-10-07T09:40:00-07:00")).then_some(ics)
    })
    .await;
    assert!(sequence_of(&moved) > before, "{moved}");

    let reset = mycal(&bot, &user, json!({"reset": true})).await;
    let new_url = url_in(reset["data"]["content"].as_str().unwrap());
    assert_ne!(new_url, url);
    assert_eq!(fetch(&on(addr, &url)).await.0, 404, "the old URL is gone");
    let (status, ics) = fetch(&on(addr, &new_url)).await;
    assert_eq!(status, 200);
    assert!(start_of(&ics, "morling-jfrunit").is_some(), "{ics}");

    let other = mycal(&bot, &FakeUser::attendee(4), json!({})).await;
    let (_, theirs) = fetch(&on(addr, &url_in(&other.to_string()))).await;
    assert!(
        sessions_in(&theirs).is_empty(),
        "another user's feed: {theirs}"
    );
    public::strangers_get_404s_and_head_works(addr, &on(addr, &new_url)).await;
    bot.stop().await;
}

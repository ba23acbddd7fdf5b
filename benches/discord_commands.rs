//! Slash-command latency through serenity, poise and emcee, against the fake
//! Discord over loopback, with the floor measured in the same run.
//!
//! For each rate (100/s and 1,000/s) it sends a steady stream of interactions
//! (`/next`, `/speaker` autocomplete, `/speaker`, `/agenda`) and reports p50,
//! p99 and max from the gateway frame being sent to the interaction callback
//! arriving at the fake. The floor is a bare serenity handler that answers every
//! message with a fixed reply over the same kind of fake, measured the same way.
//! Run with `cargo bench --bench discord_commands` (release).

// A benchmark fails loudly: a setup error ends the run.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::{Bot, BotToken, Connection, Data};
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::store::Store;
use fake_discord::{FakeDiscord, FakeUser};
use poise::serenity_prelude as serenity;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);

/// Recognises the fake's record of the answer to one request.
type Answered = Box<dyn Fn(&fake_discord::RecordedRequest) -> bool + Send>;
/// Sends one request and yields how to recognise its answer.
type SendFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Answered> + Send + 'a>>;

#[tokio::main]
async fn main() {
    let floor = floor_fake().await;
    let bot = emcee_fake().await;
    println!(
        "discord command latency: gateway frame sent -> interaction callback received (loopback)"
    );
    println!(
        "{:<34} {:>8} {:>10} {:>10} {:>10}",
        "run", "count", "p50", "p99", "max"
    );
    for rate in [100u32, 1_000] {
        let seconds = if rate == 100 { 5 } else { 3 };
        let floor_run = measure(&floor, rate, seconds, send_floor).await;
        let emcee_run = measure(&bot, rate, seconds, send_emcee).await;
        print_run(&format!("floor (bare serenity) @ {rate}/s"), &floor_run);
        print_run(&format!("emcee @ {rate}/s"), &emcee_run);
        let ratio = percentile(&emcee_run, 99).as_secs_f64()
            / percentile(&floor_run, 99).as_secs_f64().max(1e-9);
        println!(
            "{:<34} {ratio:>8.2}x",
            format!("p99 ratio emcee/floor @ {rate}/s")
        );
    }
    let kinds = measure_by_kind(&bot, 100, 5, send_emcee).await;
    for (name, sorted) in [
        "/next",
        "/speaker autocomplete",
        "/speaker",
        "/agenda (3 pages)",
    ]
    .iter()
    .zip(&kinds)
    {
        print_run(&format!("emcee {name} @ 100/s"), sorted);
    }
    println!(
        "process RSS now {} KiB, peak {} KiB (bot, floor bot and both fakes in one process)",
        status_kib("VmRSS"),
        status_kib("VmHWM")
    );
}

type Sender = fn(&FakeDiscord, u64) -> SendFuture<'_>;

/// Sends `rate` requests per second for `seconds`, then collects each one's latency.
async fn measure(fake: &FakeDiscord, rate: u32, seconds: u32, send: Sender) -> Vec<Duration> {
    let by_kind = measure_by_kind(fake, rate, seconds, send).await;
    let mut all: Vec<Duration> = by_kind.into_iter().flatten().collect();
    all.sort();
    all
}

/// Latencies grouped by request kind (`n % 4`), each sorted.
async fn measure_by_kind(
    fake: &FakeDiscord,
    rate: u32,
    seconds: u32,
    send: Sender,
) -> [Vec<Duration>; 4] {
    let total = u64::from(rate * seconds);
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / rate);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sent = Vec::with_capacity(total as usize);
    for n in 0..total {
        ticks.tick().await;
        let started = Instant::now();
        let answered = send(fake, n).await;
        sent.push((started, answered));
    }
    let mut latencies: [Vec<Duration>; 4] = Default::default();
    for (n, (started, answered)) in sent.into_iter().enumerate() {
        let response = fake
            .wait_for_request(|r| answered(r), PATIENCE)
            .await
            .expect("answered");
        latencies[n % 4].push(response.received_at.saturating_duration_since(started));
    }
    for kind in &mut latencies {
        kind.sort();
    }
    latencies
}

fn send_emcee(fake: &FakeDiscord, n: u64) -> SendFuture<'_> {
    Box::pin(async move {
        let user = FakeUser::attendee((n % 50_000) as u32 + 1);
        let handle = match n % 4 {
            0 => fake.slash_command(&user, "next", json!({})).await,
            1 => {
                fake.autocomplete(&user, "speaker", json!({ "name": "urb" }), "name")
                    .await
            }
            2 => {
                fake.slash_command(&user, "speaker", json!({ "name": "Pere Urbón" }))
                    .await
            }
            _ => fake.slash_command(&user, "agenda", json!({})).await,
        };
        let path = format!("/interactions/{}/{}/callback", handle.id, handle.token);
        Box::new(move |r: &fake_discord::RecordedRequest| r.path == path) as Answered
    })
}

fn send_floor(fake: &FakeDiscord, n: u64) -> SendFuture<'_> {
    Box::pin(async move {
        let user = FakeUser::attendee((n % 50_000) as u32 + 1);
        let channel = fake.ids().general_channel_id;
        let message = fake
            .user_message(channel, &user, &format!("ping {n}"))
            .await;
        let reply = format!("pong {message}");
        Box::new(move |r: &fake_discord::RecordedRequest| {
            r.method == "POST" && r.body_str("content") == Some(reply.as_str())
        }) as Answered
    })
}

/// The bot on the sample conference, clock at 08:55 PDT, against a fresh fake.
async fn emcee_fake() -> FakeDiscord {
    let fake = FakeDiscord::start().await.expect("fake");
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/emcee.toml"))
        .expect("config");
    let token = BotToken::new("bench-token".into()).expect("token");
    let clock =
        ManualClock::new(chrono::DateTime::from_timestamp(1_633_622_100, 0).unwrap_or_default());
    let outbound = Outbound::new(
        &fake.base_url(),
        &token,
        reqwest::Client::new(),
        Pacing::default(),
    );
    let data = Data::new(
        config.programme,
        Arc::new(clock),
        Store::in_memory().expect("store"),
        Arc::new(emcee::discord::port::DiscordPort::new(outbound, Vec::new())),
    );
    let servers = vec![serenity::GuildId::new(fake.ids().guild_id)];
    let bot = Bot::build(
        data,
        &token,
        Connection {
            api_base: fake.base_url(),
            servers,
            client: None,
        },
    )
    .await
    .expect("bot");
    tokio::spawn(bot.run_until(std::future::pending()));
    fake.wait_ready(PATIENCE).await.expect("ready");
    let commands = format!(
        "/applications/{}/guilds/{}/commands",
        fake.ids().application_id,
        fake.ids().guild_id
    );
    fake.wait_for_request(|r| r.method == "PUT" && r.path == commands, PATIENCE)
        .await
        .expect("registered");
    fake
}

struct Floor;

#[serenity::async_trait]
impl serenity::EventHandler for Floor {
    async fn message(&self, ctx: serenity::Context, message: serenity::Message) {
        if message.author.bot {
            return;
        }
        let _ = message
            .channel_id
            .say(&ctx.http, format!("pong {}", message.id))
            .await;
    }
}

/// A bare serenity bot answering every message, against its own fake.
async fn floor_fake() -> FakeDiscord {
    let fake = FakeDiscord::start().await.expect("fake");
    let http = serenity::HttpBuilder::new("floor-token")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let intents = serenity::GatewayIntents::GUILDS | serenity::GatewayIntents::GUILD_MESSAGES;
    let mut client = serenity::ClientBuilder::new_with_http(http, intents)
        .event_handler(Floor)
        .await
        .expect("floor client");
    tokio::spawn(async move { client.start().await });
    fake.wait_ready(PATIENCE).await.expect("ready");
    fake
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted
        .get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

fn print_run(name: &str, sorted: &[Duration]) {
    let max = sorted.last().copied().unwrap_or_default();
    println!(
        "{name:<34} {:>8} {:>10.2?} {:>10.2?} {:>10.2?}",
        sorted.len(),
        percentile(sorted, 50),
        percentile(sorted, 99),
        max
    );
}

/// A `/proc/self/status` figure in KiB (0 where unavailable).
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

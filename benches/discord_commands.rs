//! Slash-command latency through serenity, poise and emcee, against the fake
//! Discord over loopback, with the floor measured in the same run.
//!
//! For each rate (100/s and 1,000/s) it sends a steady stream of interactions
//! (`/next`, `/speaker` autocomplete, `/speaker`, `/agenda`) and reports p50,
//! p99 and max from the gateway frame being sent to the interaction callback
//! arriving at the fake. Two floors are measured in the same run: a bare
//! serenity handler answering messages with a fixed reply (serenity's
//! plainest path), and one answering the same interactions emcee gets with a
//! fixed reply (serenity's interaction path without emcee's work, the fair
//! floor for emcee's commands). The three take six one-second turns each, in
//! rotating order, pooled; the median and range of the turns' ratios show how
//! much of a difference is noise.
//! Run with `cargo bench --bench discord_commands` (release).

// A benchmark fails loudly: a setup error ends the run.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "support/proc_status.rs"]
mod proc_status;

use emcee::discord::outbound::{Outbound, Pacing};
use emcee::discord::{Bot, BotToken, Connection, Data};
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::store::Store;
use fake_discord::{FakeDiscord, FakeUser};
use poise::serenity_prelude as serenity;
use proc_status::status_kib;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);
/// Turns each side takes per rate, and how long each turn sends.
const ROUNDS: usize = 6;
const ROUND_SECONDS: u32 = 1;

/// Recognises the fake's record of the answer to one request.
type Answered = Box<dyn Fn(&fake_discord::RecordedRequest) -> bool + Send>;
/// Sends one request and yields how to recognise its answer.
type SendFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Answered> + Send + 'a>>;

#[tokio::main]
async fn main() {
    let floor = floor_fake(FloorAnswers::Messages).await;
    let interaction_floor = floor_fake(FloorAnswers::Interactions).await;
    let bot = emcee_fake().await;
    println!("discord command latency: gateway frame sent -> answer received (loopback)");
    println!(
        "{:<38} {:>8} {:>10} {:>10} {:>10}",
        "run", "count", "p50", "p99", "max"
    );
    let contenders: [(&str, &FakeDiscord, Sender); 3] = [
        ("floor: bare serenity, messages", &floor, send_floor),
        (
            "floor: bare serenity, interactions",
            &interaction_floor,
            send_emcee,
        ),
        ("emcee", &bot, send_emcee),
    ];
    for rate in [100u32, 1_000] {
        // The three take turns, in a rotating order, so that a burst of machine
        // noise lands on all of them rather than on whichever ran then.
        let mut runs: [Vec<Duration>; 3] = Default::default();
        let mut ratios: [Vec<f64>; 2] = Default::default();
        for round in 0..ROUNDS {
            let mut parts: [Vec<Duration>; 3] = Default::default();
            for turn in 0..3 {
                let which = (round + turn) % 3;
                let (_, fake, send) = contenders[which];
                parts[which] = measure(fake, rate, ROUND_SECONDS, send).await;
            }
            for (floor, ratio) in ratios.iter_mut().enumerate() {
                ratio.push(p99_ratio(&parts[2], &parts[floor]));
            }
            for (run, part) in runs.iter_mut().zip(parts) {
                run.extend(part);
            }
        }
        for ((name, ..), run) in contenders.iter().zip(&mut runs) {
            run.sort();
            print_run(&format!("{name} @ {rate}/s"), run);
        }
        for (floor, ratio) in ratios.iter_mut().enumerate() {
            ratio.sort_by(f64::total_cmp);
            println!(
                "{:<38} {:>8.2}x  (median of {ROUNDS} rounds {:.2}x, range {:.2}x-{:.2}x)",
                format!(
                    "p99 emcee / {} @ {rate}/s",
                    ["messages floor", "interactions floor"][floor]
                ),
                p99_ratio(&runs[2], &runs[floor]),
                ratio[ratio.len() / 2],
                ratio[0],
                ratio[ratio.len() - 1],
            );
        }
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
        status_kib("self", "VmRSS"),
        status_kib("self", "VmHWM")
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
            message_content: false,
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

/// What a floor bot answers: messages with a fixed reply (serenity's plainest
/// path), or the same slash commands and autocompletes emcee gets, with a
/// fixed reply (serenity's interaction path, emcee's work left out).
#[derive(Clone, Copy)]
enum FloorAnswers {
    Messages,
    Interactions,
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

    async fn interaction_create(&self, ctx: serenity::Context, interaction: serenity::Interaction) {
        let response = match &interaction {
            serenity::Interaction::Command(_) => serenity::CreateInteractionResponse::Message(
                serenity::CreateInteractionResponseMessage::new().content("pong"),
            ),
            serenity::Interaction::Autocomplete(_) => {
                serenity::CreateInteractionResponse::Autocomplete(
                    serenity::CreateAutocompleteResponse::new(),
                )
            }
            _ => return,
        };
        let _ = match interaction {
            serenity::Interaction::Command(command) => {
                command.create_response(&ctx.http, response).await
            }
            serenity::Interaction::Autocomplete(typed) => {
                typed.create_response(&ctx.http, response).await
            }
            _ => Ok(()),
        };
    }
}

/// A bare serenity bot answering `answers`, against its own fake.
async fn floor_fake(answers: FloorAnswers) -> FakeDiscord {
    let fake = FakeDiscord::start().await.expect("fake");
    let http = serenity::HttpBuilder::new("floor-token")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let intents = match answers {
        FloorAnswers::Messages => {
            serenity::GatewayIntents::GUILDS | serenity::GatewayIntents::GUILD_MESSAGES
        }
        FloorAnswers::Interactions => serenity::GatewayIntents::GUILDS,
    };
    let mut client = serenity::ClientBuilder::new_with_http(http, intents)
        .event_handler(Floor)
        .await
        .expect("floor client");
    tokio::spawn(async move { client.start().await });
    fake.wait_ready(PATIENCE).await.expect("ready");
    fake
}

/// emcee's p99 over the floor's, both sorted.
fn p99_ratio(emcee: &[Duration], floor: &[Duration]) -> f64 {
    percentile(emcee, 99).as_secs_f64() / percentile(floor, 99).as_secs_f64().max(1e-9)
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
        "{name:<38} {:>8} {:>10.2?} {:>10.2?} {:>10.2?}",
        sorted.len(),
        percentile(sorted, 50),
        percentile(sorted, 99),
        max
    );
}

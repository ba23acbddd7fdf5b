//! serenity's own autosharding against a sharded fake: `GET /gateway/bot`
//! gives the count, each shard's session carries only its guilds, and a
//! guild's interaction reaches the shard that holds it.

use std::time::Duration;

use fake_discord::{shard_of, Config, FakeDiscord, FakeUser, Shard};
use serenity::all::{ClientBuilder, Context, EventHandler, HttpBuilder, Interaction, Ready};
use serenity::async_trait;
use tokio::sync::mpsc;

use crate::harness::{intents, WAIT};

struct Reporter(mpsc::UnboundedSender<(u32, String)>);

#[async_trait]
impl EventHandler for Reporter {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let guilds = ready.guilds.len();
        let _ = self
            .0
            .send((ctx.shard_id.0, format!("ready with {guilds}")));
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Interaction::Command(command) = interaction {
            let guild = command.guild_id.map_or(0, |g| g.get());
            let _ = self.0.send((ctx.shard_id.0, format!("command in {guild}")));
        }
    }
}

async fn next(seen: &mut mpsc::UnboundedReceiver<(u32, String)>) -> (u32, String) {
    tokio::time::timeout(WAIT, seen.recv())
        .await
        .expect("the handler reports")
        .expect("the client runs")
}

#[tokio::test]
async fn autosharding_follows_gateway_bot_and_each_shard_carries_its_guilds() {
    let fake = FakeDiscord::start_with(Config {
        shards: 2,
        extra_guilds: 2,
        ..Config::default()
    })
    .await
    .unwrap();
    let http = HttpBuilder::new("fake-token")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let (tx, mut seen) = mpsc::unbounded_channel();
    let mut client = ClientBuilder::new_with_http(http, intents())
        .event_handler(Reporter(tx))
        .await
        .unwrap();
    let manager = std::sync::Arc::clone(&client.shard_manager);
    tokio::spawn(async move { client.start_autosharded().await });
    // serenity boots its shards 5 s apart.
    fake.wait_shards_ready(&[0, 1], WAIT + Duration::from_secs(5))
        .await
        .unwrap();
    let log = fake.identify_log();
    let shards: Vec<Shard> = log.iter().map(|i| i.shard).collect();
    assert_eq!(
        shards,
        [Shard { id: 0, total: 2 }, Shard { id: 1, total: 2 }]
    );
    let held = |shard: u32| {
        fake.guilds()
            .iter()
            .filter(|g| shard_of(g.id, 2) == shard)
            .count()
    };
    let mut readies = vec![next(&mut seen).await, next(&mut seen).await];
    readies.sort();
    assert_eq!(
        readies,
        [
            (0, format!("ready with {}", held(0))),
            (1, format!("ready with {}", held(1)))
        ]
    );
    for guild in fake.ids().extra_guilds(2) {
        let user = FakeUser::attendee(1);
        let channel = guild.channels[0].0;
        fake.slash_command_in(channel, &user, "next", serde_json::json!({}))
            .await;
        let (shard, what) = next(&mut seen).await;
        assert_eq!(what, format!("command in {}", guild.id));
        assert_eq!(shard, shard_of(guild.id, 2), "guild {}", guild.id);
    }
    let guild_creates = fake
        .dispatched()
        .into_iter()
        .filter(|d| d.event == "GUILD_CREATE");
    for created in guild_creates {
        let id: u64 = created.data["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(created.shard, shard_of(id, 2), "GUILD_CREATE of {id}");
    }
    manager.shutdown_all().await;
}

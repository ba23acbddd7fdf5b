//! A bare serenity bot wired to a fake: proxy-mode Http, the ratelimiter off, and
//! an event handler that answers a few commands and reports what it handled.

use std::sync::Arc;
use std::time::Duration;

use fake_discord::FakeDiscord;
use serenity::all::{
    ApplicationId, AutocompleteChoice, Cache, ChannelId, ClientBuilder, Context,
    CreateAutocompleteResponse, CreateInteractionResponse, CreateInteractionResponseMessage,
    EventHandler, GatewayIntents, GuildId, Http, HttpBuilder, Interaction, Message, Reaction,
    Ready, ShardManager,
};
use serenity::async_trait;
use tokio::sync::mpsc;

/// How long any wait in these tests may take before it counts as a failure.
pub const WAIT: Duration = Duration::from_secs(10);

/// The intents the test bot asks for.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
        | GatewayIntents::GUILD_MESSAGE_REACTIONS
        | GatewayIntents::DIRECT_MESSAGE_REACTIONS
        | GatewayIntents::GUILD_SCHEDULED_EVENTS
}

/// A proxy-mode Http client for the fake, as the bot builds it; the application
/// id is set as READY would set it.
pub fn http(fake: &FakeDiscord) -> Arc<Http> {
    let http = http_unshared(fake);
    http.set_application_id(ApplicationId::new(fake.ids().application_id));
    Arc::new(http)
}

fn http_unshared(fake: &FakeDiscord) -> Http {
    HttpBuilder::new("fake-token")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build()
}

/// A running test bot.
pub struct Bot {
    pub http: Arc<Http>,
    pub cache: Arc<Cache>,
    shards: Arc<ShardManager>,
    handled: mpsc::UnboundedReceiver<String>,
}

impl Bot {
    /// Starts the bot in the background with a proxy-mode Http; it connects to the
    /// fake's gateway.
    pub async fn start(fake: &FakeDiscord) -> Self {
        Self::start_with(http_unshared(fake)).await
    }

    /// Starts the bot with the given Http (e.g. one with serenity's ratelimiter).
    pub async fn start_with(http: Http) -> Self {
        let (tx, handled) = mpsc::unbounded_channel();
        // `new_with_http`, not `.token()`: that would replace the given Http.
        let builder = ClientBuilder::new_with_http(http, intents());
        let mut client = builder
            .event_handler(Handler { handled: tx })
            .await
            .expect("client builds");
        let bot = Self {
            http: Arc::clone(&client.http),
            cache: Arc::clone(&client.cache),
            shards: Arc::clone(&client.shard_manager),
            handled,
        };
        tokio::spawn(async move { client.start().await });
        bot
    }

    /// Waits until the handler reports `what` (e.g. `guild_create`), skipping others.
    pub async fn handled(&mut self, what: &str) {
        let found = tokio::time::timeout(WAIT, async {
            while let Some(seen) = self.handled.recv().await {
                if seen == what {
                    return;
                }
            }
        })
        .await;
        assert!(found.is_ok(), "the bot's handler never saw {what}");
    }

    pub async fn stop(self) {
        self.shards.shutdown_all().await;
    }
}

struct Handler {
    handled: mpsc::UnboundedSender<String>,
}

impl Handler {
    fn report(&self, what: &str) {
        let _ = self.handled.send(what.to_owned());
    }
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _: Context, _: Ready) {
        self.report("ready");
    }

    async fn guild_create(&self, _: Context, _: serenity::all::Guild, _: Option<bool>) {
        self.report("guild_create");
    }

    async fn message(&self, ctx: Context, msg: Message) {
        self.report(if msg.guild_id.is_some() {
            "message"
        } else {
            "dm_message"
        });
        let answer = match msg.content.as_str() {
            "!ping" => msg.channel_id.say(&ctx.http, "pong").await.map(drop),
            "!react" => msg.react(&ctx, '👍').await.map(drop),
            _ => Ok(()),
        };
        answer.expect("the bot's answer is accepted");
    }

    async fn reaction_add(&self, _: Context, reaction: Reaction) {
        let bot = serenity::all::UserId::new(fake_discord::Ids::default().bot_user_id);
        let mine = reaction.user_id == Some(bot);
        self.report(if mine {
            "own_reaction_add"
        } else {
            "reaction_add"
        });
    }

    async fn reaction_remove(&self, _: Context, _: Reaction) {
        self.report("reaction_remove");
    }

    async fn guild_scheduled_event_user_add(
        &self,
        _: Context,
        added: serenity::all::GuildScheduledEventUserAddEvent,
    ) {
        self.report(&format!(
            "interested {} {}",
            added.user_id, added.scheduled_event_id
        ));
    }

    async fn guild_scheduled_event_user_remove(
        &self,
        _: Context,
        removed: serenity::all::GuildScheduledEventUserRemoveEvent,
    ) {
        self.report(&format!(
            "uninterested {} {}",
            removed.user_id, removed.scheduled_event_id
        ));
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let response = match &interaction {
            Interaction::Command(command) => {
                self.report(if command.guild_id.is_some() {
                    "command"
                } else {
                    "dm_command"
                });
                let reply = CreateInteractionResponseMessage::new()
                    .content(format!("pong from /{}", command.data.name));
                command
                    .create_response(&ctx.http, CreateInteractionResponse::Message(reply))
                    .await
            }
            Interaction::Autocomplete(auto) => {
                self.report("autocomplete");
                let typed = auto
                    .data
                    .autocomplete()
                    .map(|a| a.value.to_owned())
                    .unwrap_or_default();
                let choices = vec![AutocompleteChoice::new(format!("{typed}!"), typed)];
                let reply = CreateAutocompleteResponse::new().set_choices(choices);
                auto.create_response(&ctx.http, CreateInteractionResponse::Autocomplete(reply))
                    .await
            }
            Interaction::Component(click) => {
                let update = CreateInteractionResponseMessage::new().content("clicked");
                let updated = click
                    .create_response(&ctx.http, CreateInteractionResponse::UpdateMessage(update))
                    .await;
                // Reported once answered: the test deletes the message next, and
                // an update of a deleted message is Discord's 10008.
                self.report("component");
                updated
            }
            _ => Ok(()),
        };
        response.expect("the interaction response is accepted");
    }
}

/// `ChannelId` and `GuildId` of the fake's ids.
pub fn channel(id: u64) -> ChannelId {
    ChannelId::new(id)
}

pub fn guild(id: u64) -> GuildId {
    GuildId::new(id)
}

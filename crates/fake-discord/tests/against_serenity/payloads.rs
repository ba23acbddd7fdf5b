//! Every dispatch the fake sends parses with serenity's own model types, and the
//! handler fires for each: a required key missing would silently turn the event
//! into `Event::Unknown`.

use std::collections::BTreeSet;

use fake_discord::{Dispatch, FakeDiscord, FakeUser};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use serenity::all::{
    CreateButton, CreateMessage, Event, GuildCreateEvent, InteractionCreateEvent,
    MessageCreateEvent, MessageDeleteEvent, MessageUpdateEvent, ReactionAddEvent,
    ReactionRemoveEvent, ReadyEvent, ResumedEvent,
};

use crate::harness::{channel, guild, Bot, WAIT};

fn parse_as<T: DeserializeOwned>(dispatch: &Dispatch) {
    if let Err(error) = serde_json::from_value::<T>(dispatch.data.clone()) {
        panic!(
            "{} does not parse as {}: {error}\n{:#}",
            dispatch.event,
            std::any::type_name::<T>(),
            dispatch.data
        );
    }
}

/// Parses a dispatch with its serenity type and as the `Event` enum.
fn check(dispatch: &Dispatch) {
    match dispatch.event.as_str() {
        "READY" => parse_as::<ReadyEvent>(dispatch),
        "RESUMED" => parse_as::<ResumedEvent>(dispatch),
        "GUILD_CREATE" => parse_as::<GuildCreateEvent>(dispatch),
        "MESSAGE_CREATE" => parse_as::<MessageCreateEvent>(dispatch),
        "MESSAGE_UPDATE" => parse_as::<MessageUpdateEvent>(dispatch),
        "MESSAGE_DELETE" => parse_as::<MessageDeleteEvent>(dispatch),
        "INTERACTION_CREATE" => parse_as::<InteractionCreateEvent>(dispatch),
        "MESSAGE_REACTION_ADD" => parse_as::<ReactionAddEvent>(dispatch),
        "MESSAGE_REACTION_REMOVE" => parse_as::<ReactionRemoveEvent>(dispatch),
        other => panic!("add a typed check for {other}"),
    }
    let frame = json!({ "t": dispatch.event, "d": dispatch.data });
    let event: Event = serde_json::from_value(frame).expect("parses as Event");
    assert!(
        !matches!(event, Event::Unknown(_)),
        "{} became Event::Unknown",
        dispatch.event
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dispatch_parses_with_serenity_types_and_reaches_the_handler() {
    let fake = FakeDiscord::start().await.unwrap();
    let mut bot = Bot::start(&fake).await;
    fake.wait_ready(WAIT).await.unwrap();
    handled(&fake, &mut bot, "guild_create").await;
    let ids = fake.ids().clone();
    let cached = bot
        .cache
        .guild(guild(ids.guild_id))
        .map(|g| (g.channels.len(), g.roles.len()));
    assert_eq!(
        cached,
        Some((4, 3)),
        "GUILD_CREATE fills serenity's cache: @everyone, Organiser and the bot's role"
    );

    let user = FakeUser::attendee(1);
    let hello = fake
        .user_message(ids.general_channel_id, &user, "hello")
        .await;
    handled(&fake, &mut bot, "message").await;
    interactions(&fake, &mut bot, &user).await;
    reactions(&fake, &mut bot, &user, hello).await;
    let dm = fake.dm_channel(&user);
    fake.user_message(dm, &user, "hi in private").await;
    handled(&fake, &mut bot, "dm_message").await;
    fake.slash_command_in(dm, &user, "agenda", json!({})).await;
    handled(&fake, &mut bot, "dm_command").await;

    let dispatched = fake.dispatched();
    dispatched.iter().for_each(check);
    let names: BTreeSet<&str> = dispatched.iter().map(|d| d.event.as_str()).collect();
    let expected = [
        "READY",
        "GUILD_CREATE",
        "MESSAGE_CREATE",
        "MESSAGE_UPDATE",
        "MESSAGE_DELETE",
        "INTERACTION_CREATE",
        "MESSAGE_REACTION_ADD",
        "MESSAGE_REACTION_REMOVE",
    ];
    assert_eq!(names, expected.into_iter().collect());
    bot.stop().await;
}

/// A slash command with a subcommand, an autocomplete and a button click (on a
/// message the bot posts and then deletes).
async fn interactions(fake: &FakeDiscord, bot: &mut Bot, user: &FakeUser) {
    let poll = json!({ "open": { "question": "Tea?", "minutes": 5 } });
    fake.slash_command(user, "poll", poll).await;
    handled(fake, bot, "command").await;
    fake.autocomplete(user, "agenda", json!({ "room": "Main", "day": 2 }), "day")
        .await;
    handled(fake, bot, "autocomplete").await;

    let vote = CreateMessage::new()
        .content("Vote!")
        .button(CreateButton::new("vote:yes").label("Yes"));
    let posted = channel(fake.ids().polls_channel_id)
        .send_message(&bot.http, vote)
        .await
        .unwrap();
    fake.click_button(user, posted.id.get(), "vote:yes").await;
    handled(fake, bot, "component").await;
    posted.delete(&bot.http).await.unwrap();

    let kinds: BTreeSet<u64> = fake
        .dispatched()
        .iter()
        .filter(|d| d.event == "INTERACTION_CREATE")
        .filter_map(|d| d.data.get("type").and_then(Value::as_u64))
        .collect();
    assert_eq!(kinds, [2, 3, 4].into_iter().collect());
}

/// A Unicode reaction added and removed, then a custom one.
async fn reactions(fake: &FakeDiscord, bot: &mut Bot, user: &FakeUser, message: u64) {
    let general = fake.ids().general_channel_id;
    fake.react(general, message, user, "👍").await.unwrap();
    handled(fake, bot, "reaction_add").await;
    fake.unreact(general, message, user, "👍").await.unwrap();
    handled(fake, bot, "reaction_remove").await;
    fake.react(general, message, user, "party:123456789012345678")
        .await
        .unwrap();
    handled(fake, bot, "reaction_add").await;
}

/// Checks every dispatch so far parses (a precise error), then waits for the
/// handler to have seen `what` (proof that serenity routed it).
async fn handled(fake: &FakeDiscord, bot: &mut Bot, what: &str) {
    fake.dispatched().iter().for_each(check);
    bot.handled(what).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strangers_server_is_a_second_guild_with_its_own_owner_and_announcements() {
    let config = fake_discord::Config {
        stranger_guild: true,
        ..fake_discord::Config::default()
    };
    let fake = FakeDiscord::start_with(config).await.unwrap();
    let mut bot = Bot::start(&fake).await;
    fake.wait_ready(WAIT).await.unwrap();
    handled(&fake, &mut bot, "guild_create").await;
    handled(&fake, &mut bot, "guild_create").await;
    let ids = fake.ids().clone();
    let stranger = ids.stranger.clone();
    for (id, channels, roles) in [(ids.guild_id, 4, 3), (stranger.guild_id, 2, 1)] {
        let cached = bot
            .cache
            .guild(guild(id))
            .map(|g| (g.channels.len(), g.roles.len()));
        assert_eq!(cached, Some((channels, roles)), "guild {id} is cached");
    }

    let http = crate::harness::http(&fake);
    let listed = http.get_guilds(None, None).await.unwrap();
    let listed: Vec<u64> = listed.iter().map(|g| g.id.get()).collect();
    assert_eq!(listed, [ids.guild_id, stranger.guild_id]);
    let theirs = http.get_channels(guild(stranger.guild_id)).await.unwrap();
    assert!(theirs
        .iter()
        .any(|c| c.name == "announcements" && c.id.get() == stranger.announcements_channel_id));

    let owner = FakeUser::stranger_owner();
    fake.slash_command_in(stranger.general_channel_id, &owner, "agenda", json!({}))
        .await;
    handled(&fake, &mut bot, "command").await;
    let dispatched = fake.dispatched();
    let last = dispatched
        .iter()
        .rev()
        .find(|d| d.event == "INTERACTION_CREATE")
        .unwrap();
    assert_eq!(last.data["guild_id"], json!(stranger.guild_id.to_string()));
    assert_eq!(
        last.data["member"]["user"]["id"],
        json!(owner.id.to_string())
    );
    let message = fake
        .user_message(stranger.announcements_channel_id, &owner, "hi")
        .await;
    fake.react(stranger.announcements_channel_id, message, &owner, "👍")
        .await
        .unwrap();
    handled(&fake, &mut bot, "reaction_add").await;
    let dispatched = fake.dispatched();
    let reaction = dispatched
        .iter()
        .rev()
        .find(|d| d.event == "MESSAGE_REACTION_ADD")
        .unwrap();
    assert_eq!(
        reaction.data["guild_id"],
        json!(stranger.guild_id.to_string())
    );
    fake.dispatched().iter().for_each(check);
    bot.stop().await;
}

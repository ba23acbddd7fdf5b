//! Gateway events that are not slash commands. The handler only dispatches:
//! each event kind goes to one named function.

use super::commands::{remind, stars};
use super::contests;
use super::embeds::{embed, no_mentions, paging_buttons};
use super::polls;
use super::{Data, Error};
use emcee_core::paging::parse_button_id;
use poise::serenity_prelude as serenity;

/// poise's event hook.
pub async fn dispatch(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &serenity::FullEvent,
) -> Result<(), Error> {
    let (ctx, data) = (framework.serenity_context, framework.user_data);
    let community = &data.community;
    match event {
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(component),
        } if !community.admits_event(component.guild_id, "click") => Ok(()),
        serenity::FullEvent::ReactionAdd { add_reaction: r }
        | serenity::FullEvent::ReactionRemove {
            removed_reaction: r,
        } if !community.admits_event(r.guild_id, "reaction") => Ok(()),
        serenity::FullEvent::MessagePollVoteAdd {
            event: serenity::MessagePollVoteAddEvent { guild_id, .. },
        }
        | serenity::FullEvent::MessagePollVoteRemove {
            event: serenity::MessagePollVoteRemoveEvent { guild_id, .. },
        } if !community.admits_event(*guild_id, "poll vote") => Ok(()),
        serenity::FullEvent::MessagePollVoteAdd { event } => {
            polls::on_native_vote(data, event.into(), true).await
        }
        serenity::FullEvent::MessagePollVoteRemove { event } => {
            polls::on_native_vote(data, event.into(), false).await
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(component),
        } if component.data.custom_id.starts_with(remind::BUTTON_PREFIX) => {
            remind::clicked(ctx, component, data).await
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(component),
        } if component.data.custom_id.starts_with(stars::BUTTON_PREFIX) => {
            stars::clicked(ctx, component, data).await
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(component),
        } if component
            .data
            .custom_id
            .starts_with(emcee_core::questions::posts::PREFIX) =>
        {
            super::commands::questions::clicked(ctx, component, data).await
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(component),
        } => flip_page(ctx, component, data).await,
        serenity::FullEvent::GuildScheduledEventUserAdd { subscribed: e }
            if community.admits_event(Some(e.guild_id), "interested") =>
        {
            interest(data, e.guild_id, e.user_id, e.scheduled_event_id, true).await
        }
        serenity::FullEvent::GuildScheduledEventUserRemove { unsubscribed: e }
            if community.admits_event(Some(e.guild_id), "interested") =>
        {
            interest(data, e.guild_id, e.user_id, e.scheduled_event_id, false).await
        }
        serenity::FullEvent::ReactionAdd { add_reaction } => {
            polls::on_reaction(data, add_reaction, true).await?;
            contests::on_reaction(data, add_reaction, true).await
        }
        serenity::FullEvent::ReactionRemove { removed_reaction } => {
            polls::on_reaction(data, removed_reaction, false).await?;
            contests::on_reaction(data, removed_reaction, false).await
        }
        serenity::FullEvent::Message { new_message }
            if community.admits_event(new_message.guild_id, "message") =>
        {
            contests::on_message(data, new_message).await
        }
        serenity::FullEvent::Ready { data_about_bot } => {
            tracing::info!(
                target: crate::telemetry::STATUS,
                "{}",
                ready_line(data, &data_about_bot.user.name, data_about_bot.guilds.len()).await
            );
            gateway_up(data, "identify");
            polls::on_ready(data, data_about_bot).await;
            data.contests.session_started();
            Ok(())
        }
        serenity::FullEvent::Resume { .. } => {
            gateway_up(data, "resume");
            Ok(())
        }
        serenity::FullEvent::ShardStageUpdate { event } => {
            let connected = event.new == serenity::ConnectionStage::Connected;
            data.health.set_gateway_connected(connected);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// "connected as emcee, serving 1 server, next post at Thu 7 Oct 08:55 PDT":
/// the one line an organiser sees at the default log level once `run` is up.
async fn ready_line(data: &Data, user: &str, guilds: usize) -> String {
    let servers = match guilds {
        1 => "1 server".to_owned(),
        n => format!("{n} servers"),
    };
    let zone = data.programme().agenda.timezone();
    let next = match data.scheduler() {
        Some(scheduler) => match scheduler.jobs().next_due().await {
            Ok(Some(at)) => format!(
                "next post at {}",
                at.with_timezone(&zone).format("%a %-d %b %H:%M %Z")
            ),
            Ok(None) => "no post planned".to_owned(),
            Err(error) => format!("next post unknown ({error})"),
        },
        None => "no scheduler".to_owned(),
    };
    format!("connected as {user}, serving {servers}, {next}")
}

/// "Interested" on a scheduled event, to its session ([`super::events_sync`]).
async fn interest(
    data: &Data,
    guild: serenity::GuildId,
    user: serenity::UserId,
    event: serenity::ScheduledEventId,
    added: bool,
) -> Result<(), Error> {
    super::events_sync::on_interest(data, guild, user, event, added)
        .await
        .map(drop)
}

/// Records a gateway session started or resumed.
fn gateway_up(data: &Data, kind: &'static str) {
    data.health.set_gateway_connected(true);
    metrics::counter!(crate::telemetry::names::GATEWAY_CONNECTS, "kind" => kind).increment(1);
}

/// A "◀ / ▶" click: show the requested page in place, or say the list expired.
async fn flip_page(
    ctx: &serenity::Context,
    component: &serenity::ComponentInteraction,
    data: &Data,
) -> Result<(), Error> {
    let Some((key, index)) = parse_button_id(&component.data.custom_id) else {
        return Ok(());
    };
    let response = match data.pages.page(&key, index) {
        Some((page, count)) => serenity::CreateInteractionResponse::UpdateMessage(
            serenity::CreateInteractionResponseMessage::new()
                .embed(embed(&page))
                .components(paging_buttons(&key, index, count))
                .allowed_mentions(no_mentions()),
        ),
        None => serenity::CreateInteractionResponse::Message(
            serenity::CreateInteractionResponseMessage::new()
                .content("This list has expired; run the command again.")
                .ephemeral(true)
                .allowed_mentions(no_mentions()),
        ),
    };
    component.create_response(&ctx.http, response).await?;
    Ok(())
}

//! The route table: which endpoint serves which method and path. Anything not
//! listed is a 404, as on Discord.

use super::{
    application, channels, interactions, polls, scheduled_events as events, threads, Reply,
};
use crate::error::ApiError;
use crate::record::RecordedRequest;
use crate::Inner;

/// Parses a snowflake path segment; a malformed one is a 404 like on Discord.
pub(crate) fn id(segment: &str) -> Result<u64, ApiError> {
    segment.parse().map_err(|_| ApiError::not_found())
}

pub(crate) fn route(inner: &Inner, req: &RecordedRequest) -> Result<Reply, ApiError> {
    let segments: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => Ok(application::gateway(inner)),
        ("GET", ["gateway", "bot"]) => Ok(application::gateway_bot(inner)),
        ("GET", ["users", "@me"]) => Ok(application::current_user(inner)),
        ("GET", ["oauth2", "applications", "@me"]) => Ok(application::application(inner)),
        ("POST", ["users", "@me", "channels"]) => application::open_dm(inner, req),
        ("GET", ["users", "@me", "guilds"]) => Ok(Reply::Json(
            crate::payloads::current_user_guilds(&inner.guilds),
        )),
        ("GET", ["guilds", guild]) => match inner.guild(id(guild)?) {
            Some(guild) => Ok(Reply::Json(crate::payloads::partial_guild(guild))),
            None => Err(ApiError::new(404, 10004, "Unknown Guild")),
        },
        ("GET", ["guilds", guild, "members", user]) => match inner.guild(id(guild)?) {
            Some(guild) if id(user)? == inner.ids.bot_user_id => {
                Ok(Reply::Json(application::bot_member(inner, guild)))
            }
            Some(_) => Err(ApiError::new(404, 10007, "Unknown Member")),
            None => Err(ApiError::new(404, 10004, "Unknown Guild")),
        },
        ("GET", ["guilds", guild, "channels"]) => match inner.guild(id(guild)?) {
            Some(guild) => Ok(Reply::Json(crate::payloads::guild_channels(guild))),
            None => Err(ApiError::new(404, 10004, "Unknown Guild")),
        },
        ("GET", ["guilds", guild, "scheduled-events"]) => events::list(inner, req, id(guild)?),
        ("POST", ["guilds", guild, "scheduled-events"]) => events::create(inner, req, id(guild)?),
        (method, ["guilds", guild, "scheduled-events", event]) => {
            let (guild, event) = (id(guild)?, id(event)?);
            match method {
                "GET" => events::get(inner, guild, event),
                "PATCH" => events::edit(inner, req, guild, event),
                "DELETE" => events::delete(inner, guild, event),
                _ => Err(ApiError::not_found()),
            }
        }
        (method, ["applications", app, "commands"]) => {
            application::commands(inner, req, method, app, None)
        }
        (method, ["applications", app, "guilds", guild, "commands"]) => {
            application::commands(inner, req, method, app, Some(guild))
        }
        ("POST", ["channels", channel, "messages", message, "threads"]) => {
            threads::start(inner, req, id(channel)?, id(message)?)
        }
        ("POST", ["channels", forum, "threads"]) => threads::start_in_forum(inner, req, id(forum)?),
        ("GET", ["guilds", guild, "threads", "active"]) => threads::active(inner, id(guild)?),
        ("GET", ["channels", channel]) => threads::get(inner, id(channel)?),
        ("PATCH", ["channels", channel]) => threads::edit(inner, req, id(channel)?),
        ("PUT", ["channels", channel, "pins", message]) => {
            threads::pin(inner, id(channel)?, id(message)?)
        }
        (_, ["channels", channel, "polls", message, rest @ ..]) => {
            polls::route(inner, req, id(channel)?, id(message)?, rest)
        }
        (_, ["channels", channel, "messages", rest @ ..]) => {
            channels::route(inner, req, id(channel)?, rest)
        }
        ("POST", ["interactions", interaction, token, "callback"]) => {
            interactions::callback(inner, req, id(interaction)?, token)
        }
        (_, ["webhooks", app, token, rest @ ..]) => {
            interactions::webhook(inner, req, app, token, rest)
        }
        _ => Err(ApiError::not_found()),
    }
}

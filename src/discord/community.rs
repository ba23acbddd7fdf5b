//! The community boundary: which Discord servers emcee serves, and what it does
//! with everything that comes from any other.
//!
//! Discord bots are public: anyone may add emcee to their own server, and that
//! server's owner may manage it, which makes them an organiser *there*. Without
//! a boundary they could post a poll into the conference's channels by id, or
//! close, cancel or read its polls by message id. So an interaction or a
//! reaction from a server outside `[discord] servers` acts on nothing: a
//! command gets one short private line saying so, and clicks and reactions are
//! dropped. Direct messages belong to no server and pass (they grant no
//! organiser rights). With `servers` empty (first run), every server is served.

use super::{Context, Error};
use poise::serenity_prelude as serenity;
use std::sync::Arc;
use std::time::Instant;

/// The one line a command from another server gets, privately.
pub const REFUSAL: &str = "I serve another community's conference; I can't act here.";

/// The servers emcee serves. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Community {
    /// Empty: every server the bot is in.
    servers: Arc<[serenity::GuildId]>,
}

impl Community {
    /// Serves `servers`; none listed: every server.
    pub fn serving(servers: &[serenity::GuildId]) -> Self {
        Self {
            servers: servers.into(),
        }
    }

    /// Whether something from `guild` (`None`: a direct message) may act.
    pub fn serves(&self, guild: Option<serenity::GuildId>) -> bool {
        guild.is_none_or(|guild| self.servers.is_empty() || self.servers.contains(&guild))
    }

    /// Whether an event (a click, a reaction) from `guild` may act; logs the
    /// ones that may not. For the event handler.
    pub fn admits_event(&self, guild: Option<serenity::GuildId>, what: &'static str) -> bool {
        let served = self.serves(guild);
        if !served {
            tracing::info!(server = ?guild.map(serenity::GuildId::get), what, "ignored an event from a server emcee does not serve");
        }
        served
    }
}

/// poise's command check, in order: the community boundary, then the per-user
/// throttle.
///
/// # Errors
/// Never: failed replies are logged.
pub async fn command_check(ctx: Context<'_>) -> Result<bool, Error> {
    // poise runs this check once per level of a subcommand (`/poll`, then
    // `/poll close`); one invocation is one command, counted once.
    if ctx.invocation_data::<Admitted>().await.is_some() {
        return Ok(true);
    }
    let admitted = check(ctx).await? && super::throttle::check(ctx).await?;
    if admitted {
        ctx.set_invocation_data(Admitted).await;
    }
    Ok(admitted)
}

/// Marks an invocation that passed [`command_check`].
struct Admitted;

/// Admits a command from a served server or a DM; refuses any other with
/// [`REFUSAL`], privately. The refusal takes from the user's allowance like an
/// answer would, and past it the user gets no reply at all: a script in a
/// stranger's server cannot make the bot spend its Discord limits on refusals.
///
/// # Errors
/// Never: a failed reply is logged.
pub async fn check(ctx: Context<'_>) -> Result<bool, Error> {
    let data = ctx.data();
    let guild = ctx.guild_id();
    if data.community.serves(guild) {
        return Ok(true);
    }
    tracing::info!(
        server = ?guild.map(serenity::GuildId::get),
        user = %ctx.author().id,
        command = %ctx.command().qualified_name,
        "refused a command from a server emcee does not serve"
    );
    // An autocomplete cannot carry the refusal; the command itself will.
    if !super::throttle::is_autocomplete(ctx)
        && data
            .throttle
            .admit(&ctx.author().id.to_string(), Instant::now())
            .is_ok()
    {
        let reply = super::embeds::private_reply(REFUSAL.to_owned());
        if let Err(error) = super::replies::send(ctx, reply).await {
            tracing::warn!(%error, "could not send the other-community refusal");
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_servers_and_dms_are_served_and_empty_serves_all() {
        let (ours, theirs) = (serenity::GuildId::new(1), serenity::GuildId::new(2));
        let community = Community::serving(&[ours]);
        assert!(community.serves(Some(ours)));
        assert!(!community.serves(Some(theirs)));
        assert!(community.serves(None), "a DM belongs to no server");
        assert!(Community::default().serves(Some(theirs)));
        assert!(Community::serving(&[]).serves(Some(theirs)));
    }
}

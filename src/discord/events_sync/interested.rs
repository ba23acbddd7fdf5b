//! "Interested" on an event emcee made: `GUILD_SCHEDULED_EVENT_USER_ADD`
//! and `_REMOVE` translated into (community, user, session, added) through
//! the store's event ids, and handed to [`interested`]. An event emcee did
//! not make (an organiser's) stands for no session and is ignored.

use crate::discord::{Data, Error};
use emcee_core::agenda::SessionId;
use poise::serenity_prelude as serenity;

/// One attendee's "Interested" on a session's event, or its withdrawal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interest {
    /// The Discord server id.
    pub community: String,
    /// The Discord user id.
    pub user: String,
    pub session: SessionId,
    /// Marked interested (true) or no longer (false).
    pub added: bool,
}

/// What an "Interested" does with its session. For now it is logged; it is
/// where starring the session for the user goes.
pub fn interested(interest: &Interest) {
    tracing::debug!(
        community = %interest.community,
        user = %interest.user,
        session = %interest.session,
        added = interest.added,
        "interested in a session's scheduled event"
    );
}

/// Translates a user add or remove on `event` and passes it on; returns
/// what it passed, `None` for an event that stands for no session.
///
/// # Errors
/// When the store cannot be read.
pub async fn on_interest(
    data: &Data,
    guild: serenity::GuildId,
    user: serenity::UserId,
    event: serenity::ScheduledEventId,
    added: bool,
) -> Result<Option<Interest>, Error> {
    let community = guild.get().to_string();
    let found = data
        .store
        .events
        .session_of_event(community.clone(), event.get().to_string())
        .await?;
    let Some(session) = found.filter(|s| data.programme().agenda.session(s).is_some()) else {
        tracing::debug!(event = %event, "interest in an event that is not a session's; ignored");
        return Ok(None);
    };
    let interest = Interest {
        community,
        user: user.get().to_string(),
        session,
        added,
    };
    interested(&interest);
    Ok(Some(interest))
}

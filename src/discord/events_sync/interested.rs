//! "Interested" on an event emcee made: `GUILD_SCHEDULED_EVENT_USER_ADD`
//! and `_REMOVE` translated into (community, user, session, added) through
//! the store's event ids, and handed to [`interested`], which stars or
//! unstars the session for that user, as `/star` and `/unstar` do (the
//! star's reminder included). An event emcee did not make (an organiser's)
//! stands for no session and is ignored.

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

/// Stars the session for the user when they mark its event "Interested",
/// and unstars it when they take that back. Nothing is said to the user:
/// Discord shows the mark itself, and `/mytalks` lists the star.
pub async fn interested(data: &Data, interest: &Interest) {
    tracing::debug!(
        community = %interest.community,
        user = %interest.user,
        session = %interest.session,
        added = interest.added,
        "interested in a session's scheduled event"
    );
    let (community, user, session) = (&interest.community, &interest.user, &interest.session);
    let outcome = if interest.added {
        data.stars.star(community, user, session).await.map(drop)
    } else {
        data.stars.unstar(community, user, session).await.map(drop)
    };
    if let Err(error) = outcome {
        tracing::warn!(%session, %error, "could not follow an \"Interested\" with a star");
    }
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
    interested(data, &interest).await;
    Ok(Some(interest))
}

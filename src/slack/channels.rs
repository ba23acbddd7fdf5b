//! Channel names in the served workspace: `conversations.list` (public and
//! private channels the bot can see), paged, and the start-up check that the
//! bot is a member of every channel it will post in.
//!
//! Posting into a channel the bot is not in fails with `not_in_channel` at
//! the minute of the announcement; finding out at start, one line per
//! channel, leaves time to invite it. Public channels are joined
//! (`conversations.join`, scope `channels:join`) when the app may.

use super::outbound::{SendError, Sender, Tier};
use crate::paced;
use slack_morphism::prelude::*;
use std::collections::HashMap;

/// Channels the bot can see, per page (Slack's maximum is 1,000; 200 is its advice).
const PAGE: u16 = 200;

/// A channel as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub member: bool,
    pub private: bool,
}

/// Every public and private channel the bot can see, by lower-case name.
///
/// # Errors
/// [`SendError`] when a page cannot be fetched.
pub async fn list(sender: &Sender) -> Result<HashMap<String, Listed>, SendError> {
    let mut found = HashMap::new();
    let mut cursor: Option<SlackCursorId> = None;
    loop {
        let request = SlackApiConversationsListRequest::new()
            .with_limit(PAGE)
            .with_exclude_archived(true)
            .with_types(vec![
                SlackConversationType::Public,
                SlackConversationType::Private,
            ])
            .opt_cursor(cursor.clone());
        let page = paced!(sender, "conversations.list", Tier::Two, None, |session| {
            session.conversations_list(&request)
        })?;
        for channel in page.channels {
            let Some(name) = channel.name.clone() else {
                continue;
            };
            let listed = Listed {
                id: channel.id.to_string(),
                member: channel.flags.is_member.unwrap_or(false),
                private: channel.flags.is_private.unwrap_or(false),
                name: name.clone(),
            };
            found.insert(name.to_lowercase(), listed);
        }
        cursor = page
            .response_metadata
            .and_then(|meta| meta.next_cursor)
            .filter(|next| !next.to_string().is_empty());
        if cursor.is_none() {
            return Ok(found);
        }
    }
}

/// What the start-up check found.
#[derive(Debug, Default)]
pub struct Membership {
    /// Name -> id of every configured channel that exists.
    pub channels: HashMap<String, String>,
    /// One line for each configured channel the bot cannot post in.
    pub problems: Vec<String>,
}

/// Resolves `names` (lower case, no `#`) and makes sure the bot is in each:
/// joins public channels it is not in, and reports the rest.
///
/// # Errors
/// [`SendError`] when the channels cannot be listed.
pub async fn check_membership(sender: &Sender, names: &[String]) -> Result<Membership, SendError> {
    let listed = list(sender).await?;
    let mut membership = Membership::default();
    for name in names {
        let key = name.trim().trim_start_matches('#').to_lowercase();
        let Some(channel) = listed.get(&key) else {
            membership.problems.push(format!(
                "#{key}: no such channel in the workspace (or the bot cannot see it)"
            ));
            continue;
        };
        membership.channels.insert(key.clone(), channel.id.clone());
        if channel.member {
            continue;
        }
        if channel.private {
            membership.problems.push(format!(
                "#{key}: private and the bot is not a member; invite it with /invite @emcee"
            ));
            continue;
        }
        match join(sender, &channel.id).await {
            Ok(()) => tracing::info!(channel = %key, "joined a channel emcee posts in"),
            Err(error) => membership.problems.push(format!(
                "#{key}: the bot is not a member and could not join ({error}); invite it with /invite @emcee"
            )),
        }
    }
    Ok(membership)
}

async fn join(sender: &Sender, channel: &str) -> Result<(), SendError> {
    let request = SlackApiConversationsJoinRequest::new(channel.into());
    paced!(sender, "conversations.join", Tier::Three, None, |session| {
        session.conversations_join(&request)
    })
    .map(drop)
}

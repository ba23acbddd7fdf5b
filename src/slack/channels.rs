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

/// Where the bot stands in one configured channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// A member: it can post.
    Member,
    /// Public and not a member: it can join (`conversations.join`).
    Joinable,
    /// Private and not a member: someone must invite it.
    Uninvited,
    /// No such channel among those the bot can see (a private channel the
    /// bot is not in is invisible to it).
    Missing,
}

/// One configured channel name, as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The name, lower case, without `#`.
    pub name: String,
    /// Its id, when found.
    pub id: Option<String>,
    pub standing: Standing,
}

impl Finding {
    /// The one line that says what stops the bot posting here; `None` for a
    /// member, or (when `joined_at_start`) a public channel `run` joins.
    pub fn problem(&self, joined_at_start: bool) -> Option<String> {
        let name = &self.name;
        match self.standing {
            Standing::Member => None,
            Standing::Joinable if joined_at_start => None,
            Standing::Joinable => Some(format!(
                "#{name}: public and the bot is not a member; emcee run joins it (scope channels:join), or invite it with /invite @emcee"
            )),
            Standing::Uninvited => Some(format!(
                "#{name}: private and the bot is not a member; invite it with /invite @emcee"
            )),
            Standing::Missing => Some(format!(
                "#{name}: no such channel the bot can see; create it, fix the name, or if it is private invite the bot with /invite @emcee"
            )),
        }
    }
}

/// Where the bot stands in each of `names` (any case, `#` allowed, or a
/// channel id).
pub fn assess(listed: &HashMap<String, Listed>, names: &[String]) -> Vec<Finding> {
    names
        .iter()
        .map(|key| {
            let name = key.trim().trim_start_matches('#').to_lowercase();
            let by_id = || listed.values().find(|c| c.id == key.trim());
            let Some(channel) = listed.get(&name).or_else(by_id) else {
                return Finding {
                    name,
                    id: None,
                    standing: Standing::Missing,
                };
            };
            let standing = match (channel.member, channel.private) {
                (true, _) => Standing::Member,
                (false, false) => Standing::Joinable,
                (false, true) => Standing::Uninvited,
            };
            Finding {
                name,
                id: Some(channel.id.clone()),
                standing,
            }
        })
        .collect()
}

/// Resolves `names` (lower case, no `#`) and makes sure the bot is in each:
/// joins public channels it is not in, and reports the rest.
///
/// # Errors
/// [`SendError`] when the channels cannot be listed.
pub async fn check_membership(sender: &Sender, names: &[String]) -> Result<Membership, SendError> {
    let listed = list(sender).await?;
    let mut membership = Membership::default();
    for finding in assess(&listed, names) {
        if let Some(id) = &finding.id {
            membership.channels.insert(finding.name.clone(), id.clone());
        }
        match (&finding.standing, &finding.id) {
            (Standing::Joinable, Some(id)) => match join(sender, id).await {
                Ok(()) => tracing::info!(channel = %finding.name, "joined a channel emcee posts in"),
                Err(error) => membership.problems.push(format!(
                    "#{}: the bot is not a member and could not join ({error}); invite it with /invite @emcee",
                    finding.name
                )),
            },
            _ => membership.problems.extend(finding.problem(true)),
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

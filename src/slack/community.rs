//! The community boundary and who organises, on Slack.
//!
//! A Slack app can be installed in more than one workspace (and Slack Connect
//! shares channels across them), so every envelope says its team: one from
//! any team but `[slack] workspace` acts on nothing (a command gets one short
//! private line, clicks and reactions are dropped). Organisers are the
//! workspace's admins and owners, and the members and user groups listed in
//! `[slack] organisers`; a user's standing is looked up once every few
//! minutes (`users.info`, `usergroups.users.list`) rather than per click.

use super::outbound::{Sender, Tier};
use crate::paced;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The one line a command from another workspace gets, privately.
pub const REFUSAL: &str = "I serve another community's conference; I can't act here.";
/// How long a user's organiser standing is trusted.
const KEEP_FOR: Duration = Duration::from_secs(300);

/// The workspace served and who organises there. Cheap to clone.
#[derive(Clone)]
pub struct Community {
    inner: Arc<Inner>,
}

struct Inner {
    workspace: String,
    users: Vec<String>,
    groups: Vec<String>,
    known: Mutex<HashMap<String, (Instant, bool)>>,
}

impl Community {
    /// Serves `workspace`; `organisers` are `[slack] organisers` (U…/W… members, S… groups).
    pub fn new(workspace: &str, organisers: &[String]) -> Self {
        let (groups, users) = organisers
            .iter()
            .map(|id| id.trim().to_owned())
            .partition(|id| id.starts_with('S'));
        Self {
            inner: Arc::new(Inner {
                workspace: workspace.trim().to_owned(),
                users,
                groups,
                known: Mutex::default(),
            }),
        }
    }

    /// The team id served.
    pub fn workspace(&self) -> &str {
        &self.inner.workspace
    }

    /// Whether something from `team` may act; logs what may not.
    pub fn serves(&self, team: &str, what: &'static str) -> bool {
        let served = team == self.inner.workspace;
        if !served {
            tracing::info!(
                team,
                what,
                "ignored something from a workspace emcee does not serve"
            );
        }
        served
    }

    /// Whether `user` may run organiser commands.
    pub async fn is_organiser(&self, sender: &Sender, user: &str) -> bool {
        if self.inner.users.iter().any(|u| u == user) {
            return true;
        }
        if let Some(known) = self.known(user) {
            return known;
        }
        let organiser = self.is_admin(sender, user).await || self.in_groups(sender, user).await;
        let mut known = self
            .inner
            .known
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        known.insert(user.to_owned(), (Instant::now(), organiser));
        organiser
    }

    fn known(&self, user: &str) -> Option<bool> {
        let known = self
            .inner
            .known
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        known
            .get(user)
            .filter(|(at, _)| at.elapsed() < KEEP_FOR)
            .map(|(_, organiser)| *organiser)
    }

    async fn is_admin(&self, sender: &Sender, user: &str) -> bool {
        let request = SlackApiUsersInfoRequest::new(user.into());
        match paced!(sender, "users.info", Tier::Four, None, |session| session
            .users_info(&request))
        {
            Ok(found) => {
                let flags = &found.user.flags;
                [flags.is_admin, flags.is_owner, flags.is_primary_owner]
                    .into_iter()
                    .any(|flag| flag == Some(true))
            }
            Err(error) => {
                tracing::warn!(%error, "could not look up whether a user is a workspace admin");
                false
            }
        }
    }

    async fn in_groups(&self, sender: &Sender, user: &str) -> bool {
        for group in &self.inner.groups {
            let request = SlackApiUserGroupsUsersListRequest::new(group.as_str().into());
            match paced!(
                sender,
                "usergroups.users.list",
                Tier::Two,
                None,
                |session| { session.usergroups_users_list(&request) }
            ) {
                Ok(members) if members.users.iter().any(|u| u.to_string() == user) => return true,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, group, "could not list an organiser group"),
            }
        }
        false
    }
}

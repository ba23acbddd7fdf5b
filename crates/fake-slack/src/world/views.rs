//! Modals: `trigger_id`s (good once, for 3 seconds), and the views the bot
//! opens, updates and pushes, with what a submission does to them.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::World;
use crate::error::SlackError;

/// How long a `trigger_id` may be used.
const TRIGGER_LIFETIME: Duration = Duration::from_secs(3);

/// A `trigger_id` the fake handed out with a command or a click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Trigger {
    pub(crate) issued: Instant,
    pub(crate) used: bool,
    pub(crate) user: String,
}

/// A modal the bot opened.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredView {
    /// `V…`.
    pub id: String,
    /// Who sees it.
    pub user: String,
    /// The view as the bot last sent it, with Slack's fields added (`id`,
    /// `team_id`, `state`, `hash`, …).
    pub view: Value,
    /// Still on the user's screen.
    pub open: bool,
    /// The view under it in the stack, if pushed.
    pub previous_view_id: Option<String>,
}

impl StoredView {
    /// The view's `callback_id`, if any.
    #[must_use]
    pub fn callback_id(&self) -> Option<&str> {
        self.view.get("callback_id")?.as_str()
    }
}

impl World {
    /// A fresh `trigger_id` for `user`, shaped like Slack's.
    pub(crate) fn new_trigger(&mut self, user: &str) -> String {
        let n = self.mint.id("");
        let trigger = format!("{n}.{}.fa4e51ac", self.clock.now());
        let issued = Instant::now();
        let user = user.to_owned();
        self.triggers.insert(
            trigger.clone(),
            Trigger {
                issued,
                used: false,
                user,
            },
        );
        trigger
    }

    /// Uses up a `trigger_id`; returns its user.
    fn take_trigger(&mut self, id: &str) -> Result<String, SlackError> {
        let trigger = self
            .triggers
            .get_mut(id)
            .ok_or_else(|| SlackError::new("invalid_trigger_id"))?;
        if trigger.used {
            return Err(SlackError::new("exchanged_trigger_id"));
        }
        if trigger.issued.elapsed() > TRIGGER_LIFETIME {
            return Err(SlackError::new("expired_trigger_id"));
        }
        trigger.used = true;
        Ok(trigger.user.clone())
    }

    /// `views.open` (no `previous`) or `views.push`.
    pub(crate) fn open_view(
        &mut self,
        trigger_id: &str,
        view: Value,
        push: bool,
    ) -> Result<Value, SlackError> {
        let user = self.take_trigger(trigger_id)?;
        let previous = self
            .views
            .values()
            .rev()
            .find(|v| v.user == user && v.open)
            .map(|v| v.id.clone());
        if push && previous.is_none() {
            return Err(SlackError::new("not_allowed"));
        }
        let id = self.mint.id("V");
        let stored = StoredView {
            view: self.view_json(&id, view, previous.as_deref(), push),
            id: id.clone(),
            user,
            open: true,
            previous_view_id: previous.filter(|_| push),
        };
        let json = stored.view.clone();
        self.views.insert(id, stored);
        Ok(json)
    }

    /// `views.update`: by `view_id` or `external_id`, refused on a stale `hash`.
    pub(crate) fn update_view(
        &mut self,
        view_id: Option<&str>,
        external_id: Option<&str>,
        hash: Option<&str>,
        view: Value,
    ) -> Result<Value, SlackError> {
        let found = self.views.values().find(|v| {
            Some(v.id.as_str()) == view_id
                || (external_id.is_some()
                    && v.view.get("external_id").and_then(Value::as_str) == external_id)
        });
        let found = found.ok_or_else(|| SlackError::new("not_found"))?;
        let current = found.view.get("hash").and_then(Value::as_str);
        if hash.is_some_and(|h| Some(h) != current) {
            return Err(SlackError::new("hash_conflict"));
        }
        let (id, previous) = (found.id.clone(), found.previous_view_id.clone());
        let json = self.view_json(&id, view, previous.as_deref(), previous.is_some());
        if let Some(stored) = self.views.get_mut(&id) {
            stored.view = json.clone();
        }
        Ok(json)
    }

    /// What the ack of a `view_submission` does: no `response_action` closes
    /// the view, `clear` closes the whole stack, `update` replaces it; `errors`
    /// and `push` leave it open.
    pub(crate) fn submitted(&mut self, view_id: &str, ack: Option<&Value>) {
        let action = ack
            .and_then(|a| a.get("response_action"))
            .and_then(Value::as_str);
        let user = self.views.get(view_id).map(|v| v.user.clone());
        match action {
            Some("errors" | "push") => {}
            Some("update") => {
                let view = ack
                    .and_then(|a| a.get("view"))
                    .cloned()
                    .unwrap_or(Value::Null);
                if let Err(error) = self.update_view(Some(view_id), None, None, view) {
                    tracing::warn!(%error, "fake slack: a submission's update failed");
                }
            }
            Some("clear") => {
                for view in self
                    .views
                    .values_mut()
                    .filter(|v| Some(&v.user) == user.as_ref())
                {
                    view.open = false;
                }
            }
            _ => {
                if let Some(view) = self.views.get_mut(view_id) {
                    view.open = false;
                }
            }
        }
    }

    fn view_json(
        &mut self,
        id: &str,
        mut view: Value,
        previous: Option<&str>,
        pushed: bool,
    ) -> Value {
        let hash = format!("{}.{}", self.clock.now(), self.mint.id("h"));
        let root = match previous {
            Some(previous) if pushed => self
                .views
                .get(previous)
                .and_then(|v| v.view.get("root_view_id").cloned())
                .unwrap_or(json!(previous)),
            _ => json!(id),
        };
        if let Some(fields) = view.as_object_mut() {
            let blocks = fields
                .get("blocks")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            fields.insert("blocks".into(), json!(self.with_block_ids(blocks)));
            fields.insert("id".into(), json!(id));
            fields.insert("team_id".into(), json!(self.ids.team_id));
            fields.insert("state".into(), json!({ "values": {} }));
            fields.insert("hash".into(), json!(hash));
            fields.insert("app_id".into(), json!(self.ids.app_id));
            fields.insert("bot_id".into(), json!(self.ids.bot_id));
            fields.insert("root_view_id".into(), root);
            fields.insert(
                "previous_view_id".into(),
                json!(previous.filter(|_| pushed)),
            );
        }
        view
    }
}

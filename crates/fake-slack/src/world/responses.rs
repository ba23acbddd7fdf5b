//! `response_url`s: each slash command and button click comes with one, good
//! for 5 posts within 30 minutes (on the fake's clock). A post answers the user
//! privately (`response_type: ephemeral`, the default), in the channel
//! (`in_channel`), or replaces or deletes the message that was clicked.

use std::time::Instant;

use serde_json::Value;

use super::messages::{Content, Origin};
use super::World;
use crate::error::SlackError;

/// Posts one `response_url` accepts.
const MAX_USES: u32 = 5;
/// How long a `response_url` lives, in seconds.
const LIFETIME_SECS: u64 = 30 * 60;

/// A `response_url` the fake handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseUrl {
    /// The last segment of the URL.
    pub token: String,
    /// The workspace of the command or click.
    pub team_id: String,
    /// Where it happened.
    pub channel: String,
    /// Who did it.
    pub user: String,
    /// The message clicked, `(ts, ephemeral)`, for a button click.
    pub original: Option<(String, bool)>,
    /// Posts so far that were accepted.
    pub uses: u32,
    /// When it was handed out, unix seconds (fake clock).
    pub created_at: u64,
}

/// What a post to a `response_url` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseEffect {
    /// A private message to the user, with its `ts`.
    Ephemeral(String),
    /// A message in the channel, with its `ts`.
    InChannel(String),
    /// The original message was replaced.
    Replaced,
    /// The original message was deleted.
    Deleted,
    /// Refused with this error (`used_url`, `expired_url`, `no_service`, …).
    Refused(String),
}

/// One post to a `response_url`, as received and answered.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponsePost {
    /// The URL's token.
    pub token: String,
    /// The JSON body posted.
    pub body: Value,
    /// What it did.
    pub effect: ResponseEffect,
    /// When it arrived.
    pub received_at: Instant,
}

impl ResponsePost {
    /// The posted `text`, if any.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        self.body.get("text")?.as_str()
    }
}

impl World {
    /// Hands out a `response_url` token for a command or click.
    pub(crate) fn new_response_url(
        &mut self,
        team_id: &str,
        channel: &str,
        user: &str,
        original: Option<(String, bool)>,
    ) -> String {
        let token = self.mint.uuid();
        let url = ResponseUrl {
            token: token.clone(),
            team_id: team_id.to_owned(),
            channel: channel.to_owned(),
            user: user.to_owned(),
            original,
            uses: 0,
            created_at: self.clock.now(),
        };
        self.responses.insert(token.clone(), url);
        token
    }

    /// Carries out one post to `token`'s URL.
    pub(crate) fn respond(&mut self, token: &str, body: &Value) -> ResponseEffect {
        let effect = match self.try_respond(token, body) {
            Ok(effect) => effect,
            Err(error) => ResponseEffect::Refused(error.code),
        };
        self.response_posts.push(ResponsePost {
            token: token.to_owned(),
            body: body.clone(),
            effect: effect.clone(),
            received_at: Instant::now(),
        });
        effect
    }

    fn try_respond(&mut self, token: &str, body: &Value) -> Result<ResponseEffect, SlackError> {
        let now = self.clock.now();
        let url = self
            .responses
            .get_mut(token)
            .ok_or_else(|| SlackError::new("no_service"))?;
        if now.saturating_sub(url.created_at) > LIFETIME_SECS {
            return Err(SlackError::new("expired_url"));
        }
        if url.uses >= MAX_USES {
            return Err(SlackError::new("used_url"));
        }
        url.uses += 1;
        let url = url.clone();
        let flag = |key: &str| body.get(key).and_then(Value::as_bool).unwrap_or(false);
        let content = content_of(body);
        match (
            &url.original,
            flag("delete_original"),
            flag("replace_original"),
        ) {
            (Some((ts, ephemeral)), true, _) => {
                self.drop_original(&url, ts, *ephemeral)?;
                return Ok(ResponseEffect::Deleted);
            }
            (Some((ts, ephemeral)), false, true) => {
                self.replace_original(&url, ts, *ephemeral, content)?;
                return Ok(ResponseEffect::Replaced);
            }
            _ => {}
        }
        let thread_ts = body
            .get("thread_ts")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if body.get("response_type").and_then(Value::as_str) == Some("in_channel") {
            let bot = self.ids.bot_user_id.clone();
            let posted = self.add_message(&url.channel, &bot, content, thread_ts)?;
            return Ok(ResponseEffect::InChannel(posted.ts));
        }
        let origin = Origin::ResponseUrl(token.to_owned());
        let ts = self.add_ephemeral(&url.channel, &url.user, content, thread_ts, origin);
        Ok(ResponseEffect::Ephemeral(ts))
    }

    fn drop_original(
        &mut self,
        url: &ResponseUrl,
        ts: &str,
        ephemeral: bool,
    ) -> Result<(), SlackError> {
        if !ephemeral {
            return self.delete_message(&url.channel, ts);
        }
        let found = self.ephemeral_mut(url, ts)?;
        found.deleted = true;
        Ok(())
    }

    fn replace_original(
        &mut self,
        url: &ResponseUrl,
        ts: &str,
        ephemeral: bool,
        content: Content,
    ) -> Result<(), SlackError> {
        if !ephemeral {
            let content = Content {
                blocks: Some(content.blocks.unwrap_or_default()),
                ..content
            };
            return self.update_message(&url.channel, ts, content).map(|_| ());
        }
        let found = self.ephemeral_mut(url, ts)?;
        found.text = content.text.unwrap_or_default();
        found.blocks = content.blocks.unwrap_or_default();
        found.replaced = true;
        Ok(())
    }

    fn ephemeral_mut(
        &mut self,
        url: &ResponseUrl,
        ts: &str,
    ) -> Result<&mut super::Ephemeral, SlackError> {
        self.ephemerals
            .iter_mut()
            .find(|e| e.ts == ts && e.user == url.user && !e.deleted)
            .ok_or_else(SlackError::message_not_found)
    }
}

/// The message fields of a `response_url` or ack payload.
pub(crate) fn content_of(body: &Value) -> Content {
    let array = |key: &str| body.get(key).and_then(Value::as_array).cloned();
    Content {
        text: body.get("text").and_then(Value::as_str).map(str::to_owned),
        blocks: array("blocks"),
        attachments: array("attachments"),
        metadata: None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::ids::{FakeUser, Ids};

    fn world() -> World {
        World::new(Ids::default(), Some(1_765_432_100), false)
    }

    #[test]
    fn five_posts_within_thirty_minutes_then_refusals() {
        let mut world = world();
        let general = world.ids.general_channel_id.clone();
        let user = FakeUser::attendee(1).id;
        let token = world.new_response_url(&world.ids.team_id.clone(), &general, &user, None);
        for _ in 0..5 {
            let effect = world.respond(&token, &json!({ "text": "hi" }));
            assert!(matches!(effect, ResponseEffect::Ephemeral(_)), "{effect:?}");
        }
        let sixth = world.respond(&token, &json!({ "text": "hi" }));
        assert_eq!(sixth, ResponseEffect::Refused("used_url".into()));
        let late = world.new_response_url(&world.ids.team_id.clone(), &general, &user, None);
        world.clock.advance(Duration::from_secs(30 * 60 + 1));
        let expired = world.respond(&late, &json!({ "text": "hi" }));
        assert_eq!(expired, ResponseEffect::Refused("expired_url".into()));
        let unknown = world.respond("nope", &json!({ "text": "hi" }));
        assert_eq!(unknown, ResponseEffect::Refused("no_service".into()));
        assert_eq!(world.ephemerals.len(), 5);
        assert_eq!(world.response_posts.len(), 8);
    }

    #[test]
    fn a_click_replaces_or_deletes_the_message_clicked() {
        let mut world = world();
        let polls = world.ids.polls_channel_id.clone();
        let bot = world.ids.bot_user_id.clone();
        let team = world.ids.team_id.clone();
        let user = FakeUser::attendee(2).id;
        let poll = Content {
            text: Some("Tea? 0 votes".into()),
            ..Content::default()
        };
        let posted = world.add_message(&polls, &bot, poll, None).unwrap();
        let original = Some((posted.ts.clone(), false));
        let token = world.new_response_url(&team, &polls, &user, original.clone());
        let replace = json!({ "replace_original": true, "text": "Tea? 1 vote" });
        assert_eq!(world.respond(&token, &replace), ResponseEffect::Replaced);
        assert_eq!(
            world.message(&polls, &posted.ts).unwrap().text,
            "Tea? 1 vote"
        );
        let shared = world.respond(
            &token,
            &json!({ "response_type": "in_channel", "text": "Results" }),
        );
        assert!(matches!(shared, ResponseEffect::InChannel(_)));
        assert_eq!(
            world.respond(&token, &json!({ "delete_original": true })),
            ResponseEffect::Deleted
        );
        assert!(world.message(&polls, &posted.ts).is_err());
        let gone = world.respond(&token, &json!({ "delete_original": true }));
        assert_eq!(gone, ResponseEffect::Refused("message_not_found".into()));
    }
}

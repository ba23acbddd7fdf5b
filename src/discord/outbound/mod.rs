//! Everything emcee posts on its own (announcements, poll messages, reactions,
//! tally edits, DMs) goes through this sender.
//!
//! serenity's ratelimiter is off in proxy mode and known to release waiters in
//! storms, and its errors drop the `retry-after` header. So the sender talks to
//! the REST API itself (reqwest, Discord API v10 JSON) and paces every call:
//! per channel (messages keep their order), globally (under 50 requests per
//! second, shared fairly between channel traffic and direct messages), and by
//! the `x-ratelimit-*` headers Discord returns. A 429 waits
//! `retry-after` and retries the same call, in order; 5xx and timeouts are
//! retried a bounded number of times; other refusals are returned at once.
//! Every message carries `allowed_mentions`, empty unless the caller set it.

mod forum;
mod gate;
mod pacing;
mod rest;
mod scheduled_events;

pub use forum::{ActiveThread, Forums, ListedChannel};
pub use pacing::Pacing;
pub use rest::Attachment;

use crate::discord::token::BotToken;
use gate::Lane;
use pacing::{Call, Limiter, Wait};
use rest::{Rest, RestResponse};
use serde_json::Value;
use std::time::Duration;

/// Why a call did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// Discord refused it (4xx other than 429): retrying would not help.
    #[error("Discord refused {route}: HTTP {status}, code {code}: {message}")]
    Rejected {
        route: String,
        status: u16,
        code: i64,
        message: String,
    },
    /// Server errors, timeouts or 429s went on past the retry budget.
    #[error("gave up on {route} after {attempts} attempts: {last}")]
    GaveUp {
        route: String,
        attempts: u32,
        last: String,
    },
}

impl OutboundError {
    /// Discord's JSON error code, e.g. 50007 "Cannot send messages to this user".
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Rejected { code, .. } => Some(*code),
            Self::GaveUp { .. } => None,
        }
    }
}

/// A handle on the sender; cheap to clone, shared by every task that posts.
#[derive(Clone, Debug)]
pub struct Outbound {
    rest: Rest,
    limiter: Limiter,
    pacing: Pacing,
}

impl Outbound {
    /// A sender for the API at `api_base` (`https://discord.com` or a compatible
    /// base), using `client` (share one; tests pass one that trusts the fake).
    pub fn new(api_base: &str, token: &BotToken, client: reqwest::Client, pacing: Pacing) -> Self {
        Self {
            rest: Rest::new(api_base, token, client),
            limiter: Limiter::new(pacing),
            pacing,
        }
    }

    /// Posts a message (`body` is Discord's create-message JSON, e.g. a
    /// serialized serenity `CreateMessage`), with files if any. Put a `nonce`
    /// and `"enforce_nonce": true` in `body` to make retries safe.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn create_message(
        &self,
        channel_id: u64,
        mut body: Value,
        files: Vec<Attachment>,
    ) -> Result<Value, OutboundError> {
        with_safe_mentions(&mut body);
        let path = format!("/channels/{channel_id}/messages");
        let call = Call::message(channel_id, Lane::Channel);
        self.call(call, |rest| rest.post(&path, &body, &files))
            .await
    }

    /// Posts a message into a DM channel (from [`Self::open_dm`]): like
    /// [`Self::create_message`], but it waits in the direct-message lane, so a
    /// burst of DMs and the channels' traffic share the global budget.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn create_direct_message(
        &self,
        channel_id: u64,
        mut body: Value,
        files: Vec<Attachment>,
    ) -> Result<Value, OutboundError> {
        with_safe_mentions(&mut body);
        let path = format!("/channels/{channel_id}/messages");
        let call = Call::message(channel_id, Lane::Direct);
        self.call(call, |rest| rest.post(&path, &body, &files))
            .await
    }

    /// Edits a message the bot posted.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn edit_message(
        &self,
        channel_id: u64,
        message_id: u64,
        mut body: Value,
    ) -> Result<Value, OutboundError> {
        with_safe_mentions(&mut body);
        let path = format!("/channels/{channel_id}/messages/{message_id}");
        self.call(Call::on(channel_id), |rest| rest.patch(&path, &body))
            .await
    }

    /// Starts a public thread named `name` on a message; returns its id.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn start_thread(
        &self,
        channel_id: u64,
        message_id: u64,
        name: &str,
    ) -> Result<u64, OutboundError> {
        let path = format!("/channels/{channel_id}/messages/{message_id}/threads");
        let body = serde_json::json!({ "name": name, "auto_archive_duration": 1440 });
        let thread = self
            .call(Call::on(channel_id), |rest| rest.post(&path, &body, &[]))
            .await?;
        snowflake(&thread["id"]).ok_or_else(|| OutboundError::GaveUp {
            route: path.clone(),
            attempts: 1,
            last: "no thread id in the answer".into(),
        })
    }

    /// Pins a message to its channel.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn pin_message(&self, channel_id: u64, message_id: u64) -> Result<(), OutboundError> {
        let path = format!("/channels/{channel_id}/pins/{message_id}");
        self.call(Call::on(channel_id), |rest| rest.put(&path))
            .await
            .map(drop)
    }

    /// Archives thread `thread_id`.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn archive_thread(&self, thread_id: u64) -> Result<(), OutboundError> {
        let path = format!("/channels/{thread_id}");
        let body = serde_json::json!({ "archived": true });
        self.call(Call::on(thread_id), |rest| rest.patch(&path, &body))
            .await
            .map(drop)
    }

    /// Deletes a message the bot posted.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn delete_message(
        &self,
        channel_id: u64,
        message_id: u64,
    ) -> Result<(), OutboundError> {
        let path = format!("/channels/{channel_id}/messages/{message_id}");
        self.call(Call::on(channel_id), |rest| rest.delete(&path))
            .await
            .map(drop)
    }

    /// Adds the bot's reaction `emoji` (Unicode, or `name:id` for a custom one).
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn add_reaction(
        &self,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
    ) -> Result<(), OutboundError> {
        let path = reactions_path(channel_id, message_id, emoji) + "/@me";
        self.call(Call::on(channel_id), |rest| rest.put(&path))
            .await
            .map(drop)
    }

    /// Removes `user_id`'s reaction `emoji` from a message.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn remove_reaction(
        &self,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
        user_id: u64,
    ) -> Result<(), OutboundError> {
        let path = format!(
            "{}/{user_id}",
            reactions_path(channel_id, message_id, emoji)
        );
        self.call(Call::on(channel_id), |rest| rest.delete(&path))
            .await
            .map(drop)
    }

    /// Removes everyone's reaction `emoji` from a message, in one call.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn remove_reactions_of(
        &self,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
    ) -> Result<(), OutboundError> {
        let path = reactions_path(channel_id, message_id, emoji);
        self.call(Call::on(channel_id), |rest| rest.delete(&path))
            .await
            .map(drop)
    }

    /// One page of the users who reacted with `emoji`, ids ascending, after `after`.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn reaction_users(
        &self,
        channel_id: u64,
        message_id: u64,
        emoji: &str,
        after: Option<u64>,
        limit: u8,
    ) -> Result<Vec<u64>, OutboundError> {
        let mut path = format!(
            "/channels/{channel_id}/messages/{message_id}/reactions/{}?limit={limit}",
            rest::encode_emoji(emoji)
        );
        if let Some(after) = after {
            path.push_str(&format!("&after={after}"));
        }
        let users = self
            .call(Call::on(channel_id), |rest| rest.get(&path))
            .await?;
        Ok(users.as_array().map_or_else(Vec::new, |users| {
            users.iter().filter_map(|u| snowflake(&u["id"])).collect()
        }))
    }

    /// Ends the native poll on a message now (Discord's expire endpoint).
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn expire_poll(&self, channel_id: u64, message_id: u64) -> Result<(), OutboundError> {
        let path = format!("/channels/{channel_id}/polls/{message_id}/expire");
        let body = serde_json::json!({});
        self.call(Call::on(channel_id), |rest| rest.post(&path, &body, &[]))
            .await
            .map(drop)
    }

    /// One page of the users who voted for answer `answer_id` of the native
    /// poll on a message, ids ascending, after `after`.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn poll_voters(
        &self,
        channel_id: u64,
        message_id: u64,
        answer_id: usize,
        after: Option<u64>,
        limit: u8,
    ) -> Result<Vec<u64>, OutboundError> {
        let mut path =
            format!("/channels/{channel_id}/polls/{message_id}/answers/{answer_id}?limit={limit}");
        if let Some(after) = after {
            path.push_str(&format!("&after={after}"));
        }
        let page = self
            .call(Call::on(channel_id), |rest| rest.get(&path))
            .await?;
        Ok(page["users"].as_array().map_or_else(Vec::new, |users| {
            users.iter().filter_map(|u| snowflake(&u["id"])).collect()
        }))
    }

    /// The servers the bot is in as (id, name) pairs (up to 200, Discord's page).
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn current_user_guild_names(&self) -> Result<Vec<(u64, String)>, OutboundError> {
        let path = "/users/@me/guilds?limit=200";
        let call = Call::route("GET /users/@me/guilds", Lane::Channel);
        let guilds = self.call(call, |rest| rest.get(path)).await?;
        let listed = guilds.as_array().map_or_else(Vec::new, |guilds| {
            guilds
                .iter()
                .filter_map(|g| {
                    let name = g["name"].as_str().unwrap_or_default().to_owned();
                    Some((snowflake(&g["id"])?, name))
                })
                .collect()
        });
        Ok(listed)
    }

    /// The channels of server `guild_id`, with their names and types.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn guild_channels(&self, guild_id: u64) -> Result<Vec<ListedChannel>, OutboundError> {
        let path = format!("/guilds/{guild_id}/channels");
        let call = Call::route(format!("GET {path}"), Lane::Channel);
        let channels = self.call(call, |rest| rest.get(&path)).await?;
        let listed = channels.as_array().map_or_else(Vec::new, |channels| {
            channels
                .iter()
                .filter_map(|c| ListedChannel::from_json(c, Some(guild_id)))
                .collect()
        });
        Ok(listed)
    }

    /// A read of Discord's own state (`GET path`) as JSON, paced like every
    /// other call: for checks such as the preflight.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn get_json(&self, path: &str) -> Result<Value, OutboundError> {
        let call = Call::route(format!("GET {path}"), Lane::Channel);
        self.call(call, |rest| rest.get(path)).await
    }

    /// Opens (or finds) the DM channel with `user_id`.
    ///
    /// # Errors
    /// [`OutboundError`] when Discord refuses it or keeps failing.
    pub async fn open_dm(&self, user_id: u64) -> Result<u64, OutboundError> {
        let body = serde_json::json!({ "recipient_id": user_id.to_string() });
        let call = Call::route("POST /users/@me/channels", Lane::Opening);
        let channel = self
            .call(call, |rest| rest.post("/users/@me/channels", &body, &[]))
            .await?;
        snowflake(&channel["id"]).ok_or_else(|| OutboundError::GaveUp {
            route: "/users/@me/channels".into(),
            attempts: 1,
            last: "no channel id in the answer".into(),
        })
    }

    /// Runs one call under the pacing rules, retrying 429s (after
    /// `retry-after`) and 5xx/transport failures (with backoff) within budget.
    async fn call<'a, F, Fut>(&'a self, call: Call, attempt: F) -> Result<Value, OutboundError>
    where
        F: Fn(&'a Rest) -> Fut,
        Fut: std::future::Future<Output = RestResponse>,
    {
        let _in_order = self.limiter.turn(&call.scope).await;
        let (mut failures, mut rate_limited) = (0, 0);
        loop {
            let slot = self
                .limiter
                .before_send(&call.scope, call.message, call.lane);
            let permit = slot.await;
            let response = attempt(&self.rest).await;
            drop(permit);
            count(&response);
            match self.limiter.after_response(&call.scope, &response) {
                Wait::Done => return response.into_result(),
                Wait::RetryAfter(delay) => {
                    rate_limited += 1;
                    if rate_limited > self.pacing.max_rate_limited {
                        return Err(OutboundError::GaveUp {
                            route: response.route.clone(),
                            attempts: rate_limited,
                            last: response.describe(),
                        });
                    }
                    // The limiter now holds this channel (or everything) until the delay passes.
                    tracing::warn!(route = %response.route, ?delay, "rate limited; waiting and retrying");
                }
                Wait::Failed => {
                    failures += 1;
                    if failures > self.pacing.max_retries || !call.retry_failures {
                        return Err(OutboundError::GaveUp {
                            route: response.route.clone(),
                            attempts: failures,
                            last: response.describe(),
                        });
                    }
                    let backoff = self.pacing.retry_backoff * 2u32.saturating_pow(failures - 1);
                    tracing::warn!(route = %response.route, failures, ?backoff, error = %response.describe(), "retrying");
                    tokio::time::sleep(backoff.min(Duration::from_secs(30))).await;
                }
            }
        }
    }
}

/// Adds `"allowed_mentions": {"parse": []}` unless the caller chose mentions.
/// The route of a message's `emoji` reactions.
fn reactions_path(channel_id: u64, message_id: u64, emoji: &str) -> String {
    format!(
        "/channels/{channel_id}/messages/{message_id}/reactions/{}",
        rest::encode_emoji(emoji)
    )
}

fn with_safe_mentions(body: &mut Value) {
    if let Some(object) = body.as_object_mut() {
        object
            .entry("allowed_mentions")
            .or_insert_with(|| serde_json::json!({ "parse": [] }));
    }
}

/// A snowflake given as a string or a number.
fn snowflake(value: &Value) -> Option<u64> {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| value.as_u64())
}

/// Counts a REST exchange by route shape and status (429s also on their own).
fn count(response: &rest::RestResponse) {
    use crate::telemetry::names;
    let status = match &response.outcome {
        rest::Outcome::Answered { status, .. } => status.to_string(),
        rest::Outcome::Transport(_) => "transport_error".to_owned(),
    };
    if status == "429" {
        metrics::counter!(names::RATE_LIMITED).increment(1);
    }
    metrics::counter!(names::REST_REQUESTS, "route" => route_shape(&response.route), "status" => status).increment(1);
}

/// `POST /channels/123/messages/456/reactions/%F0%9F%A6%80/@me` ->
/// `POST /channels/:id/messages/:id/reactions/:emoji/@me`: few distinct label values.
fn route_shape(route: &str) -> String {
    let mut after_reactions = false;
    route
        .split('/')
        .map(|segment| {
            let shape = if after_reactions {
                ":emoji"
            } else if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                ":id"
            } else {
                segment
            };
            after_reactions = segment == "reactions";
            shape.to_owned()
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn route_shapes_hide_ids_and_emoji() {
        assert_eq!(
            super::route_shape("PUT /channels/123/messages/456/reactions/%F0%9F%A6%80/@me"),
            "PUT /channels/:id/messages/:id/reactions/:emoji/@me"
        );
        assert_eq!(
            super::route_shape("POST /users/@me/channels"),
            "POST /users/@me/channels"
        );
    }
}

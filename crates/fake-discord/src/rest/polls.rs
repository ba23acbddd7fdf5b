//! Native polls: a message created with a `poll` object, checked against
//! Discord's limits (a question of at most 300 characters, 1 to 10 answers
//! of at most 55, a `duration` of 1 to 768 hours), ended early by
//! `POST /channels/{c}/polls/{m}/expire`, and its voters read page by page
//! from `GET /channels/{c}/polls/{m}/answers/{a}?after=&limit=` (at most
//! 100 a page, ids ascending). The fake keeps its own record of the votes
//! the test casts (see `polls_votes`), so the answer-voters pages and the
//! gateway events agree. Polls never end on their own here: a test has no
//! hours to wait, and emcee ends its polls itself.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::routes::id;
use super::Reply;
use crate::error::ApiError;
use crate::payloads;
use crate::record::RecordedRequest;
use crate::{lock, FakeDiscord, Inner};

/// Discord's limits on a poll.
const QUESTION_CHARS: usize = 300;
const ANSWERS: usize = 10;
const ANSWER_CHARS: usize = 55;
const MAX_HOURS: u64 = 768;
/// Hours a poll lasts when the body gives none.
const DEFAULT_HOURS: u64 = 24;
/// Default and maximum page sizes of the answer-voters endpoint.
const VOTERS_PAGE: (usize, usize) = (25, 100);

/// A native poll as the fake keeps it, beside its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakePoll {
    pub message_id: u64,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub question: String,
    /// The answers in order; answer ids are 1, 2, … as Discord numbers them.
    pub answers: Vec<FakeAnswer>,
    pub duration_hours: u64,
    pub allow_multiselect: bool,
    /// Ended by the expire endpoint: no more votes.
    pub finalized: bool,
    /// Voters by answer id.
    pub votes: BTreeMap<u64, BTreeSet<u64>>,
}

/// One answer of a [`FakePoll`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeAnswer {
    pub id: u64,
    pub text: String,
    /// The answer's emoji as sent (`{"name": "🦀"}` or `{"id": "…"}`).
    pub emoji: Option<Value>,
}

impl FakePoll {
    /// How many voted for each answer, in answer order.
    #[must_use]
    pub fn counts(&self) -> Vec<usize> {
        self.answers
            .iter()
            .map(|a| self.votes.get(&a.id).map_or(0, BTreeSet::len))
            .collect()
    }

    /// The answers `user` voted for.
    #[must_use]
    pub fn votes_of(&self, user: u64) -> Vec<u64> {
        let voted = self.votes.iter().filter(|(_, users)| users.contains(&user));
        voted.map(|(answer, _)| *answer).collect()
    }

    fn json(&self) -> Value {
        let answers: Vec<Value> = self
            .answers
            .iter()
            .map(|a| {
                let mut media = json!({ "text": a.text });
                if let Some(emoji) = &a.emoji {
                    media["emoji"] = emoji.clone();
                }
                json!({ "answer_id": a.id, "poll_media": media })
            })
            .collect();
        let counts: Vec<Value> = self
            .answers
            .iter()
            .zip(self.counts())
            .map(|(a, count)| json!({ "id": a.id, "count": count, "me_voted": false }))
            .collect();
        json!({
            "question": { "text": self.question },
            "answers": answers,
            "expiry": null,
            "allow_multiselect": self.allow_multiselect,
            "layout_type": 1,
            "results": { "is_finalized": self.finalized, "answer_counts": counts },
        })
    }
}

/// Reads and checks the `poll` of a create-message body; `Ok(None)` when
/// there is none. Refused like Discord: 400 with code 50035 naming the field.
pub(crate) fn parse(body: &Value) -> Result<Option<FakePoll>, ApiError> {
    let Some(poll) = body.get("poll").filter(|p| !p.is_null()) else {
        return Ok(None);
    };
    let question = poll["question"]["text"].as_str().unwrap_or_default();
    if question.is_empty() || question.chars().count() > QUESTION_CHARS {
        return Err(ApiError::bad_body("poll.question.text"));
    }
    let listed = poll["answers"].as_array().cloned().unwrap_or_default();
    if listed.is_empty() || listed.len() > ANSWERS {
        return Err(ApiError::bad_body("poll.answers"));
    }
    let mut answers = Vec::new();
    for (n, answer) in (1u64..).zip(&listed) {
        let media = &answer["poll_media"];
        let text = media["text"].as_str().unwrap_or_default();
        if text.is_empty() || text.chars().count() > ANSWER_CHARS {
            return Err(ApiError::bad_body(&format!(
                "poll.answers[{}].poll_media.text",
                n - 1
            )));
        }
        answers.push(FakeAnswer {
            id: n,
            text: text.to_owned(),
            emoji: media.get("emoji").filter(|e| !e.is_null()).cloned(),
        });
    }
    let duration_hours = match poll.get("duration").filter(|d| !d.is_null()) {
        None => DEFAULT_HOURS,
        Some(hours) => hours
            .as_u64()
            .filter(|h| (1..=MAX_HOURS).contains(h))
            .ok_or_else(|| ApiError::bad_body("poll.duration"))?,
    };
    let allow_multiselect = poll["allow_multiselect"].as_bool().unwrap_or(false);
    Ok(Some(FakePoll {
        message_id: 0,
        channel_id: 0,
        guild_id: None,
        question: question.to_owned(),
        answers,
        duration_hours,
        allow_multiselect,
        finalized: false,
        votes: BTreeMap::new(),
    }))
}

/// Routes `/channels/{channel}/polls/{message}/...`.
pub(crate) fn route(
    inner: &Inner,
    req: &RecordedRequest,
    channel: u64,
    message: u64,
    rest: &[&str],
) -> Result<Reply, ApiError> {
    match (req.method.as_str(), rest) {
        ("POST", ["expire"]) => expire(inner, channel, message),
        ("GET", ["answers", answer]) => voters(inner, req, channel, message, id(answer)?),
        _ => Err(ApiError::not_found()),
    }
}

/// Ends a poll the bot posted; answers with its message, the poll finalized.
fn expire(inner: &Inner, channel: u64, message: u64) -> Result<Reply, ApiError> {
    let mut world = lock(&inner.world);
    let stored = world.message(channel, message)?.clone();
    if stored.author.id != inner.ids.bot_user_id {
        return Err(ApiError::new(
            403,
            50005,
            "Cannot execute action on a message authored by another user",
        ));
    }
    let Some(poll) = world.polls.get_mut(&message) else {
        return Err(ApiError::new(
            400,
            520006,
            "Cannot expire a non-poll message",
        ));
    };
    if poll.finalized {
        return Err(ApiError::new(400, 520001, "Poll expired"));
    }
    poll.finalized = true;
    let mut body = payloads::message(&stored, inner.ids.bot_user_id);
    body["poll"] = poll.json();
    drop(world);
    inner.changes.bump();
    Ok(Reply::Json(body))
}

/// One page of an answer's voters: ids above `after`, ascending.
fn voters(
    inner: &Inner,
    req: &RecordedRequest,
    channel: u64,
    message: u64,
    answer: u64,
) -> Result<Reply, ApiError> {
    let (limit, after) = super::channels::page(req, VOTERS_PAGE)?;
    let world = lock(&inner.world);
    world.message(channel, message)?;
    let Some(poll) = world.polls.get(&message) else {
        return Err(ApiError::unknown_message());
    };
    if !poll.answers.iter().any(|a| a.id == answer) {
        return Err(ApiError::bad_body("answer_id"));
    }
    let page: Vec<Value> = poll
        .votes
        .get(&answer)
        .into_iter()
        .flat_map(|users| users.range(after.saturating_add(1)..))
        .take(limit)
        .map(|user| payloads::user(&world.author(*user)))
        .collect();
    Ok(Reply::Json(json!({ "users": page })))
}

impl FakeDiscord {
    /// The native poll on message `message_id`, with the votes cast so far.
    #[must_use]
    pub fn poll(&self, message_id: u64) -> Option<FakePoll> {
        lock(&self.inner.world).polls.get(&message_id).cloned()
    }
}

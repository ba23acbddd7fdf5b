//! Slack's own rate limits, enforced when [`crate::Config::enforce_rate_limits`]
//! is on: each method's tier per workspace (tier 1 about 1 call a minute, tier
//! 2 20, tier 3 50, tier 4 100), and `chat.postMessage` about one message a
//! second per channel with short bursts (here: 5 within any 5 seconds). A call
//! over its limit gets HTTP 429 with `Retry-After` until its window frees a
//! slot; refused calls do not count. Off by default: 429s then come only from
//! [`crate::Fault::RateLimited`].

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

const MINUTE: Duration = Duration::from_secs(60);
/// `chat.postMessage` per channel: this many within [`POST_WINDOW`].
const POST_BURST: usize = 5;
const POST_WINDOW: Duration = Duration::from_secs(5);

/// Calls per minute of a method's tier, by Slack's published tiers.
fn per_minute(method: &str) -> Option<usize> {
    Some(match method {
        "apps.connections.open" => 1,
        "conversations.list"
        | "usergroups.users.list"
        | "reactions.remove"
        | "pins.add"
        | "pins.remove"
        | "pins.list" => 20,
        "chat.update"
        | "chat.delete"
        | "chat.scheduleMessage"
        | "chat.deleteScheduledMessage"
        | "chat.scheduledMessages.list"
        | "conversations.history"
        | "conversations.info"
        | "conversations.join"
        | "conversations.open"
        | "conversations.replies"
        | "reactions.add"
        | "reactions.get"
        | "team.info" => 50,
        "chat.postEphemeral"
        | "conversations.members"
        | "users.info"
        | "files.getUploadURLExternal"
        | "files.completeUploadExternal"
        | "files.info"
        | "views.open"
        | "views.push"
        | "views.update"
        | "chat.getPermalink" => 100,
        _ => return None,
    })
}

/// The calls admitted in each window still open.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    windows: HashMap<String, VecDeque<Instant>>,
}

impl Limits {
    /// Admits a call of `method` (to `channel`, for `chat.postMessage`), or
    /// says how long until it would be admitted.
    pub(crate) fn admit(&mut self, method: &str, channel: Option<&str>) -> Result<(), Duration> {
        let (key, max, window) = match (method, channel) {
            ("chat.postMessage", Some(channel)) => {
                (format!("{method}:{channel}"), POST_BURST, POST_WINDOW)
            }
            _ => match per_minute(method) {
                Some(max) => (method.to_owned(), max, MINUTE),
                None => return Ok(()),
            },
        };
        let now = Instant::now();
        let admitted = self.windows.entry(key).or_default();
        while admitted
            .front()
            .is_some_and(|&at| now.duration_since(at) >= window)
        {
            admitted.pop_front();
        }
        match admitted.front() {
            Some(&oldest) if admitted.len() >= max => Err(window - now.duration_since(oldest)),
            _ => {
                admitted.push_back(now);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_held_per_channel_and_tiers_per_method() {
        let mut limits = Limits::default();
        for _ in 0..POST_BURST {
            assert_eq!(limits.admit("chat.postMessage", Some("C1")), Ok(()));
        }
        let wait = limits.admit("chat.postMessage", Some("C1")).unwrap_err();
        assert!(
            wait > Duration::from_secs(4) && wait <= POST_WINDOW,
            "{wait:?}"
        );
        assert_eq!(
            limits.admit("chat.postMessage", Some("C2")),
            Ok(()),
            "another channel"
        );
        for _ in 0..20 {
            assert_eq!(limits.admit("conversations.list", None), Ok(()));
        }
        assert!(limits.admit("conversations.list", None).is_err());
        assert!((0..1000).all(|_| limits.admit("auth.test", None).is_ok()));
    }
}

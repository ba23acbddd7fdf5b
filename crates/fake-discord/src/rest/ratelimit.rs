//! Rate-limit headers as Discord sends them, per bucket, plus the 429 and 5xx
//! answers of injected faults. serenity reads only headers: `x-ratelimit-*` on
//! success, `retry-after` (and `x-ratelimit-global`) on a 429.
//!
//! The fake counts requests per bucket in fixed windows and reports honestly.
//! By default it never refuses on its own: 429s come only from
//! [`crate::Fault::RateLimited`] and [`crate::Fault::Chaos`]. With
//! [`crate::Config::global_per_second`] it also holds the bot to Discord's
//! global limit, as Discord does: every REST request counts (opening a DM
//! channel too), interaction callbacks and webhooks do not, and a request over
//! the limit in any one second gets a global 429 with its `retry-after`.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{header_value, rate_limited_body};
use crate::error::ApiError;
use crate::faults::Effect;

/// Request counts per bucket and major parameter.
#[derive(Debug)]
pub(crate) struct Buckets {
    limit: u32,
    window: Duration,
    windows: HashMap<String, (Instant, u32)>,
    /// The enforced global limit and the requests it admitted in the last second.
    global: Option<(u32, VecDeque<Instant>)>,
}

impl Buckets {
    pub(crate) fn new(limit: u32, window: Duration, global: Option<u32>) -> Self {
        Self {
            limit,
            window,
            windows: HashMap::new(),
            global: global.map(|per_second| (per_second, VecDeque::new())),
        }
    }

    /// Admits a request under the enforced global limit, or says how long until
    /// it would be admitted. Interaction callbacks and webhooks are not counted.
    pub(crate) fn admit(&mut self, path: &str) -> Result<(), Duration> {
        let Some((per_second, admitted)) = &mut self.global else {
            return Ok(());
        };
        if path.starts_with("/interactions/") || path.starts_with("/webhooks/") {
            return Ok(());
        }
        let (now, second) = (Instant::now(), Duration::from_secs(1));
        while admitted
            .front()
            .is_some_and(|&at| now.duration_since(at) >= second)
        {
            admitted.pop_front();
        }
        match admitted.front() {
            Some(&oldest) if admitted.len() >= *per_second as usize => {
                Err(second.saturating_sub(now.duration_since(oldest)))
            }
            _ => {
                admitted.push_back(now);
                Ok(())
            }
        }
    }

    /// Counts one request and returns the headers that describe its bucket.
    pub(crate) fn headers(&mut self, method: &str, path: &str) -> HeaderMap {
        let (bucket, key) = bucket_of(method, path);
        let now = Instant::now();
        let window = self.window;
        let entry = self.windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        let remaining = self.limit.saturating_sub(entry.1);
        let reset_after = window
            .saturating_sub(now.duration_since(entry.0))
            .as_secs_f64();
        let reset = crate::time::unix_millis() as f64 / 1000.0 + reset_after;
        let pairs = [
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("x-ratelimit-reset", format!("{reset:.3}")),
            ("x-ratelimit-reset-after", format!("{reset_after:.3}")),
            ("x-ratelimit-bucket", bucket),
        ];
        pairs
            .into_iter()
            .map(|(name, value)| (HeaderName::from_static(name), header_value(&value)))
            .collect()
    }
}

/// The bucket hash (shared by all major parameters of a route) and the counting key
/// (bucket plus major parameter), as Discord scopes limits.
fn bucket_of(method: &str, path: &str) -> (String, String) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut template = vec![method.to_owned()];
    let mut major = String::new();
    for (i, segment) in segments.iter().enumerate() {
        let is_major = match segments[0] {
            "channels" | "guilds" => i == 1,
            "webhooks" | "interactions" => i == 1 || i == 2,
            _ => false,
        };
        let after_reactions = i > 0 && segments[i - 1] == "reactions";
        if is_major {
            major.push_str(segment);
            major.push('/');
            template.push(":major".to_owned());
        } else if after_reactions {
            template.push(":emoji".to_owned());
        } else if segment.bytes().all(|b| b.is_ascii_digit()) {
            template.push(":id".to_owned());
        } else {
            template.push((*segment).to_owned());
        }
    }
    let template = template.join("/");
    let mut hasher = DefaultHasher::new();
    template.hash(&mut hasher);
    let bucket = format!("{:016x}", hasher.finish());
    let key = format!("{bucket}:{major}");
    (bucket, key)
}

/// The answer of a failure fault.
pub(crate) fn fault_response(effect: &Effect) -> Response {
    match effect {
        Effect::RateLimited {
            retry_after,
            global,
        } => {
            let secs = retry_after.as_secs_f64();
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", header_value(&format!("{secs:.3}")));
            headers.insert(
                "x-ratelimit-scope",
                header_value(if *global { "global" } else { "user" }),
            );
            if *global {
                headers.insert("x-ratelimit-global", header_value("true"));
            }
            let body = axum::Json(rate_limited_body(secs, *global));
            (StatusCode::TOO_MANY_REQUESTS, headers, body).into_response()
        }
        Effect::ServerError { status } => {
            let error = ApiError::new(*status, 0, format!("{status}: Server error"));
            super::error_response(&error)
        }
        Effect::Delay(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_share_hash_across_channels_but_count_separately() {
        let (a, key_a) = bucket_of("POST", "/channels/1/messages");
        let (b, key_b) = bucket_of("POST", "/channels/2/messages");
        assert_eq!(a, b);
        assert_ne!(key_a, key_b);
        let (c, _) = bucket_of("PUT", "/channels/1/messages/5/reactions/%F0%9F%91%8D/@me");
        let (d, _) = bucket_of("PUT", "/channels/1/messages/6/reactions/x:7/@me");
        assert_eq!(c, d);
    }

    #[test]
    fn remaining_counts_down_within_a_window() {
        let mut buckets = Buckets::new(5, Duration::from_secs(60), None);
        let first = buckets.headers("GET", "/users/@me");
        let second = buckets.headers("GET", "/users/@me");
        assert_eq!(first["x-ratelimit-remaining"], "4");
        assert_eq!(second["x-ratelimit-remaining"], "3");
    }

    #[test]
    fn the_enforced_global_limit_counts_dm_opens_but_not_interaction_callbacks() {
        let mut buckets = Buckets::new(50, Duration::from_secs(1), Some(2));
        assert_eq!(buckets.admit("/users/@me/channels"), Ok(()));
        assert_eq!(buckets.admit("/channels/1/messages"), Ok(()));
        assert_eq!(buckets.admit("/interactions/1/token/callback"), Ok(()));
        let wait = buckets.admit("/users/@me/channels").unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        let mut unlimited = Buckets::new(50, Duration::from_secs(1), None);
        assert!((0..100).all(|_| unlimited.admit("/users/@me/channels").is_ok()));
    }
}

//! When the next Web API call may go: Slack's limits, kept ahead of time.
//!
//! Two rules. Each method belongs to a tier (per workspace: tier 2 about 20
//! calls a minute, tier 3 about 50, tier 4 about 100), and calls of a tier
//! share one token bucket. `chat.postMessage` has its own rule instead:
//! about one message a second *per channel*, with short bursts. The bucket
//! of a channel is its own, so an 8-channel announcement block goes out at
//! once rather than over 8 s, which is what slack-morphism's rate control
//! (one bucket for the method across all channels) would do. Whatever
//! Slack answers with a 429's `Retry-After` pushes the bucket back too.

use std::time::Duration;
use tokio::time::Instant;

/// Slack's method tiers (per workspace, per method family).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// About 20 calls a minute (`conversations.list`, `files.*`).
    Two,
    /// About 50 calls a minute (`chat.update`, `reactions.*`, `conversations.open`).
    Three,
    /// About 100 calls a minute (`chat.postEphemeral`, `users.info`).
    Four,
    /// `chat.postMessage`: paced per channel instead of per workspace.
    Posting,
    /// An interaction's `response_url`: no Web API tier; not paced.
    Response,
}

/// The limits the sender keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacing {
    /// Messages one channel may take back to back before the per-channel
    /// rate applies.
    pub channel_burst: f64,
    /// The sustained gap between two messages in one channel.
    pub channel_gap: Duration,
    /// Calls a minute for tiers 2, 3 and 4.
    pub per_minute: [f64; 3],
    /// Calls of one tier that may go back to back.
    pub tier_burst: f64,
    /// Retries after 5xx answers or transport failures.
    pub max_retries: u32,
    /// The first retry's wait; it doubles each time.
    pub retry_backoff: Duration,
    /// 429s ridden out for one call before giving up.
    pub max_rate_limited: u32,
    /// One call's longest wait for an answer.
    pub timeout: Duration,
}

impl Default for Pacing {
    /// Slack's published limits, with a small margin.
    fn default() -> Self {
        Self {
            channel_burst: 3.0,
            channel_gap: Duration::from_millis(1100),
            per_minute: [20.0, 50.0, 100.0],
            tier_burst: 10.0,
            max_retries: 4,
            retry_backoff: Duration::from_millis(250),
            max_rate_limited: 20,
            timeout: Duration::from_secs(15),
        }
    }
}

impl Pacing {
    /// The bucket shape for `tier`: (burst, gap between calls).
    pub fn shape(&self, tier: Tier) -> (f64, Duration) {
        let per_minute = |rate: f64| Duration::from_secs_f64(60.0 / rate.max(0.001));
        match tier {
            Tier::Two => (self.tier_burst, per_minute(self.per_minute[0])),
            Tier::Three => (self.tier_burst, per_minute(self.per_minute[1])),
            Tier::Four => (self.tier_burst, per_minute(self.per_minute[2])),
            Tier::Posting | Tier::Response => (self.channel_burst, self.channel_gap),
        }
    }
}

/// A token bucket: `burst` calls at once, then one every `gap`.
#[derive(Debug)]
pub struct Bucket {
    burst: f64,
    gap: Duration,
    tokens: f64,
    at: Instant,
    /// Nothing goes before this instant (a 429's `Retry-After`).
    held_until: Option<Instant>,
}

impl Bucket {
    /// A full bucket.
    pub fn new((burst, gap): (f64, Duration)) -> Self {
        Self {
            burst: burst.max(1.0),
            gap,
            tokens: burst.max(1.0),
            at: Instant::now(),
            held_until: None,
        }
    }

    /// Takes one call's token; returns how long to wait before making it.
    pub fn take(&mut self, now: Instant) -> Duration {
        let held = self
            .held_until
            .filter(|until| *until > now)
            .map_or(Duration::ZERO, |until| until - now);
        let gap = self.gap.as_secs_f64().max(f64::EPSILON);
        let refill = now.saturating_duration_since(self.at).as_secs_f64() / gap;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        self.tokens -= 1.0;
        let short = if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens * gap)
        };
        short.max(held)
    }

    /// Holds every call until `until` (Slack said so).
    pub fn hold_until(&mut self, until: Instant) {
        self.held_until = Some(self.held_until.map_or(until, |held| held.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_channel_bursts_then_keeps_its_gap() {
        let pacing = Pacing::default();
        let mut bucket = Bucket::new(pacing.shape(Tier::Posting));
        let now = Instant::now();
        let waits: Vec<Duration> = (0..5).map(|_| bucket.take(now)).collect();
        assert_eq!(&waits[..3], [Duration::ZERO; 3]);
        assert_eq!(waits[3], Duration::from_millis(1100));
        assert_eq!(waits[4], Duration::from_millis(2200));
        let later = now + Duration::from_secs(60);
        assert_eq!(bucket.take(later), Duration::ZERO, "refilled");
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_holds_the_bucket() {
        let mut bucket = Bucket::new(Pacing::default().shape(Tier::Three));
        let now = Instant::now();
        bucket.hold_until(now + Duration::from_secs(7));
        bucket.hold_until(now + Duration::from_secs(2));
        assert_eq!(bucket.take(now), Duration::from_secs(7));
        assert_eq!(bucket.take(now + Duration::from_secs(8)), Duration::ZERO);
    }
}

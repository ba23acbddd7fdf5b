//! Envelopes already acted on, so a re-delivered one is not acted on twice.
//!
//! Slack re-delivers an envelope it thinks was not acked (with
//! `retry_attempt` + 1, which slack-morphism does not pass on), and with two
//! Socket Mode connections the same envelope can arrive on either. Every
//! envelope carries an id of its own that stays the same on re-delivery: an
//! event's `event_id`, a command's or click's `trigger_id`. The last
//! [`KEEP`] of them are remembered, far more than Slack re-delivers within
//! its retry window.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// How many ids are remembered; the oldest go first.
pub const KEEP: usize = 20_000;

/// Ids seen, oldest first. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    inner: Arc<Mutex<(HashSet<String>, VecDeque<String>)>>,
}

impl Seen {
    /// True the first time `id` is offered, false ever after (within [`KEEP`]).
    pub fn first_time(&self, id: &str) -> bool {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let (set, order) = &mut *guard;
        if !set.insert(id.to_owned()) {
            return false;
        }
        order.push_back(id.to_owned());
        if order.len() > KEEP {
            if let Some(oldest) = order.pop_front() {
                set.remove(&oldest);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_counts_once_and_the_oldest_are_forgotten() {
        let seen = Seen::default();
        assert!(seen.first_time("Ev1"));
        assert!(!seen.first_time("Ev1"));
        assert!(!seen.clone().first_time("Ev1"), "clones share the memory");
        for n in 0..KEEP {
            assert!(seen.first_time(&format!("x{n}")));
        }
        assert!(seen.first_time("Ev1"), "forgotten after KEEP newer ids");
    }
}

//! The latencies one contender's turns gathered, and how they are printed:
//! p50/p99/max per run, the pooled p99 ratio beside the median and range of
//! the per-turn ratios, and the targets.

use std::time::Duration;

/// Ack limit at 1,000 commands/s (issue 15).
const ACK_LIMIT: Duration = Duration::from_millis(100);
/// emcee's p99 over the floor's, at most, at 100 commands/s (issue 15).
const FLOOR_FACTOR: f64 = 3.0;

/// Latencies from an envelope's sending: to its ack and to its reply.
#[derive(Default, Clone)]
pub struct Turn {
    pub acks: Vec<Duration>,
    pub replies: Vec<Duration>,
    /// Replies by what was asked (the index into `ASKED`).
    pub by_kind: [Vec<Duration>; 4],
    /// Envelopes the fake sent again because no ack came in Slack's 3 s.
    pub redelivered: usize,
}

impl Turn {
    pub fn push(&mut self, kind: usize, ack: Duration, reply: Duration) {
        self.acks.push(ack);
        self.replies.push(reply);
        if let Some(replies) = self.by_kind.get_mut(kind) {
            replies.push(reply);
        }
    }

    pub fn extend(&mut self, other: Turn) {
        self.acks.extend(other.acks);
        self.replies.extend(other.replies);
        for (mine, theirs) in self.by_kind.iter_mut().zip(other.by_kind) {
            mine.extend(theirs);
        }
        self.redelivered += other.redelivered;
    }

    pub fn sort(&mut self) {
        self.acks.sort();
        self.replies.sort();
    }
}

/// `p`-th percentile of unsorted or sorted latencies.
pub fn percentile(latencies: &[Duration], p: usize) -> Duration {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    sorted
        .get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// emcee's p99 over the floor's.
pub fn p99_ratio(emcee: &[Duration], floor: &[Duration]) -> f64 {
    percentile(emcee, 99).as_secs_f64() / percentile(floor, 99).as_secs_f64().max(1e-9)
}

pub fn print_header() {
    println!(
        "{:<44} {:>7} {:>10} {:>10} {:>10}",
        "run", "count", "p50", "p99", "max"
    );
}

pub fn print_run(name: &str, latencies: &[Duration]) {
    let max = latencies.iter().max().copied().unwrap_or_default();
    println!(
        "{name:<44} {:>7} {:>10.2?} {:>10.2?} {:>10.2?}",
        latencies.len(),
        percentile(latencies, 50),
        percentile(latencies, 99),
        max
    );
}

/// The pooled ratio, then the median and range of the turns' ratios.
pub fn print_ratio(name: &str, emcee: &[Duration], floor: &[Duration], turns: &mut [f64]) {
    turns.sort_by(f64::total_cmp);
    println!(
        "{name:<44} {:>7.2}x  (median of {} turns {:.2}x, range {:.2}x-{:.2}x)",
        p99_ratio(emcee, floor),
        turns.len(),
        turns.get(turns.len() / 2).copied().unwrap_or_default(),
        turns.first().copied().unwrap_or_default(),
        turns.last().copied().unwrap_or_default(),
    );
}

/// The targets at `rate`, with what was slow or re-delivered.
pub fn print_targets(rate: u32, emcee: &Turn, floor: &Turn) {
    let late = emcee.acks.iter().filter(|a| **a >= ACK_LIMIT).count();
    let max = emcee.acks.iter().max().copied().unwrap_or_default();
    println!(
        "  emcee acks at or over {ACK_LIMIT:?}: {late} of {} (max {max:.2?}); re-delivered: emcee {}, floor {}",
        emcee.acks.len(),
        emcee.redelivered,
        floor.redelivered
    );
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    if rate == 100 {
        let ack = p99_ratio(&emcee.acks, &floor.acks);
        let reply = p99_ratio(&emcee.replies, &floor.replies);
        println!(
            "  target @ 100/s, p99 within {FLOOR_FACTOR}x the floor: ack {ack:.2}x, reply {reply:.2}x: {}",
            verdict(ack <= FLOOR_FACTOR && reply <= FLOOR_FACTOR)
        );
    } else if rate == 1_000 {
        println!(
            "  target @ 1000/s, every ack under {ACK_LIMIT:?}: {}",
            verdict(late == 0)
        );
    }
}

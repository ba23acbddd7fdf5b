//! How long votes take from "received" to "durably stored": a small
//! log-bucketed histogram (about 3% resolution) that never grows with traffic.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Sub-buckets per power of two: 32 gives about 3% resolution.
const SUB_BUCKETS: u32 = 32;
/// Powers of two covered, in microseconds (2^40 µs is about 12 days).
const OCTAVES: u32 = 40;

/// A latency histogram, shared by the recorder and whoever reports on it.
#[derive(Debug)]
pub struct Latencies {
    inner: Mutex<Buckets>,
}

#[derive(Debug, Clone)]
struct Buckets {
    counts: Vec<u64>,
    total: u64,
    max_micros: u64,
}

/// A summary of the latencies so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LatencySummary {
    /// Votes stored.
    pub count: u64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Default for Latencies {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Buckets {
                counts: vec![0; (SUB_BUCKETS * OCTAVES) as usize],
                total: 0,
                max_micros: 0,
            }),
        }
    }
}

impl Latencies {
    /// Records one latency.
    pub fn record(&self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let mut buckets = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let index = bucket_of(micros).min(buckets.counts.len() - 1);
        buckets.counts[index] += 1;
        buckets.total += 1;
        buckets.max_micros = buckets.max_micros.max(micros);
    }

    /// Count, median, 99th percentile and maximum.
    pub fn summary(&self) -> LatencySummary {
        let buckets = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let quantile = |q: f64| {
            let rank = ((buckets.total as f64) * q).ceil().max(1.0) as u64;
            let mut seen = 0;
            for (index, count) in buckets.counts.iter().enumerate() {
                seen += count;
                if seen >= rank {
                    return Duration::from_micros(upper_bound(index).min(buckets.max_micros));
                }
            }
            Duration::from_micros(buckets.max_micros)
        };
        LatencySummary {
            count: buckets.total,
            p50: quantile(0.50),
            p99: quantile(0.99),
            max: Duration::from_micros(buckets.max_micros),
        }
    }
}

/// Values below `SUB_BUCKETS` µs get a bucket each; above, each power of two is
/// split into `SUB_BUCKETS` equal parts.
fn bucket_of(micros: u64) -> usize {
    if micros < u64::from(SUB_BUCKETS) {
        return micros as usize;
    }
    let octave = 63 - micros.leading_zeros(); // >= 5
    let shift = octave - SUB_BUCKETS.trailing_zeros();
    let sub = (micros >> shift) - u64::from(SUB_BUCKETS);
    ((octave - SUB_BUCKETS.trailing_zeros() + 1) * SUB_BUCKETS) as usize + sub as usize
}

/// The largest value that falls in bucket `index`.
fn upper_bound(index: usize) -> u64 {
    let index = index as u64;
    let sub_buckets = u64::from(SUB_BUCKETS);
    if index < sub_buckets {
        return index;
    }
    let shift = index / sub_buckets - 1;
    let sub = index % sub_buckets;
    ((sub_buckets + sub + 1) << shift) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_bound_their_values() {
        for micros in [0, 1, 31, 32, 33, 100, 1_000, 1_999, 123_456, 10_000_000] {
            let index = bucket_of(micros);
            assert!(upper_bound(index) >= micros, "{micros}");
            assert!(
                upper_bound(index) as f64 <= micros as f64 * 1.04 + 1.0,
                "{micros}"
            );
        }
    }

    #[test]
    fn percentiles_of_a_known_spread() {
        let latencies = Latencies::default();
        for micros in 1..=1000 {
            latencies.record(Duration::from_micros(micros));
        }
        let summary = latencies.summary();
        assert_eq!(summary.count, 1000);
        let p99 = summary.p99.as_micros() as f64;
        assert!((990.0..=1000.0).contains(&p99), "{p99}");
        assert_eq!(summary.max, Duration::from_micros(1000));
    }
}

//! The fake's clock. It stands still unless the test moves it
//! ([`crate::FakeSlack::advance`]), so scheduled messages post exactly when the
//! test says and no test sleeps. Message timestamps (`ts`) come from it: the
//! clock's second, with microseconds that only ever increase, so every `ts` is
//! unique and later messages sort after earlier ones, as on Slack.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MICROS: u64 = 1_000_000;

/// Frozen time plus the last `ts` handed out.
#[derive(Debug)]
pub(crate) struct Clock {
    now_micros: u64,
    last_ts: u64,
}

impl Clock {
    pub(crate) fn new(start_secs: Option<u64>) -> Self {
        let secs = start_secs.unwrap_or_else(wall_secs);
        Self {
            now_micros: secs.saturating_mul(MICROS),
            last_ts: 0,
        }
    }

    /// Unix seconds.
    pub(crate) fn now(&self) -> u64 {
        self.now_micros / MICROS
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        let micros = u64::try_from(by.as_micros()).unwrap_or(u64::MAX);
        self.now_micros = self.now_micros.saturating_add(micros);
    }

    /// Moves the clock to `secs` (unix); timestamps keep increasing even if
    /// this goes back.
    pub(crate) fn set(&mut self, secs: u64) {
        self.now_micros = secs.saturating_mul(MICROS);
    }

    /// A fresh `ts` at the current time.
    pub(crate) fn next_ts(&mut self) -> String {
        self.ts_at(self.now_micros)
    }

    /// A fresh `ts` at `secs` (for a scheduled message, its `post_at`), or just
    /// after the last one if that is later.
    pub(crate) fn ts_at_secs(&mut self, secs: u64) -> String {
        self.ts_at(secs.saturating_mul(MICROS))
    }

    fn ts_at(&mut self, micros: u64) -> String {
        let ts = micros.max(self.last_ts + 1);
        self.last_ts = ts;
        format!("{}.{:06}", ts / MICROS, ts % MICROS)
    }
}

/// Whole unix seconds of a `ts` such as `"1765432100.000100"`.
pub(crate) fn ts_secs(ts: &str) -> Option<u64> {
    ts.split('.').next()?.parse().ok()
}

/// A `ts` as microseconds, for comparing `oldest`/`latest` bounds; accepts
/// `"1765432100"` and `"1765432100.5"` as Slack does.
pub(crate) fn ts_micros(ts: &str) -> Option<u64> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, ""));
    let secs: u64 = secs.parse().ok()?;
    if frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac: u64 = format!("{frac:0<6}").parse().ok()?;
    Some(secs.saturating_mul(MICROS).saturating_add(frac))
}

fn wall_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_unique_increasing_and_follow_the_clock() {
        let mut clock = Clock::new(Some(1_765_432_100));
        assert_eq!(clock.next_ts(), "1765432100.000000");
        assert_eq!(clock.next_ts(), "1765432100.000001");
        clock.advance(Duration::from_secs(60));
        assert_eq!(clock.next_ts(), "1765432160.000000");
        clock.set(1_765_432_000);
        assert_eq!(clock.next_ts(), "1765432160.000001");
        assert_eq!(ts_micros("1765432160.5"), Some(1_765_432_160_500_000));
        assert_eq!(ts_micros("x"), None);
        assert_eq!(ts_secs("1765432160.000001"), Some(1_765_432_160));
    }
}

//! What emcee's fake platforms share: waiting for the bot without sleeping.
//! Every change to a fake's state bumps a version, and waiters re-check their
//! condition on each bump until a deadline. The fake Discord and the fake
//! Slack both wait this way, so it is written once here.

use std::time::Duration;

use tokio::sync::watch;

use std::fmt;

/// Broadcasts "something changed" to everyone waiting on the fake.
#[derive(Debug)]
pub struct Changes {
    version: watch::Sender<u64>,
}

impl Changes {
    pub fn new() -> Self {
        Self {
            version: watch::Sender::new(0),
        }
    }

    /// Wakes every waiter so it re-checks its condition.
    pub fn bump(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    /// Polls `check` now and after every change until it yields a value or `timeout`
    /// passes.
    pub async fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut() -> Option<T>,
    ) -> Result<T, Timeout> {
        // Subscribe before the first check so a change between check and wait is
        // not missed.
        let mut rx = self.version.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(found) = check() {
                return Ok(found);
            }
            let woke = tokio::time::timeout_at(deadline, rx.changed()).await;
            if woke.is_err() {
                return Err(Timeout {
                    what: what.to_owned(),
                    waited: timeout,
                });
            }
        }
    }
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

/// A wait on the fake ran out of time; says what was awaited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeout {
    /// What the caller was waiting for.
    pub what: String,
    /// How long it waited.
    pub waited: Duration,
}

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timed out after {:?} waiting for {}",
            self.waited, self.what
        )
    }
}

impl std::error::Error for Timeout {}

//! Waiting for the bot without sleeping: every change to the fake's state bumps a
//! version, and waiters re-check their condition on each bump until a deadline.

use std::time::Duration;

use tokio::sync::watch;

use crate::error::Timeout;

/// Broadcasts "something changed" to everyone waiting on the fake.
#[derive(Debug)]
pub(crate) struct Changes {
    version: watch::Sender<u64>,
}

impl Changes {
    pub(crate) fn new() -> Self {
        Self {
            version: watch::Sender::new(0),
        }
    }

    /// Wakes every waiter so it re-checks its condition.
    pub(crate) fn bump(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    /// Polls `check` now and after every change until it yields a value or `timeout`
    /// passes.
    pub(crate) async fn wait_until<T>(
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

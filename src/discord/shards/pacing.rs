//! IDENTIFY pacing across processes: a short lease per IDENTIFY bucket, in
//! the database every process shares.
//!
//! Discord lets a bot start one session per 5 s in each bucket
//! `shard_id % max_concurrency`. serenity 0.12.5 paces only its own process:
//! its shard queuer boots one shard at a time, 5 s apart
//! (`WAIT_BETWEEN_BOOTS_IN_SECONDS`), whatever `max_concurrency` says, so two
//! processes started together IDENTIFY at once. Before it starts its shards a
//! process therefore takes the lease `discord-identify/<bucket>` of every
//! bucket its shards fall in, in ascending bucket order (so two processes
//! waiting for each other's buckets cannot deadlock), renews them while its
//! shards connect, and renews them once more when the last one is connected,
//! so the next process's first IDENTIFY in those buckets comes at least 5 s
//! after this one's last. A process that dies holding them delays the others
//! by one lease at most.
//!
//! The leases are the scheduler's (`leases` table, both backends, the
//! contract suite's lease tests), kept in whole seconds: a lease of 6 s lasts
//! at least 5. They run on the wall clock, never a rehearsal's, since
//! Discord's limit is real time. Pacing is a courtesy Discord enforces by
//! invalidating the session, which serenity retries, so a database that
//! cannot be reached does not keep the bot offline: it is logged and the
//! shards start anyway.

use chrono::TimeDelta;
use emcee_core::clock::Clock;
use emcee_core::config::ShardRange;
use emcee_core::scheduler::LeaseStorage;
use emcee_core::store::StoreError;
use poise::serenity_prelude as serenity;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How long Discord wants between two IDENTIFYs in one bucket.
pub const IDENTIFY_INTERVAL: Duration = Duration::from_secs(5);

/// A bucket lease: the interval and one second, since leases are whole seconds.
const LEASE: TimeDelta = TimeDelta::seconds(6);

/// How often a waiting process looks again, and a holder renews.
const POLL: Duration = Duration::from_millis(250);

/// The runners serenity's shard manager keeps, by shard.
pub type Runners = Arc<tokio::sync::Mutex<HashMap<serenity::ShardId, serenity::ShardRunnerInfo>>>;

/// The bucket leases one process's shards need.
#[derive(Clone)]
pub struct IdentifyGate {
    leases: Arc<dyn LeaseStorage>,
    holder: String,
    clock: Arc<dyn Clock>,
    range: ShardRange,
    buckets: Vec<u32>,
}

impl IdentifyGate {
    /// The gate of `range` under the gateway's `max_concurrency`, for the
    /// process named `holder`.
    pub fn new(
        leases: Arc<dyn LeaseStorage>,
        holder: String,
        clock: Arc<dyn Clock>,
        range: ShardRange,
        max_concurrency: u32,
    ) -> Self {
        let mut buckets: Vec<u32> = range.ids().map(|s| s % max_concurrency.max(1)).collect();
        buckets.sort_unstable();
        buckets.dedup();
        Self {
            leases,
            holder,
            clock,
            range,
            buckets,
        }
    }

    /// The buckets this process's shards fall in, ascending.
    pub fn buckets(&self) -> &[u32] {
        &self.buckets
    }

    /// Renews the first `held` bucket leases and takes the next ones while
    /// they are free; returns how many (in order) this process now holds.
    /// One lost meanwhile (the database stalled past a lease) is taken again
    /// from there.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be written.
    pub async fn advance(&self, held: usize) -> Result<usize, StoreError> {
        let now = self.clock.now();
        for (i, bucket) in self.buckets.iter().enumerate() {
            let name = lease_name(*bucket);
            let taken = self
                .leases
                .acquire_lease(name, self.holder.clone(), now, LEASE)
                .await?;
            if !taken {
                if i < held {
                    tracing::warn!(bucket, "lost an IDENTIFY lease; waiting for it again");
                }
                return Ok(i);
            }
        }
        Ok(self.buckets.len())
    }

    /// Waits until this process holds every lease its shards need.
    pub async fn wait_turn(&self) {
        let mut held = 0;
        let mut waited = false;
        loop {
            match self.advance(held).await {
                Ok(now_held) => held = now_held,
                Err(error) => {
                    tracing::warn!(%error, "cannot pace IDENTIFY through the database; starting the shards anyway");
                    return;
                }
            }
            if held == self.buckets.len() {
                return;
            }
            if !waited {
                tracing::info!(
                    shards = %self.range,
                    "another process is starting shards in the same IDENTIFY bucket; waiting for it"
                );
                waited = true;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Keeps the leases while this process's shards connect, then renews
    /// them once more after the last is connected (so they last past its
    /// IDENTIFY by the interval) and stops. Gives up renewing when the
    /// shards take far longer than serenity's boots would.
    pub async fn hold_until_connected(&self, runners: Runners) {
        let boots = u32::try_from(self.range.ids().count()).unwrap_or(u32::MAX);
        let deadline = tokio::time::Instant::now() + IDENTIFY_INTERVAL * boots.saturating_add(12);
        loop {
            let renewed = self.advance(self.buckets.len()).await;
            if let Err(error) = &renewed {
                tracing::warn!(%error, "cannot renew the IDENTIFY leases");
            }
            if self.all_connected(&runners).await {
                tracing::debug!(shards = %self.range, "every shard is connected");
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(shards = %self.range, "shards still not connected; no longer holding the IDENTIFY leases");
                return;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn all_connected(&self, runners: &Runners) -> bool {
        let runners = runners.lock().await;
        self.range.ids().all(|id| {
            runners
                .get(&serenity::ShardId(id))
                .is_some_and(|r| r.stage == serenity::ConnectionStage::Connected)
        })
    }
}

/// The lease that paces IDENTIFYs in `bucket`.
pub fn lease_name(bucket: u32) -> String {
    format!("discord-identify/{bucket}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use emcee_core::clock::ManualClock;
    use emcee_core::store::Store;

    fn gate(
        store: &Store,
        clock: &Arc<ManualClock>,
        who: &str,
        range: &str,
        mc: u32,
    ) -> IdentifyGate {
        IdentifyGate::new(
            Arc::new(store.clone()),
            who.to_owned(),
            Arc::clone(clock) as Arc<dyn Clock>,
            range.parse().unwrap(),
            mc,
        )
    }

    fn clock() -> Arc<ManualClock> {
        Arc::new(ManualClock::new(
            chrono::DateTime::from_timestamp(1_633_618_800, 0).unwrap(),
        ))
    }

    #[tokio::test]
    async fn processes_in_one_bucket_take_turns_at_least_five_seconds_apart() {
        let (store, clock) = (Store::in_memory().unwrap(), clock());
        let a = gate(&store, &clock, "a", "0-1/4", 1);
        let b = gate(&store, &clock, "b", "2-3/4", 1);
        assert_eq!((a.buckets(), b.buckets()), (&[0][..], &[0][..]));
        assert_eq!(a.advance(0).await.unwrap(), 1);
        assert_eq!(b.advance(0).await.unwrap(), 0, "a holds bucket 0");
        clock.advance(TimeDelta::seconds(4));
        assert_eq!(
            a.advance(1).await.unwrap(),
            1,
            "a renews as its last shard connects"
        );
        clock.advance(TimeDelta::seconds(5));
        assert_eq!(
            b.advance(0).await.unwrap(),
            0,
            "5 s after a's renewal, not yet past its lease"
        );
        clock.advance(TimeDelta::seconds(1));
        assert_eq!(b.advance(0).await.unwrap(), 1, "a's lease ran out");
    }

    #[tokio::test]
    async fn processes_in_different_buckets_start_together() {
        let (store, clock) = (Store::in_memory().unwrap(), clock());
        let a = gate(&store, &clock, "a", "0-0/4", 2);
        let b = gate(&store, &clock, "b", "1-1/4", 2);
        assert_eq!((a.buckets(), b.buckets()), (&[0][..], &[1][..]));
        assert_eq!(a.advance(0).await.unwrap(), 1);
        assert_eq!(b.advance(0).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn buckets_are_taken_in_order_so_waiters_cannot_hold_each_other_up() {
        let (store, clock) = (Store::in_memory().unwrap(), clock());
        let a = gate(&store, &clock, "a", "0-3/8", 2);
        let b = gate(&store, &clock, "b", "5-5/8", 2);
        let c = gate(&store, &clock, "c", "4-7/8", 2);
        assert_eq!(a.buckets(), &[0, 1]);
        assert_eq!(b.advance(0).await.unwrap(), 1, "b holds bucket 1");
        assert_eq!(a.advance(0).await.unwrap(), 1, "a holds 0 and waits for 1");
        assert_eq!(
            c.advance(0).await.unwrap(),
            0,
            "c waits for 0 holding nothing"
        );
        store
            .release_lease(lease_name(1), "b".to_owned())
            .await
            .unwrap();
        assert_eq!(a.advance(1).await.unwrap(), 2);
    }
}

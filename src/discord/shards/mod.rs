//! Running a range of Discord's shards in this process (`emcee run --shards
//! FIRST-LAST/TOTAL`, `[discord] shards`), beside other processes running
//! the rest on the same database.
//!
//! Discord sends a server's events only to the session of its shard,
//! `(guild_id >> 22) % TOTAL`, and DMs to shard 0's; so each process answers
//! the commands, clicks and votes of its own servers, while scheduled posts,
//! poll closes and reminders go to whichever process claims the job, as they
//! already do through the store. Without a range, serenity runs one shard,
//! as before.
//!
//! Two things serenity 0.12.5 leaves to us: IDENTIFYs of processes started
//! together ([`pacing`]: a lease per IDENTIFY bucket in the database, rather
//! than a fixed stagger, which would need every process's start instant and
//! shard order to be agreed beforehand and would still collide after a
//! restart), and Discord refusing a shard ([`refusal`]), on which serenity
//! hangs and emcee stops with one line.

pub mod pacing;
pub mod refusal;

use super::StartError;
use emcee_core::config::ShardRange;
use emcee_core::scheduler::LeaseStorage;
use pacing::IdentifyGate;
use poise::serenity_prelude as serenity;
use refusal::Refusal;
use std::sync::Arc;

/// Which shards this process runs and how their IDENTIFYs are paced.
#[derive(Clone)]
pub struct Sharding {
    pub range: ShardRange,
    pub gate: IdentifyGate,
}

impl Sharding {
    /// Asks the gateway how many IDENTIFYs may start at once
    /// (`GET /gateway/bot`) and plans `range` under it; warns when TOTAL is
    /// below the shard count Discord recommends.
    ///
    /// # Errors
    /// [`StartError::Unreachable`] when the gateway cannot be asked.
    pub async fn plan(
        http: &serenity::Http,
        range: ShardRange,
        leases: Arc<dyn LeaseStorage>,
    ) -> Result<Self, StartError> {
        let gateway = http
            .get_bot_gateway()
            .await
            .map_err(|e| StartError::Unreachable {
                base: "GET /gateway/bot".to_owned(),
                reason: e.to_string(),
            })?;
        let max_concurrency =
            u32::try_from(gateway.session_start_limit.max_concurrency.max(1)).unwrap_or(u32::MAX);
        if range.total() < gateway.shards {
            tracing::warn!(
                shards = %range,
                recommended = gateway.shards,
                "TOTAL is below the shard count Discord recommends"
            );
        }
        let gate = IdentifyGate::new(
            leases,
            emcee_core::scheduler::holder::this_process(),
            Arc::new(emcee_core::clock::SystemClock),
            range,
            max_concurrency,
        );
        tracing::info!(shards = %range, max_concurrency, buckets = ?gate.buckets(), "running a shard range");
        Ok(Self { range, gate })
    }

    /// Starts the range once this process's IDENTIFY buckets are free, and
    /// runs until serenity stops (as `Client::start` does).
    ///
    /// # Errors
    /// What serenity's client returns.
    pub async fn start(&self, client: &mut serenity::Client) -> serenity::Result<()> {
        self.gate.wait_turn().await;
        let gate = self.gate.clone();
        let runners = Arc::clone(&client.shard_manager.runners);
        let hold = tokio::spawn(async move { gate.hold_until_connected(runners).await });
        // serenity's range end is inclusive.
        let range = self.range.first()..self.range.last();
        let result = client.start_shard_range(range, self.range.total()).await;
        hold.abort();
        result
    }

    /// Whether `refusal` is about one of this process's shards.
    pub fn owns(&self, refusal: &Refusal) -> bool {
        refusal.total == self.range.total() && self.range.ids().contains(&refusal.shard)
    }
}

/// What to tell the operator when Discord refuses a shard; `recommended` is
/// `GET /gateway/bot`'s shard count when it could be read.
pub fn refusal_text(refusal: &Refusal, recommended: Option<u32>) -> String {
    let Refusal { shard, total, code } = *refusal;
    let head = format!("Discord refused shard {shard} of {total}");
    match code {
        4010 => format!("{head}: invalid shard (4010); every process must use the same TOTAL"),
        _ => {
            let advice = match recommended {
                Some(n) => format!("Discord recommends {n}"),
                None => "see GET /gateway/bot".to_owned(),
            };
            format!(
                "{head}: sharding required (4011); run more shards ({advice}) with \
                 `--shards FIRST-LAST/TOTAL`, the same TOTAL in every process"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_one_line_that_says_what_to_do() {
        let invalid = Refusal {
            shard: 5,
            total: 4,
            code: 4010,
        };
        assert_eq!(
            refusal_text(&invalid, None),
            "Discord refused shard 5 of 4: invalid shard (4010); every process must use the same TOTAL"
        );
        let required = Refusal {
            shard: 0,
            total: 2,
            code: 4011,
        };
        let text = refusal_text(&required, Some(4));
        assert!(
            text.starts_with("Discord refused shard 0 of 2: sharding required (4011)")
                && text.contains("Discord recommends 4")
                && !text.contains('\n'),
            "{text}"
        );
    }
}

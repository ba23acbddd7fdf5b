//! Discord refusing a shard: close 4010 (invalid shard) or 4011 (sharding
//! required).
//!
//! serenity 0.12.5 turns either close into `GatewayError::InvalidShardData`
//! or `OverloadedShard` inside its shard runner, logs it, and carries on with
//! the dead connection (`shard_runner.rs`, `recv_event`: only bad tokens and
//! intents reach `Client::start`'s caller), so the bot would hang, connected
//! to nothing. Its log is the only place those closes show, so this layer
//! watches serenity's gateway records for the two lines `Shard::
//! handle_gateway_closed` writes (`[ShardInfo { id: ShardId(5), total: 4 }]
//! Sent invalid shard data.`, `… Shard has too many guilds.`) and reports
//! them to [`refused`]; the running bot then stops with one line. serenity is
//! pinned (`=0.12.5`), and `tests/e2e/shards` fails if the lines change.

use std::sync::OnceLock;
use tokio::sync::watch;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Filter, Layer};
use tracing_subscriber::registry::LookupSpan;

/// A shard Discord would not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub shard: u32,
    pub total: u32,
    /// 4010 (invalid shard) or 4011 (sharding required).
    pub code: u16,
}

impl Refusal {
    /// The refusal a serenity gateway log message reports, if it is one.
    pub fn from_log(message: &str) -> Option<Self> {
        let code = if message.ends_with("Sent invalid shard data.") {
            4010
        } else if message.ends_with("Shard has too many guilds.") {
            4011
        } else {
            return None;
        };
        let after = |marker: &str| -> Option<u32> {
            let rest = &message[message.find(marker)? + marker.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        Some(Self {
            shard: after("ShardId(")?,
            total: after("total: ")?,
            code,
        })
    }
}

fn channel() -> &'static watch::Sender<Option<Refusal>> {
    static REFUSALS: OnceLock<watch::Sender<Option<Refusal>>> = OnceLock::new();
    REFUSALS.get_or_init(|| watch::Sender::new(None))
}

/// Completes with the first refusal `accept` takes (the bot's own shards),
/// seen since the process started; never, without [`layer`] installed.
pub async fn refused(accept: impl Fn(&Refusal) -> bool) -> Refusal {
    let mut seen = channel().subscribe();
    loop {
        if let Some(refusal) = seen.borrow_and_update().filter(|r| accept(r)) {
            return refusal;
        }
        // The sender is a static: it is never dropped.
        if seen.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The layer to install beside the log output (it reads serenity's gateway
/// warnings and errors only, whatever `RUST_LOG` lets through).
pub fn layer<S>() -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    Watcher.with_filter(GatewayWarnings)
}

/// Reports the refusals it sees to [`refused`].
struct Watcher;

impl<S: tracing::Subscriber> Layer<S> for Watcher {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        if let Some(refusal) = Refusal::from_log(&message.0) {
            channel().send_replace(Some(refusal));
        }
    }
}

/// serenity's gateway records at WARN and above.
struct GatewayWarnings;

impl<S> Filter<S> for GatewayWarnings {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: &Context<'_, S>) -> bool {
        meta.target().starts_with("serenity::gateway") && *meta.level() <= tracing::Level::WARN
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::WARN)
    }
}

/// An event's `message` field, formatted.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Refusal;

    #[test]
    fn serenity_s_two_close_lines_are_read_and_nothing_else() {
        assert_eq!(
            Refusal::from_log("[ShardInfo { id: ShardId(5), total: 4 }] Sent invalid shard data."),
            Some(Refusal {
                shard: 5,
                total: 4,
                code: 4010
            })
        );
        assert_eq!(
            Refusal::from_log(
                "[ShardInfo { id: ShardId(0), total: 1 }] Shard has too many guilds."
            ),
            Some(Refusal {
                shard: 0,
                total: 1,
                code: 4011
            })
        );
        assert_eq!(
            Refusal::from_log("[ShardInfo { id: ShardId(0), total: 1 }] Invalid session."),
            None
        );
        assert_eq!(Refusal::from_log("Sent invalid shard data."), None);
    }
}

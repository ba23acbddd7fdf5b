//! Where the feeds are served and how they are configured at start: `[web]
//! listen`, else beside `/metrics`; `[web] public_url`; `EMCEE_FEED_KEY`.

use crate::telemetry::Health;
use emcee_core::app::App;
use emcee_core::config::Settings;
use emcee_core::feeds::{FeedConfig, FeedKey, MIN_KEY_CHARS};
use std::sync::Arc;

/// The environment variable holding the key feed tokens are derived under.
pub const KEY_VAR: &str = "EMCEE_FEED_KEY";

/// The feeds' configuration from `settings` and `EMCEE_FEED_KEY`.
///
/// # Errors
/// A message when the key is set but too short to be a secret.
pub fn feed_config(settings: &Settings) -> Result<FeedConfig, String> {
    let public_url = settings.web.base_url();
    let key = match std::env::var(KEY_VAR) {
        Ok(secret) if !secret.trim().is_empty() => Some(
            FeedKey::from_secret(&secret)
                .ok_or_else(|| format!("{KEY_VAR} must be at least {MIN_KEY_CHARS} characters"))?,
        ),
        _ => None,
    };
    if public_url.is_some() && key.is_none() {
        tracing::warn!(
            "{KEY_VAR} is not set: the database keeps the feed key, so a copy of the database \
             would give every personal calendar URL; set it (at least {MIN_KEY_CHARS} random \
             characters, the same for every process) to keep them apart"
        );
    }
    Ok(FeedConfig { public_url, key })
}

/// Configures `app`'s feeds and starts their listener: `[web] listen`, else
/// the `[metrics] listen` one (which is started here either way, with
/// `health`). Returns the address the feeds are served on, if any.
///
/// # Errors
/// A message when the key is unusable or an address cannot be bound.
pub async fn start(
    settings: &Settings,
    app: &App,
    health: Arc<Health>,
) -> Result<Option<std::net::SocketAddr>, String> {
    app.feeds.configure(feed_config(settings)?);
    let feeds = super::router(app.clone());
    match (settings.web.listen, settings.metrics.listen) {
        (Some(web), metrics) => {
            if let Some(metrics) = metrics {
                crate::telemetry::start(metrics, health).await?;
            }
            let serving = crate::telemetry::serve_router(web, feeds, std::future::pending());
            let bound = serving
                .await
                .map_err(|e| format!("cannot listen on {web}: {e}"))?;
            tracing::info!(%bound, "serving the calendar feeds");
            Ok(Some(bound))
        }
        (None, Some(metrics)) => {
            let bound = crate::telemetry::start_with(metrics, health, feeds).await?;
            Ok(Some(bound))
        }
        (None, None) => Ok(None),
    }
}

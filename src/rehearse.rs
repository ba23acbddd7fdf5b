//! `emcee rehearse`: the whole planned timeline (time, channel, text) printed
//! at once, so organisers can review the day before it happens. It plans
//! exactly as the running bot does, from the same config, without waiting and
//! without touching any database.

use crate::scheduler::text;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use emcee_core::config::Config;
use emcee_core::scheduler::{plan, PlanSettings};

/// The next `count` posts due at or after `now`, for the preflight's ready screen.
pub fn next_posts(config: &Config, now: DateTime<Utc>, count: usize, timezone: Tz) -> String {
    let settings = PlanSettings::from_settings(&config.settings);
    let jobs = plan(&config.programme, &settings, &[]);
    let next: Vec<_> = jobs
        .iter()
        .filter(|job| job.due_at >= now)
        .take(count)
        .collect();
    if next.is_empty() {
        return "  next posts: none planned after now\n".to_owned();
    }
    let mut out = format!("  next posts (times in {timezone}):\n");
    for job in next {
        out.push_str(&text::job(job, timezone));
    }
    out
}

/// Every job due in `[from, to)` (either end open), one entry per job.
pub fn timeline(
    config: &Config,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    timezone: Tz,
) -> String {
    let settings = PlanSettings::from_settings(&config.settings);
    let jobs = plan(&config.programme, &settings, &[]);
    let shown: Vec<_> = jobs
        .iter()
        .filter(|job| from.is_none_or(|from| job.due_at >= from))
        .filter(|job| to.is_none_or(|to| job.due_at < to))
        .collect();
    let mut out = format!(
        "{} planned post(s) for {} (times in {timezone})\n",
        shown.len(),
        config.programme.agenda.name()
    );
    for job in shown {
        out.push_str(&text::job(job, timezone));
    }
    out
}

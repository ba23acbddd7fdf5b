//! Scheduled messages as plain text, for the console and `emcee rehearse`:
//! times in one timezone (a terminal has no per-reader rendering).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use emcee_core::scheduler::{Item, Job, JobKind, Message, Target};
use std::fmt::Write;

/// One message, its heading then one line per session.
pub fn message(message: &Message, timezone: Tz) -> String {
    let time = |at: DateTime<Utc>| at.with_timezone(&timezone).format("%H:%M").to_string();
    let mut out = match message.kind {
        JobKind::Announce if message.lead_minutes == 0 => "Starting now".to_owned(),
        JobKind::Announce => format!("Starting in {} minutes", message.lead_minutes),
        JobKind::OnDemand => "Now available on demand".to_owned(),
        JobKind::Reminder => "Your reminder".to_owned(),
        JobKind::Digest => format!(
            "Today's programme{}",
            message.day.map(|d| format!(" ({d})")).unwrap_or_default()
        ),
        JobKind::Change => "Schedule change".to_owned(),
        JobKind::PollOpen => format!(
            "Poll opens: {}",
            message.poll.as_deref().unwrap_or_default()
        ),
    };
    if let Some(role) = &message.role {
        let _ = write!(out, " (pings role {role})");
    }
    for item in &message.items {
        let _ = write!(out, "\n  • {}", line(message.kind, item, &time));
    }
    if message.more > 0 {
        let _ = write!(out, "\n  …and {} more", message.more);
    }
    out
}

fn line(kind: JobKind, item: &Item, time: &dyn Fn(DateTime<Utc>) -> String) -> String {
    let mut line = match (kind, item.was) {
        (JobKind::Change, _) if item.cancelled => format!("{} is cancelled", item.title),
        (JobKind::Change, Some((old, _))) => format!(
            "{} moved from {} to {}",
            item.title,
            time(old),
            time(item.start)
        ),
        _ => format!("{} {}", time(item.start), item.title),
    };
    if !item.speakers.is_empty() {
        let _ = write!(line, " — {}", item.speakers);
    }
    if let Some(place) = &item.place {
        let _ = write!(line, " · {place}");
    }
    if let (JobKind::OnDemand, Some(video)) = (kind, &item.video) {
        let _ = write!(line, " <{video}>");
    }
    line
}

/// Where a job goes, as a reader of the timeline sees it.
pub fn target(target: &Target) -> String {
    match target {
        Target::Channel(channel) if channel.parse::<u64>().is_ok() => format!("channel {channel}"),
        Target::Channel(channel) => format!("#{channel}"),
        Target::User(user) => format!("DM to {user}"),
    }
}

/// A timeline entry: local time, target, then the message.
pub fn job(job: &Job, timezone: Tz) -> String {
    format!(
        "{}  {}  {}\n",
        job.due_at.with_timezone(&timezone).format("%Y-%m-%d %H:%M"),
        target(&job.target),
        message(&job.message, timezone).replace('\n', "\n      ")
    )
}

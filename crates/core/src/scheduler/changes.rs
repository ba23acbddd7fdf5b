//! The "schedule change" notice: what moved and what was cancelled, posted once
//! after a reload when organisers turned it on.

use super::job::{Item, Job, JobKind, Message, Target};
use super::plan::PlanSettings;
use crate::agenda::diff::AgendaDiff;
use crate::agenda::Agenda;
use chrono::{DateTime, TimeDelta, Utc};

/// The notice for `diff`, due at `now`, or `None` when notices are off, there is
/// no default channel, or nothing moved or was cancelled.
///
/// The key hashes the changes themselves, so two processes (or two reloads)
/// seeing the same change post it once.
pub fn change_notice(
    diff: &AgendaDiff,
    new: &Agenda,
    settings: &PlanSettings,
    now: DateTime<Utc>,
) -> Option<Job> {
    let announcements = &settings.announcements;
    if !announcements.change_notices || (diff.moved.is_empty() && diff.removed.is_empty()) {
        return None;
    }
    let channel = announcements.default_channel.clone()?;
    let mut items: Vec<Item> = diff
        .moved
        .iter()
        .filter_map(|moved| {
            let mut item = Item::of(new.session(&moved.id)?);
            item.was = Some((moved.old_start, moved.old_end));
            Some(item)
        })
        .collect();
    items.extend(diff.removed.iter().map(|session| Item {
        cancelled: true,
        ..Item::of(session)
    }));
    let fingerprint: String = items
        .iter()
        .map(|i| {
            format!(
                "{}@{}>{}{};",
                i.session,
                i.was.map_or(0, |(s, _)| s.timestamp()),
                i.start.timestamp(),
                if i.cancelled { "x" } else { "" }
            )
        })
        .collect();
    Some(Job {
        key: format!(
            "{}:c/{channel}:{:016x}",
            JobKind::Change,
            crate::chat::dedupe::stable_hash(&fingerprint)
        ),
        due_at: now,
        expires_at: now
            .checked_add_signed(TimeDelta::hours(1))
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
        target: Target::Channel(channel),
        message: Message::new(JobKind::Change, items),
    })
}

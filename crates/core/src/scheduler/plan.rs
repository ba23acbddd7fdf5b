//! Planning: the programme, the settings and the reminders in, every job of the
//! conference out. Pure (no clock, no I/O), so it is unit-tested directly and
//! `emcee rehearse` prints exactly what the running bot will post.
//!
//! Planning is total: the whole job set is recomputed from scratch whenever the
//! programme changes, and the store reconciles it with what it already holds
//! (new keys inserted, vanished pending keys cancelled, done keys untouched).
//! Recomputing is cheaper to get right than patching jobs from a diff.

use super::job::{Item, Job, JobKind, Message, Target};
use super::Reminder;
use crate::agenda::{text, Session};
use crate::config::{AnnouncementSettings, Settings};
use crate::polls::FlashPoll;
use crate::programme::Programme;
use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// How many sessions a digest lists before "and N more".
const DIGEST_ITEMS: usize = 40;

/// What planning needs from `emcee.toml`.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    pub announcements: AnnouncementSettings,
    /// `[polls] channel`: where declared polls without a channel open.
    pub poll_channel: Option<String>,
    /// `[nudges]`, when on.
    pub nudges: Option<crate::nudges::NudgePlan>,
}

impl PlanSettings {
    /// The planning part of `settings`.
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            announcements: settings.announcements.clone(),
            poll_channel: settings.polls.channel.clone(),
            nudges: crate::nudges::NudgePlan::from_settings(settings),
        }
    }

    /// How long after its due instant a missed job may still run.
    pub fn catch_up(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.announcements.catch_up_minutes))
    }

    /// The channels that announce `session`: its track's, else its room's, else
    /// the default; keynotes also go to the main channel.
    pub fn channels_for(&self, session: &Session) -> Vec<String> {
        let settings = &self.announcements;
        let mapped = |map: &BTreeMap<String, String>, name: &Option<String>| {
            let name = text::folded(name.as_deref()?);
            map.iter()
                .find(|(key, _)| text::folded(key) == name)
                .map(|(_, channel)| channel.clone())
        };
        let primary = mapped(&settings.tracks, &session.track)
            .or_else(|| mapped(&settings.rooms, &session.room))
            .or_else(|| settings.default_channel.clone());
        let mut channels: Vec<String> = primary.into_iter().collect();
        if session.kind == crate::agenda::SessionKind::Keynote {
            if let Some(main) = &settings.main_channel {
                if !channels.contains(main) {
                    channels.push(main.clone());
                }
            }
        }
        channels
    }

    /// The role to ping for an announcement in `channel` about `items`: the
    /// channel's role, else the first item kind's role.
    fn role_for(&self, channel: &str, items: &[Item]) -> Option<String> {
        let settings = &self.announcements;
        settings.channel_roles.get(channel).cloned().or_else(|| {
            items
                .iter()
                .find_map(|item| settings.kind_roles.get(item.kind.as_str()).cloned())
        })
    }
}

/// One session's share of a job, before sessions are combined.
struct Entry {
    kind: JobKind,
    lead: u32,
    target: Target,
    due_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    item: Item,
}

/// Every job of the programme, sorted by due instant then key.
pub fn plan(programme: &Programme, settings: &PlanSettings, reminders: &[Reminder]) -> Vec<Job> {
    let agenda = &programme.agenda;
    let mut entries = Vec::new();
    for session in agenda.sessions() {
        session_entries(session, settings, &mut entries);
    }
    for reminder in reminders {
        if let Some(session) = agenda.session(&reminder.session) {
            entries.push(reminder_entry(session, reminder));
        }
    }
    let mut jobs = combine(entries, settings);
    if let Some(nudges) = &settings.nudges {
        for session in agenda.sessions() {
            let channel = settings.channels_for(session).into_iter().next();
            jobs.extend(crate::nudges::jobs(session, channel.as_deref(), nudges));
        }
    }
    jobs.extend(
        programme
            .polls
            .iter()
            .filter_map(|poll| poll_job(poll, settings)),
    );
    jobs.extend(
        programme
            .contests
            .iter()
            .map(super::contest_jobs::contest_open_job),
    );
    if let Some(at) = settings.announcements.digest_at {
        jobs.extend(digest_jobs(programme, settings, at));
    }
    jobs.sort_by(|a, b| (a.due_at, &a.key).cmp(&(b.due_at, &b.key)));
    jobs
}

/// `at` moved by `by`, held at the first or last instant chrono knows when
/// that would leave its range: a session dated at the edge of time (a
/// hostile or broken schedule) is planned, then skipped as too late or never
/// due, instead of panicking the scheduler.
fn shifted(at: DateTime<Utc>, by: TimeDelta) -> DateTime<Utc> {
    at.checked_add_signed(by)
        .unwrap_or(if by < TimeDelta::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// Announcements at each lead time and the on-demand notice, per channel.
fn session_entries(session: &Session, settings: &PlanSettings, entries: &mut Vec<Entry>) {
    let announcements = &settings.announcements;
    for channel in settings.channels_for(session) {
        for &lead in &announcements.lead_minutes {
            entries.push(Entry {
                kind: JobKind::Announce,
                lead,
                target: Target::Channel(channel.clone()),
                due_at: shifted(session.start, -TimeDelta::minutes(i64::from(lead))),
                // "In 5 minutes" is wrong once it started; "now" once it ended.
                expires_at: if lead == 0 {
                    session.end
                } else {
                    session.start
                },
                item: Item::of(session),
            });
        }
    }
    let primary = settings.channels_for(session).into_iter().next();
    if let (true, Some(_), Some(channel)) = (announcements.on_demand, session.video(), primary) {
        entries.push(Entry {
            kind: JobKind::OnDemand,
            lead: 0,
            target: Target::Channel(channel),
            due_at: session.end,
            expires_at: shifted(session.end, TimeDelta::days(1)),
            item: Item::of(session),
        });
    }
}

/// A personal reminder `minutes_before` the session.
fn reminder_entry(session: &Session, reminder: &Reminder) -> Entry {
    Entry {
        kind: JobKind::Reminder,
        lead: reminder.minutes_before,
        target: Target::User(reminder.user.clone()),
        due_at: shifted(
            session.start,
            -TimeDelta::minutes(i64::from(reminder.minutes_before)),
        ),
        expires_at: session.end,
        item: Item::of(session),
    }
}

/// The job for one reminder, as [`plan`] would produce it.
pub fn reminder_job(session: &Session, reminder: &Reminder, settings: &PlanSettings) -> Job {
    let mut jobs = combine(vec![reminder_entry(session, reminder)], settings);
    // `combine` turns one entry into exactly one job.
    jobs.remove(0)
}

/// Sessions sharing kind, lead, target and instant become one job (one message).
fn combine(entries: Vec<Entry>, settings: &PlanSettings) -> Vec<Job> {
    // Reminders stay one per session, so cancelling one never drops another.
    type Group = (DateTime<Utc>, JobKind, u32, Target, Option<String>);
    let mut groups: BTreeMap<Group, Vec<Entry>> = BTreeMap::new();
    for entry in entries {
        let solo = (entry.kind == JobKind::Reminder).then(|| entry.item.session.to_string());
        let group = (
            entry.due_at,
            entry.kind,
            entry.lead,
            entry.target.clone(),
            solo,
        );
        groups.entry(group).or_default().push(entry);
    }
    groups
        .into_iter()
        .map(|((due_at, kind, lead, target, _), entries)| {
            let expires_at = entries.iter().map(|e| e.expires_at).min().unwrap_or(due_at);
            let mut items: Vec<Item> = entries.into_iter().map(|e| e.item).collect();
            items.sort_by(|a, b| {
                (a.start, &a.title, &a.session).cmp(&(b.start, &b.title, &b.session))
            });
            let ids: Vec<&str> = items.iter().map(|i| i.session.as_str()).collect();
            let key = format!(
                "{kind}:{lead}:{}:{}:{}",
                target_key(&target),
                due_at.timestamp(),
                ids.join(",")
            );
            let mut message = Message::new(kind, items);
            message.lead_minutes = lead;
            if let (JobKind::Announce, Target::Channel(channel)) = (kind, &target) {
                message.role = settings.role_for(channel, &message.items);
            }
            Job {
                key,
                due_at,
                expires_at,
                target,
                message,
            }
        })
        .collect()
}

fn target_key(target: &Target) -> String {
    match target {
        Target::Channel(channel) => format!("c/{channel}"),
        Target::User(user) => format!("u/{user}"),
    }
}

/// Opening a declared poll in its channel, else the polls channel, else the default.
fn poll_job(poll: &FlashPoll, settings: &PlanSettings) -> Option<Job> {
    let channel = poll
        .channel
        .clone()
        .or_else(|| settings.poll_channel.clone())
        .or_else(|| settings.announcements.default_channel.clone())?;
    let mut message = Message::new(JobKind::PollOpen, Vec::new());
    message.poll = Some(poll.id.clone());
    Some(Job {
        key: format!("poll_open:{}:{}", poll.id, poll.opens_at.timestamp()),
        due_at: poll.opens_at,
        expires_at: poll.closes_at,
        target: Target::Channel(channel),
        message,
    })
}

/// One digest per local day with sessions, at `at` local time, in the main
/// channel (else the default one).
fn digest_jobs(programme: &Programme, settings: &PlanSettings, at: NaiveTime) -> Vec<Job> {
    let agenda = &programme.agenda;
    let announcements = &settings.announcements;
    let Some(channel) = announcements
        .main_channel
        .clone()
        .or_else(|| announcements.default_channel.clone())
    else {
        return Vec::new();
    };
    let timezone: Tz = agenda.timezone();
    agenda
        .days()
        .filter_map(|day| {
            // A digest time that falls into a DST gap that day is skipped.
            let due_at = day
                .and_time(at)
                .and_local_timezone(timezone)
                .earliest()?
                .with_timezone(&Utc);
            let sessions = agenda.day(day);
            let mut message = Message::new(
                JobKind::Digest,
                sessions.iter().take(DIGEST_ITEMS).map(Item::of).collect(),
            );
            message.more = sessions.len().saturating_sub(DIGEST_ITEMS);
            message.day = Some(day);
            Some(Job {
                key: format!("digest:{day}:c/{channel}"),
                due_at,
                expires_at: shifted(due_at, TimeDelta::hours(12)),
                target: Target::Channel(channel.clone()),
                message,
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;

//! Speaker nudges (`[nudges] enabled`): a direct message to each of a
//! session's speakers mapped to a chat user in the agenda
//! (`speakers = [{ name, discord = "…", slack = "U…" }]`) at each lead time
//! before it starts ("your talk in #observability starts in 15 minutes"),
//! and one at its end when its Q&A has open questions ("3 questions are
//! waiting", and how to see them).
//!
//! Nudges are scheduler jobs like reminders, planned from the programme:
//! each has a key (so it is stored once however many processes plan it), a
//! claim (so one process sends it) and a nonce (so a retried send lands
//! once), which makes each nudge go out exactly once across restarts and
//! processes. A moved session's nudges move with it, as its announcements
//! do. Whether questions are waiting is only known at the end, so that job
//! is always planned and sends nothing when none are open.

mod send;

pub use send::post;

use crate::agenda::Session;
use crate::chat::{Span, Text, TimeStyle};
use crate::scheduler::{Item, Job, JobKind, Message, Target};
use chrono::TimeDelta;
use serde::Deserialize;

/// `[nudges]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NudgeSettings {
    /// Off by default.
    pub enabled: bool,
    /// Minutes before the start each nudge goes (default `[60, 15]`).
    pub lead_minutes: Vec<u32>,
}

impl Default for NudgeSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            lead_minutes: vec![60, 15],
        }
    }
}

/// What planning needs to nudge: the lead times, and which platforms' user
/// ids this deployment serves (a Slack id is only nudged with `[slack]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NudgePlan {
    pub lead_minutes: Vec<u32>,
    pub slack: bool,
}

impl NudgePlan {
    /// The plan of `settings`; `None` when nudges are off.
    pub fn from_settings(settings: &crate::config::Settings) -> Option<Self> {
        settings.nudges.enabled.then(|| Self {
            lead_minutes: settings.nudges.lead_minutes.clone(),
            slack: settings.slack.is_some(),
        })
    }
}

/// Every nudge of `session`, whose announcements go to `channel` (a
/// config key: a name or an id).
pub fn jobs(session: &Session, channel: Option<&str>, plan: &NudgePlan) -> Vec<Job> {
    let mut jobs = Vec::new();
    for user in speaker_users(session, plan) {
        for &lead in &plan.lead_minutes {
            let due_at = session.start - TimeDelta::minutes(i64::from(lead));
            let mut message = Message::new(JobKind::Nudge, vec![Item::of(session)]);
            message.lead_minutes = lead;
            message.channel = channel.map(str::to_owned);
            jobs.push(job(user, due_at, session.start, message));
        }
        let message = Message::new(JobKind::QuestionsWaiting, vec![Item::of(session)]);
        let until = session.end + TimeDelta::hours(1);
        jobs.push(job(user, session.end, until, message));
    }
    jobs
}

/// Each mapped speaker's user ids, once each.
fn speaker_users<'a>(session: &'a Session, plan: &NudgePlan) -> Vec<&'a str> {
    let mut users: Vec<&str> = Vec::new();
    for speaker in &session.speakers {
        let slack = speaker.slack.as_deref().filter(|_| plan.slack);
        for id in [speaker.discord.as_deref(), slack].into_iter().flatten() {
            let id = id.trim();
            if !id.is_empty() && !users.contains(&id) {
                users.push(id);
            }
        }
    }
    users
}

fn job(
    user: &str,
    due_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    message: Message,
) -> Job {
    let session = message.items.first().map(|i| i.session.to_string());
    Job {
        key: format!(
            "{}:{}:u/{user}:{}:{}",
            message.kind,
            message.lead_minutes,
            due_at.timestamp(),
            session.unwrap_or_default()
        ),
        due_at,
        expires_at,
        target: Target::User(user.to_owned()),
        message,
    }
}

/// The line of a nudge before `item` starts: its title, where it is
/// announced (`channel`, a platform id the announcer resolved, else the
/// configured name) and when it starts.
pub fn talk_line(item: &Item, channel: Option<Span>) -> Text {
    let mut line = Text::plain("Your talk ").with(Span::Strong(item.title.clone()));
    if let Some(channel) = channel {
        line.push(Span::Plain(" in ".into()));
        line.push(channel);
    }
    line.push(Span::Plain(" starts ".into()));
    line.push(Span::Time(item.start, TimeStyle::Relative));
    line.push(Span::Plain(" (".into()));
    line.push(Span::Time(item.start, TimeStyle::Time));
    line.push(Span::Plain(").".into()));
    line
}

/// The lines of the "questions are waiting" nudge: `open` questions of
/// `item`'s Q&A are neither answered nor hidden.
pub fn waiting_lines(item: &Item, open: usize) -> Vec<Text> {
    let count = if open == 1 {
        "1 question is".to_owned()
    } else {
        format!("{open} questions are")
    };
    vec![
        Text::plain(format!("{count} waiting for ")).with(Span::Strong(item.title.clone())),
        Text::plain("See them, answer, pin or hide them with ")
            .with(Span::Code(format!("/questions {}", item.session)))
            .and("."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{SessionId, SessionKind, Speaker};
    use chrono::{DateTime, Utc};

    fn session(speakers: Vec<Speaker>) -> Session {
        let start: DateTime<Utc> = "2021-10-07T16:00:00Z".parse().unwrap();
        Session {
            id: SessionId::new("s1"),
            title: "Fast I/O".into(),
            abstract_text: String::new(),
            kind: SessionKind::Talk,
            track: None,
            room: None,
            speakers,
            start,
            end: start + TimeDelta::minutes(20),
            links: Vec::new(),
        }
    }

    fn speaker(discord: Option<&str>, slack: Option<&str>) -> Speaker {
        Speaker {
            name: "Ann".into(),
            affiliation: None,
            discord: discord.map(Into::into),
            slack: slack.map(Into::into),
        }
    }

    #[test]
    fn each_mapped_speaker_gets_each_lead_and_the_end_and_unmapped_ones_nothing() {
        let plan = NudgePlan {
            lead_minutes: vec![60, 15],
            slack: false,
        };
        let talk = session(vec![
            speaker(Some("7"), Some("U7")),
            speaker(None, None),
            speaker(Some("7"), None),
        ]);
        let jobs = jobs(&talk, Some("observability"), &plan);
        let planned: Vec<(&str, JobKind, u32)> = jobs
            .iter()
            .map(|j| match &j.target {
                Target::User(u) => (u.as_str(), j.kind(), j.message.lead_minutes),
                Target::Channel(_) => panic!("a nudge is a DM"),
            })
            .collect();
        assert_eq!(
            planned,
            [
                ("7", JobKind::Nudge, 60),
                ("7", JobKind::Nudge, 15),
                ("7", JobKind::QuestionsWaiting, 0)
            ]
        );
        assert_eq!(jobs[1].due_at, talk.start - TimeDelta::minutes(15));
        assert_eq!(jobs[2].due_at, talk.end);
        let with_slack = NudgePlan {
            slack: true,
            ..plan
        };
        assert_eq!(super::jobs(&talk, None, &with_slack).len(), 6);
    }
}

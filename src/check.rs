//! `emcee check`: validate everything and summarise it on one screen.

use crate::discord::preflight::Report;
use chrono::{DateTime, Utc};
use emcee_core::agenda::Agenda;
use emcee_core::config::Config;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The preflight's "ready" screen: who emcee is on Discord, where each
/// configured channel is, what is wrong, and the next posts.
pub fn online(report: &Report, config: &Config, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let servers: Vec<String> = report.servers.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "online: connected as {}, serving {}",
        report.bot,
        servers.join(", ")
    );
    for channel in &report.channels {
        let place = match &channel.found {
            Some((_, name)) => format!("#{name}"),
            None => "MISSING".to_owned(),
        };
        let _ = writeln!(
            out,
            "  {:<24} {place}  ({})",
            channel.need.key,
            channel.need.uses.join(", ")
        );
    }
    out.push_str(&problems(&report.problems));
    out.push_str(&next_posts(config, now));
    out
}

/// The next posts due after `now`, for the ready screen.
pub fn next_posts(config: &Config, now: DateTime<Utc>) -> String {
    let timezone = config.programme.agenda.timezone();
    crate::rehearse::next_posts(config, now, NEXT_POSTS, timezone)
}

/// The Slack preflight's part of the ready screen: who emcee is there, each
/// configured channel with where the bot stands in it, and what is wrong.
pub fn slack_online(report: &crate::slack::preflight::Report) -> String {
    use crate::slack::channels::Standing;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "online: Slack: connected as {}, serving {}",
        report.bot, report.workspace
    );
    for (need, finding) in &report.channels {
        let place = match finding.standing {
            Standing::Member => format!("#{}", finding.name),
            Standing::Joinable => format!("#{} (joined at start)", finding.name),
            Standing::Uninvited => format!("#{} (NOT A MEMBER)", finding.name),
            Standing::Missing => "MISSING".to_owned(),
        };
        let _ = writeln!(
            out,
            "  {:<24} {place}  ({})",
            need.key,
            need.uses.join(", ")
        );
    }
    out.push_str(&problems(&report.problems));
    out
}

/// "problems: none", or their count and one line each.
fn problems(found: &[impl std::fmt::Display]) -> String {
    let mut out = String::new();
    match found.len() {
        0 => out.push_str("  problems: none\n"),
        n => {
            let _ = writeln!(out, "  problems: {n}");
            for problem in found {
                let _ = writeln!(out, "    - {problem}");
            }
        }
    }
    out
}

/// How many upcoming posts the ready screen shows.
const NEXT_POSTS: usize = 5;

/// The one-screen summary of a loaded config.
pub fn summary(config: &Config) -> String {
    let agenda = &config.programme.agenda;
    let mut out = String::new();
    let _ = writeln!(out, "OK: {} ({})", agenda.name(), agenda.timezone().name());
    let _ = writeln!(out, "  days:     {}", days(agenda));
    let _ = writeln!(out, "  tracks:   {}", tracks(agenda));
    let _ = writeln!(out, "  rooms:    {}", agenda.rooms().len());
    let _ = writeln!(out, "  sessions: {}", kinds(agenda));
    let speakers: std::collections::BTreeSet<&str> = agenda
        .sessions()
        .iter()
        .flat_map(|s| s.speakers.iter().map(|p| p.name.as_str()))
        .collect();
    let _ = writeln!(out, "  speakers: {}", speakers.len());
    let _ = writeln!(out, "  polls:    {}", polls(config));
    if let Some(base) = config.settings.web.base_url() {
        let _ = writeln!(
            out,
            "  feeds:    {base}/cal/conference.ics, {} track feeds ({base}/cal/track/…), personal ones by /mycal",
            agenda.tracks().len()
        );
    }
    for note in agenda.notes() {
        let _ = writeln!(
            out,
            "  note:     {}",
            crate::render::text::for_terminal(note)
        );
    }
    match agenda.warnings() {
        [] => out.push_str("  warnings: none\n"),
        warnings => {
            let _ = writeln!(out, "  warnings: {}", warnings.len());
            for warning in warnings {
                let _ = writeln!(out, "    - {warning}");
            }
        }
    }
    out
}

fn days(agenda: &Agenda) -> String {
    let days: Vec<String> = agenda
        .days()
        .map(|day| {
            format!(
                "{} ({} sessions)",
                day.format("%a %-d %b %Y"),
                agenda.day(day).len()
            )
        })
        .collect();
    if days.is_empty() {
        "none".to_owned()
    } else {
        format!("{}: {}", days.len(), days.join(", "))
    }
}

fn tracks(agenda: &Agenda) -> String {
    let names: Vec<String> = agenda
        .tracks()
        .iter()
        .map(|t| format!("{} ({})", t.name, agenda.track_sessions(&t.name).len()))
        .collect();
    format!(
        "{}{}{}",
        names.len(),
        if names.is_empty() { "" } else { ": " },
        names.join(", ")
    )
}

fn kinds(agenda: &Agenda) -> String {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for session in agenda.sessions() {
        *counts.entry(session.kind.as_str()).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(kind, &n)| format!("{n} {}", plural(kind, n)))
        .collect();
    format!("{} ({})", agenda.sessions().len(), parts.join(", "))
}

/// "1 talk", "2 talks".
fn plural(word: &str, count: usize) -> String {
    if count == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

fn polls(config: &Config) -> String {
    let polls = &config.programme.polls;
    let timezone = config.programme.agenda.timezone();
    let times: Vec<String> = polls
        .iter()
        .map(|p| {
            p.opens_at
                .with_timezone(&timezone)
                .format("%H:%M")
                .to_string()
        })
        .collect();
    if polls.is_empty() {
        "none".to_owned()
    } else {
        format!("{} (opening at {})", polls.len(), times.join(", "))
    }
}

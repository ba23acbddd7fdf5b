//! Which sessions get a scheduled event, and what it says. Pure (no clock,
//! no I/O): the runner passes "now" and the room the community has left.
//!
//! The keynotes come first, whenever they are; then every other session
//! starting within the window, soonest first; breaks get none (a calendar
//! of coffee breaks helps no one). A session still running keeps its
//! event. The list stops at the cap the community leaves, so the platform's
//! limit is never reached. Agenda text goes out as plain text, cut to the
//! platform's lengths, with mention syntax defused.

use crate::agenda::{Agenda, Session, SessionId, SessionKind};
use crate::scheduler::PlanSettings;
use chrono::{DateTime, TimeDelta, Utc};

/// The longest event name Discord takes.
pub const NAME_CHARS: usize = 100;
/// The longest event description Discord takes.
pub const DESCRIPTION_CHARS: usize = 1000;
/// The longest location Discord takes.
const LOCATION_CHARS: usize = 100;

/// One event as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    pub session: SessionId,
    /// At most [`NAME_CHARS`], one line.
    pub name: String,
    /// At most [`DESCRIPTION_CHARS`]; `None` when there is nothing to say.
    pub description: Option<String>,
    /// Where to follow it: the track's channel (`#observability`), else
    /// the room, else the conference.
    pub location: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The events `agenda` calls for at `now`: keynotes, then the sessions
/// starting by `now + window`, at most `cap` of them.
pub fn plan(
    agenda: &Agenda,
    routing: &PlanSettings,
    window: TimeDelta,
    now: DateTime<Utc>,
    cap: usize,
) -> Vec<PlannedEvent> {
    let horizon = now
        .checked_add_signed(window)
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let mut wanted: Vec<&Session> = agenda
        .sessions()
        .iter()
        .filter(|s| s.kind != SessionKind::Break && s.end > now)
        .filter(|s| s.kind == SessionKind::Keynote || s.start <= horizon)
        .collect();
    wanted.sort_by(|a, b| {
        let rank = |s: &Session| s.kind != SessionKind::Keynote;
        (rank(a), a.start, &a.id).cmp(&(rank(b), b.start, &b.id))
    });
    wanted.truncate(cap);
    wanted
        .into_iter()
        .map(|session| event_text(agenda, routing, session))
        .collect()
}

/// The instant after `now` at which the sync has something to do: a
/// session enters the window, starts (its event goes live) or ends.
pub(crate) fn next_change(
    agenda: &Agenda,
    window: TimeDelta,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    agenda
        .sessions()
        .iter()
        .flat_map(|s| {
            [
                s.start.checked_sub_signed(window),
                Some(s.start),
                Some(s.end),
            ]
        })
        .flatten()
        .filter(|at| *at > now)
        .min()
}

/// The event of one session.
pub fn event_text(agenda: &Agenda, routing: &PlanSettings, session: &Session) -> PlannedEvent {
    let channel = routing
        .channels_for(session)
        .into_iter()
        .next()
        .filter(|c| !c.is_empty() && !c.bytes().all(|b| b.is_ascii_digit()));
    let location = match (channel, &session.room) {
        (Some(channel), _) => format!("#{}", channel.trim_start_matches('#')),
        (None, Some(room)) => room.clone(),
        (None, None) => agenda.name().to_owned(),
    };
    let mut about = Vec::new();
    let speakers = session.speaker_names();
    if !speakers.is_empty() {
        about.push(speakers);
    }
    if let Some(track) = &session.track {
        about.push(format!("{track} track"));
    }
    let mut description = about.join(" · ");
    if !session.abstract_text.trim().is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(session.abstract_text.trim());
    }
    let description = inert(&description);
    PlannedEvent {
        session: session.id.clone(),
        name: cut(&one_line(&inert(&session.title)), NAME_CHARS),
        description: (!description.trim().is_empty()).then(|| cut(&description, DESCRIPTION_CHARS)),
        location: cut(&one_line(&inert(&location)), LOCATION_CHARS),
        start: session.start,
        end: session.end,
    }
}

/// Mention syntax defused: a zero-width space after every `@` and every
/// `<` that opens a mention, so `@everyone` or `<@123>` stays text wherever
/// the platform renders the field.
fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control() || *c == '\n') {
        out.push(c);
        if c == '@' || c == '<' {
            out.push('\u{200B}');
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `limit` characters, cut with an ellipsis.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(limit.saturating_sub(1)).collect();
    kept.truncate(kept.trim_end().len());
    kept.push('…');
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    fn sample() -> Config {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/emcee.toml");
        Config::load(&path).unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn keynotes_come_first_then_the_window_soonest_first_under_the_cap() {
        let config = sample();
        let routing = PlanSettings::from_settings(&config.settings);
        let agenda = &config.programme.agenda;
        let now = at("2021-10-07T08:00:00-07:00");
        let all = plan(agenda, &routing, TimeDelta::hours(2), now, 100);
        let keynotes = agenda
            .sessions()
            .iter()
            .filter(|s| s.kind == SessionKind::Keynote && s.end > now)
            .count();
        assert!(keynotes > 0, "the sample has keynotes");
        let kinds: Vec<bool> = all
            .iter()
            .map(|e| agenda.session(&e.session).unwrap().kind == SessionKind::Keynote)
            .collect();
        assert!(kinds[..keynotes].iter().all(|k| *k), "keynotes first");
        let rest = &all[keynotes..];
        assert!(!rest.is_empty());
        assert!(
            rest.windows(2).all(|w| w[0].start <= w[1].start),
            "soonest first"
        );
        assert!(rest.iter().all(|e| e.start <= now + TimeDelta::hours(2)));
        let capped = plan(agenda, &routing, TimeDelta::hours(2), now, 3);
        assert_eq!(capped, all[..3]);
        let later = plan(agenda, &routing, TimeDelta::hours(8), now, 100);
        assert!(later.len() > all.len(), "a wider window holds more");
        let next = next_change(agenda, TimeDelta::hours(2), now).unwrap();
        assert!(next > now);
        let moved = plan(agenda, &routing, TimeDelta::hours(2), next, 100);
        assert_ne!(moved, all, "the plan changes at the next change");
    }

    #[test]
    fn agenda_text_is_cut_to_discords_lengths_and_pings_nobody() {
        let config = sample();
        let routing = PlanSettings::from_settings(&config.settings);
        let agenda = &config.programme.agenda;
        let mut session = agenda.sessions()[0].clone();
        session.title = format!("@everyone <@123> {}", "long ".repeat(40));
        session.abstract_text = "x".repeat(2000);
        let event = event_text(agenda, &routing, &session);
        assert_eq!(event.name.chars().count(), NAME_CHARS);
        assert!(event.name.ends_with('…'));
        assert!(!event.name.contains("@everyone") && !event.name.contains("<@1"));
        let description = event.description.unwrap();
        assert_eq!(description.chars().count(), DESCRIPTION_CHARS);
        assert!(!event.location.is_empty());
    }
}

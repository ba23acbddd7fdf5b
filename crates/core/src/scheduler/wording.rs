//! What the scheduler's messages say, in one place for every platform: the
//! heading of each kind and one line per session, as neutral rich text that
//! each adapter renders (Discord shows `<t:…>` in each reader's zone, the
//! console the conference's local time).

use super::job::{Item, JobKind, Message};
use crate::chat::{Post, Span, Text, TimeStyle};

/// The post for a scheduled `message`.
pub fn post(message: &Message) -> Post {
    let (title, topic) = match message.items.as_slice() {
        [one] => (Some(one.title.clone()), Some(one.session.to_string())),
        _ => (None, None),
    };
    Post {
        title,
        topic,
        heading: Some(heading(message)),
        lines: message
            .items
            .iter()
            .map(|i| line(message.kind, i))
            .collect(),
        more: message.more,
        ping_role: message.role.clone(),
        ..Post::default()
    }
}

/// The first line of a post that went to the fallback channel because
/// `#channel` does not exist.
pub fn meant_for(channel: &str) -> Text {
    Text::plain(format!(
        "(Posted here because #{channel} does not exist yet.)"
    ))
}

/// The heading of a message of its kind.
pub fn heading(message: &Message) -> Text {
    match message.kind {
        JobKind::Announce if message.lead_minutes == 0 => Text::plain("Starting now"),
        JobKind::Announce => match message.items.first() {
            Some(first) => {
                Text::plain("Starting ").with(Span::Time(first.start, TimeStyle::Relative))
            }
            None => Text::plain("Starting soon"),
        },
        JobKind::OnDemand => Text::plain("Now available on demand"),
        JobKind::Reminder => Text::plain("⏰ Your reminder"),
        JobKind::Digest => match message.day {
            Some(day) => Text::plain(format!("Today's programme ({})", day.format("%A %-d %B"))),
            None => Text::plain("Today's programme"),
        },
        JobKind::Change => Text::plain("Schedule change"),
        JobKind::Nudge => Text::plain("🎤 Your talk is coming up"),
        JobKind::QuestionsWaiting => Text::plain("❓ Questions are waiting"),
        JobKind::PollOpen => Text::plain(format!(
            "Poll opens: {}",
            message.poll.as_deref().unwrap_or_default()
        )),
        JobKind::PollClose => Text::plain("Poll closes"),
        JobKind::ContestOpen => Text::plain(format!(
            "Meme contest opens: {}",
            message.contest.as_deref().unwrap_or_default()
        )),
        JobKind::ContestClose => Text::plain("Meme contest closes"),
    }
}

/// One session's line in a message of `kind`.
pub fn line(kind: JobKind, item: &Item) -> Text {
    let title = item.title.clone();
    let mut line = Text::plain("• ");
    match kind {
        JobKind::Change if item.cancelled => {
            line.push(Span::Struck(title));
            line.push(Span::Plain(" is cancelled".into()));
        }
        JobKind::Change => match item.was {
            Some((old, _)) => {
                line.push(Span::Strong(title));
                line.push(Span::Plain(" moved from ".into()));
                line.push(Span::Time(old, TimeStyle::DateTime));
                line.push(Span::Plain(" to ".into()));
                line.push(Span::Time(item.start, TimeStyle::DateTime));
            }
            None => {
                line.push(Span::Strong(title));
                line.push(Span::Plain(" at ".into()));
                line.push(Span::Time(item.start, TimeStyle::DateTime));
            }
        },
        JobKind::Digest => {
            line.push(Span::Time(item.start, TimeStyle::Time));
            line.push(Span::Plain(" ".into()));
            line.push(Span::Strong(title));
        }
        JobKind::Reminder => {
            line.push(Span::Strong(title));
            line.push(Span::Plain(" starts ".into()));
            line.push(Span::Time(item.start, TimeStyle::Relative));
            line.push(Span::Plain(" (".into()));
            line.push(Span::Time(item.start, TimeStyle::Time));
            line.push(Span::Plain(")".into()));
        }
        _ => line.push(Span::Strong(title)),
    }
    if kind != JobKind::Change {
        if !item.speakers.is_empty() {
            line.push(Span::Plain(format!(" — {}", item.speakers)));
        }
        if let Some(place) = &item.place {
            line.push(Span::Plain(format!(" · {place}")));
        }
    }
    if let (JobKind::OnDemand, Some(video)) = (kind, &item.video) {
        line.push(Span::Break);
        line.push(Span::Plain("  ".into()));
        line.push(Span::Link(video.clone()));
    }
    line
}

/// The first line of the private notice listing reminders a user's closed
/// direct messages kept from them.
pub const MISSED_HEADER: &str =
    "I could not send you these reminders because your direct messages are closed:";

/// One missed reminder's lines in that notice.
pub fn missed_entry(message: &Message) -> Vec<Text> {
    let mut lines = vec![heading(message)];
    lines.extend(message.items.iter().map(|i| line(message.kind, i)));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{SessionId, SessionKind};
    use chrono::{DateTime, Utc};

    fn item(title: &str) -> Item {
        let start: DateTime<Utc> = "2021-10-07T16:00:00Z".parse().unwrap();
        Item {
            session: SessionId::new("a"),
            title: title.into(),
            kind: SessionKind::Talk,
            speakers: "Ann".into(),
            place: Some("Track A".into()),
            start,
            end: start + chrono::TimeDelta::minutes(20),
            video: Some("https://v.example/a".into()),
            was: None,
            cancelled: false,
        }
    }

    #[test]
    fn headings_and_lines_carry_times_as_instants_not_text() {
        let mut message = Message::new(JobKind::Announce, vec![item("Fast I/O")]);
        message.lead_minutes = 5;
        let post = post(&message);
        let heading = post.heading.unwrap();
        assert_eq!(heading.0[0], Span::Plain("Starting ".into()));
        assert!(matches!(heading.0[1], Span::Time(_, TimeStyle::Relative)));
        assert_eq!(post.lines[0].to_plain(), "• Fast I/O — Ann · Track A");
        let on_demand = line(JobKind::OnDemand, &item("Fast I/O"));
        assert!(on_demand
            .0
            .contains(&Span::Link("https://v.example/a".into())));
        let mut cancelled = item("Gone");
        cancelled.cancelled = true;
        assert_eq!(
            line(JobKind::Change, &cancelled).to_plain(),
            "• Gone is cancelled"
        );
    }
}

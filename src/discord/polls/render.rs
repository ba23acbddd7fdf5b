//! Polls as Discord JSON: the poll message (question, options, closing time,
//! running tally) and the result reply. Bodies are plain create/edit-message
//! JSON because everything the bot posts on its own goes through `outbound`.

use crate::discord::markdown::escape;
use emcee_core::polls::{Poll, PollState, Results, Tally};
use serde_json::{json, Value};

/// The poll colour while open, and once closed.
const OPEN_COLOUR: u32 = 0x6C4AB6;
const CLOSED_COLOUR: u32 = 0x4F545C;

/// How a reaction key shows in text: custom `name:id` becomes `<:name:id>`.
pub fn emoji_text(key: &str) -> String {
    match key.rsplit_once(':') {
        Some((name, id)) if id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty() => {
            format!("<:{name}:{id}>")
        }
        _ => key.to_owned(),
    }
}

/// The option's emoji as a reaction key: `<:name:id>` becomes `name:id`.
pub fn reaction_key(emoji: &str) -> String {
    let trimmed = emoji.trim();
    match trimmed
        .strip_prefix("<a:")
        .or_else(|| trimmed.strip_prefix("<:"))
    {
        Some(rest) => rest.trim_end_matches('>').to_owned(),
        None => trimmed.to_owned(),
    }
}

/// The poll message: create body (also used for edits). `tally` is shown
/// unless the poll hides it while open.
pub fn poll_message(poll: &Poll, tally: Option<&Tally>) -> Value {
    let shown = tally.filter(|_| !poll.hide_tally || poll.state != PollState::Open);
    let results = shown.map(|tally| Results::new(poll, tally));
    let mut lines = Vec::new();
    for (index, choice) in poll.choices.iter().enumerate() {
        let label = escape(&choice.label);
        let line = match &results {
            Some(results) => format!(
                "{} **{label}**\n`{}` {}",
                emoji_text(&choice.key),
                results.bar(index),
                results.count_text(index)
            ),
            None => format!("{} **{label}**", emoji_text(&choice.key)),
        };
        lines.push(line);
    }
    json!({ "embeds": [poll_embed(poll, lines.join("\n"), results.as_ref())] })
}

fn poll_embed(poll: &Poll, description: String, results: Option<&Results>) -> Value {
    let closes = poll.closes_at.timestamp();
    let (status, colour) = match poll.state {
        PollState::Open => (format!("Closes <t:{closes}:R>"), OPEN_COLOUR),
        PollState::Closed => (format!("Closed <t:{closes}:R>"), CLOSED_COLOUR),
        PollState::Cancelled => ("Cancelled".to_owned(), CLOSED_COLOUR),
    };
    let how = if poll.multi {
        "React to vote; pick as many as you like."
    } else {
        "React to vote; one vote each, a new reaction moves it."
    };
    let mut footer = how.to_owned();
    if let Some(results) = results {
        footer = format!("{} · {how}", results.voters_text());
    } else if poll.hide_tally && poll.state == PollState::Open {
        footer = format!("Results are shown when the poll closes. {how}");
    }
    json!({
        "title": format!("📊 {}", escape(&poll.question)),
        "description": format!("{description}\n\n{status}"),
        "color": colour,
        "footer": { "text": footer },
    })
}

/// The result reply: text bars, winners and voters, with the chart attached as
/// `filename`, replying to the poll message.
pub fn result_message(poll: &Poll, results: &Results, filename: &str) -> Value {
    let (title, description) = result_text(poll, results);
    json!({
        "embeds": [{
            "title": title,
            "description": description,
            "color": OPEN_COLOUR,
            "image": { "url": format!("attachment://{filename}") },
        }],
        "message_reference": reply_to(poll),
        "nonce": format!("poll-{}-result", poll.id),
        "enforce_nonce": true,
    })
}

/// The result's title and text: one bar per option, the winner(s), voters.
pub fn result_text(poll: &Poll, results: &Results) -> (String, String) {
    let mut lines = Vec::new();
    for (index, option) in results.options.iter().enumerate() {
        lines.push(format!(
            "{} {}\n`{}` {}",
            emoji_text(&option.key),
            escape(&option.label),
            results.bar(index),
            results.count_text(index)
        ));
    }
    let verdict = match results.winners.len() {
        0 => "No votes were cast.".to_owned(),
        1 => format!("**Winner:** {}", winners(results)),
        _ => format!("**Tie:** {}", winners(results)),
    };
    let state = match poll.state {
        PollState::Open => " (still open)",
        PollState::Cancelled => " (cancelled)",
        PollState::Closed => "",
    };
    let title = format!("Results{state}: {}", escape(&poll.question));
    let description = format!(
        "{}\n\n{verdict} · {}",
        lines.join("\n"),
        results.voters_text()
    );
    (title, description)
}

fn winners(results: &Results) -> String {
    let names: Vec<String> = results
        .winners
        .iter()
        .map(|&i| {
            let option = &results.options[i];
            format!("{} {}", emoji_text(&option.key), escape(&option.label))
        })
        .collect();
    names.join(" and ")
}

/// The reply saying a poll was called off.
pub fn cancelled_message(poll: &Poll) -> Value {
    json!({
        "content": format!("The poll “{}” was cancelled; its votes will not be counted.", escape(&poll.question)),
        "message_reference": reply_to(poll),
        "nonce": format!("poll-{}-cancel", poll.id),
        "enforce_nonce": true,
    })
}

fn reply_to(poll: &Poll) -> Value {
    json!({
        "message_id": poll.message.message,
        "channel_id": poll.message.channel,
        "fail_if_not_exists": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_emoji_keys_and_text_convert_both_ways() {
        assert_eq!(reaction_key("<:ferris:123>"), "ferris:123");
        assert_eq!(reaction_key("<a:party:9>"), "party:9");
        assert_eq!(reaction_key("🦀"), "🦀");
        assert_eq!(emoji_text("ferris:123"), "<:ferris:123>");
        assert_eq!(emoji_text("🇦"), "🇦");
    }
}

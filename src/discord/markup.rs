//! The core's neutral posts as Discord messages: markdown with everything
//! from the agenda or users escaped, `<t:UNIX:STYLE>` so each reader sees
//! their own time, option keys as emoji, cards as embeds, and mentions limited
//! to the one role an organiser configured.

use super::markdown::escape;
use emcee_core::chat::text::single_line;
use emcee_core::chat::{Accent, Post, Span, Text, TimeStyle};
use serde_json::{json, Value};

/// Discord's limit on a message's content, less room for "and N more".
const CONTENT_BUDGET: usize = 1900;
/// The embed colour of a live card, and of a finished one.
const LIVE_COLOUR: u32 = 0x6C4AB6;
const DONE_COLOUR: u32 = 0x4F545C;

/// Rich text as Discord markdown.
pub fn text(text: &Text) -> String {
    let mut out = String::new();
    for span in &text.0 {
        match span {
            Span::Plain(t) => out.push_str(&escape(&single_line(t))),
            Span::Strong(t) => out.push_str(&format!("**{}**", escape(&single_line(t)))),
            Span::Struck(t) => out.push_str(&format!("~~{}~~", escape(&single_line(t)))),
            Span::Code(t) => out.push_str(&format!("`{}`", single_line(t).replace('`', "'"))),
            Span::Time(at, style) => out.push_str(&timestamp(at.timestamp(), *style)),
            Span::Link(url) => out.push_str(&format!("<{}>", url.replace('>', "%3E"))),
            Span::Emoji(key) => out.push_str(&emoji_text(key)),
            Span::Channel(id) => out.push_str(&channel_link(id)),
            Span::Break => out.push('\n'),
        }
    }
    out
}

/// `<#id>`, a link to a channel or thread; an id that is not a snowflake
/// (which the platform never gives) is shown as plain text instead.
fn channel_link(id: &str) -> String {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        format!("<#{id}>")
    } else {
        format!("#{}", escape(&single_line(id)))
    }
}

fn timestamp(unix: i64, style: TimeStyle) -> String {
    let style = match style {
        TimeStyle::Relative => 'R',
        TimeStyle::Time => 't',
        TimeStyle::DateTime => 'f',
    };
    format!("<t:{unix}:{style}>")
}

/// A post's content: the configured ping, the heading in bold, then as many
/// lines as fit in one message and a closing "…and N more".
pub fn content(post: &Post) -> String {
    let mut out = String::new();
    if let Some(role) = &post.ping_role {
        out.push_str(&format!("<@&{role}> "));
    }
    if let Some(heading) = &post.heading {
        out.push_str(&format!("**{}**", self::text(heading)));
    }
    let mut shown = 0;
    for line in &post.lines {
        let line = self::text(line);
        if out.len() + line.len() + 1 > CONTENT_BUDGET {
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
        shown += 1;
    }
    let more = post.lines.len() - shown + post.more;
    if more > 0 {
        out.push('\n');
        out.push_str(&self::text(&Post::overflow(more)));
    }
    out
}

/// The create-message (or edit) JSON for `post`: content, embed, the reply
/// reference, the nonce, and mentions limited to the configured role.
pub fn message(post: &Post) -> Value {
    let mentions = match &post.ping_role {
        Some(role) => json!({ "parse": [], "roles": [role] }),
        None => json!({ "parse": [] }),
    };
    let mut body = json!({ "allowed_mentions": mentions });
    let content = content(post);
    if !content.is_empty() {
        body["content"] = Value::String(content);
    }
    if let Some(card) = &post.card {
        let mut embed = json!({
            "title": self::text(&card.title),
            "description": self::text(&card.body),
            "color": match card.accent { Accent::Live => LIVE_COLOUR, Accent::Done => DONE_COLOUR },
        });
        if let Some(footer) = &card.footer {
            embed["footer"] = json!({ "text": footer.to_plain() });
        }
        if let (true, Some(file)) = (card.image, &post.attachment) {
            embed["image"] = json!({ "url": format!("attachment://{}", file.filename) });
        } else if let Some(url) = &card.image_url {
            embed["image"] = json!({ "url": url });
        }
        body["embeds"] = json!([embed]);
    }
    if let Some(reply) = &post.reply_to {
        body["message_reference"] = json!({
            "message_id": reply.message,
            "channel_id": reply.channel,
            "fail_if_not_exists": false,
        });
    }
    if let Some(nonce) = &post.dedupe {
        body["nonce"] = Value::String(nonce.clone());
        body["enforce_nonce"] = Value::Bool(true);
    }
    if !post.buttons.is_empty() {
        body["components"] = components(&post.buttons);
    }
    if let Some(poll) = &post.native_poll {
        body["poll"] = super::polls::native_body(poll);
    }
    body
}

/// Buttons as Discord's action rows (five to a row, at most five rows).
pub fn components(buttons: &[emcee_core::chat::Button]) -> Value {
    let rows: Vec<Value> = buttons
        .chunks(5)
        .take(5)
        .map(|row| {
            let row: Vec<Value> = row
                .iter()
                .map(|b| {
                    json!({
                        "type": 2,
                        "style": 2,
                        "label": single_line(&b.label).chars().take(80).collect::<String>(),
                        "custom_id": b.id,
                        "disabled": b.disabled,
                    })
                })
                .collect();
            json!({ "type": 1, "components": row })
        })
        .collect();
    Value::Array(rows)
}

/// A scheduled message's create-message JSON, with the job's nonce.
pub fn scheduled(message: &emcee_core::scheduler::Message, nonce: &str) -> Value {
    self::message(&emcee_core::scheduler::wording::post(message).deduped(nonce))
}

/// How an option key shows in text: letters as regional indicators 🇦 🇧 …,
/// custom `name:id` as `<:name:id>`, Unicode emoji as they are.
pub fn emoji_text(key: &str) -> String {
    if let Some(letter) = letter_emoji(key) {
        return letter;
    }
    match key.rsplit_once(':') {
        Some((name, id)) if id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty() => {
            format!("<:{name}:{id}>")
        }
        _ => key.to_owned(),
    }
}

/// The reaction Discord stores for an option key: a letter's regional
/// indicator, else the key (Unicode, or `name:id` for a custom emoji).
pub fn reaction_of(key: &str) -> String {
    letter_emoji(key).unwrap_or_else(|| key.to_owned())
}

/// The option key of a Discord reaction: 🇦 … 🇹 are the letters A … T.
pub fn key_of_reaction(reaction: &str) -> String {
    let mut chars = reaction.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if ('\u{1F1E6}'..='\u{1F1F9}').contains(&c) => {
            char::from(b'A' + (u32::from(c) - 0x1F1E6) as u8).to_string()
        }
        _ => reaction.to_owned(),
    }
}

fn letter_emoji(key: &str) -> Option<String> {
    let [letter] = key.as_bytes() else {
        return None;
    };
    let index = letter.checked_sub(b'A').filter(|i| *i < 20)?;
    char::from_u32(0x1F1E6 + u32::from(index)).map(String::from)
}

/// An organiser's option emoji as a key: `<:name:id>` (or animated
/// `<a:name:id>`) becomes `name:id`; Unicode stays as it is.
pub fn emoji_key(typed: &str) -> String {
    let trimmed = typed.trim();
    match trimmed
        .strip_prefix("<a:")
        .or_else(|| trimmed.strip_prefix("<:"))
    {
        Some(rest) => rest.trim_end_matches('>').to_owned(),
        None => key_of_reaction(trimmed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_keys_map_to_reactions_and_back() {
        assert_eq!(reaction_of("A"), "🇦");
        assert_eq!(key_of_reaction("🇦"), "A");
        assert_eq!(key_of_reaction("🇹"), "T");
        assert_eq!(reaction_of("ferris:123"), "ferris:123");
        assert_eq!(emoji_key("<:ferris:123>"), "ferris:123");
        assert_eq!(emoji_key("<a:party:9>"), "party:9");
        assert_eq!(emoji_key("🦀"), "🦀");
        assert_eq!(emoji_text("ferris:123"), "<:ferris:123>");
        assert_eq!(emoji_text("B"), "🇧");
    }

    #[test]
    fn agenda_text_cannot_ping_and_only_the_configured_role_may() {
        let post = Post {
            heading: Some(Text::plain("Starting now")),
            lines: vec![Text::strong("@everyone <@&1>")],
            ping_role: Some("42".into()),
            ..Post::default()
        };
        let body = message(&post);
        let content = body["content"].as_str().unwrap();
        assert!(content.starts_with("<@&42> **Starting now**"), "{content}");
        assert!(
            !content.contains("@everyone") && !content.contains("<@&1>"),
            "{content}"
        );
        assert_eq!(body["allowed_mentions"]["roles"], json!(["42"]));
    }

    #[test]
    fn a_title_with_line_breaks_cannot_forge_lines() {
        let post = Post {
            heading: Some(Text::plain("Starting now")),
            lines: vec![Text::strong("Real talk\n**Starting now**\n• Fake talk")],
            ..Post::default()
        };
        let content = content(&post);
        assert_eq!(content.lines().count(), 2, "{content}");
    }
}

//! The core's neutral posts as Slack messages: Block Kit sections within
//! Slack's limits (50 blocks, 3,000 characters per section text), a text
//! fallback for notifications, and the post's dedupe key as message
//! metadata, which is how a retried post is recognised in the channel's
//! history (Slack has no nonce). A button poll's ballot is one section per
//! option with its Vote button as the accessory, then a context line.

use super::markup;
use emcee_core::chat::text::pack_lines;
use emcee_core::chat::{Ballot, Button, Card, Post, Text};
use slack_morphism::prelude::*;
use std::collections::HashMap;

/// Blocks one message may hold.
pub const MAX_BLOCKS: usize = 50;
/// Characters one section's text may hold.
pub const SECTION_CHARS: usize = 3000;
/// Characters of the notification fallback; Slack truncates past about 40,000.
const FALLBACK_CHARS: usize = 3000;
/// The metadata event type under which a post carries its dedupe key.
pub const DEDUPE_EVENT: &str = "emcee_post";
/// The metadata payload field holding the dedupe key.
pub const DEDUPE_FIELD: &str = "dedupe";
/// Elements one actions block may hold.
const ACTIONS_PER_BLOCK: usize = 25;
/// Characters of a button's label (Slack's limit).
const BUTTON_LABEL_CHARS: usize = 75;
/// The action id prefix of a poll option's Vote button: `emcee:vote:INDEX`
/// (action ids are unique within a message); the value is the index too.
pub const VOTE_ACTION: &str = "emcee:vote";

/// A post as Slack message content: blocks, fallback text, and metadata.
pub fn message(post: &Post) -> SlackMessageContent {
    let mut content = SlackMessageContent::new()
        .with_text(fallback(post))
        .with_blocks(blocks(post));
    if let Some(key) = &post.dedupe {
        content = content.with_metadata(metadata(key));
    }
    content
}

/// The metadata that marks a post with its dedupe key.
pub fn metadata(key: &str) -> SlackMessageMetadata {
    SlackMessageMetadata {
        event_type: DEDUPE_EVENT.to_owned(),
        event_payload: Some(HashMap::from([(DEDUPE_FIELD.to_owned(), key.to_owned())])),
    }
}

/// The dedupe key a message carries, if emcee posted it with one.
pub fn dedupe_of(metadata: Option<&SlackMessageMetadata>) -> Option<&str> {
    let metadata = metadata.filter(|m| m.event_type == DEDUPE_EVENT)?;
    metadata
        .event_payload
        .as_ref()?
        .get(DEDUPE_FIELD)
        .map(String::as_str)
}

/// The ping (a configured user group) and the heading, as one mrkdwn line.
fn heading_line(post: &Post) -> Option<String> {
    let ping = post.ping_role.as_deref().and_then(markup::ping);
    let heading = post
        .heading
        .as_ref()
        .map(|h| format!("*{}*", markup::text(h)));
    match (ping, heading) {
        (None, None) => None,
        (Some(ping), None) => Some(ping),
        (None, Some(heading)) => Some(heading),
        (Some(ping), Some(heading)) => Some(format!("{ping} {heading}")),
    }
}

/// What a notification shows: the heading and the lines, cut to fit.
pub fn fallback(post: &Post) -> String {
    let mut lines: Vec<String> = heading_line(post).into_iter().collect();
    lines.extend(post.lines.iter().map(markup::text));
    if let Some(card) = &post.card {
        lines.push(markup::text(&card.title));
    }
    if let Some(ballot) = &post.ballot {
        lines.extend(ballot.options.iter().map(|o| markup::text(&o.label)));
    }
    let joined = lines.join("\n");
    if joined.chars().count() <= FALLBACK_CHARS {
        return joined;
    }
    // Cut at a line so no `<…>` form is split.
    pack_lines(&lines, FALLBACK_CHARS)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// The post's blocks: the heading, the lines packed into sections, "…and N
/// more" for what does not fit in 50 blocks, and the card.
pub fn blocks(post: &Post) -> Vec<SlackBlock> {
    let mut blocks: Vec<SlackBlock> = Vec::new();
    if let Some(line) = heading_line(post) {
        blocks.push(section(line));
    }
    let mut card_blocks = post.card.as_ref().map(card).unwrap_or_default();
    card_blocks.extend(post.ballot.as_ref().map(ballot).unwrap_or_default());
    card_blocks.extend(actions(&post.buttons));
    // Room for the card and one closing "…and N more" section.
    let room = MAX_BLOCKS.saturating_sub(blocks.len() + card_blocks.len() + 1);
    let lines: Vec<String> = post.lines.iter().map(markup::text).collect();
    let packed = pack_lines(&lines, SECTION_CHARS);
    let mut shown_lines = 0;
    for chunk in packed.into_iter().take(room) {
        shown_lines += chunk.lines().count();
        blocks.push(section(chunk));
    }
    let hidden = lines.len().saturating_sub(shown_lines) + post.more;
    if hidden > 0 {
        blocks.push(context(markup::text(&Post::overflow(hidden))));
    }
    blocks.extend(card_blocks);
    blocks
}

/// A card: its title in bold over its body, and the footer as context.
fn card(card: &Card) -> Vec<SlackBlock> {
    let mut body = format!("*{}*", markup::text(&card.title));
    if !card.body.is_empty() {
        body.push('\n');
        body.push_str(&markup::text(&card.body));
    }
    let mut blocks = vec![section(cut(&body, SECTION_CHARS))];
    if let Some(image) = card.image_url.as_deref().and_then(image) {
        blocks.push(image);
    }
    if let Some(footer) = &card.footer {
        blocks.push(context(markup::text(footer)));
    }
    blocks
}

/// The image at `url`: a file Slack hosts (`files.slack.com`, which needs
/// the viewer's login) as a `slack_file`, any other as an `image_url`.
fn image(url: &str) -> Option<SlackBlock> {
    // reqwest's `Url` is the `url` crate's, which slack-morphism takes.
    let url = reqwest::Url::parse(url).ok()?;
    let hosted = url
        .host_str()
        .is_some_and(|host| host.ends_with("slack.com"));
    let source = if hosted {
        SlackImageUrlOrFile::SlackFile {
            slack_file: SlackFileIdOrUrl::Url { url },
        }
    } else {
        SlackImageUrlOrFile::ImageUrl { image_url: url }
    };
    Some(SlackImageBlock::new(source, "The entry's image".to_owned()).into())
}

/// A button poll: each option a section (label, then its bar and count when
/// shown) with a Vote button while voting is open, and the status as context.
fn ballot(ballot: &Ballot) -> Vec<SlackBlock> {
    let mut blocks: Vec<SlackBlock> = Vec::new();
    for (index, option) in ballot.options.iter().enumerate() {
        let mut text = markup::text(&option.label);
        if let Some(tally) = &option.tally {
            text.push('\n');
            text.push_str(&markup::text(tally));
        }
        let mut section = SlackSectionBlock::new().with_text(SlackBlockText::MarkDown(
            SlackBlockMarkDownText::new(cut(&text, SECTION_CHARS)),
        ));
        if ballot.open {
            let button =
                SlackBlockButtonElement::new(SlackBlockPlainText::new("Vote".into()).into())
                    .with_action_id(format!("{VOTE_ACTION}:{index}").into())
                    .with_value(index.to_string());
            section = section.with_accessory(SlackSectionBlockElement::Button(button));
        }
        blocks.push(section.into());
    }
    blocks.push(context(markup::text(&ballot.status)));
    blocks
}

/// A post's buttons as one actions block (Slack holds 25 elements in one);
/// `None` without any. Slack has no disabled button, so a disabled one (a
/// hidden question's ▲) is left out; its click would be refused anyway.
pub fn actions(buttons: &[Button]) -> Option<SlackBlock> {
    let elements: Vec<SlackActionBlockElement> = buttons
        .iter()
        .filter(|b| !b.disabled)
        .take(ACTIONS_PER_BLOCK)
        .map(|b| {
            let label = plain(&Text::plain(b.label.clone()), BUTTON_LABEL_CHARS);
            SlackActionBlockElement::Button(
                SlackBlockButtonElement::new(label)
                    .with_action_id(b.id.clone().into())
                    .with_value(b.id.clone()),
            )
        })
        .collect();
    (!elements.is_empty()).then(|| SlackActionsBlock::new(elements).into())
}

/// The option index a Vote button's action id names.
pub fn vote_of(action_id: &str) -> Option<usize> {
    action_id
        .strip_prefix(VOTE_ACTION)?
        .strip_prefix(':')?
        .parse()
        .ok()
}

/// A mrkdwn section.
pub fn section(mrkdwn: String) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(SlackBlockText::MarkDown(SlackBlockMarkDownText::new(
            mrkdwn,
        )))
        .into()
}

/// A context line (small grey text).
pub fn context(mrkdwn: String) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
        SlackBlockMarkDownText::new(cut(&mrkdwn, SECTION_CHARS)),
    )])
    .into()
}

/// A text of at most `limit` characters, cut at a line (so no `<…>` form is
/// split) or, for one long line, with "…".
fn cut(text: &str, limit: usize) -> String {
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    pack_lines(&lines, limit)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Plain text for a button label or header (Slack escapes plain text itself),
/// at most `limit` characters.
pub fn plain(text: &Text, limit: usize) -> SlackBlockPlainTextOnly {
    let plain = emcee_core::chat::text::single_line(&text.to_plain()).into_owned();
    let shown: String = if plain.chars().count() > limit {
        let cut: String = plain.chars().take(limit.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        plain
    };
    SlackBlockPlainText::new(shown).into()
}

#[cfg(test)]
mod tests;

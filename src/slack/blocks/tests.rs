#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::slack::markup::tests::HOSTILE;
use emcee_core::chat::Span;

fn json(post: &Post) -> serde_json::Value {
    serde_json::to_value(message(post)).unwrap()
}

/// Every `<` in a rendered message opens one of the forms the bot itself writes.
fn forms(rendered: &str) -> Vec<String> {
    rendered
        .split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_hostile_post_pings_nobody_anywhere_in_the_message() {
    let hostile = |t: &str| Text(vec![Span::Strong(t.into()), Span::Plain(t.into())]);
    let post = Post {
        heading: Some(hostile("<!channel> Starting now")),
        lines: HOSTILE.iter().map(|t| hostile(t)).collect(),
        card: Some(Card {
            title: hostile("<!here>"),
            body: hostile("<@U024BE7LH>"),
            footer: Some(hostile("<!subteam^S0123ABC>")),
            ..Card::default()
        }),
        ping_role: Some("123456789012345678".into()),
        ..Post::default()
    };
    let rendered = json(&post).to_string();
    assert_eq!(forms(&rendered), Vec::<String>::new(), "{rendered}");
}

#[test]
fn the_configured_group_is_the_one_ping() {
    let post = Post {
        heading: Some(Text::plain("Starting now")),
        lines: vec![Text::strong("<!subteam^S0THEM>")],
        ping_role: Some("S0ORGS".into()),
        ..Post::default()
    };
    let content = message(&post);
    assert_eq!(
        forms(&serde_json::to_string(&content).unwrap()),
        ["!subteam^S0ORGS", "!subteam^S0ORGS"],
        "once in the blocks, once in the notification text"
    );
    assert!(content
        .text
        .unwrap()
        .starts_with("<!subteam^S0ORGS> *Starting now*"));
}

#[test]
fn long_posts_keep_to_fifty_blocks_and_say_how_many_more() {
    let lines: Vec<Text> = (0..2000)
        .map(|n| Text::plain(format!("{n:04} {}", "x".repeat(100))))
        .collect();
    let post = Post {
        heading: Some(Text::plain("Today")),
        lines,
        card: Some(Card::default()),
        ..Post::default()
    };
    let blocks = blocks(&post);
    assert_eq!(blocks.len(), MAX_BLOCKS);
    let value = serde_json::to_value(&blocks).unwrap();
    for block in value.as_array().unwrap() {
        if let Some(text) = block["text"]["text"].as_str() {
            assert!(text.chars().count() <= SECTION_CHARS);
        }
    }
    let shown: usize = value
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .map(|t| t.lines().filter(|l| l.contains("xxx")).count())
        .sum();
    let more = value[48]["elements"][0]["text"].as_str().unwrap();
    assert_eq!(more, format!("…and {} more", 2000 - shown));
    assert!(fallback(&post).chars().count() <= 3000);
}

#[test]
fn the_dedupe_key_travels_as_metadata_and_is_read_back() {
    let post = Post::lines(vec![Text::plain("hi")]).deduped("ann-0123456789abcdef");
    let content = message(&post);
    let value = serde_json::to_value(&content).unwrap();
    assert_eq!(value["metadata"]["event_type"], DEDUPE_EVENT);
    assert_eq!(
        value["metadata"]["event_payload"]["dedupe"],
        "ann-0123456789abcdef"
    );
    assert_eq!(
        dedupe_of(content.metadata.as_ref()),
        Some("ann-0123456789abcdef")
    );
    assert_eq!(dedupe_of(None), None);
    assert!(message(&Post::lines(vec![])).metadata.is_none());
}

#[test]
fn labels_are_plain_and_cut() {
    let label = serde_json::to_value(plain(&Text::plain("x".repeat(100)), 75)).unwrap();
    assert_eq!(label["type"], "plain_text");
    assert_eq!(label["text"].as_str().unwrap().chars().count(), 75);
}

#[test]
fn a_ballot_is_one_section_per_option_with_a_vote_button_while_open() {
    let hostile = |t: &str| Text(vec![Span::Strong(t.into())]);
    let options = (0..20)
        .map(|n| emcee_core::chat::BallotOption {
            label: hostile(&format!("<!channel> option {n}")),
            tally: (n == 0).then(|| Text::plain("`███` 1 vote (100%)")),
        })
        .collect();
    let mut post = Post {
        heading: Some(Text::plain("📊 Which?")),
        ballot: Some(emcee_core::chat::Ballot {
            options,
            open: true,
            status: hostile("<!here> closes soon"),
        }),
        ..Post::default()
    };
    let body = json(&post);
    let blocks = body["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 22, "heading, 20 options, status");
    assert_eq!(blocks[1]["accessory"]["action_id"], "emcee:vote:0");
    assert_eq!(blocks[20]["accessory"]["value"], "19");
    assert_eq!(vote_of("emcee:vote:19"), Some(19));
    assert_eq!(vote_of("emcee:votes:1"), None);
    assert_eq!(blocks[21]["type"], "context");
    let rendered = body.to_string();
    assert_eq!(forms(&rendered), Vec::<String>::new(), "{rendered}");
    assert!(body["text"].as_str().unwrap().contains("option 19"));
    post.ballot.as_mut().unwrap().open = false;
    let closed = json(&post).to_string();
    assert!(!closed.contains("emcee:vote"), "{closed}");
}

//! What a contest says, as neutral posts: the opening call for entries, the
//! note to someone over the entry limit, and the result. Entrants' names are
//! plain spans, which every renderer escapes: a name like `@everyone` pings
//! nobody.

use super::model::{Contest, Standing};
use crate::chat::{Accent, Card, Post, Span, Text, TimeStyle};

/// Medals for the first three places.
const MEDALS: [&str; 3] = ["🥇", "🥈", "🥉"];

/// The vote emoji as "👍 or 😂".
fn emoji_text(contest: &Contest) -> Text {
    let mut text = Text::new();
    for (index, key) in contest.rules.emoji.iter().enumerate() {
        if index > 0 {
            text.push(Span::Plain(" or ".into()));
        }
        text.push(Span::Emoji(key.clone()));
    }
    text
}

fn entries_word(n: u32) -> String {
    if n == 1 {
        "1 entry".to_owned()
    } else {
        format!("{n} entries")
    }
}

/// The call for entries, posted in the contest's channel when it opens.
pub fn opened_post(contest: &Contest) -> Post {
    let rules = &contest.rules;
    let mut lines = vec![Text::plain("Post your image in this channel until ")
        .with(Span::Time(rules.closes_at, TimeStyle::Time))
        .and(" (")
        .with(Span::Time(rules.closes_at, TimeStyle::Relative))
        .and(format!("): {} per person.", entries_word(rules.per_person)))];
    let mut vote = Text::plain("Vote by reacting with ");
    vote.extend(emoji_text(contest));
    vote.push(Span::Plain(
        " on the entries you like (your own entry's votes don't count).".into(),
    ));
    lines.push(vote);
    if let Some(template) = &rules.template {
        lines.push(Text::plain("Template: ").with(Span::Link(template.clone())));
    }
    Post {
        heading: Some(Text::plain("🖼️ Meme contest: ").with(Span::Strong(rules.title.clone()))),
        lines,
        ..Post::default()
    }
    .deduped(crate::chat::dedupe_key(
        "contest-open",
        &contest.id.to_string(),
    ))
}

/// The private note to an entrant whose post went over the limit.
pub fn over_limit_post(contest: &Contest) -> Post {
    Post::lines(vec![Text::plain(format!(
        "Your post in the meme contest \"{}\" is not counted: it takes {} per person, and your \
         earlier ones count.",
        contest.rules.title,
        entries_word(contest.rules.per_person)
    ))])
}

/// The result: a summary, then each of the top entries with its image and
/// count. `ranked` is every entry, best first.
pub fn result_posts(contest: &Contest, ranked: &[Standing]) -> Vec<Post> {
    let rules = &contest.rules;
    let key = |part: &str| crate::chat::dedupe_key("cx-res-", &format!("{}/{part}", contest.id));
    let heading = Text::plain("🏆 Meme contest results: ").with(Span::Strong(rules.title.clone()));
    let voters_line = Text::plain(format!(
        "{} from {}.",
        entries_word(u32::try_from(ranked.len()).unwrap_or(u32::MAX)),
        people(ranked)
    ));
    if ranked.is_empty() {
        let post = Post {
            heading: Some(heading),
            lines: vec![Text::plain("No entries this time.")],
            ..Post::default()
        };
        return vec![post.deduped(key("summary"))];
    }
    let top: Vec<&Standing> = ranked.iter().take(rules.top as usize).collect();
    let mut lines: Vec<Text> = top
        .iter()
        .enumerate()
        .map(|(place, standing)| place_line(place, standing))
        .collect();
    lines.push(voters_line);
    let summary = Post {
        heading: Some(heading),
        lines,
        ..Post::default()
    }
    .deduped(key("summary"));
    let mut posts = vec![summary];
    for (place, standing) in top.iter().enumerate() {
        let entry = &standing.entry.entry;
        let body = match &entry.link {
            Some(link) => Text::plain("The entry: ").with(Span::Link(link.clone())),
            None => Text::new(),
        };
        let card = Card {
            title: place_line(place, standing),
            body,
            accent: Accent::Done,
            image_url: Some(entry.image_url.clone()),
            ..Card::default()
        };
        posts.push(Post::card(card).deduped(key(&format!("place/{place}"))));
    }
    posts
}

/// "🥇 alice: 42 votes".
fn place_line(place: usize, standing: &Standing) -> Text {
    let medal = MEDALS
        .get(place)
        .map_or_else(|| format!("{}.", place + 1), |m| (*m).to_owned());
    let votes = match standing.votes {
        1 => "1 vote".to_owned(),
        n => format!("{n} votes"),
    };
    Text::plain(format!("{medal} "))
        .with(Span::Strong(standing.entry.entry.entrant_name.clone()))
        .and(format!(": {votes}"))
}

fn people(ranked: &[Standing]) -> String {
    let entrants: std::collections::BTreeSet<&str> = ranked
        .iter()
        .map(|s| s.entry.entry.entrant.as_str())
        .collect();
    match entrants.len() {
        1 => "1 person".to_owned(),
        n => format!("{n} people"),
    }
}

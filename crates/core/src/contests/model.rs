//! A contest, its entries and votes as the core and the stores see them.

use crate::chat::MessageKey;
use chrono::{DateTime, Utc};

/// The vote emoji when neither the agenda nor the organiser names any.
pub const DEFAULT_EMOJI: [&str; 2] = ["👍", "😂"];
/// Entries counted per person by default.
pub const DEFAULT_PER_PERSON: u32 = 1;
/// Entries the result shows by default.
pub const DEFAULT_TOP: u32 = 3;
/// Most entries per person, and most entries a result shows.
pub const MAX_PER_PERSON: u32 = 10;
pub const MAX_TOP: u32 = 10;

/// File name endings taken as images when the platform gives no content type.
const IMAGE_ENDINGS: [&str; 9] = [
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".bmp", ".heic", ".apng",
];

/// A contest to store: where, when and by which rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContest {
    /// The server or workspace it belongs to.
    pub community: Option<String>,
    /// The agenda's `[[contests]]` id; storing one twice keeps the first.
    pub declared_id: Option<String>,
    pub title: String,
    /// The platform's channel id.
    pub channel: String,
    pub template: Option<String>,
    pub per_person: u32,
    /// The vote emoji's neutral keys; any of them is a vote.
    pub emoji: Vec<String>,
    pub top: u32,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub created_by: Option<String>,
}

/// Whether a contest takes entries and votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContestState {
    Open,
    Closed,
}

impl ContestState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// A stored name back; anything unknown is closed (counts nothing).
    pub fn parse(text: &str) -> Self {
        if text == "open" {
            Self::Open
        } else {
            Self::Closed
        }
    }
}

/// A stored contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contest {
    pub id: i64,
    pub rules: NewContest,
    pub state: ContestState,
    pub closed_at: Option<DateTime<Utc>>,
    /// Its result was posted.
    pub announced: bool,
}

impl Contest {
    /// Whether `at` is within its window and it is still open.
    pub fn takes_part_at(&self, at: DateTime<Utc>) -> bool {
        self.state == ContestState::Open && self.rules.opens_at <= at && at < self.rules.closes_at
    }

    /// Whether `key` is one of its vote emoji.
    pub fn is_vote(&self, key: &str) -> bool {
        self.rules.emoji.iter().any(|emoji| emoji == key)
    }
}

/// A file on a posted message, as the platform describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub filename: String,
    pub content_type: Option<String>,
    /// Where the platform serves it.
    pub url: String,
}

impl Upload {
    /// An image: an `image/*` content type, or without one an image's file
    /// name ending.
    pub fn is_image(&self) -> bool {
        match self.content_type.as_deref().map(str::trim) {
            Some(kind) if !kind.is_empty() => kind.to_ascii_lowercase().starts_with("image/"),
            _ => {
                let name = self.filename.to_ascii_lowercase();
                IMAGE_ENDINGS.iter().any(|ending| name.ends_with(ending))
            }
        }
    }
}

/// An entry to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub contest_id: i64,
    pub message: MessageKey,
    pub entrant: String,
    /// Shown in the result, as inert text.
    pub entrant_name: String,
    pub image_url: String,
    /// A link to the post, where the platform has one.
    pub link: Option<String>,
    pub posted_at: DateTime<Utc>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub entry: NewEntry,
}

/// What storing an entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryAdded {
    /// A new entry.
    Added(Entry),
    /// The message was an entry already (an event delivered twice).
    Known(Entry),
    /// The entrant has as many entries as the contest counts: not counted.
    /// `first`: the first refusal for this entrant in this contest.
    OverLimit { first: bool },
}

/// One vote emoji of one voter on one entry, there or not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VoteChange {
    pub entry_id: i64,
    pub voter: String,
    pub emoji: String,
    pub present: bool,
}

/// An entry with its votes (distinct voters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub entry: Entry,
    pub votes: u32,
}

/// Entries by votes, most first; a tie goes to the earlier entry.
pub fn rank(mut standings: Vec<Standing>) -> Vec<Standing> {
    standings.sort_by(|a, b| {
        b.votes
            .cmp(&a.votes)
            .then(a.entry.entry.posted_at.cmp(&b.entry.entry.posted_at))
            .then(a.entry.id.cmp(&b.entry.id))
    });
    standings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, kind: Option<&str>) -> Upload {
        Upload {
            filename: name.into(),
            content_type: kind.map(str::to_owned),
            url: format!("https://cdn.example/{name}"),
        }
    }

    #[test]
    fn images_are_known_by_content_type_else_by_name() {
        assert!(upload("meme.png", Some("image/png")).is_image());
        assert!(upload("noext", Some("IMAGE/webp")).is_image());
        assert!(!upload("meme.png", Some("application/pdf")).is_image());
        assert!(upload("Meme.JPG", None).is_image());
        assert!(!upload("notes.txt", None).is_image());
        assert!(!upload("png", Some(" ")).is_image());
    }

    #[test]
    fn a_contest_takes_part_only_within_its_window_while_open() {
        let at = |s: i64| DateTime::from_timestamp(1_000_000 + s, 0).unwrap();
        let mut contest = Contest {
            id: 1,
            rules: NewContest {
                community: None,
                declared_id: None,
                title: "Memes".into(),
                channel: "c".into(),
                template: None,
                per_person: 1,
                emoji: vec!["👍".into()],
                top: 3,
                opens_at: at(0),
                closes_at: at(60),
                created_by: None,
            },
            state: ContestState::Open,
            closed_at: None,
            announced: false,
        };
        assert!(!contest.takes_part_at(at(-1)), "before it opens");
        assert!(contest.takes_part_at(at(0)) && contest.takes_part_at(at(59)));
        assert!(!contest.takes_part_at(at(60)), "at the close");
        contest.state = ContestState::Closed;
        assert!(!contest.takes_part_at(at(30)), "closed early by command");
        assert!(contest.is_vote("👍") && !contest.is_vote("😂"));
    }

    #[test]
    fn ties_go_to_the_earlier_entry() {
        let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap();
        let standing = |id: i64, posted: i64, votes: u32| Standing {
            entry: Entry {
                id,
                entry: NewEntry {
                    contest_id: 1,
                    message: MessageKey::new("c", id),
                    entrant: format!("u{id}"),
                    entrant_name: format!("u{id}"),
                    image_url: String::new(),
                    link: None,
                    posted_at: at(posted),
                },
            },
            votes,
        };
        let ranked = rank(vec![
            standing(1, 30, 5),
            standing(2, 10, 5),
            standing(3, 20, 9),
            standing(4, 10, 5),
        ]);
        let order: Vec<i64> = ranked.iter().map(|s| s.entry.id).collect();
        assert_eq!(order, [3, 2, 4, 1]);
    }
}

//! A message the core wants posted, before any platform's markup.

use super::text::Text;
use super::MessageKey;

/// A file sent with a post (a poll's result chart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Whether a card shows something live or finished (a colour on Discord).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Accent {
    #[default]
    Live,
    Done,
}

/// A titled block (a Discord embed, a Slack section with a header).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Card {
    pub title: Text,
    pub body: Text,
    pub footer: Option<Text>,
    pub accent: Accent,
    /// Show the post's attachment as the card's image.
    pub image: bool,
    /// Show the image the platform serves at this URL (a contest entry's).
    pub image_url: Option<String>,
}

/// A button poll's options, each with its own vote button: what a platform
/// that shows buttons ([`super::ChatPort::vote_buttons`]) draws instead of
/// asking for reactions. A button's value is its option's index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ballot {
    pub options: Vec<BallotOption>,
    /// Voting is open: each option shows its button.
    pub open: bool,
    /// The line under the options: voters, closing time, mode.
    pub status: Text,
}

/// One option of a [`Ballot`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BallotOption {
    /// The option as shown (its emoji and label).
    pub label: Text,
    /// Its bar and count, when the tally is shown.
    pub tally: Option<Text>,
}

/// A button under a post (the ▲ of a question). `id` is the core's own
/// action key, which the platform hands back on a click; each adapter shows
/// it its own way (a Discord button, a Slack block action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub id: String,
    pub label: String,
    /// Shown but not clickable (a hidden question's ▲).
    pub disabled: bool,
}

impl Button {
    /// A clickable button.
    pub fn new(id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            disabled: false,
        }
    }
}

/// A poll the platform itself runs ([`super::ChatPort::native_polls`]):
/// it shows the answers, takes the votes and shows the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NativePoll {
    /// Plain text, within the platform's [`super::NativeLimits`].
    pub question: String,
    pub answers: Vec<NativeAnswer>,
    /// How long the platform keeps it open, in whole hours (Discord's unit);
    /// the bot ends it earlier, at its own close time.
    pub hours: u32,
    pub multi: bool,
}

/// One answer of a [`NativePoll`]: its option key (the emoji shown beside
/// it, spelled as for reactions) and its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NativeAnswer {
    pub key: String,
    pub text: String,
}

/// One message: text and/or a card, what it may ping, what it answers, and
/// the key that makes posting it twice land once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Post {
    /// What the post is about, in a few words (the one session it
    /// announces): where a platform opens a conversation per post (a
    /// Discord forum), the conversation's name.
    pub title: Option<String>,
    /// A stable key for what the post is about (the one session it
    /// announces): where a post opens a conversation of its own (a Discord
    /// forum), later posts on the same topic join the first one's while it
    /// is open.
    pub topic: Option<String>,
    /// A heading shown emphasised above the lines.
    pub heading: Option<Text>,
    /// Lines of text; an adapter that cannot fit them all shows the first
    /// ones and [`Post::overflow`] for the rest.
    pub lines: Vec<Text>,
    /// Lines already left out by the core (beyond a digest's cap).
    pub more: usize,
    pub card: Option<Card>,
    /// The one role this post may ping, as configured by the organiser.
    pub ping_role: Option<String>,
    /// Shown as a reply to this message where the platform threads replies.
    pub reply_to: Option<MessageKey>,
    /// Makes a retried post land once (Discord's nonce).
    pub dedupe: Option<String>,
    pub attachment: Option<Attachment>,
    /// A button poll's options, drawn after the heading and lines.
    pub ballot: Option<Ballot>,
    /// A native poll, attached to the message.
    pub native_poll: Option<NativePoll>,
    /// Buttons under the message, in order.
    pub buttons: Vec<Button>,
}

impl Post {
    /// A post of text lines.
    pub fn lines(lines: Vec<Text>) -> Self {
        Self {
            lines,
            ..Self::default()
        }
    }

    /// A post of one card.
    pub fn card(card: Card) -> Self {
        Self {
            card: Some(card),
            ..Self::default()
        }
    }

    /// With a dedupe key.
    #[must_use]
    pub fn deduped(mut self, key: impl Into<String>) -> Self {
        self.dedupe = Some(key.into());
        self
    }

    /// The closing line for `hidden` lines that did not fit.
    pub fn overflow(hidden: usize) -> Text {
        Text::plain(format!("…and {hidden} more"))
    }

    /// Every line as plain text (times in UTC): for logs and tests.
    pub fn to_plain(&self) -> String {
        let mut out: Vec<String> = self.heading.iter().map(Text::to_plain).collect();
        out.extend(self.lines.iter().map(Text::to_plain));
        if let Some(card) = &self.card {
            out.push(card.title.to_plain());
            out.push(card.body.to_plain());
        }
        if let Some(ballot) = &self.ballot {
            for option in &ballot.options {
                out.push(option.label.to_plain());
                out.extend(option.tally.as_ref().map(Text::to_plain));
            }
            out.push(ballot.status.to_plain());
        }
        out.join("\n")
    }
}

//! What `/mycal` and `/mycal reset` say, on every platform (as neutral rich
//! text; each adapter renders the link its way, without a preview).

use crate::chat::{Span, Text};

/// The answer about `url`, the user's personal feed (`None`: no public
/// URL is configured); `reset` when it was just made anew.
pub fn answer(url: Option<&str>, reset: bool) -> Text {
    let Some(url) = url else {
        return Text::plain(if reset {
            "There is no calendar feed to reset: this bot has no [web] public_url."
        } else {
            "Calendar feeds are off in this bot (no [web] public_url); here is the file."
        });
    };
    let intro = if reset {
        "Your calendar feed has a new address; the old one no longer works:"
    } else {
        "Subscribe to your calendar feed (it follows programme changes):"
    };
    Text::plain(intro)
        .with(Span::Break)
        .with(Span::Link(url.to_owned()))
        .with(Span::Break)
        .and("Keep it private: anyone with the address sees your sessions. /mycal reset gives a new one.")
}

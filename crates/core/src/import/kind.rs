//! What kind of programme item an event is, guessed from its title and type.
//!
//! No format has a reliable field for this: frab's `type` is free text
//! ("lecture", "Doppelter Slot", empty for meals), calendars have only a summary.
//! Keynotes are recognised anywhere in the title or type ("Keynote: …"). Breaks
//! and socials are recognised in the type, or in short titles that start or end
//! with the word ("Lunch", "Main Conference: afternoon tea", "Pause"), so talks
//! called "How to Break PDFs" or "Third-party cookies" stay talks.

use crate::agenda::{Link, LinkKind, SessionKind};

const KEYNOTE: &[&str] = &["keynote", "keynotes", "plenary"];
const BREAK: &[&str] = &[
    "break",
    "breakfast",
    "lunch",
    "dinner",
    "coffee",
    "tea",
    "meal",
    "changeover",
    "pause",
    "déjeuner",
    "dejeuner",
    "buffet",
    "mittagspause",
    "mittagessen",
    "kaffeepause",
    "abendessen",
];
const SOCIAL: &[&str] = &[
    "party",
    "social",
    "reception",
    "drinks",
    "trip",
    "pub",
    "bbq",
    "barbecue",
    "apéro",
];

/// The words a break or social title may have at most.
const SHORT_TITLE_WORDS: usize = 4;

/// The kind of an event titled `title` whose source type (if any) is `kind_hint`.
pub(crate) fn classify(title: &str, kind_hint: &str) -> SessionKind {
    let title_words = words(title);
    let hint_words = words(kind_hint);
    let has = |words: &[String], list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(&title_words, KEYNOTE) || has(&hint_words, KEYNOTE) {
        return SessionKind::Keynote;
    }
    if has(&hint_words, BREAK) || names_it(&title_words, BREAK) || is_free_time(&title_words) {
        return SessionKind::Break;
    }
    if has(&hint_words, SOCIAL) || names_it(&title_words, SOCIAL) {
        return SessionKind::Social;
    }
    SessionKind::Talk
}

/// A link labelled `label` ("Slides", "Video", an attachment type) pointing at `url`.
pub(crate) fn link(url: &str, label: &str) -> Link {
    let words = words(&format!(
        "{label} {}",
        url.rsplit('/').next().unwrap_or_default()
    ));
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let kind = if has(&["video", "recording", "mp4", "webm", "youtube", "vimeo"]) {
        LinkKind::Video
    } else if has(&[
        "slides",
        "slide",
        "slideshow",
        "presentation",
        "deck",
        "pdf",
    ]) {
        LinkKind::Slides
    } else {
        LinkKind::Other
    };
    Link {
        kind,
        url: url.trim().to_owned(),
    }
}

/// The event's own page.
pub(crate) fn page(url: &str) -> Link {
    Link {
        kind: LinkKind::Page,
        url: url.trim().to_owned(),
    }
}

/// An on-demand recording.
pub(crate) fn video(url: &str) -> Link {
    Link {
        kind: LinkKind::Video,
        url: url.trim().to_owned(),
    }
}

/// Bytes of a title, hint or link label looked at to classify it.
const WORDS_FROM: usize = 4 * super::limits::TITLE_CHARS;

/// A short title that starts or ends with one of `list` ("Lunch", "Afternoon break",
/// "Main Conference: lunch"), unlike "How to Break PDFs".
fn names_it(words: &[String], list: &[&str]) -> bool {
    let is_listed = |word: Option<&String>| word.is_some_and(|w| list.contains(&w.as_str()));
    words.len() <= SHORT_TITLE_WORDS && (is_listed(words.first()) || is_listed(words.last()))
}

fn is_free_time(words: &[String]) -> bool {
    words.windows(2).any(|pair| {
        pair.first().is_some_and(|w| w == "free") && pair.get(1).is_some_and(|w| w == "time")
    })
}

/// The lower-cased words of `text`, read from its first [`WORDS_FROM`] bytes only:
/// kinds are told from a title's first words, and splitting a 32 MiB title into
/// 16 million strings would take half a gigabyte.
fn words(text: &str) -> Vec<String> {
    super::limits::prefix(text, WORDS_FROM)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_breaks_socials_and_keynotes() {
        assert_eq!(classify("Lunch", ""), SessionKind::Break);
        assert_eq!(classify("Afternoon break", ""), SessionKind::Break);
        assert_eq!(
            classify("Main Conference: morning tea", ""),
            SessionKind::Break
        );
        assert_eq!(
            classify("Main Conference: room changeover", ""),
            SessionKind::Break
        );
        assert_eq!(classify("Déjeuner", ""), SessionKind::Break);
        assert_eq!(classify("Coffee Break", "talk"), SessionKind::Break);
        assert_eq!(classify("Conference Party", ""), SessionKind::Social);
        assert_eq!(classify("Day trip", ""), SessionKind::Social);
        assert_eq!(
            classify("Keynote: The Future", "lecture"),
            SessionKind::Keynote
        );
        assert_eq!(
            classify("Scottish Summit 2026 Keynote", ""),
            SessionKind::Keynote
        );
        assert_eq!(
            classify("Main Conference: plenary", ""),
            SessionKind::Keynote
        );
    }

    #[test]
    fn links_by_label_or_file() {
        assert_eq!(link("https://x/a.pdf", "Slides").kind, LinkKind::Slides);
        assert_eq!(link("https://x/talk.mp4", "").kind, LinkKind::Video);
        assert_eq!(link("https://x/", "Recording").kind, LinkKind::Video);
        assert_eq!(
            link("https://plundervolt.com/", "Website").kind,
            LinkKind::Other
        );
    }

    #[test]
    fn long_titles_mentioning_breaks_stay_talks() {
        assert_eq!(
            classify(
                "Using WhatsApp as a Command Line (Breaking out of the walled garden)",
                ""
            ),
            SessionKind::Talk
        );
        assert_eq!(
            classify(
                "How we cut our lunch queue with Rust and a queueing model",
                ""
            ),
            SessionKind::Talk
        );
        assert_eq!(
            classify("Third-party cookies are over", "lecture"),
            SessionKind::Talk
        );
        assert_eq!(classify("How to Break PDFs", "lecture"), SessionKind::Talk);
        assert_eq!(classify("debian.social BoF", "BoF"), SessionKind::Talk);
        assert_eq!(
            classify("HIMiKo", "Theatre/Dance Performance"),
            SessionKind::Talk
        );
        assert_eq!(
            classify("Opening Ceremony", "Long talk (45 minutes)"),
            SessionKind::Talk
        );
    }
}

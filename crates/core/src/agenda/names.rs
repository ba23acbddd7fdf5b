//! Turning what someone typed into a track, room or session, or into "did you mean".

use super::{text, Agenda, Session, SessionId};

/// The outcome of resolving a typed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    /// The canonical name it resolved to.
    Found(String),
    /// Nothing matched; the closest known names, best first (maybe none).
    Unknown { suggestions: Vec<String> },
}

/// How many "did you mean" names an unknown-name reply offers.
const SUGGESTIONS: usize = 3;
/// Below this similarity a known name is not worth suggesting.
const SUGGESTION_FLOOR: f64 = 0.7;
/// How close one typed word must be to one word of a name (a first or last
/// name) to suggest it; stricter than for whole names, since short words
/// share letters by chance ("brian" and "roman" score 0.73).
const WORD_SUGGESTION_FLOOR: f64 = 0.85;

impl Agenda {
    /// Resolves a typed track name: exact (folded) match, else the only track whose
    /// name contains every typed word, else suggestions.
    pub fn find_track(&self, typed: &str) -> NameMatch {
        resolve(typed, self.tracks.iter().map(|t| t.name.as_str()))
    }

    /// Resolves a typed room name the same way as tracks.
    pub fn find_room(&self, typed: &str) -> NameMatch {
        resolve(typed, self.rooms.iter().map(|r| r.name.as_str()))
    }

    /// Known speaker names closest to `typed`, for "did you mean".
    pub fn suggest_speakers(&self, typed: &str) -> Vec<String> {
        suggestions(typed, self.speakers.iter().map(|s| s.name.as_str()))
    }

    /// Sessions matching a typed id or title: the id itself, else every session whose
    /// title contains all typed words (exact titles first).
    pub fn find_sessions(&self, typed: &str) -> Vec<&Session> {
        if let Some(session) = self.session(&SessionId::new(typed.trim())) {
            return vec![session];
        }
        let typed_words = text::words(typed);
        let folded = typed_words.join(" ");
        let mut found: Vec<&Session> = self
            .sessions
            .iter()
            .filter(|s| text::words_match(&typed_words, &text::words(&s.title)))
            .collect();
        found.sort_by_key(|s| text::folded(&s.title) != folded);
        found
    }

    /// Session titles closest to `typed`, for "did you mean".
    pub fn suggest_sessions(&self, typed: &str) -> Vec<String> {
        suggestions(typed, self.sessions.iter().map(|s| s.title.as_str()))
    }
}

fn resolve<'a>(typed: &str, names: impl Iterator<Item = &'a str> + Clone) -> NameMatch {
    let folded = text::folded(typed);
    if let Some(exact) = names.clone().find(|name| text::folded(name) == folded) {
        return NameMatch::Found(exact.to_owned());
    }
    let typed_words = text::words(typed);
    let mut partial = names
        .clone()
        .filter(|name| text::words_match(&typed_words, &text::words(name)));
    match (partial.next(), partial.next()) {
        (Some(only), None) => NameMatch::Found(only.to_owned()),
        _ => NameMatch::Unknown {
            suggestions: suggestions(typed, names),
        },
    }
}

/// Up to three known names most similar to `typed` (Jaro-Winkler on folded text),
/// plus any that contain all typed words when the typed text was ambiguous.
fn suggestions<'a>(typed: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let folded = text::folded(typed);
    let typed_words = text::words(typed);
    let mut scored: Vec<(f64, &str)> = names
        .map(|name| {
            let name_folded = text::folded(name);
            let name_words = text::words(name);
            let contains = text::words_match(&typed_words, &name_words);
            let score = if contains {
                1.0
            } else {
                // One typed word is a first or last name: "brian" is as close
                // to Bryan Cantrill as to Bryan McCoid, though the whole names
                // differ in length.
                let best_word = match typed_words.as_slice() {
                    [one] => name_words
                        .iter()
                        .map(|word| strsim::jaro_winkler(one, word))
                        .filter(|score| *score >= WORD_SUGGESTION_FLOOR)
                        .fold(0.0, f64::max),
                    _ => 0.0,
                };
                strsim::jaro_winkler(&folded, &name_folded).max(best_word)
            };
            (score, name)
        })
        .filter(|(score, _)| *score >= SUGGESTION_FLOOR)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, name)| name.to_owned())
        .collect()
}

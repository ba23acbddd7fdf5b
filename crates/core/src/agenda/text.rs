//! Folding text for matching: case-, accent- and word-order-insensitive.
//!
//! Attendees type "urbon-bayes", "Pere Urbón" or "Urbón-Bayes, Pere" and all mean
//! the same speaker. Folding transliterates to ASCII (deunicode), lower-cases and
//! splits into words, so matching becomes "every typed word is the prefix of some
//! word of the name", in any order.

use deunicode::deunicode;

/// Lower-case ASCII words of `text`, in order, without punctuation.
pub fn words(text: &str) -> Vec<String> {
    deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The folded form of a whole name, words joined by single spaces ("urbon bayes pere").
pub fn folded(text: &str) -> String {
    words(text).join(" ")
}

/// True when every word of `query` is a prefix of some word in `target_words`.
/// An empty query matches nothing, so a blank search never lists everything.
pub fn words_match(query: &[String], target_words: &[String]) -> bool {
    !query.is_empty()
        && query
            .iter()
            .all(|q| target_words.iter().any(|word| word.starts_with(q.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(words("Urbón-Bayes, Pere"), ["urbon", "bayes", "pere"]);
        assert_eq!(folded("  Sørensen  "), "sorensen");
    }

    #[test]
    fn matching_ignores_word_order_and_accepts_prefixes() {
        let name = words("Pere Urbón-Bayes");
        for query in ["urbon-bayes", "Pere Urbón", "Urbón-Bayes, Pere", "urb"] {
            assert!(words_match(&words(query), &name), "{query}");
        }
        assert!(!words_match(&words("bayes smith"), &name));
        assert!(!words_match(&words("  "), &name));
    }
}

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

/// The words full-text search indexes and looks up: like [`words`], but a
/// technology's name stays one token, so `C#`, `C++`, `F#` and `.NET` are
/// found as themselves and not as the letter `c` or the word `net` alone.
///
/// A word may start with a `.` (`.net`), join alphanumeric runs with `.`
/// (`node.js`, also indexed as `node` and `js`), and end in `#` or `+`
/// (`c#`, `c++`). Any other character separates words, and a `.` that
/// ends a sentence is dropped. Linear in the text's length.
pub fn search_words(text: &str) -> Vec<String> {
    let text = deunicode(text).to_lowercase();
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        match search_word_at(&chars, at) {
            Some((word, end)) => {
                if word.trim_start_matches('.').contains('.') {
                    found.extend(
                        word.split('.')
                            .filter(|part| !part.is_empty())
                            .map(str::to_owned),
                    );
                }
                found.push(word);
                at = end;
            }
            None => at += 1,
        }
    }
    found
}

/// The search word starting at `start`, and where it ends; `None` when no
/// word starts there.
fn search_word_at(chars: &[char], start: usize) -> Option<(String, usize)> {
    let alnum = |i: usize| chars.get(i).is_some_and(char::is_ascii_alphanumeric);
    // A leading dot (`.net`) only where a word may start: not `a.b` nor `…ends`.
    let word_may_start =
        start == 0 || chars[start - 1].is_whitespace() || "([/\"'".contains(chars[start - 1]);
    let mut end = start;
    if chars.get(start) == Some(&'.') && word_may_start && alnum(start + 1) {
        end += 1;
    }
    if !alnum(end) {
        return None;
    }
    loop {
        while alnum(end) {
            end += 1;
        }
        if chars.get(end) == Some(&'.') && alnum(end + 1) {
            end += 1;
        } else {
            break;
        }
    }
    let stem = end;
    while matches!(chars.get(end), Some('#' | '+')) {
        end += 1;
    }
    // `rust+wasm` is two words; `c++`, `c++20` and `c#/f#` keep their marks.
    if alnum(end) {
        if end - stem == 1 {
            end = stem;
        } else {
            while alnum(end) {
                end += 1;
            }
        }
    }
    Some((chars[start..end].iter().collect(), end))
}

/// Whether a search query word must match a whole indexed word rather than
/// begin one: one or two characters (`go`, `c#`, `ai`) begin far too many.
pub fn whole_word_only(query_word: &str) -> bool {
    query_word.trim_start_matches('.').chars().count() <= 2
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
    fn search_words_keep_technology_names_whole() {
        assert_eq!(
            search_words("C# and F#, C++20."),
            ["c#", "and", "f#", "c++20"]
        );
        assert_eq!(search_words("Using C++."), ["using", "c++"]);
        assert_eq!(
            search_words(".NET 8 on node.js"),
            [".net", "8", "on", "node", "js", "node.js"]
        );
        assert_eq!(
            search_words("Rust+WASM, C#/F#"),
            ["rust", "wasm", "c#", "f#"]
        );
        assert_eq!(
            search_words("Ünïcode...ends. #hashtag"),
            ["unicode", "ends", "hashtag"]
        );
        assert!(whole_word_only("c#") && whole_word_only("go") && whole_word_only(".ai"));
        assert!(!whole_word_only("c++") && !whole_word_only("rust"));
    }

    #[test]
    fn search_words_take_hostile_punctuation_in_one_pass() {
        let hostile = "a.".repeat(200_000) + "b" + &"+".repeat(200_000) + "#";
        let words = search_words(&hostile);
        assert_eq!(
            words.len(),
            200_002,
            "a.a.…b++…# splits into its parts plus itself"
        );
        assert_eq!(
            words[200_000].len(),
            200_002,
            "the last part keeps its marks"
        );
        assert_eq!(words[200_001].len(), 600_002);
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

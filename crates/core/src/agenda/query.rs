//! The questions attendees ask of an agenda, answered from its sorted indexes.

use super::{text, Agenda, Session, SessionId};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// A speaker and the sessions they give, in start order.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeakerSessions<'a> {
    pub name: &'a str,
    pub sessions: Vec<&'a Session>,
}

impl Agenda {
    /// Sessions running at `at`: started at or before it, ending after it.
    pub fn now(&self, at: DateTime<Utc>) -> Vec<&Session> {
        let earliest = at - self.longest;
        let from = self.sessions.partition_point(|s| s.start < earliest);
        let to = self.sessions.partition_point(|s| s.start <= at);
        self.sessions[from..to]
            .iter()
            .filter(|s| s.is_running_at(at))
            .collect()
    }

    /// The next `count` sessions starting strictly after `at`, optionally in one track.
    ///
    /// Sessions that start at the same instant as the last one taken are all included:
    /// parallel tracks are equally "next", and cutting them at an arbitrary track
    /// would hide a talk. `count` = 1 therefore answers "what is the next slot?".
    pub fn next(&self, at: DateTime<Utc>, count: usize, track: Option<&str>) -> Vec<&Session> {
        let candidates: Box<dyn Iterator<Item = &Session>> = match track {
            Some(track) => {
                let list = self
                    .by_track
                    .get(&text::folded(track))
                    .map_or(&[][..], Vec::as_slice);
                let from = list.partition_point(|&i| self.sessions[i].start <= at);
                Box::new(list[from..].iter().map(|&i| &self.sessions[i]))
            }
            None => {
                let from = self.sessions.partition_point(|s| s.start <= at);
                Box::new(self.sessions[from..].iter())
            }
        };
        take_with_ties(candidates, count)
    }

    /// Every session of a track (matched case- and accent-insensitively), in start order.
    pub fn track_sessions(&self, track: &str) -> Vec<&Session> {
        self.indexed(self.by_track.get(&text::folded(track)))
    }

    /// Every session in a room, in start order.
    pub fn room_sessions(&self, room: &str) -> Vec<&Session> {
        self.indexed(self.by_room.get(&text::folded(room)))
    }

    fn indexed(&self, list: Option<&Vec<usize>>) -> Vec<&Session> {
        list.map_or_else(Vec::new, |list| {
            list.iter().map(|&i| &self.sessions[i]).collect()
        })
    }

    /// Speakers whose name contains every word of `query` (as word prefixes, any order,
    /// any case, with or without accents), each with their sessions. Exact full-name
    /// matches come first, then by name.
    pub fn speaker(&self, query: &str) -> Vec<SpeakerSessions<'_>> {
        let query_words = text::words(query);
        let Some(rarest) = rarest_candidates(&self.speaker_words, &query_words) else {
            return Vec::new();
        };
        let folded_query = query_words.join(" ");
        let mut found: Vec<(bool, &str, usize)> = rarest
            .into_iter()
            .filter(|&entry| text::words_match(&query_words, &self.speakers[entry].words))
            .map(|entry| {
                let speaker = &self.speakers[entry];
                (
                    speaker.words.join(" ") != folded_query,
                    speaker.name.as_str(),
                    entry,
                )
            })
            .collect();
        found.sort();
        found
            .into_iter()
            .map(|(_, name, entry)| SpeakerSessions {
                name,
                sessions: self.speakers[entry]
                    .sessions
                    .iter()
                    .map(|&i| &self.sessions[i])
                    .collect(),
            })
            .collect()
    }

    /// Sessions whose title, abstract or speakers contain every word of `query`
    /// (as word prefixes), in start order.
    pub fn search(&self, query: &str) -> Vec<&Session> {
        let query_words = text::search_words(query);
        let mut matching: Option<Vec<usize>> = None;
        for word in &query_words {
            let mut with_word: Vec<usize> = if text::whole_word_only(word) {
                self.search_words
                    .get(word)
                    .into_iter()
                    .flatten()
                    .copied()
                    .collect()
            } else {
                prefix_range(&self.search_words, word)
                    .flatten()
                    .copied()
                    .collect()
            };
            with_word.sort_unstable();
            with_word.dedup();
            matching = Some(match matching {
                None => with_word,
                Some(so_far) => so_far
                    .into_iter()
                    .filter(|i| with_word.binary_search(i).is_ok())
                    .collect(),
            });
        }
        matching
            .unwrap_or_default()
            .into_iter()
            .map(|i| &self.sessions[i])
            .collect()
    }

    /// Sessions starting on `day` in the conference's timezone, in start order.
    pub fn day(&self, day: NaiveDate) -> &[Session] {
        self.days
            .binary_search_by_key(&day, |(d, _)| *d)
            .map_or(&[][..], |found| &self.sessions[self.days[found].1.clone()])
    }

    /// The session with this id.
    pub fn session(&self, id: &SessionId) -> Option<&Session> {
        self.by_id.get(id).map(|&i| &self.sessions[i])
    }

    /// When the first session starts, if there is any.
    pub fn first_start(&self) -> Option<DateTime<Utc>> {
        self.sessions.first().map(|s| s.start)
    }

    /// When the last session ends, if there is any.
    pub fn last_end(&self) -> Option<DateTime<Utc>> {
        self.sessions.iter().map(|s| s.end).max()
    }
}

/// Takes `count` sessions, then every further one that starts with the last taken.
fn take_with_ties<'a>(
    mut sessions: impl Iterator<Item = &'a Session>,
    count: usize,
) -> Vec<&'a Session> {
    let mut taken: Vec<&Session> = sessions.by_ref().take(count).collect();
    if let Some(last_start) = taken.last().map(|s| s.start) {
        taken.extend(sessions.take_while(|s| s.start == last_start));
    }
    taken
}

/// Index values under every key that starts with `prefix`.
fn prefix_range<'a, V>(
    index: &'a BTreeMap<String, V>,
    prefix: &'a str,
) -> impl Iterator<Item = &'a V> + 'a {
    index
        .range::<str, _>((
            std::ops::Bound::Included(prefix),
            std::ops::Bound::Unbounded,
        ))
        .take_while(move |(key, _)| key.starts_with(prefix))
        .map(|(_, value)| value)
}

/// Candidates for the query word with the fewest entries; later filtered by all words.
fn rarest_candidates(
    index: &BTreeMap<String, Vec<usize>>,
    query_words: &[String],
) -> Option<Vec<usize>> {
    query_words
        .iter()
        .map(|word| {
            let mut entries: Vec<usize> = prefix_range(index, word).flatten().copied().collect();
            entries.sort_unstable();
            entries.dedup();
            entries
        })
        .min_by_key(Vec::len)
}

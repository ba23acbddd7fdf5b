//! Remembering the pages of long answers so "◀ / ▶" buttons can flip them.
//!
//! Pages live in memory for a limited time: a paged list is a view of a moment,
//! and after a restart or an hour the user simply asks again. Pages are
//! whatever the adapter rendered (a Discord embed, Slack blocks), kept by an
//! opaque key (the id of the interaction that asked).
//!
//! They are bounded in count and in bytes: a `/search e` on a 900-session
//! agenda is about 100 pages, and a few hundred of those would otherwise hold
//! hundreds of megabytes. Past either bound the oldest answers go first; an
//! answer larger than [`ANSWER_BYTES`] keeps its first pages only.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a paged answer can be flipped.
const KEEP_FOR: Duration = Duration::from_secs(60 * 60);
/// How many paged answers are kept at most; the oldest go first.
const KEEP_AT_MOST: usize = 2_000;
/// What all kept answers may weigh together, in bytes of text.
pub const KEPT_BYTES: usize = 32 * 1024 * 1024;
/// What one answer may weigh; its later pages are not kept past this.
pub const ANSWER_BYTES: usize = 1024 * 1024;
/// Prefix of every paging button's custom id.
pub const BUTTON_PREFIX: &str = "emcee:page:";

/// What a page weighs, about its size in bytes (its text), for the bounds.
pub trait Weight {
    fn weight(&self) -> usize;
}

impl Weight for String {
    fn weight(&self) -> usize {
        self.len()
    }
}

/// An answer's pages, when they were kept, and what they weigh.
type KeptPages<P> = (Instant, Vec<P>, usize);

/// Paged answers by the id of the interaction that asked.
#[derive(Debug, Clone)]
pub struct PageStore<P> {
    inner: Arc<Mutex<Kept<P>>>,
}

/// The kept answers, and their keys oldest first (answers are kept in time
/// order, so the oldest is always at the front: forgetting costs nothing per
/// answer kept, however many are kept).
#[derive(Debug)]
struct Kept<P> {
    pages: HashMap<String, KeptPages<P>>,
    order: VecDeque<(Instant, String)>,
    /// What every kept answer weighs together.
    bytes: usize,
}

impl<P> Default for PageStore<P> {
    fn default() -> Self {
        let kept = Kept {
            pages: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
        };
        Self {
            inner: Arc::new(Mutex::new(kept)),
        }
    }
}

impl<P: Clone + Weight> PageStore<P> {
    /// Keeps `pages` for flipping under `key` (its first pages only, past
    /// [`ANSWER_BYTES`]).
    pub fn keep(&self, key: &str, mut pages: Vec<P>) {
        let mut weight = 0;
        let fit = pages
            .iter()
            .take_while(|page| {
                weight += page.weight();
                weight <= ANSWER_BYTES
            })
            .count()
            .max(1);
        pages.truncate(fit);
        let weight: usize = pages.iter().map(Weight::weight).sum();
        let mut kept = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        while let Some((at, oldest)) = kept.order.front().cloned() {
            let full = kept.pages.len() >= KEEP_AT_MOST || kept.bytes + weight > KEPT_BYTES;
            if now.saturating_duration_since(at) < KEEP_FOR && !full {
                break;
            }
            kept.order.pop_front();
            // A key kept again later has a newer entry: only the one from
            // this moment goes.
            if kept
                .pages
                .get(&oldest)
                .is_some_and(|(kept_at, _, _)| *kept_at == at)
            {
                kept.forget(&oldest);
            }
        }
        kept.forget(key);
        kept.order.push_back((now, key.to_owned()));
        kept.bytes += weight;
        kept.pages.insert(key.to_owned(), (now, pages, weight));
    }

    /// What the kept answers weigh now, in bytes.
    pub fn kept_bytes(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .bytes
    }

    /// Page `index` of the answer `key` and the page count, if still kept.
    pub fn page(&self, key: &str, index: usize) -> Option<(P, usize)> {
        let kept = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let (kept_at, pages, _) = kept.pages.get(key)?;
        if kept_at.elapsed() >= KEEP_FOR {
            return None;
        }
        pages.get(index).map(|page| (page.clone(), pages.len()))
    }
}

impl<P> Kept<P> {
    fn forget(&mut self, key: &str) {
        if let Some((_, _, weight)) = self.pages.remove(key) {
            self.bytes -= weight;
        }
    }
}

/// The custom id of the button that shows page `index` of answer `key`.
pub fn button_id(key: &str, index: usize) -> String {
    format!("{BUTTON_PREFIX}{key}:{index}")
}

/// Reads a paging button's custom id back into (answer key, page index).
pub fn parse_button_id(custom_id: &str) -> Option<(String, usize)> {
    let (key, index) = custom_id.strip_prefix(BUTTON_PREFIX)?.rsplit_once(':')?;
    let key = (!key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| key.to_owned())?;
    Some((key, index.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_ids_round_trip_and_reject_foreign_ids() {
        assert_eq!(
            parse_button_id(&button_id("42", 3)),
            Some(("42".to_owned(), 3))
        );
        assert_eq!(parse_button_id("remind:42"), None);
        assert_eq!(parse_button_id("emcee:page:x:y"), None);
        assert_eq!(parse_button_id("emcee:page::1"), None);
        assert_eq!(parse_button_id("emcee:page:<@1>:1"), None);
        assert!(
            button_id(&u64::MAX.to_string(), 99).len() <= 100,
            "Discord caps custom ids at 100 characters"
        );
    }

    #[test]
    fn pages_are_kept_and_looked_up() {
        let store = PageStore::default();
        store.keep("7", vec!["one".to_owned(), "two".to_owned()]);
        assert_eq!(store.page("7", 1), Some(("two".to_owned(), 2)));
        assert!(store.page("7", 2).is_none());
        assert!(store.page("8", 0).is_none());
    }

    #[test]
    fn past_the_limit_the_oldest_answers_go_first() {
        let store = PageStore::default();
        for n in 0..KEEP_AT_MOST + 3 {
            store.keep(&n.to_string(), vec![n.to_string()]);
        }
        assert!(store.page("0", 0).is_none() && store.page("2", 0).is_none());
        assert_eq!(store.page("3", 0), Some(("3".to_owned(), 1)));
        let last = (KEEP_AT_MOST + 2).to_string();
        assert_eq!(store.page(&last, 0), Some((last.clone(), 1)));
    }

    #[test]
    fn kept_pages_are_bounded_in_bytes_not_only_in_count() {
        let store = PageStore::default();
        // 100 pages of 4 KB, as a /search on a large agenda gives.
        let answer = || vec!["x".repeat(4096); 100];
        for n in 0..200 {
            store.keep(&n.to_string(), answer());
            assert!(store.kept_bytes() <= KEPT_BYTES, "{}", store.kept_bytes());
        }
        assert!(store.page("0", 0).is_none(), "the oldest went");
        assert_eq!(store.page("199", 99).map(|(_, n)| n), Some(100));

        store.keep("huge", vec!["y".repeat(600 * 1024); 10]);
        assert_eq!(
            store.page("huge", 0).map(|(_, n)| n),
            Some(1),
            "first page only"
        );
        store.keep("huge", vec!["z".to_owned(); 2]);
        assert_eq!(
            store.page("huge", 1),
            Some(("z".to_owned(), 2)),
            "kept again"
        );
        let pages: usize = (0..200)
            .filter_map(|n| store.page(&n.to_string(), 0))
            .count();
        assert!(pages < 200 && pages > 50, "{pages}");
    }
}

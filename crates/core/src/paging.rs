//! Remembering the pages of long answers so "◀ / ▶" buttons can flip them.
//!
//! Pages live in memory for a limited time: a paged list is a view of a moment,
//! and after a restart or an hour the user simply asks again. Pages are
//! whatever the adapter rendered (a Discord embed, Slack blocks), kept by an
//! opaque key (the id of the interaction that asked).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a paged answer can be flipped.
const KEEP_FOR: Duration = Duration::from_secs(60 * 60);
/// How many paged answers are kept at most; the oldest go first.
const KEEP_AT_MOST: usize = 2_000;
/// Prefix of every paging button's custom id.
pub const BUTTON_PREFIX: &str = "emcee:page:";

/// An answer's pages and when they were kept.
type KeptPages<P> = (Instant, Vec<P>);

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
}

impl<P> Default for PageStore<P> {
    fn default() -> Self {
        let kept = Kept {
            pages: HashMap::new(),
            order: VecDeque::new(),
        };
        Self {
            inner: Arc::new(Mutex::new(kept)),
        }
    }
}

impl<P: Clone> PageStore<P> {
    /// Keeps `pages` for flipping under `key`.
    pub fn keep(&self, key: &str, pages: Vec<P>) {
        let mut kept = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        while let Some((at, oldest)) = kept.order.front().cloned() {
            if now.saturating_duration_since(at) < KEEP_FOR && kept.pages.len() < KEEP_AT_MOST {
                break;
            }
            kept.order.pop_front();
            // A key kept again later has a newer entry: only the one from
            // this moment goes.
            if kept
                .pages
                .get(&oldest)
                .is_some_and(|(kept_at, _)| *kept_at == at)
            {
                kept.pages.remove(&oldest);
            }
        }
        kept.order.push_back((now, key.to_owned()));
        kept.pages.insert(key.to_owned(), (now, pages));
    }

    /// Page `index` of the answer `key` and the page count, if still kept.
    pub fn page(&self, key: &str, index: usize) -> Option<(P, usize)> {
        let kept = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let (kept_at, pages) = kept.pages.get(key)?;
        if kept_at.elapsed() >= KEEP_FOR {
            return None;
        }
        pages.get(index).map(|page| (page.clone(), pages.len()))
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
            store.keep(&n.to_string(), vec![n]);
        }
        assert!(store.page("0", 0).is_none() && store.page("2", 0).is_none());
        assert_eq!(store.page("3", 0), Some((3, 1)));
        let last = (KEEP_AT_MOST + 2).to_string();
        assert_eq!(store.page(&last, 0), Some((KEEP_AT_MOST + 2, 1)));
    }
}

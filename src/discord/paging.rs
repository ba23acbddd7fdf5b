//! Remembering the pages of long answers so "◀ / ▶" buttons can flip them.
//!
//! Pages live in memory for a limited time: a paged list is a view of a moment,
//! and after a restart or an hour the user simply asks again.

use super::render::Page;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a paged answer can be flipped.
const KEEP_FOR: Duration = Duration::from_secs(60 * 60);
/// How many paged answers are kept at most; the oldest go first.
const KEEP_AT_MOST: usize = 2_000;
/// Prefix of every paging button's custom id.
pub const BUTTON_PREFIX: &str = "emcee:page:";

/// An answer's pages and when they were kept.
type KeptPages = (Instant, Vec<Page>);

/// Paged answers by the id of the interaction that asked.
#[derive(Debug, Clone, Default)]
pub struct PageStore {
    inner: Arc<Mutex<HashMap<u64, KeptPages>>>,
}

impl PageStore {
    /// Keeps `pages` for flipping under `key`.
    pub fn keep(&self, key: u64, pages: Vec<Page>) {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|_, (kept_at, _)| kept_at.elapsed() < KEEP_FOR);
        if map.len() >= KEEP_AT_MOST {
            if let Some(oldest) = map.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| *k) {
                map.remove(&oldest);
            }
        }
        map.insert(key, (Instant::now(), pages));
    }

    /// Page `index` of the answer `key` and the page count, if still kept.
    pub fn page(&self, key: u64, index: usize) -> Option<(Page, usize)> {
        let map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let (kept_at, pages) = map.get(&key)?;
        if kept_at.elapsed() >= KEEP_FOR {
            return None;
        }
        pages.get(index).map(|page| (page.clone(), pages.len()))
    }
}

/// The custom id of the button that shows page `index` of answer `key`.
pub fn button_id(key: u64, index: usize) -> String {
    format!("{BUTTON_PREFIX}{key}:{index}")
}

/// Reads a paging button's custom id back into (answer key, page index).
pub fn parse_button_id(custom_id: &str) -> Option<(u64, usize)> {
    let (key, index) = custom_id.strip_prefix(BUTTON_PREFIX)?.split_once(':')?;
    Some((key.parse().ok()?, index.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_ids_round_trip_and_reject_foreign_ids() {
        assert_eq!(parse_button_id(&button_id(42, 3)), Some((42, 3)));
        assert_eq!(parse_button_id("remind:42"), None);
        assert_eq!(parse_button_id("emcee:page:x:1"), None);
        assert!(
            button_id(u64::MAX, 99).len() <= 100,
            "Discord caps custom ids at 100 characters"
        );
    }

    #[test]
    fn pages_are_kept_and_looked_up() {
        let store = PageStore::default();
        let page = Page {
            title: "t".into(),
            description: "d".into(),
            fields: Vec::new(),
            footer: String::new(),
        };
        store.keep(7, vec![page.clone(), page.clone()]);
        assert_eq!(store.page(7, 1).map(|(_, n)| n), Some(2));
        assert!(store.page(7, 2).is_none());
        assert!(store.page(8, 0).is_none());
    }
}

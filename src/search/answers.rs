//! Answers to searches without words (the home page's links, browsing by format, audience or
//! competency, a filter alone), kept while the index serves the same commit: they depend only on
//! what the index holds, the request and the time, and they are the dearest to count (every
//! offering matches). A commit makes a new searcher generation, so the next request counts anew.
//! Time enters by the minute: an offering that ended a minute ago may still be listed for that
//! minute.

use super::request::{SearchRequest, SearchResults};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// The most answers kept; past it they are all dropped at once (cheap, and bounded whatever the
/// traffic: distinct filter combinations are few in practice).
const CAPACITY: usize = 1024;

/// (index generation folder, searcher generation, the request as a query string, the minute).
/// The folder's name is in it because each generation's reader counts its searchers from the
/// start: after a reindex or a restore, a searcher number could come round again.
type Key = (String, u64, String, i64);

#[derive(Default)]
pub struct Answers {
    kept: Mutex<HashMap<Key, SearchResults>>,
}

impl Answers {
    /// The key of a request that may be kept: one without words.
    pub fn key(
        folder: &str,
        searcher: u64,
        request: &SearchRequest,
        now: DateTime<Utc>,
    ) -> Option<Key> {
        if !request.query.trim().is_empty() {
            return None;
        }
        let pairs = request.to_pairs();
        let mut query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        query.push(format!("page={}", request.page));
        let minute = now.timestamp().div_euclid(60);
        Some((folder.to_owned(), searcher, query.join("&"), minute))
    }

    pub fn get(&self, key: &Key) -> Option<SearchResults> {
        self.lock().get(key).cloned()
    }

    pub fn keep(&self, key: Key, results: &SearchResults) {
        let mut kept = self.lock();
        if kept.len() >= CAPACITY {
            kept.clear();
        }
        kept.insert(key, results.clone());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, SearchResults>> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

//! Recent answers, reused while the index has not changed.
//!
//! Search traffic repeats itself (popular questions, a page reloaded, a shared link opened,
//! back to page one): an answer is kept under its request and the generation of the searcher
//! that computed it, so a new commit makes every older entry unreachable at once and no stale
//! answer is ever served. Entries are evicted by quick_cache's S3-FIFO policy.

use std::sync::Arc;

use quick_cache::sync::Cache;
use quick_cache::Equivalent;

use super::{SearchRequest, SearchResponse};

/// A key borrowed for lookups, so that a search does not copy its request to ask the
/// cache. Hashes as the owned key does (a reference hashes as what it points to).
#[derive(Hash)]
struct Lookup<'a>(u64, &'a SearchRequest);

impl Equivalent<(u64, SearchRequest)> for Lookup<'_> {
    fn equivalent(&self, key: &(u64, SearchRequest)) -> bool {
        self.0 == key.0 && *self.1 == key.1
    }
}

/// Answers by (searcher generation, request); disabled with a capacity of 0.
pub struct ResponseCache {
    entries: Option<Cache<(u64, SearchRequest), Arc<SearchResponse>>>,
}

impl ResponseCache {
    /// A cache holding at most `capacity` answers.
    pub fn new(capacity: usize) -> ResponseCache {
        ResponseCache {
            entries: (capacity > 0).then(|| Cache::new(capacity)),
        }
    }

    /// The answer computed for `request` on the commit of `generation`, if kept.
    pub fn get(&self, generation: u64, request: &SearchRequest) -> Option<Arc<SearchResponse>> {
        self.entries.as_ref()?.get(&Lookup(generation, request))
    }

    /// Keeps a copy of an answer (none when the cache is disabled).
    pub fn insert(&self, generation: u64, request: &SearchRequest, response: &SearchResponse) {
        if let Some(entries) = &self.entries {
            entries.insert((generation, request.clone()), Arc::new(response.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(total: usize) -> SearchResponse {
        SearchResponse {
            total_estimated: false,
            understood: String::new(),
            truncated: false,
            total,
            offset: 0,
            hits: Vec::new(),
            facets: Vec::new(),
            suggestion: None,
            renamed: Vec::new(),
            took_ms: 0.0,
        }
    }

    #[test]
    fn answers_are_kept_per_generation_and_request() {
        let cache = ResponseCache::new(8);
        let request = SearchRequest {
            query: "boulanger".into(),
            limit: 10,
            ..Default::default()
        };
        cache.insert(1, &request, &answer(3));
        assert_eq!(cache.get(1, &request).map(|r| r.total), Some(3));
        assert!(cache.get(2, &request).is_none(), "a new commit misses");
        let page_two = SearchRequest {
            offset: 10,
            ..request.clone()
        };
        assert!(cache.get(1, &page_two).is_none());
    }

    #[test]
    fn a_zero_capacity_keeps_nothing() {
        let cache = ResponseCache::new(0);
        let request = SearchRequest::default();
        cache.insert(1, &request, &answer(1));
        assert!(cache.get(1, &request).is_none());
    }
}

//! `--semantic full`: the e5 transformer (`e5/`) behind the same two calls as the static
//! table, with what makes it affordable: a bounded cache of query vectors by query text (a
//! repeated query costs a lookup instead of a transformer pass), and passage vectors kept by
//! the SHA-256 of their text, so that indexing runs the transformer only on passages it has
//! not seen (an unchanged document of a changed unit costs a lookup).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

use super::e5::{Side, E5};
use super::{embed, Vector};

/// The fusion's lexical weight `a` with the transformer's cosine (`Ranking::semantic_lexical`
/// when `--semantic full`), fitted on the A halves of both dev sets (`eval --sweep`, README):
/// the best of 0.25, 0.35, 0.45 and 0.6 on each.
pub const LEXICAL_WEIGHT: f32 = 0.45;

/// Query vectors kept (384 floats each: 1.5 KiB; 10,000 take about 16 MiB).
pub const QUERY_CACHE_ENTRIES: usize = 10_000;

/// Vectors kept by the SHA-256 of their text, computed once each.
#[derive(Default)]
pub struct PassageCache {
    vectors: Mutex<HashMap<[u8; 32], Arc<[u8]>>>,
    computed: AtomicUsize,
}

impl PassageCache {
    /// The vector of `text`: kept, or made by `compute` and kept.
    pub fn get_or_compute(&self, text: &str, compute: impl FnOnce() -> Vec<u8>) -> Arc<[u8]> {
        let key: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        let lock = || self.vectors.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(vector) = lock().get(&key) {
            return vector.clone();
        }
        let vector: Arc<[u8]> = compute().into();
        self.computed.fetch_add(1, Ordering::Relaxed);
        lock().entry(key).or_insert(vector).clone()
    }

    /// Makes the vectors of those of `texts` not kept yet, on up to `threads` threads, each
    /// taking the next text not taken (texts differ in length, so no thread is left with a
    /// slice of long ones). A vector depends only on its text: the same whatever `threads`.
    pub fn compute_all(
        &self,
        texts: &[String],
        threads: usize,
        compute: impl Fn(&str) -> Vec<u8> + Sync,
    ) {
        let keys: Vec<[u8; 32]> = texts
            .iter()
            .map(|text| Sha256::digest(text.as_bytes()).into())
            .collect();
        let missing: Vec<usize> = {
            let kept = self.vectors.lock().unwrap_or_else(PoisonError::into_inner);
            let mut seen = std::collections::HashSet::new();
            (0..texts.len())
                .filter(|&i| !kept.contains_key(&keys[i]) && seen.insert(keys[i]))
                .collect()
        };
        let cursor = AtomicUsize::new(0);
        let work = || {
            while let Some(&i) = missing.get(cursor.fetch_add(1, Ordering::Relaxed)) {
                let vector: Arc<[u8]> = compute(&texts[i]).into();
                self.computed.fetch_add(1, Ordering::Relaxed);
                let mut kept = self.vectors.lock().unwrap_or_else(PoisonError::into_inner);
                kept.entry(keys[i]).or_insert(vector);
            }
        };
        let threads = threads.clamp(1, missing.len().max(1));
        std::thread::scope(|scope| {
            for _ in 1..threads {
                scope.spawn(work);
            }
            work();
        });
    }

    /// How many vectors were computed (not found kept) so far.
    pub fn computed(&self) -> usize {
        self.computed.load(Ordering::Relaxed)
    }
}

/// The loaded transformer and its caches.
pub struct Full {
    model: E5,
    queries: Option<Cache<String, Arc<Vector>>>,
    passages: PassageCache,
}

impl Full {
    /// `model` with a query cache of `query_entries` (0: none).
    pub fn new(model: E5, query_entries: usize) -> Full {
        Full {
            model,
            queries: (query_entries > 0).then(|| Cache::new(query_entries)),
            passages: PassageCache::default(),
        }
    }

    pub fn sha256(&self) -> &str {
        &self.model.sha256
    }

    pub fn dims(&self) -> usize {
        self.model.dims()
    }

    /// The vector of a query, from the cache when it was asked before.
    pub fn query(&self, text: &str) -> Vector {
        let Some(cache) = &self.queries else {
            return self.model.embed(Side::Query, text);
        };
        if let Some(vector) = cache.get(text) {
            return vector.as_ref().clone();
        }
        let vector = self.model.embed(Side::Query, text);
        cache.insert(text.to_string(), Arc::new(vector.clone()));
        vector
    }

    /// The stored (quantised) vector of a passage, made once per distinct text.
    pub fn passage(&self, text: &str) -> Vec<u8> {
        self.passages
            .get_or_compute(text, || {
                embed::quantize(&self.model.embed(Side::Passage, text))
            })
            .to_vec()
    }

    /// Makes the stored vectors of `passages` not kept yet, on up to `threads` threads: the
    /// thousands of one export's records would otherwise go through the transformer on the
    /// one thread that extracted them.
    pub fn prepare_passages(&self, passages: &[String], threads: usize) {
        self.passages.compute_all(passages, threads, |text| {
            embed::quantize(&self.model.embed(Side::Passage, text))
        });
    }

    /// How many passages went through the transformer so far.
    pub fn passages_computed(&self) -> usize {
        self.passages.computed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passage_is_computed_once_per_distinct_text() {
        let cache = PassageCache::default();
        let runs = AtomicUsize::new(0);
        let compute = |byte: u8| {
            runs.fetch_add(1, Ordering::Relaxed);
            vec![byte; 4]
        };
        assert_eq!(
            &*cache.get_or_compute("Boulanger. Fait le pain", || compute(1)),
            [1; 4]
        );
        assert_eq!(&*cache.get_or_compute("Soudeur", || compute(2)), [2; 4]);
        // The same text again: kept, whatever the closure would give.
        assert_eq!(
            &*cache.get_or_compute("Boulanger. Fait le pain", || compute(3)),
            [1; 4]
        );
        // A changed text is another key.
        assert_eq!(
            &*cache.get_or_compute("Boulanger. Fait le pain.", || compute(4)),
            [4; 4]
        );
        assert_eq!((runs.load(Ordering::Relaxed), cache.computed()), (3, 3));
    }

    /// A vector made of its text alone, so that any mix-up between texts shows.
    fn digest(text: &str) -> Vec<u8> {
        Sha256::digest(text.as_bytes()).to_vec()
    }

    #[test]
    fn passages_made_on_several_threads_are_each_made_once_and_kept_by_their_text() {
        let texts: Vec<String> = (0..40)
            .map(|i| format!("Métier {}", i % 30))
            .chain(["Soudeur".to_string()])
            .collect();
        for threads in [1, 2, 7, 100] {
            let cache = PassageCache::default();
            cache.get_or_compute("Soudeur", || digest("Soudeur"));
            cache.compute_all(&texts, threads, digest);
            // 30 distinct texts, the 10 repeated and the one kept before not made again.
            assert_eq!(cache.computed(), 1 + 30, "{threads} threads");
            for text in &texts {
                let kept = cache.get_or_compute(text, || panic!("{text:?} not kept"));
                assert_eq!(&*kept, digest(text).as_slice(), "{threads} threads");
            }
        }
        let cache = PassageCache::default();
        cache.compute_all(&[], 4, digest);
        assert_eq!(cache.computed(), 0);
    }

    #[test]
    fn the_transformers_passage_vectors_do_not_depend_on_the_number_of_threads() {
        let Some(model) = crate::semantic::e5::tests::model_or_skip() else {
            return;
        };
        let passages: Vec<String> = [
            "Boulanger. Fabrique le pain et les viennoiseries",
            "Soudeur",
            "Opérateur de prise de vues. Filme des reportages",
            "Certificat de travail",
            "Aide-soignant. Accompagne les patients au quotidien",
            "Conducteur de bus",
        ]
        .map(String::from)
        .to_vec();
        let compute = |text: &str| embed::quantize(&model.embed(Side::Passage, text));
        let alone: Vec<Vec<u8>> = passages.iter().map(|text| compute(text)).collect();
        for threads in [1, 3] {
            let cache = PassageCache::default();
            cache.compute_all(&passages, threads, compute);
            assert_eq!(cache.computed(), passages.len());
            let made: Vec<Vec<u8>> = passages
                .iter()
                .map(|text| {
                    cache
                        .get_or_compute(text, || panic!("{text:?} not made"))
                        .to_vec()
                })
                .collect();
            assert_eq!(made, alone, "{threads} threads");
        }
    }
}

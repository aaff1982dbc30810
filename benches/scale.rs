//! Criterion benchmark of search at scale (issue 14): the queries of the load test over an
//! index given by `SPO_SCALE_INDEX` (built by `tests/load/scale.sh` or `spo-search index`
//! from a corpus of `make-scale-corpus.py`), or the bundled corpus indexed afresh when it is
//! unset. Each query as a page shows it (10 hits, snippets, the exact counts of every facet),
//! and without facets, which tells what counting costs.
//!   SPO_SCALE_INDEX=/tmp/spo-scale-200000/index cargo bench --bench scale

use criterion::{criterion_group, criterion_main, Criterion};
use spo_search::index::{self, IndexOptions};
use spo_search::search::{Engine, SearchRequest};

fn queries(c: &mut Criterion) {
    let bundled = tempfile::tempdir().expect("tempdir");
    let index_dir = match std::env::var_os("SPO_SCALE_INDEX") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => {
            let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
            index::run(&IndexOptions::new(corpus, bundled.path()), &mut |_, _| {})
                .expect("index the bundled corpus");
            bundled.path().to_path_buf()
        }
    };
    let engine = Engine::open(&index_dir).expect("open");
    let cases = [
        ("frequent_words", "contrat d'apprentissage"),
        ("one_frequent_word", "formation"),
        ("two_words", "aide soignant"),
        ("rarer_word", "boulanger"),
        ("filtered", "formation reseau:cio"),
    ];
    let mut group = c.benchmark_group("scale");
    for (name, query) in cases {
        let page = SearchRequest {
            query: query.into(),
            limit: 10,
            snippets: true,
            facets: true,
            ..Default::default()
        };
        group.bench_function(name, |b| b.iter(|| engine.search(&page).expect("search")));
        let no_facets = SearchRequest {
            facets: false,
            ..page
        };
        group.bench_function(format!("{name}_without_facets"), |b| {
            b.iter(|| engine.search(&no_facets).expect("search"))
        });
    }
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);

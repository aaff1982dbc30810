//! Criterion benchmark of search at scale (issue 14): the queries of the load test over an
//! index given by `SPO_SCALE_INDEX` (built by `tests/load/scale.sh` or `spo-search index`
//! from a corpus of `make-scale-corpus.py`), or the bundled corpus indexed afresh when it is
//! unset. Each query as a page shows it (10 hits, snippets, the exact counts of every facet),
//! and without facets, which tells what counting costs. Beside them, the floor of a first
//! stage of one term per word (issue 14's next step, not built): the union of the query's
//! stems in the documentation's body field alone, its best 50 by tantivy's block-max WAND,
//! its count, and its count with every facet's.
//!   SPO_SCALE_INDEX=/tmp/spo-scale-200000/index cargo bench --bench scale

use criterion::{criterion_group, criterion_main, Criterion};
use spo_search::analysis::{self, Mode};
use spo_search::index::{self, IndexOptions};
use spo_search::model::Lang;
use spo_search::search::facets::FacetCollector;
use spo_search::search::{Engine, SearchRequest};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

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
        if query.contains(':') {
            // The floor has no filters.
            continue;
        }
        let union = body_stems(&engine, query);
        let searcher = engine.searcher();
        let top = TopDocs::with_limit(50).order_by_score();
        group.bench_function(format!("{name}_floor_top_50"), |b| {
            b.iter(|| searcher.search(&union, &top).expect("search"))
        });
        group.bench_function(format!("{name}_floor_count"), |b| {
            b.iter(|| searcher.search(&union, &Count).expect("search"))
        });
        let columns = engine.columns(&searcher);
        group.bench_function(format!("{name}_floor_count_and_facets"), |b| {
            b.iter(|| {
                let facets = FacetCollector::new(columns.clone());
                searcher.search(&union, &(Count, facets)).expect("search")
            })
        });
    }
    group.finish();
}

/// Any of the stems of `query` in the body field of the documentation (the part of the
/// generated corpora), each one term query: what a block-max first stage would search.
fn body_stems(engine: &Engine, query: &str) -> BooleanQuery {
    let body = engine.fields().parts[0].lang(Lang::Fr).body;
    BooleanQuery::new(
        analysis::terms(Mode::Stemmed(Lang::Fr), query)
            .iter()
            .map(|stem| {
                let term = TermQuery::new(
                    Term::from_field_text(body, stem),
                    IndexRecordOption::WithFreqs,
                );
                (Occur::Should, Box::new(term) as Box<dyn Query>)
            })
            .collect(),
    )
}

criterion_group!(benches, queries);
criterion_main!(benches);

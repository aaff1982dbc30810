//! Criterion benchmark of search at scale (issue 14): the queries of the load test over an
//! index given by `SPO_SCALE_INDEX` (built by `tests/load/scale.sh` or `spo-search index`
//! from a corpus of `make-scale-corpus.py`), or the bundled corpus indexed afresh when it is
//! unset. Each query as a page shows it (10 hits, snippets, the counts of every facet), side
//! by side on one index: with the query tree walked over every match (`tree`), and as served,
//! through the first stage of a large search when the query takes it (`first_stage`:
//! `search::first_stage`); and without facets, which tells what counting costs. Beside them,
//! the floor of a first stage: the best 100 of the union of the query's stems in the
//! documentation's `words` field alone, by tantivy's block-max WAND.
//!   SPO_SCALE_INDEX=/tmp/spo-scale-200000/index cargo bench --bench scale

use criterion::{criterion_group, criterion_main, Criterion};
use spo_search::analysis::{self, Mode};
use spo_search::index::{self, IndexOptions};
use spo_search::model::Lang;
use spo_search::search::rank::Ranking;
use spo_search::search::{Engine, SearchRequest};
use tantivy::collector::TopDocs;
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
    let served = Engine::open(&index_dir).expect("open");
    let whole_tree = Ranking {
        first_stage_from: f32::INFINITY,
        ..Ranking::default()
    };
    let tree = Engine::open(&index_dir)
        .expect("open")
        .with_ranking(whole_tree);
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
        for (engine_name, engine) in [("tree", &tree), ("first_stage", &served)] {
            group.bench_function(format!("{name}_{engine_name}"), |b| {
                b.iter(|| engine.search(&page).expect("search"))
            });
        }
        let no_facets = SearchRequest {
            facets: false,
            ..page
        };
        group.bench_function(format!("{name}_first_stage_without_facets"), |b| {
            b.iter(|| served.search(&no_facets).expect("search"))
        });
        if query.contains(':') {
            // The floor has no filters.
            continue;
        }
        let union = word_stems(&served, query);
        let searcher = served.searcher();
        let top = TopDocs::with_limit(100).order_by_score();
        group.bench_function(format!("{name}_floor_top_100"), |b| {
            b.iter(|| searcher.search(&union, &top).expect("search"))
        });
    }
    group.finish();
}

/// Any of the stems of `query` in the `words` field of the documentation (the part of the
/// generated corpora), each one term query.
fn word_stems(engine: &Engine, query: &str) -> BooleanQuery {
    let words = engine.fields().parts[0].words;
    BooleanQuery::new(
        analysis::terms(Mode::Stemmed(Lang::Fr), query)
            .iter()
            .map(|stem| {
                let term = TermQuery::new(
                    Term::from_field_text(words, stem),
                    IndexRecordOption::WithFreqs,
                );
                (Occur::Should, Box::new(term) as Box<dyn Query>)
            })
            .collect(),
    )
}

criterion_group!(benches, queries);
criterion_main!(benches);

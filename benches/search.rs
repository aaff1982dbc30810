//! Criterion benchmark of typical queries over the bundled corpus: 1–3 words, a phrase, a
//! filtered query, a typo, and search as you type; with and without snippets.

use criterion::{criterion_group, criterion_main, Criterion};
use spo_search::index::{self, IndexOptions};
use spo_search::search::{Engine, SearchRequest};

fn queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    index::run(&IndexOptions::new(corpus, dir.path()), &mut |_, _| {})
        .expect("index the bundled corpus");
    let engine = Engine::open(dir.path()).expect("open");
    let cases = [
        ("one_word", "boulanger", false),
        ("two_words", "aide soignant", false),
        ("three_words", "contrat apprentissage salaire", false),
        ("phrase", "\"contrat de travail\"", false),
        ("filtered", "formation type:fiche-metier", false),
        ("typo", "electricien batimant", false),
        ("as_you_type", "documenta", true),
    ];
    let mut group = c.benchmark_group("search");
    for (name, query, complete_last) in cases {
        let bare = SearchRequest {
            query: query.into(),
            limit: 10,
            complete_last,
            ..Default::default()
        };
        group.bench_function(name, |b| b.iter(|| engine.search(&bare).expect("search")));
        let full = SearchRequest {
            snippets: true,
            facets: true,
            ..bare
        };
        group.bench_function(format!("{name}+snippets+facets"), |b| {
            b.iter(|| engine.search(&full).expect("search"))
        });
    }
    group.bench_function("suggest", |b| b.iter(|| engine.suggest("boul", 8)));
    group.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);

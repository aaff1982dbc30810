//! Criterion benchmark of the French analyzer on real text (a ROME-sized and a
//! service-public-sized passage).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spo_search::analysis::{self, Mode};
use spo_search::model::Lang;

fn analyzer(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/spo/accord-cadre-spo-paca.md"
    ))
    .expect("bundled agreement");
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("french_stemmed", |b| {
        b.iter(|| analysis::tokens(Mode::Stemmed(Lang::Fr), &text))
    });
    group.bench_function("exact_folded", |b| {
        b.iter(|| analysis::tokens(Mode::Exact, &text))
    });
    group.finish();
}

criterion_group!(benches, analyzer);
criterion_main!(benches);

//! Criterion benchmark of the French analyzer on real text (a ROME-sized and a
//! service-public-sized passage), and of the semantic table's embedding of a short query and
//! of a document's title and description.

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

fn semantic(c: &mut Criterion) {
    let table = concat!(env!("CARGO_MANIFEST_DIR"), "/models/static-e5-fr.bin");
    let model = spo_search::semantic::Model::load(std::path::Path::new(table)).expect("table");
    let mut group = c.benchmark_group("semantic");
    group.bench_function("query", |b| {
        b.iter(|| model.embed("opérateur prise de vues"))
    });
    let description = "Le titulaire d'un contrat de travail peut demander à son employeur un \
        certificat de travail à la fin du contrat : ce document mentionne les dates d'entrée et \
        de sortie et la nature de l'emploi occupé. L'employeur doit le remettre.";
    group.bench_function("passage", |b| {
        b.iter(|| model.document_vector("Certificat de travail", Some(description)))
    });
    group.finish();
    // The transformer of `--semantic full`, when its weights are in place
    // (`tools/semantic/fetch_e5.sh`); no query cache, so that every call runs it.
    let weights = concat!(env!("CARGO_MANIFEST_DIR"), "/models/e5-small-q4.bin");
    let Ok(full) = spo_search::semantic::Model::load_full(std::path::Path::new(weights), 0) else {
        eprintln!("semantic_full skipped: {weights} absent (tools/semantic/fetch_e5.sh)");
        return;
    };
    let mut group = c.benchmark_group("semantic_full");
    group.sample_size(20);
    group.bench_function("query", |b| {
        b.iter(|| full.embed("opérateur prise de vues"))
    });
    group.bench_function("query_cached", |b| {
        let cached = spo_search::semantic::Model::load_full(std::path::Path::new(weights), 100)
            .expect("weights");
        b.iter(|| cached.embed("opérateur prise de vues"))
    });
    // A new text each time (criterion calls the closure more than once: the counter lives
    // outside it): the passage cache would answer a repeated one.
    let fresh = std::sync::atomic::AtomicU64::new(0);
    group.bench_function("passage", |b| {
        b.iter(|| {
            let n = fresh.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            full.document_vector(&format!("Certificat de travail {n}"), Some(description))
        })
    });
    group.finish();
}

criterion_group!(benches, analyzer, semantic);
criterion_main!(benches);

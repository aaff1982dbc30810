//! Criterion benchmarks of each extractor on the real bundled files.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spo_extract::{dila, html, json, office, pdf, rome, text};

fn read(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path),
    )
    .expect("bundled file")
}

fn extractors(c: &mut Criterion) {
    let mut group = c.benchmark_group("extract");
    let files: [(&str, &str); 6] = [
        ("pdf", "corpus/spo/accord-cadre-spo-paca.pdf"),
        ("html", "corpus/spo/accord-cadre-spo-paca.html"),
        ("markdown", "corpus/spo/accord-cadre-spo-paca.md"),
        ("docx", "corpus/spo/accord-cadre-spo-paca.docx"),
        ("odt", "corpus/spo/accord-cadre-spo-paca.odt"),
        ("dila", "corpus/service-public/particuliers/F2301.xml"),
    ];
    for (name, path) in files {
        let bytes = read(path);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        let extract: fn(&[u8]) -> _ = match name {
            "pdf" => pdf::extract,
            "html" => html::extract,
            "markdown" => text::extract_markdown,
            "docx" => office::extract_docx,
            "odt" => office::extract_odt,
            _ => dila::extract,
        };
        group.bench_function(name, |b| b.iter(|| extract(&bytes).expect("extract")));
    }
    let export = read("corpus/travail-emploi/fiches-travail.json");
    let config: toml::Value = toml::from_str(
        &String::from_utf8(read("corpus/travail-emploi/source.toml")).expect("utf-8"),
    )
    .expect("toml");
    let mapping: json::JsonMapping = config["json"].clone().try_into().expect("mapping");
    group.throughput(Throughput::Bytes(export.len() as u64));
    group.sample_size(10);
    group.bench_function("json_export", |b| {
        b.iter(|| json::extract(&export, &mapping).expect("extract"))
    });
    let release = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/rome");
    group.bench_function("rome_release", |b| {
        b.iter(|| rome::extract(&release).expect("extract"))
    });
    group.finish();
}

criterion_group!(benches, extractors);
criterion_main!(benches);

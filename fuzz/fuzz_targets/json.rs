//! Fuzzes the JSON export extractor with the mapping of the travail-emploi source
//! (`corpus/travail-emploi/source.toml`): HTML fields, arrays walked, `%d/%m/%Y` dates.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use spo_extract::json::{extract, JsonMapping};

static MAPPING: LazyLock<JsonMapping> = LazyLock::new(|| JsonMapping {
    id: "pubId".into(),
    title: Some("title".into()),
    description: Some("description".into()),
    body: vec!["intro".into(), "sections[].html".into()],
    headings: vec!["sections[].title".into()],
    keywords: vec!["tags[]".into()],
    date: Some("date".into()),
    date_format: Some("%d/%m/%Y".into()),
    url: Some("url".into()),
    language: Some("lang".into()),
    ..JsonMapping::default()
});

fuzz_target!(|data: &[u8]| {
    let _ = extract(data, &MAPPING);
});

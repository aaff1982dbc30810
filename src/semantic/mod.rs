//! The static semantic layer: a French embedding table distilled from multilingual-e5-small
//! (`models/static-e5-fr.bin`, made by `tools/semantic/build.sh`), which turns a query or a
//! document's title and description into a vector in microseconds, with no model at run
//! time. Search fuses the cosine of the two with the lexical score of the best candidates.
//!
//! The table is read once (`table.rs`), a text is segmented into its entries (`tokenize.rs`)
//! whose vectors are summed and normalised (`embed.rs`); `fusion.rs` mixes the scores. An
//! absent or damaged table turns the layer off with one log line: search stays lexical.

pub mod embed;
pub mod fusion;
pub mod table;
pub mod tokenize;

use std::path::Path;
use std::sync::Arc;

pub use embed::{cosine, Vector};
pub use table::{Table, TableError};

/// Where the table is looked for unless `--semantic-table` says otherwise.
pub const DEFAULT_TABLE: &str = "models/static-e5-fr.bin";

/// Whether search uses the semantic layer (`--semantic`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SemanticMode {
    /// Lexical ranking only.
    #[default]
    Off,
    /// The static table's cosine fused with the lexical score.
    Static,
}

/// A loaded table, ready to embed texts.
pub struct Model {
    table: Table,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Model(sha256 {})", self.table.sha256)
    }
}

impl Model {
    /// Reads and checks the table at `path`.
    pub fn load(path: &Path) -> Result<Model, TableError> {
        Ok(Model {
            table: Table::load(path)?,
        })
    }

    /// The table at `path`, or `None` with one warning saying why search stays lexical.
    pub fn load_or_warn(path: &Path) -> Option<Arc<Model>> {
        match Model::load(path) {
            Ok(model) => Some(Arc::new(model)),
            Err(error) => {
                tracing::warn!(
                    table = %path.display(),
                    "semantic layer off, lexical results only: {error}"
                );
                None
            }
        }
    }

    /// SHA-256 of the table file: document vectors are only comparable with query vectors
    /// made from the same table.
    pub fn sha256(&self) -> &str {
        &self.table.sha256
    }

    /// Dimensions of the vectors.
    pub fn dims(&self) -> usize {
        self.table.dims
    }

    /// The vector of `text`.
    pub fn embed(&self, text: &str) -> Vector {
        embed::pool(&self.table, &tokenize::segment(&self.table, text))
    }

    /// The stored (quantised) vector of a document, from its title and description.
    pub fn document_vector(&self, title: &str, description: Option<&str>) -> Vec<u8> {
        let passage = match description {
            Some(description) => format!("{title}. {description}"),
            None => title.to_string(),
        };
        embed::quantize(&self.embed(&passage))
    }

    /// The entries of `text`, as text (`None` for an unknown character).
    pub fn entries(&self, text: &str) -> Vec<Option<&str>> {
        let names: std::collections::HashMap<u32, &str> = self
            .table
            .prefixes
            .iter()
            .filter_map(|(name, prefix)| Some((prefix.entry?, &**name)))
            .collect();
        tokenize::segment(&self.table, text)
            .into_iter()
            .map(|entry| entry.and_then(|index| names.get(&index).copied()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed() -> Model {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_TABLE);
        Model::load(&path).expect("the committed table loads")
    }

    #[test]
    fn the_table_loads_and_gives_the_same_vectors_as_the_tool() {
        let model = committed();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tools/semantic/fixtures/reference-vectors.json");
        let fixture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture).expect("fixture"))
                .expect("fixture JSON");
        assert_eq!(fixture["table_sha256"].as_str(), Some(model.sha256()));
        let tolerance = fixture["tolerance"].as_f64().expect("tolerance") as f32;
        let cases = fixture["cases"].as_array().expect("cases");
        assert!(cases.len() >= 8);
        for case in cases {
            let text = case["text"].as_str().expect("text");
            let expected: Vec<Option<&str>> = case["pieces"]
                .as_array()
                .expect("pieces")
                .iter()
                .map(|p| p.as_str())
                .collect();
            assert_eq!(model.entries(text), expected, "{text:?}");
            let vector = model.embed(text);
            let reference = case["vector"].as_array().expect("vector");
            assert_eq!(vector.len(), reference.len());
            for (got, want) in vector.iter().zip(reference) {
                let want = want.as_f64().expect("number") as f32;
                assert!((got - want).abs() <= tolerance, "{text:?}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn an_absent_or_damaged_table_turns_the_layer_off() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(Model::load_or_warn(&dir.path().join("absent.bin")).is_none());
        let damaged = dir.path().join("damaged.bin");
        let mut bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_TABLE))
            .expect("table");
        bytes.truncate(bytes.len() - 10);
        std::fs::write(&damaged, bytes).expect("write");
        assert!(matches!(
            Model::load(&damaged),
            Err(TableError::Size { .. })
        ));
        assert!(Model::load_or_warn(&damaged).is_none());
        assert!(
            committed().embed(" \t").iter().all(|v| *v == 0.0),
            "no word, zero vector"
        );
    }
}

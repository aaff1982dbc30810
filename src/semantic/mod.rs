//! The semantic layer: a query and a document's title and description as vectors, whose
//! cosine search fuses with the lexical score of the best candidates. Two models make them:
//! the static French table distilled from multilingual-e5-small (`models/static-e5-fr.bin`,
//! made by `tools/semantic/build.sh`: microseconds, no model at run time), or, opt-in, the
//! transformer itself (`--semantic full`, `e5/` and `full.rs`).
//!
//! The table is read once (`table.rs`), a text is segmented into its entries (`tokenize.rs`)
//! whose vectors are summed and normalised (`embed.rs`); `fusion.rs` mixes the scores. An
//! absent or damaged table or weights file turns the layer off with one log line: search
//! stays lexical.

pub mod e5;
pub mod embed;
pub mod full;
pub mod fusion;
pub mod table;
pub mod tokenize;

use std::path::Path;
use std::sync::Arc;

pub use e5::E5Error;
use e5::E5;
pub use embed::{cosine, Vector};
use full::Full;
pub use table::{Table, TableError};

/// Where the table is looked for unless `--semantic-table` says otherwise.
pub const DEFAULT_TABLE: &str = "models/static-e5-fr.bin";

/// Where the weights of `--semantic full` are looked for unless `--semantic-weights` says
/// otherwise (`tools/semantic/fetch_e5.sh` puts them there).
pub const DEFAULT_E5_WEIGHTS: &str = "models/e5-small-q4.bin";

/// Whether search uses the semantic layer (`--semantic`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SemanticMode {
    /// Lexical ranking only.
    #[default]
    Off,
    /// The static table's cosine fused with the lexical score.
    Static,
    /// The e5 transformer's cosine fused with the lexical score (opt-in: a transformer pass
    /// per new query and per new passage; weights from `tools/semantic/fetch_e5.sh`).
    Full,
}

/// What makes the vectors.
enum Kind {
    Static(Table),
    Full(Box<Full>),
}

/// A loaded model, ready to embed texts: the static table or the transformer.
pub struct Model {
    kind: Kind,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Static(table) => write!(f, "Model(static, sha256 {})", table.sha256),
            Kind::Full(full) => write!(f, "Model(e5, sha256 {})", full.sha256()),
        }
    }
}

impl Model {
    /// Reads and checks the static table at `path`.
    pub fn load(path: &Path) -> Result<Model, TableError> {
        Ok(Model {
            kind: Kind::Static(Table::load(path)?),
        })
    }

    /// Reads and checks the transformer's weights at `path`, with a cache of
    /// `query_entries` query vectors (0: none).
    pub fn load_full(path: &Path, query_entries: usize) -> Result<Model, E5Error> {
        Ok(Model {
            kind: Kind::Full(Box::new(Full::new(E5::load(path)?, query_entries))),
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

    /// The model `mode` asks for: the static table at `table`, the transformer's weights at
    /// `weights`; `None` when off, or with one warning saying why search stays lexical.
    pub fn for_mode(
        mode: SemanticMode,
        table: &Path,
        weights: &Path,
        query_entries: usize,
    ) -> Option<Arc<Model>> {
        match mode {
            SemanticMode::Off => None,
            SemanticMode::Static => Model::load_or_warn(table),
            SemanticMode::Full => match Model::load_full(weights, query_entries) {
                Ok(model) => Some(Arc::new(model)),
                Err(error) => {
                    tracing::warn!(
                        weights = %weights.display(),
                        "semantic layer off, lexical results only: {error}"
                    );
                    None
                }
            },
        }
    }

    /// SHA-256 of the table or weights file: document vectors are only comparable with
    /// query vectors made from the same file.
    pub fn sha256(&self) -> &str {
        match &self.kind {
            Kind::Static(table) => &table.sha256,
            Kind::Full(full) => full.sha256(),
        }
    }

    /// Dimensions of the vectors.
    pub fn dims(&self) -> usize {
        match &self.kind {
            Kind::Static(table) => table.dims,
            Kind::Full(full) => full.dims(),
        }
    }

    /// The vector of a query's `text`.
    pub fn embed(&self, text: &str) -> Vector {
        match &self.kind {
            Kind::Static(table) => embed::pool(table, &tokenize::segment(table, text)),
            Kind::Full(full) => full.query(text),
        }
    }

    /// The stored (quantised) vector of a document, from its title and description.
    pub fn document_vector(&self, title: &str, description: Option<&str>) -> Vec<u8> {
        let passage = passage(title, description);
        match &self.kind {
            Kind::Static(_) => embed::quantize(&self.embed(&passage)),
            Kind::Full(full) => full.passage(&passage),
        }
    }

    /// With the transformer, makes the vectors of documents given as (title, description)
    /// on up to `threads` threads, so that `document_vector` then finds them made; nothing
    /// with the static table, whose vectors cost microseconds.
    pub fn prepare_documents<'a>(
        &self,
        documents: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
        threads: usize,
    ) {
        if let Kind::Full(full) = &self.kind {
            let passages: Vec<String> = documents
                .into_iter()
                .map(|(title, description)| passage(title, description))
                .collect();
            full.prepare_passages(&passages, threads);
        }
    }

    /// Whether the vectors come from the transformer (`--semantic full`).
    pub fn is_full(&self) -> bool {
        matches!(self.kind, Kind::Full(_))
    }

    /// How many passages went through the transformer so far (0 for the static table).
    pub fn passages_computed(&self) -> usize {
        match &self.kind {
            Kind::Static(_) => 0,
            Kind::Full(full) => full.passages_computed(),
        }
    }

    /// The static table's entries of `text`, as text (`None` for an unknown character);
    /// none with the transformer.
    pub fn entries(&self, text: &str) -> Vec<Option<&str>> {
        let Kind::Static(table) = &self.kind else {
            return Vec::new();
        };
        let names: std::collections::HashMap<u32, &str> = table
            .prefixes
            .iter()
            .filter_map(|(name, prefix)| Some((prefix.entry?, &**name)))
            .collect();
        tokenize::segment(table, text)
            .into_iter()
            .map(|entry| entry.and_then(|index| names.get(&index).copied()))
            .collect()
    }
}

/// The text a document's vector is made of: its title, then its description.
fn passage(title: &str, description: Option<&str>) -> String {
    match description {
        Some(description) => format!("{title}. {description}"),
        None => title.to_string(),
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

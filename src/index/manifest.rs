//! The manifest: what each unit of the corpus contributed to the index, by content hash.
//!
//! It is stored as the payload of the tantivy commit itself, so the manifest and the
//! documents it describes are always committed together, atomically: after a crash the index
//! and its manifest still agree, and the next run repairs the rest.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ingest::source::{Source, Unit};
use crate::model::{Facet, UNSET};
use crate::schema::SCHEMA_VERSION;

/// One indexed document, as the manifest remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocEntry {
    pub id: String,
    pub language: String,
    /// A PDF page layer without any text (probably scanned): indexed by its metadata only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_text: bool,
}

/// One unit (file, export or release) and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitEntry {
    pub hash: String,
    pub source: String,
    pub format: String,
    pub network: String,
    pub documents: Vec<DocEntry>,
    /// Why the unit, or some of its records, could not be indexed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    /// Bytes of text extracted from the unit.
    #[serde(default)]
    pub text_bytes: u64,
    /// Digest of the vocabulary that other units lent its documents when they were written
    /// (`index::vocabulary`); empty when nothing was lent.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vocabulary: String,
}

impl UnitEntry {
    /// The entry of `unit`, of `source`, whose content hash is `hash`, before its documents
    /// and failures are known; its network is the source's until a document says another.
    pub fn new(unit: &Unit, source: &Source, hash: String) -> UnitEntry {
        let network = source.config.metadata.first(Facet::Network);
        UnitEntry {
            hash,
            source: source.name.clone(),
            format: unit.format.name().to_string(),
            network: network.unwrap_or(UNSET).to_string(),
            documents: Vec::new(),
            failures: Vec::new(),
            text_bytes: 0,
            vocabulary: String::new(),
        }
    }
}

/// Every unit of the last committed run, by corpus path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    /// SHA-256 of the semantic table the documents' vectors were made with (none without
    /// one): a run with another table indexes every unit again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantic_table: Option<String>,
    pub units: BTreeMap<String, UnitEntry>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            schema_version: SCHEMA_VERSION,
            semantic_table: None,
            units: BTreeMap::new(),
        }
    }
}

/// A manifest's fields but its units, read without building them (the units are 47 MB of
/// JSON at 1,000,000 documents; a server reads these fields at start).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ManifestHeader {
    pub schema_version: u32,
    #[serde(default)]
    pub semantic_table: Option<String>,
}

impl ManifestHeader {
    /// Reads a commit payload's header; `None` when there is no manifest in it.
    pub fn from_payload(payload: Option<&str>) -> Option<ManifestHeader> {
        serde_json::from_str(payload?).ok()
    }
}

impl Manifest {
    /// Reads a commit payload; a missing or unreadable payload is an empty manifest (every
    /// unit is then re-extracted, which repairs the index).
    pub fn from_payload(payload: Option<&str>) -> Manifest {
        payload
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    /// The commit payload.
    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Number of documents in the index according to the manifest.
    pub fn document_count(&self) -> usize {
        self.units.values().map(|u| u.documents.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_garbage_means_empty() {
        let mut manifest = Manifest::default();
        manifest.units.insert(
            "spo/a.pdf".into(),
            UnitEntry {
                hash: "h".into(),
                source: "spo".into(),
                format: "pdf".into(),
                network: "spo".into(),
                documents: vec![DocEntry {
                    id: "spo/a.pdf".into(),
                    language: "fr".into(),
                    no_text: true,
                }],
                failures: vec![],
                text_bytes: 0,
                vocabulary: String::new(),
            },
        );
        let payload = manifest.to_payload();
        assert_eq!(Manifest::from_payload(Some(&payload)), manifest);
        assert_eq!(manifest.document_count(), 1);
        assert_eq!(
            Manifest::from_payload(Some("{not json")),
            Manifest::default()
        );
        assert_eq!(Manifest::from_payload(None), Manifest::default());
        let header = ManifestHeader::from_payload(Some(&payload)).unwrap();
        assert_eq!(
            (header.schema_version, header.semantic_table),
            (manifest.schema_version, manifest.semantic_table)
        );
        assert_eq!(ManifestHeader::from_payload(Some("{not json")), None);
    }
}

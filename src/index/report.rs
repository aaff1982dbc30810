//! The indexing report: what the index holds after a run, what changed, what failed and why,
//! and how fast it went. Printed as text for people and as one JSON object for scripts.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use utoipa::ToSchema;

use super::manifest::Manifest;
use crate::ingest::source::Skipped;

/// A unit or record that could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Failure {
    /// The file (and the record inside it, for exports) under the corpus.
    pub path: String,
    /// Why it could not be indexed.
    pub reason: String,
}

/// The outcome of one indexing run.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct IndexReport {
    /// Documents in the index after the run.
    pub documents: usize,
    /// Number of units or records that failed.
    pub failed: usize,
    /// The units or records that failed, with the reason of each.
    pub failures: Vec<Failure>,
    /// PDFs indexed without any text layer (scanned?): metadata only.
    pub pdf_without_text: Vec<String>,
    /// Files not indexed because their type is not supported.
    pub skipped: Vec<Skipped>,
    /// Warnings of the units extracted in this run (e.g. skipped rows of a ROME table).
    pub warnings: Vec<Failure>,
    /// Units read and extracted because they were new or changed.
    pub units_extracted: usize,
    /// Units whose content hash had not changed.
    pub units_unchanged: usize,
    /// Units that disappeared from the corpus, and their documents removed.
    pub units_removed: usize,
    /// Documents added or replaced by this run.
    pub documents_added: usize,
    /// Semantic vectors computed by this run (one per document added, with a table).
    pub vectors_computed: usize,
    /// Documents deleted by this run (of changed or removed units).
    pub documents_deleted: usize,
    /// Documents in the index by source folder, format, network and language.
    pub by_source: BTreeMap<String, usize>,
    pub by_format: BTreeMap<String, usize>,
    pub by_network: BTreeMap<String, usize>,
    pub by_language: BTreeMap<String, usize>,
    /// Text extracted during this run.
    pub extracted_text_bytes: u64,
    /// Whether a new commit was made (nothing is committed when nothing changed).
    pub committed: bool,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// Throughput of the extraction, over the documents and text of this run.
    pub documents_per_second: f64,
    pub extracted_mb_per_second: f64,
    /// Size of the index folder after the run.
    pub index_bytes: u64,
}

impl IndexReport {
    /// Fills the counts that describe the whole index from the committed manifest.
    pub fn count_from(&mut self, manifest: &Manifest) {
        self.documents = manifest.document_count();
        self.failures.clear();
        self.pdf_without_text.clear();
        for (path, unit) in &manifest.units {
            let count = unit.documents.len();
            if count == 0 {
                self.failures
                    .extend(unit.failures.iter().map(|reason| Failure {
                        path: path.clone(),
                        reason: reason.clone(),
                    }));
                continue;
            }
            *self.by_source.entry(unit.source.clone()).or_default() += count;
            *self.by_format.entry(unit.format.clone()).or_default() += count;
            *self.by_network.entry(unit.network.clone()).or_default() += count;
            for doc in &unit.documents {
                *self.by_language.entry(doc.language.clone()).or_default() += 1;
                if doc.no_text {
                    self.pdf_without_text.push(doc.id.clone());
                }
            }
            for reason in &unit.failures {
                self.failures.push(Failure {
                    path: path.clone(),
                    reason: reason.clone(),
                });
            }
        }
        self.failed = self.failures.len();
    }
}

fn write_counts(
    f: &mut fmt::Formatter<'_>,
    label: &str,
    counts: &BTreeMap<String, usize>,
) -> fmt::Result {
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(f, "  {label:<10} {}", parts.join(", "))
}

impl fmt::Display for IndexReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} documents in the index", self.documents)?;
        write_counts(f, "source", &self.by_source)?;
        write_counts(f, "format", &self.by_format)?;
        write_counts(f, "network", &self.by_network)?;
        write_counts(f, "language", &self.by_language)?;
        writeln!(
            f,
            "units: {} extracted, {} unchanged, {} removed; documents: {} added, {} deleted{}",
            self.units_extracted,
            self.units_unchanged,
            self.units_removed,
            self.documents_added,
            self.documents_deleted,
            if self.committed {
                ""
            } else {
                " (nothing to commit)"
            },
        )?;
        writeln!(
            f,
            "took {:.2} s: {:.0} documents/s, {:.1} MB/s of extracted text; index {:.1} MB on disk",
            self.duration_ms as f64 / 1000.0,
            self.documents_per_second,
            self.extracted_mb_per_second,
            self.index_bytes as f64 / 1e6,
        )?;
        for warning in &self.warnings {
            writeln!(f, "warning {}: {}", warning.path, warning.reason)?;
        }
        for skipped in &self.skipped {
            writeln!(f, "skipped {}: {}", skipped.path, skipped.reason)?;
        }
        for id in &self.pdf_without_text {
            writeln!(f, "no text (scanned pdf?), indexed by metadata only: {id}")?;
        }
        if self.failed > 0 {
            writeln!(f, "{} failed:", self.failed)?;
            for failure in &self.failures {
                writeln!(f, "  {}: {}", failure.path, failure.reason)?;
            }
        }
        Ok(())
    }
}

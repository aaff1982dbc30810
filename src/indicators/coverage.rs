//! What the corpus covers, read from the committed index: documents by every facet, by
//! network and kind, by year of their date and per source, and what the last run could not
//! read (failures, PDFs without text, from the commit's manifest). Computed once per commit
//! (tantivy's generation) from the fast columns and kept until the next one.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::index::report::{Failure, IndexReport};
use crate::index::IndexError;
use crate::model::Facet;
use crate::search::facets::FacetCounts;
use crate::search::{Engine, SearchError};

/// Why coverage could not be read from the index.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("reading the dates column: {0}")]
    Dates(#[from] tantivy::TantivyError),
}

/// The dates of a set of documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dates {
    pub documents: u64,
    /// Documents by the year of their date.
    pub by_year: BTreeMap<u32, u64>,
    /// Documents without a date.
    pub undated: u64,
}

impl Dates {
    fn add(&mut self, year: Option<u32>) {
        self.documents += 1;
        match year {
            Some(year) => *self.by_year.entry(year).or_default() += 1,
            None => self.undated += 1,
        }
    }

    /// Documents dated before `year`.
    pub fn before(&self, year: u32) -> u64 {
        self.by_year.range(..year).map(|(_, n)| n).sum()
    }
}

/// The coverage of one commit.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// tantivy's generation of the commit read.
    pub generation: u64,
    pub documents: u64,
    /// Every facet's values and their documents, most documents first.
    pub facets: Vec<FacetCounts>,
    /// Documents by (network, kind).
    pub network_kind: BTreeMap<(String, String), u64>,
    /// Dates of all documents, and of each source's.
    pub dates: Dates,
    pub sources: BTreeMap<String, Dates>,
    /// Ids of the PDFs indexed without any text.
    pub pdf_without_text: Vec<String>,
    /// What the commit lacks because it failed, and why.
    pub failures: Vec<Failure>,
}

impl Coverage {
    /// Reads the coverage of the commit `engine` serves.
    pub fn read(engine: &Engine) -> Result<Coverage, CoverageError> {
        let searcher = engine.searcher();
        let columns = engine.columns(&searcher);
        let mut coverage = Coverage {
            generation: searcher.generation().generation_id(),
            documents: searcher.num_docs(),
            facets: engine.all_facets()?,
            ..Coverage::default()
        };
        for segment in searcher.segment_readers() {
            let Some(decoded) = columns.get(&segment.segment_id()) else {
                continue;
            };
            let dates = segment.fast_fields().i64("date_key")?;
            let value = |facet: Facet, doc| {
                decoded.facets[facet.index()]
                    .as_ref()
                    .map_or("", |column| column.first(doc))
                    .to_string()
            };
            for doc in segment.doc_ids_alive() {
                let pair = (value(Facet::Network, doc), value(Facet::Kind, doc));
                *coverage.network_kind.entry(pair).or_default() += 1;
                // A date key is YYYYMMDD.
                let year = dates
                    .first(doc)
                    .and_then(|key| u32::try_from(key / 10_000).ok());
                coverage.dates.add(year);
                let source = coverage.sources.entry(value(Facet::Source, doc));
                source.or_default().add(year);
            }
        }
        let manifest = crate::index::committed_manifest(engine.index())?;
        let mut report = IndexReport::default();
        report.count_from(&manifest);
        coverage.pdf_without_text = report.pdf_without_text;
        coverage.failures = report.failures;
        Ok(coverage)
    }
}

/// The coverage of the last commit read, kept until a new commit is served.
#[derive(Default)]
pub struct CoverageCache {
    kept: Mutex<Option<Arc<Coverage>>>,
}

impl CoverageCache {
    /// The coverage of the commit `engine` serves, read once per commit.
    pub fn get(&self, engine: &Engine) -> Result<Arc<Coverage>, CoverageError> {
        let generation = engine.searcher().generation().generation_id();
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(coverage) = kept.as_ref().filter(|c| c.generation == generation) {
            return Ok(coverage.clone());
        }
        drop(kept);
        let coverage = Arc::new(Coverage::read(engine)?);
        *self.kept.lock().unwrap_or_else(PoisonError::into_inner) = Some(coverage.clone());
        Ok(coverage)
    }
}

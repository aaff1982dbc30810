//! Per-segment string columns (id, title, work, kind and the facets) with their dictionaries
//! decoded once, so that re-ranking and facet counting read values by ordinal from memory;
//! and each segment's document store, whose records hits read in place.
//!
//! tantivy decodes a term of a string column by decompressing its dictionary block (zstd)
//! on every `ord_to_str`; done per candidate and per facet value of every query, that was most
//! of the search time. Segments are immutable, so each one is decoded once and kept until a
//! new commit drops it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::store::StoreReader;
use tantivy::{DocId, SegmentReader};

use super::rerank;
use crate::model::Facet;

/// Decompressed blocks of a document store kept per segment (16 KB each): the bundled
/// corpus fits whole.
pub const DOC_STORE_CACHE_BLOCKS: usize = 500;

/// Names of the columns kept: the facets (in [`Facet::ALL`] order), then these.
const EXTRA: [&str; 3] = ["id", "title", "work"];

/// One string column of a segment, decoded: its dictionary, and each document's ordinals
/// laid out flat (facet counting visits every match, and tantivy's column reads an optional
/// index and a block of values per document).
pub struct DecodedColumn {
    ords: Ords,
    terms: Vec<String>,
}

/// The ordinals of each document of a column.
enum Ords {
    /// No document has two values: one ordinal per document, [`DecodedColumn::num_terms`]
    /// for none, so that counting reads one integer per document (most facets: a network,
    /// a kind, a territory).
    Single(Vec<u32>),
    /// Where each document's ordinals start in `ords`, one more entry than documents.
    Many { starts: Vec<u32>, ords: Vec<u32> },
    /// Every document of the segment has the one value of the column (a source, a format,
    /// a language): nothing per document, and a count is the number of matches.
    Constant { num_docs: u32 },
}

/// The ordinal of the value of an [`Ords::Constant`] column.
const ONLY_VALUE: [u32; 1] = [0];

impl DecodedColumn {
    fn decode(column: StrColumn) -> DecodedColumn {
        let mut terms = Vec::with_capacity(column.num_terms());
        if let Ok(mut stream) = column.dictionary().stream() {
            while stream.advance() {
                terms.push(String::from_utf8_lossy(stream.key()).into_owned());
            }
        }
        let num_docs = column.ords().num_docs();
        let mut starts = Vec::with_capacity(num_docs as usize + 1);
        let mut ords = Vec::with_capacity(num_docs as usize);
        starts.push(0);
        for doc in 0..num_docs {
            // An ordinal past u32 (never met) reads as no value.
            ords.extend(
                column
                    .term_ords(doc)
                    .map(|o| u32::try_from(o).unwrap_or(u32::MAX)),
            );
            starts.push(u32::try_from(ords.len()).unwrap_or(u32::MAX));
        }
        let none = u32::try_from(terms.len()).unwrap_or(u32::MAX);
        let one_each = starts.windows(2).all(|pair| pair[1] - pair[0] == 1);
        let ords = if terms.len() == 1 && one_each {
            Ords::Constant { num_docs }
        } else if starts.windows(2).all(|pair| pair[1] - pair[0] <= 1) {
            let single = starts
                .windows(2)
                .map(|pair| match pair[1] > pair[0] {
                    true => ords[pair[0] as usize],
                    false => none,
                })
                .collect();
            Ords::Single(single)
        } else {
            Ords::Many { starts, ords }
        };
        DecodedColumn { ords, terms }
    }

    /// Ordinals of the values of `doc`.
    fn ord_slice(&self, doc: DocId) -> &[u32] {
        let doc = doc as usize;
        match &self.ords {
            Ords::Single(single) => match single.get(doc) {
                Some(ord) if (*ord as usize) < self.terms.len() => std::slice::from_ref(ord),
                _ => &[],
            },
            Ords::Constant { num_docs } if doc < *num_docs as usize => &ONLY_VALUE,
            Ords::Constant { .. } => &[],
            Ords::Many { starts, ords } => {
                let range = match (starts.get(doc), starts.get(doc + 1)) {
                    (Some(&start), Some(&end)) => start as usize..end as usize,
                    _ => 0..0,
                };
                ords.get(range).unwrap_or_default()
            }
        }
    }

    /// Ordinals of the values of `doc`.
    pub fn ords(&self, doc: DocId) -> impl Iterator<Item = u64> + '_ {
        self.ord_slice(doc).iter().map(|&ord| u64::from(ord))
    }

    /// Adds one to `counts[ordinal]` for each value of each of `docs`; `counts` has one slot
    /// per value and one more, where a column of single values counts the documents without
    /// one.
    pub fn count(&self, docs: &[DocId], counts: &mut [u64]) {
        match &self.ords {
            Ords::Single(single) => {
                for &doc in docs {
                    if let Some(count) = single
                        .get(doc as usize)
                        .and_then(|&ord| counts.get_mut(ord as usize))
                    {
                        *count += 1;
                    }
                }
            }
            Ords::Constant { .. } => {
                if let Some(count) = counts.first_mut() {
                    *count += docs.len() as u64;
                }
            }
            Ords::Many { .. } => {
                for &doc in docs {
                    for &ord in self.ord_slice(doc) {
                        if let Some(count) = counts.get_mut(ord as usize) {
                            *count += 1;
                        }
                    }
                }
            }
        }
    }

    /// Number of distinct values in the segment.
    pub fn num_terms(&self) -> usize {
        self.terms.len()
    }

    /// Every value of the segment, in ordinal order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The value of an ordinal.
    pub fn term(&self, ord: u64) -> &str {
        self.terms.get(ord as usize).map_or("", String::as_str)
    }

    /// The first value of `doc`, or "".
    pub fn first(&self, doc: DocId) -> &str {
        self.ords(doc).next().map_or("", |ord| self.term(ord))
    }
}

/// The decoded columns of one segment.
#[derive(Default)]
pub struct SegmentColumns {
    /// The document store, with its own cache of blocks (`None` if it could not be opened,
    /// which tantivy's own searcher would already have refused).
    pub store: Option<StoreReader>,
    /// Facet columns in [`Facet::ALL`] order (`None` when a segment lacks one).
    pub facets: Vec<Option<DecodedColumn>>,
    pub id: Option<DecodedColumn>,
    pub title: Option<DecodedColumn>,
    /// The key of the work each document is one file of, when it is not its id
    /// (`model::work`).
    pub work: Option<DecodedColumn>,
    /// The stems of each title, by ordinal of the title column: re-ranking compares them.
    pub title_stems: Vec<Arc<[String]>>,
    /// The documents' semantic vectors (`None` when the index has none).
    pub vectors: Option<super::semantic::SegmentVectors>,
}

impl SegmentColumns {
    /// Opens and decodes the columns of `segment`.
    pub fn decode(segment: &SegmentReader) -> SegmentColumns {
        let open = |name: &str| {
            segment
                .fast_fields()
                .str(name)
                .ok()
                .flatten()
                .map(DecodedColumn::decode)
        };
        let [id, title, work] = EXTRA.map(open);
        let title_stems = title.as_ref().map_or(Vec::new(), |column| {
            column
                .terms()
                .iter()
                .map(|t| rerank::title_stems(t))
                .collect()
        });
        SegmentColumns {
            store: segment.get_store_reader(DOC_STORE_CACHE_BLOCKS).ok(),
            facets: Facet::ALL
                .iter()
                .map(|facet| open(facet.field_name()))
                .collect(),
            id,
            title,
            work,
            title_stems,
            vectors: super::semantic::SegmentVectors::decode(segment),
        }
    }

    /// The stems of the title of `doc`.
    pub fn title_stems(&self, doc: DocId) -> Arc<[String]> {
        let ord = self.title.as_ref().and_then(|c| c.ords(doc).next());
        ord.and_then(|ord| self.title_stems.get(ord as usize))
            .cloned()
            .unwrap_or_else(|| Arc::from(Vec::new()))
    }

    /// The kind of resource of `doc` (the `kind` facet).
    pub fn kind(&self, doc: DocId) -> &str {
        self.first_value(Facet::Kind, doc)
    }

    /// The first value of `facet` for `doc`, empty when it has none.
    pub fn first_value(&self, facet: Facet, doc: DocId) -> &str {
        self.facets
            .get(facet.index())
            .and_then(Option::as_ref)
            .map_or("", |c| c.first(doc))
    }
}

/// The decoded columns and document store of each live segment.
pub type Segments = HashMap<SegmentId, Arc<SegmentColumns>>;

/// Decoded columns of the live segments.
#[derive(Default)]
pub struct ColumnCache {
    segments: RwLock<Segments>,
}

impl ColumnCache {
    /// The columns of every segment of `searcher`, decoding the new ones and forgetting
    /// segments that are gone.
    pub fn for_searcher(&self, searcher: &tantivy::Searcher) -> Segments {
        let live: Vec<&SegmentReader> = searcher.segment_readers().iter().collect();
        if let Ok(cached) = self.segments.read() {
            if live.iter().all(|s| cached.contains_key(&s.segment_id()))
                && cached.len() == live.len()
            {
                return cached.clone();
            }
        }
        let mut fresh = HashMap::with_capacity(live.len());
        let previous = self.segments.read().map(|c| c.clone()).unwrap_or_default();
        for segment in live {
            let id = segment.segment_id();
            let columns = previous
                .get(&id)
                .cloned()
                .unwrap_or_else(|| Arc::new(SegmentColumns::decode(segment)));
            fresh.insert(id, columns);
        }
        if let Ok(mut cached) = self.segments.write() {
            *cached = fresh.clone();
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, FAST, STRING};
    use tantivy::{Index, TantivyDocument};

    #[test]
    fn each_document_keeps_its_ordinals_single_multiple_or_none() {
        let mut builder = Schema::builder();
        let audience = builder.add_text_field("audience", STRING | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for values in [
            &["pro", "jeunes"][..],
            &[],
            &["pro"],
            &["adultes", "pro", "jeunes"],
        ] {
            let mut doc = TantivyDocument::default();
            for value in values {
                doc.add_text(audience, value);
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let column = searcher.segment_reader(0).fast_fields().str("audience");
        let decoded = DecodedColumn::decode(column.unwrap().unwrap());
        assert_eq!(decoded.terms(), ["adultes", "jeunes", "pro"]);
        let values = |doc| -> Vec<&str> { decoded.ords(doc).map(|o| decoded.term(o)).collect() };
        assert_eq!(values(0), ["pro", "jeunes"], "in the order given");
        assert!(values(1).is_empty());
        assert_eq!(values(2), ["pro"]);
        assert_eq!(values(3), ["adultes", "pro", "jeunes"]);
        assert!(values(4).is_empty(), "past the last document");
        assert_eq!(decoded.first(1), "");
        assert_eq!(decoded.first(2), "pro");
        let mut counts = vec![0; decoded.num_terms() + 1];
        decoded.count(&[0, 1, 2, 3, 7], &mut counts);
        assert_eq!(counts, [1, 2, 3, 0]);
    }

    #[test]
    fn a_column_of_one_value_per_document_counts_the_same() {
        let mut builder = Schema::builder();
        let kind = builder.add_text_field("kind", STRING | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for value in ["guide", "", "fiche", "guide"] {
            let mut doc = TantivyDocument::default();
            if !value.is_empty() {
                doc.add_text(kind, value);
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let column = searcher.segment_reader(0).fast_fields().str("kind");
        let decoded = DecodedColumn::decode(column.unwrap().unwrap());
        assert!(matches!(decoded.ords, Ords::Single(_)));
        assert_eq!(decoded.terms(), ["fiche", "guide"]);
        let values: Vec<&str> = (0..5).map(|doc| decoded.first(doc)).collect();
        assert_eq!(values, ["guide", "", "fiche", "guide", ""]);
        assert_eq!(decoded.ords(1).count(), 0);
        let mut counts = vec![0; decoded.num_terms() + 1];
        decoded.count(&[0, 1, 2, 3, 9], &mut counts);
        assert_eq!(
            counts,
            [1, 2, 1],
            "the last slot counts the document without a kind"
        );
    }

    #[test]
    fn a_column_of_one_value_that_every_document_holds_counts_the_matches() {
        let mut builder = Schema::builder();
        let source = builder.add_text_field("source", STRING | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for _ in 0..3 {
            let mut doc = TantivyDocument::default();
            doc.add_text(source, "rome");
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let column = searcher.segment_reader(0).fast_fields().str("source");
        let decoded = DecodedColumn::decode(column.unwrap().unwrap());
        assert!(matches!(decoded.ords, Ords::Constant { num_docs: 3 }));
        assert_eq!(decoded.first(2), "rome");
        assert_eq!(decoded.first(3), "", "past the last document");
        let mut counts = vec![0; decoded.num_terms() + 1];
        decoded.count(&[0, 2], &mut counts);
        assert_eq!(counts, [2, 0]);
    }
}

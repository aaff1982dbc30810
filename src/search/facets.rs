//! Exact facet counts over every document matching a query, read from the fast columns of
//! the facet fields.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentReader};

use super::columns::{SegmentColumns, Segments};

use crate::model::Facet;

/// The counts of one facet, most frequent value first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCounts {
    /// Facet name in the query language (`type`, `reseau`, ...).
    pub name: String,
    pub values: Vec<FacetValue>,
}

/// One value of a facet and its number of documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// Counts every facet value over the matching documents.
pub struct FacetCollector {
    columns: Segments,
}

impl FacetCollector {
    /// A collector reading the decoded columns of `columns`.
    pub fn new(columns: Segments) -> FacetCollector {
        FacetCollector { columns }
    }
}

/// Matching documents counted together, one facet at a time.
const COUNT_BLOCK: usize = 256;

/// Per-segment counts by term ordinal.
pub struct FacetSegmentCollector {
    columns: Arc<SegmentColumns>,
    counts: Vec<Vec<u64>>,
    /// Documents collected one by one (a scored search) and not counted yet.
    pending: Vec<DocId>,
}

impl Collector for FacetCollector {
    type Fruit = Vec<BTreeMap<String, u64>>;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _: u32,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegmentCollector> {
        let columns = match self.columns.get(&segment.segment_id()) {
            Some(columns) => columns.clone(),
            None => Arc::new(SegmentColumns::decode(segment)),
        };
        let counts = columns
            .facets
            .iter()
            .map(|c| vec![0; c.as_ref().map_or(0, |c| c.num_terms() + 1)])
            .collect();
        Ok(FacetSegmentCollector {
            columns,
            counts,
            pending: Vec::with_capacity(COUNT_BLOCK),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<BTreeMap<String, u64>>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut merged = vec![BTreeMap::new(); Facet::COUNT];
        for fruit in fruits {
            for (total, segment) in merged.iter_mut().zip(fruit) {
                for (value, count) in segment {
                    *total.entry(value).or_insert(0) += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Vec<BTreeMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.pending.push(doc);
        if self.pending.len() == COUNT_BLOCK {
            let pending = std::mem::take(&mut self.pending);
            self.collect_block(&pending);
            self.pending = pending;
            self.pending.clear();
        }
    }

    /// One facet at a time over a block of matching documents (a search that does not score
    /// hands them over in blocks); a facet without values in the segment costs nothing.
    fn collect_block(&mut self, docs: &[DocId]) {
        for (column, counts) in self.columns.facets.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column.as_ref().filter(|c| c.num_terms() > 0) {
                column.count(docs, counts);
            }
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        let pending = std::mem::take(&mut self.pending);
        self.collect_block(&pending);
        let mut out = Vec::with_capacity(self.counts.len());
        for (column, counts) in self.columns.facets.iter().zip(self.counts) {
            let mut values = BTreeMap::new();
            if let Some(column) = column {
                // The last slot counts the documents without a value.
                for (ord, count) in counts.into_iter().enumerate().take(column.num_terms()) {
                    if count > 0 {
                        values.insert(column.term(ord as u64).to_string(), count);
                    }
                }
            }
            out.push(values);
        }
        out
    }
}

/// Turns collected counts into [`FacetCounts`], values sorted by count then name.
pub fn to_counts(fruit: Vec<BTreeMap<String, u64>>) -> Vec<FacetCounts> {
    Facet::ALL
        .into_iter()
        .zip(fruit)
        .map(|(facet, counts)| {
            let mut values: Vec<FacetValue> = counts
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            FacetCounts {
                name: facet.alias().to_string(),
                values,
            }
        })
        .collect()
}

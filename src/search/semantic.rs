//! The semantic layer in search: each segment's document vectors decoded once from their
//! fast column, the fusion of the re-ranked candidates' scores with their cosine to the
//! query, and the dense-only answer when the lexical search finds nothing.

use std::collections::HashSet;

use tantivy::columnar::BytesColumn;
use tantivy::{DocAddress, DocId, SegmentReader};

use super::columns::Segments;
use super::rank::Ranking;
use super::rerank::Ranked;
use crate::semantic::fusion;

/// The document vectors of one segment, quantised as stored (`semantic::embed`).
pub struct SegmentVectors {
    dims: usize,
    values: Vec<i8>,
    /// One scale per document; 0 for a document without a vector (cosine 0).
    scales: Vec<f32>,
}

impl SegmentVectors {
    /// Decodes the `semantic` column of `segment`; `None` without one.
    pub fn decode(segment: &SegmentReader) -> Option<SegmentVectors> {
        let column: BytesColumn = segment.fast_fields().bytes("semantic").ok().flatten()?;
        let mut stored = Vec::with_capacity(column.num_terms());
        let mut stream = column.dictionary().stream().ok()?;
        while stream.advance() {
            stored.push(stream.key().to_vec());
        }
        let dims = stored.first()?.len().checked_sub(4).filter(|d| *d > 0)?;
        let num_docs = segment.max_doc() as usize;
        let mut values = vec![0i8; num_docs * dims];
        let mut scales = vec![0.0f32; num_docs];
        for doc in 0..num_docs {
            let ord = column.term_ords(doc as DocId).next();
            let vector = ord.and_then(|ord| stored.get(ord as usize));
            let Some(vector) = vector.filter(|v| v.len() == dims + 4) else {
                continue;
            };
            for (slot, &byte) in values[doc * dims..(doc + 1) * dims].iter_mut().zip(vector) {
                *slot = byte as i8;
            }
            let scale = &vector[dims..];
            let scale = f32::from_le_bytes([scale[0], scale[1], scale[2], scale[3]]);
            scales[doc] = if scale.is_finite() { scale } else { 0.0 };
        }
        Some(SegmentVectors {
            dims,
            values,
            scales,
        })
    }

    /// Cosine of `query` (unit length) with the vector of `doc`; 0 without one.
    pub fn cosine(&self, query: &[f32], doc: DocId) -> f32 {
        let doc = doc as usize;
        let (Some(&scale), Some(values)) = (
            self.scales.get(doc),
            self.values.get(doc * self.dims..(doc + 1) * self.dims),
        ) else {
            return 0.0;
        };
        if query.len() != self.dims {
            return 0.0;
        }
        let dot: f32 = values
            .iter()
            .zip(query)
            .map(|(&v, q)| f32::from(v) * q)
            .sum();
        dot * scale
    }

    /// Bytes held in memory.
    pub fn memory_bytes(&self) -> usize {
        self.values.len() + 4 * self.scales.len()
    }
}

/// Cosine of `query` with the document at `address`.
fn cosine_at(
    searcher: &tantivy::Searcher,
    segments: &Segments,
    query: &[f32],
    address: DocAddress,
) -> f32 {
    let id = searcher.segment_reader(address.segment_ord).segment_id();
    segments
        .get(&id)
        .and_then(|columns| columns.vectors.as_ref())
        .map_or(0.0, |vectors| vectors.cosine(query, address.doc_id))
}

/// What says how far the lexical ranking of one query can be trusted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LexicalEvidence<'a> {
    /// The query's distinct words (stems).
    pub words: usize,
    /// The best lexical answer's title has every word of the query.
    pub title_has_every_word: bool,
    /// The best lexical answer's kind of resource.
    pub best_kind: &'a str,
    /// The best lexical answer's lead over the second, as a share of the spread of the
    /// candidates' lexical scores (0 to 1).
    pub lead: f32,
}

impl LexicalEvidence<'_> {
    /// The weight of the lexical score in the fusion: [`Ranking::semantic_lexical`] moved by
    /// this evidence, as the ranking weighs it.
    pub fn lexical_weight(&self, ranking: &Ranking) -> f32 {
        let kind = ranking
            .semantic_lexical_kinds
            .iter()
            .find(|(k, _)| k == self.best_kind)
            .map_or(0.0, |(_, w)| *w);
        let title_hit = if self.title_has_every_word {
            ranking.semantic_lexical_title_hit
        } else {
            0.0
        };
        ranking.semantic_lexical
            + ranking.semantic_lexical_per_word * self.words.saturating_sub(1) as f32
            + title_hit
            + ranking.semantic_lexical_margin * self.lead
            + kind
    }
}

/// The [`LexicalEvidence`] of one query's candidates, `ranked` (best first); `None` without
/// a candidate.
pub fn lexical_evidence<'a>(
    searcher: &tantivy::Searcher,
    segments: &'a Segments,
    query_stems: &HashSet<String>,
    ranked: &[Ranked],
) -> Option<LexicalEvidence<'a>> {
    let best = ranked.first()?;
    let id = searcher
        .segment_reader(best.address.segment_ord)
        .segment_id();
    let columns = segments.get(&id)?;
    let title = columns.title_stems(best.address.doc_id);
    let lowest = ranked.iter().map(|r| r.score).fold(f32::INFINITY, f32::min);
    let spread = best.score - lowest;
    let lead = match ranked.get(1) {
        Some(second) if spread > 0.0 => (best.score - second.score) / spread,
        _ => 0.0,
    };
    Some(LexicalEvidence {
        words: query_stems.len(),
        title_has_every_word: !query_stems.is_empty()
            && query_stems.iter().all(|stem| title.contains(stem)),
        best_kind: columns.kind(best.address.doc_id),
        lead,
    })
}

/// Re-orders the re-ranked candidates by their fused score (ties keep the lexical order),
/// the lexical score weighing `lexical_weight` ([`LexicalEvidence::lexical_weight`]).
pub fn fuse(
    searcher: &tantivy::Searcher,
    segments: &Segments,
    query: &[f32],
    ranked: Vec<Ranked>,
    lexical_weight: f32,
) -> Vec<Ranked> {
    if ranked.len() < 2 || query.iter().all(|v| *v == 0.0) || lexical_weight >= 1.0 {
        return ranked;
    }
    let lexical: Vec<f32> = ranked.iter().map(|r| r.score).collect();
    let cosines: Vec<f32> = ranked
        .iter()
        .map(|r| cosine_at(searcher, segments, query, r.address))
        .collect();
    let fused = fusion::fuse(&lexical, &cosines, lexical_weight);
    let mut order: Vec<usize> = (0..ranked.len()).collect();
    order.sort_by(|&a, &b| fused[b].total_cmp(&fused[a]).then(a.cmp(&b)));
    let mut slots: Vec<Option<Ranked>> = ranked.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| {
            let mut result = slots[i].take()?;
            result.score = fused[i];
            Some(result)
        })
        .collect()
}

/// The `depth` documents closest to `query`, best first (none with a cosine ≤ 0): the
/// answer when the lexical search finds nothing.
pub fn nearest(
    searcher: &tantivy::Searcher,
    segments: &Segments,
    query: &[f32],
    depth: usize,
) -> Vec<(f32, DocAddress)> {
    if query.iter().all(|v| *v == 0.0) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let Some(vectors) = segments
            .get(&reader.segment_id())
            .and_then(|c| c.vectors.as_ref())
        else {
            continue;
        };
        let alive = reader.alive_bitset();
        for doc in 0..reader.max_doc() {
            if alive.is_some_and(|bits| !bits.is_alive(doc)) {
                continue;
            }
            let cosine = vectors.cosine(query, doc);
            if cosine > 0.0 {
                found.push((cosine, DocAddress::new(ord as u32, doc)));
            }
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    found.truncate(depth);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexical_weight_moves_with_the_evidence_as_weighted() {
        let mut ranking = Ranking::default();
        let evidence = LexicalEvidence {
            words: 3,
            title_has_every_word: true,
            best_kind: "fiche-droits",
            lead: 0.5,
        };
        assert_eq!(evidence.lexical_weight(&ranking), ranking.semantic_lexical);
        for (name, value) in [
            ("semantic_lexical", 0.5),
            ("semantic_lexical_per_word", 0.05),
            ("semantic_lexical_title_hit", 0.2),
            ("semantic_lexical_margin", 0.4),
            ("semantic_lexical_kind:fiche-droits", 0.3),
            ("semantic_lexical_kind:fiche-metier", -1.0),
        ] {
            ranking.set(name, value).expect(name);
        }
        let expected = 0.5 + 0.05 * 2.0 + 0.2 + 0.4 * 0.5 + 0.3;
        assert!((evidence.lexical_weight(&ranking) - expected).abs() < 1e-6);
        let weak = LexicalEvidence {
            words: 1,
            title_has_every_word: false,
            best_kind: "fiche-metier",
            lead: 0.0,
        };
        assert!((weak.lexical_weight(&ranking) - (0.5 - 1.0)).abs() < 1e-6);
    }
}

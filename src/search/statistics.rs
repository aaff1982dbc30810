//! BM25 statistics per part of the corpus ([`Part`]): each part's text fields are scored as
//! if its documents were the whole index, so that 25,000 short certification records change
//! neither the document frequencies nor the average lengths that rank the documentation.
//!
//! tantivy computes a term's weight from the number of documents of the whole index `N`
//! (which it asks without naming a field), the term's document frequency `n` and the field's
//! token count. For a field of a part of `Np` documents, this provider reports the token
//! count and the document frequency that give, with tantivy's `N`, the average length and
//! the IDF of the part alone: tokens × N / Np, and the `n'` whose IDF over `N` equals `n`'s
//! over `Np` (rounded to a whole number of documents, which moves an IDF by a few hundredths
//! at most).

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::model::{Facet, Format};
use crate::schema::{Fields, Part};

/// The statistics of a searcher's commit, per part.
pub struct PartStatistics<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    /// Documents of the whole index.
    total: u64,
    /// Documents of the records part (the rest is documentation).
    records: u64,
}

impl<'a> PartStatistics<'a> {
    /// The statistics of `searcher`'s commit.
    pub fn new(searcher: &'a Searcher, fields: &'a Fields) -> PartStatistics<'a> {
        let format_field = fields.facet(Facet::Format);
        let records: u64 = Format::ALL
            .into_iter()
            .filter(|format| Part::of(*format) == Part::Records)
            .map(|format| {
                let term = Term::from_field_text(format_field, format.name());
                searcher.doc_freq(&term).unwrap_or(0)
            })
            .sum();
        let total = searcher.num_docs();
        PartStatistics {
            searcher,
            fields,
            total,
            records: records.min(total),
        }
    }

    /// The number of documents of the part that `field` belongs to; the whole index for a
    /// field of no part.
    fn documents_of(&self, field: Field) -> u64 {
        match self.fields.part_of(field) {
            Some(Part::Records) => self.records,
            Some(Part::Documentation) => self.total - self.records,
            None => self.total,
        }
        .max(1)
    }
}

impl Bm25StatisticsProvider for PartStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let tokens = self.searcher.total_num_tokens(field)?;
        let part = self.documents_of(field);
        Ok(scaled(tokens, self.total, part))
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.total)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let found = self.searcher.doc_freq(term)?;
        Ok(equivalent_doc_freq(
            found,
            self.documents_of(term.field()),
            self.total,
        ))
    }
}

/// `tokens × total / part`, the token count that gives, over `total` documents, the average
/// length of `part` documents.
fn scaled(tokens: u64, total: u64, part: u64) -> u64 {
    if part >= total {
        return tokens;
    }
    let scaled = u128::from(tokens) * u128::from(total) / u128::from(part.max(1));
    u64::try_from(scaled).unwrap_or(u64::MAX)
}

/// The document frequency whose IDF over `total` documents equals the IDF of `found` over
/// `part` documents (BM25's IDF: ln(1 + (N − n + 0.5) / (n + 0.5))); at most `total`.
fn equivalent_doc_freq(found: u64, part: u64, total: u64) -> u64 {
    if part >= total {
        return found.min(total);
    }
    let found = found.min(part) as f64;
    let ratio = (part as f64 - found + 0.5) / (found + 0.5);
    let equivalent = (total as f64 + 0.5 - 0.5 * ratio) / (1.0 + ratio);
    (equivalent.round().max(0.0) as u64).min(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idf(doc_freq: u64, docs: u64) -> f64 {
        let x = (docs as f64 - doc_freq as f64 + 0.5) / (doc_freq as f64 + 0.5);
        (1.0 + x).ln()
    }

    #[test]
    fn a_part_keeps_its_own_idf_and_average_length() {
        let (part, total) = (2_961, 27_375);
        for found in [1, 2, 10, 100, 1_000, 2_961] {
            let equivalent = equivalent_doc_freq(found, part, total);
            let (expected, got) = (idf(found, part), idf(equivalent, total));
            assert!(
                (expected - got).abs() < 0.05,
                "n = {found}: {expected} vs {got}"
            );
        }
        assert_eq!(scaled(1_000, total, part) / total, 1_000 / part);
        assert_eq!(
            equivalent_doc_freq(7, total, total),
            7,
            "a whole index is left alone"
        );
        assert_eq!(scaled(7, total, total), 7);
        assert!(
            equivalent_doc_freq(5_000, part, total) <= total,
            "never over N"
        );
        assert!(equivalent_doc_freq(0, 1, total) <= total);
    }
}

//! A job's answer: when the best result of a job title is its job fiche (whose title holds
//! every word of the query), the active certifications that lead to that job and match the
//! query come right after it: those whose title names the job too, then the lowest level
//! ("boulanger" → the Boulanger fiche, then the CAP Boulanger), before the neighbouring jobs
//! and the rights fiches. The links come from the indexed reference keys
//! ([`crate::model::link`]), so a certification follows only the fiche it names.

use std::collections::HashSet;

use tantivy::collector::DocSetCollector;
use tantivy::query::{EnableScoring, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Term};

use super::columns::{SegmentColumns, Segments};
use super::rerank::Ranked;
use super::SearchError;
use crate::model::link::link_key;
use crate::model::{Facet, Relation};
use crate::schema::Fields;

/// The kind of the documents that lead the list.
const JOB_FICHE: &str = "fiche-metier";
/// The kind of the documents that follow it: active certifications only (an inactive one is
/// still found, in its place).
const CERTIFICATION: &str = "certification";

/// Puts up to `count` active certifications that lead to the first result of `ranked`, a job
/// fiche whose title has all the `query_stems`, and that match `query`, right after it: the
/// those whose title has the query's words first, then the lowest level (those without a
/// level last), then in their order in `ranked`.
pub fn follow_job_fiche(
    searcher: &tantivy::Searcher,
    segments: &Segments,
    fields: &Fields,
    query: &dyn Query,
    query_stems: &HashSet<String>,
    ranked: &mut Vec<Ranked>,
    count: usize,
) -> Result<(), SearchError> {
    let Some(first) = ranked.first() else {
        return Ok(());
    };
    let first = first.address;
    let segment_id = searcher.segment_reader(first.segment_ord).segment_id();
    let Some(columns) = segments.get(&segment_id) else {
        return Ok(());
    };
    let named = !query_stems.is_empty() && title_has_all(columns, first.doc_id, query_stems);
    if count == 0 || !named || columns.kind(first.doc_id) != JOB_FICHE {
        return Ok(());
    }
    let Some(id) = columns.id.as_ref().map(|c| c.first(first.doc_id)) else {
        return Ok(());
    };
    let key = Term::from_field_text(fields.link_keys, &link_key(Relation::LeadsTo, id));
    let leading = searcher.search(
        &TermQuery::new(key, IndexRecordOption::Basic),
        &DocSetCollector,
    )?;
    let mut followers: Vec<(bool, bool, String, usize, DocAddress)> = Vec::new();
    for address in matching(searcher, query, leading)? {
        let segment_id = searcher.segment_reader(address.segment_ord).segment_id();
        let Some(columns) = segments.get(&segment_id) else {
            continue;
        };
        if columns.kind(address.doc_id) != CERTIFICATION {
            continue;
        }
        let level = columns
            .first_value(Facet::Level, address.doc_id)
            .to_string();
        let position = ranked
            .iter()
            .position(|result| result.address == address)
            .unwrap_or(usize::MAX);
        let named = title_has_all(columns, address.doc_id, query_stems);
        followers.push((!named, level.is_empty(), level, position, address));
    }
    followers.sort();
    let score = ranked[0].score;
    for (place, (_, _, _, _, address)) in followers.into_iter().take(count).enumerate() {
        let follower = match ranked.iter().position(|result| result.address == address) {
            Some(position) => ranked.remove(position),
            None => Ranked {
                score,
                address,
                other_formats: Vec::new(),
            },
        };
        ranked.insert(place + 1, follower);
    }
    Ok(())
}

/// Whether the title of `doc` holds every one of `stems`.
fn title_has_all(columns: &SegmentColumns, doc: DocId, stems: &HashSet<String>) -> bool {
    let title = columns.title_stems(doc);
    stems.iter().all(|stem| title.contains(stem))
}

/// The documents of `addresses` that `query` matches: each segment's matches are walked once,
/// in document order.
fn matching(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    addresses: HashSet<DocAddress>,
) -> Result<Vec<DocAddress>, SearchError> {
    let mut addresses: Vec<DocAddress> = addresses.into_iter().collect();
    addresses.sort();
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut found = Vec::new();
    for group in addresses.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
        let reader = searcher.segment_reader(group[0].segment_ord);
        let mut scorer = weight.scorer(reader, 1.0)?;
        for address in group {
            if scorer.doc() < address.doc_id {
                scorer.seek(address.doc_id);
            }
            if scorer.doc() == address.doc_id {
                found.push(*address);
            }
        }
    }
    Ok(found)
}

//! The links of one document, resolved on one commit ([`crate::model::link`]): its own
//! references, each to the document that has the target id (or to nothing), and the
//! references of other documents to it, found by their indexed keys. Titles, kinds and
//! levels are read from the decoded columns, not from the stored documents.

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::columns::Segments;
use super::{Engine, SearchError};
use crate::model::link::{link_key, read_stored_reference, Direction, Link, SHOWN_FROM_TARGET};
use crate::model::{Facet, Relation};

/// The order of the groups of links on a document: first what a reader of a job or a
/// certification looks for.
const GROUPS: [(Relation, Direction); 9] = [
    (Relation::LeadsTo, Direction::Incoming),
    (Relation::Describes, Direction::Incoming),
    (Relation::LeadsTo, Direction::Outgoing),
    (Relation::Prepares, Direction::Outgoing),
    (Relation::Prepares, Direction::Incoming),
    (Relation::Describes, Direction::Outgoing),
    (Relation::ReplacedBy, Direction::Outgoing),
    (Relation::Replaces, Direction::Outgoing),
    (Relation::Neighbour, Direction::Outgoing),
];

/// What the columns say of one document.
struct Summary {
    id: String,
    title: String,
    kind: String,
    level: String,
}

impl Engine {
    /// The links of the document `id`, whose stored references are `stored`: grouped (in
    /// the order of [`GROUPS`]), each group in [`Link::display_order`].
    pub(super) fn links(
        &self,
        searcher: &tantivy::Searcher,
        id: &str,
        stored: &[String],
    ) -> Result<Vec<Link>, SearchError> {
        let segments = self.columns.for_searcher(searcher);
        let mut links = Vec::new();
        for value in stored {
            let Some((relation, target, label)) = read_stored_reference(value) else {
                continue;
            };
            let found = self.address_of(searcher, target)?;
            let summary = found.and_then(|address| summary(searcher, &segments, address));
            links.push(match summary {
                Some(summary) => link(relation, Direction::Outgoing, summary),
                None => Link {
                    relation,
                    direction: Direction::Outgoing,
                    id: target.to_string(),
                    title: if label.is_empty() {
                        target.to_string()
                    } else {
                        label.to_string()
                    },
                    present: false,
                    kind: String::new(),
                    level: String::new(),
                },
            });
        }
        for relation in SHOWN_FROM_TARGET {
            let key = Term::from_field_text(self.fields.link_keys, &link_key(relation, id));
            let query = TermQuery::new(key, IndexRecordOption::Basic);
            for address in searcher.search(&query, &DocSetCollector)? {
                if let Some(summary) = summary(searcher, &segments, address) {
                    links.push(link(relation, Direction::Incoming, summary));
                }
            }
        }
        links.sort_by_cached_key(|link| {
            let group = GROUPS
                .iter()
                .position(|group| *group == (link.relation, link.direction))
                .unwrap_or(GROUPS.len());
            (group, link.display_order(), link.id.clone())
        });
        links.dedup_by(|a, b| {
            a.relation == b.relation && a.direction == b.direction && a.id == b.id
        });
        Ok(links)
    }

    /// The address of the document with id `id`, if any.
    fn address_of(
        &self,
        searcher: &tantivy::Searcher,
        id: &str,
    ) -> Result<Option<DocAddress>, SearchError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        Ok(searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .next())
    }
}

/// Id, title, kind and level of the document at `address`, from the decoded columns.
fn summary(
    searcher: &tantivy::Searcher,
    segments: &Segments,
    address: DocAddress,
) -> Option<Summary> {
    let segment_id = searcher.segment_reader(address.segment_ord).segment_id();
    let columns = segments.get(&segment_id)?;
    let read = |column: Option<&super::columns::DecodedColumn>| {
        column.map_or(String::new(), |c| c.first(address.doc_id).to_string())
    };
    Some(Summary {
        id: read(columns.id.as_ref()),
        title: read(columns.title.as_ref()),
        kind: columns.kind(address.doc_id).to_string(),
        level: columns
            .first_value(Facet::Level, address.doc_id)
            .to_string(),
    })
}

fn link(relation: Relation, direction: Direction, summary: Summary) -> Link {
    Link {
        relation,
        direction,
        id: summary.id,
        title: summary.title,
        present: true,
        kind: summary.kind,
        level: summary.level,
    }
}

//! Vocabulary that documents lend the documents they refer to: the title of a certification
//! is a name of the job it leads to, the title of an ONISEP fiche a name of the ROME job it
//! describes ([`crate::model::link::lends_vocabulary`]). A job fiche is indexed with the
//! titles lent to it, as a weak field.
//!
//! Lending crosses units (the certifications of the RNCP export name the jobs of the ROME
//! release), so a pass must rewrite a job's documents whenever what is lent to them changes,
//! even when their own unit did not: the manifest keeps, per unit, a digest of the
//! vocabulary its documents were written with, and a unit whose digest no longer matches is
//! extracted again. What unchanged units lend is read from the last commit (the indexed keys
//! of their references and their titles), what changed units lend from this pass.

use std::collections::{BTreeMap, HashMap};

use tantivy::{DocSet, Searcher, TERMINATED};

use crate::ingest::source::hex_digest;
use crate::model::link::document_id;
use crate::model::link::{lends_vocabulary, link_key, may_receive_vocabulary};
use crate::model::{Document, Relation};
use crate::schema::Fields;

/// A title lent to a document: by `lender` (a document id), to `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Loan {
    pub(super) lender: String,
    pub(super) target: String,
    pub(super) title: String,
}

/// The titles that `document` lends, one loan per target.
pub(super) fn loans_of(document: &Document) -> Vec<Loan> {
    let Some(title) = document.content.title.as_deref() else {
        return Vec::new();
    };
    let mut loans: Vec<Loan> = Vec::new();
    for reference in &document.content.references {
        if !lends_vocabulary(reference.relation) {
            continue;
        }
        let target = document_id(&reference.code);
        if !loans.iter().any(|loan| loan.target == target) {
            loans.push(Loan {
                lender: document.id.clone(),
                target,
                title: title.to_string(),
            });
        }
    }
    loans
}

/// Whether a document may be lent vocabulary, and so must wait for the end of the pass to be
/// written.
pub(super) fn waits_for_vocabulary(document: &Document) -> bool {
    may_receive_vocabulary(&document.id)
}

/// Every loan made by the documents of a commit: the indexed keys of their references whose
/// relation lends vocabulary, and their titles (from the title column).
pub(super) fn committed_loans(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Vec<Loan>> {
    let prefixes: Vec<String> = Relation::ALL
        .into_iter()
        .filter(|relation| lends_vocabulary(*relation))
        .map(|relation| link_key(relation, ""))
        .collect();
    let mut loans = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.link_keys)?;
        let fast = segment.fast_fields();
        let (Some(ids), Some(titles)) = (fast.str("id")?, fast.str("title")?) else {
            continue;
        };
        let alive = segment.alive_bitset();
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let Ok(key) = std::str::from_utf8(terms.key()) else {
                continue;
            };
            let Some(target) = prefixes
                .iter()
                .find_map(|prefix| key.strip_prefix(prefix.as_str()))
            else {
                continue;
            };
            let mut postings = inverted.read_postings_from_terminfo(
                terms.value(),
                tantivy::schema::IndexRecordOption::Basic,
            )?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    let (mut lender, mut title) = (String::new(), String::new());
                    if let Some(ord) = ids.term_ords(doc).next() {
                        ids.ord_to_str(ord, &mut lender)?;
                    }
                    if let Some(ord) = titles.term_ords(doc).next() {
                        titles.ord_to_str(ord, &mut title)?;
                    }
                    loans.push(Loan {
                        lender,
                        target: target.to_string(),
                        title,
                    });
                }
                doc = postings.advance();
            }
        }
    }
    Ok(loans)
}

/// The titles lent to each target, sorted and without repeats.
pub(super) fn by_target<'a>(loans: impl Iterator<Item = &'a Loan>) -> HashMap<String, Vec<String>> {
    let mut lent: HashMap<String, Vec<String>> = HashMap::new();
    for loan in loans {
        lent.entry(loan.target.clone())
            .or_default()
            .push(loan.title.clone());
    }
    for titles in lent.values_mut() {
        titles.sort();
        titles.dedup();
    }
    lent
}

/// A digest of the vocabulary lent to the documents `ids`: what a unit's documents were
/// written with. Empty when nothing is lent to them.
pub(super) fn digest<'a>(
    ids: impl Iterator<Item = &'a str>,
    lent: &HashMap<String, Vec<String>>,
) -> String {
    let received: BTreeMap<&str, &Vec<String>> = ids
        .filter_map(|id| lent.get(id).map(|titles| (id, titles)))
        .collect();
    if received.is_empty() {
        return String::new();
    }
    let mut text = String::new();
    for (id, titles) in received {
        text.push_str(id);
        for title in titles {
            text.push('\t');
            text.push_str(title);
        }
        text.push('\n');
    }
    hex_digest(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loan(lender: &str, target: &str, title: &str) -> Loan {
        Loan {
            lender: lender.into(),
            target: target.into(),
            title: title.into(),
        }
    }

    #[test]
    fn titles_are_gathered_by_target_and_digested() {
        let loans = [
            loan("rncp:RNCP1", "rome:D1102", "CAP Boulanger"),
            loan("onisep:MET.1", "rome:D1102", "Boulanger"),
            loan("rncp:RNCP2", "rome:D1102", "CAP Boulanger"),
            loan("rncp:RNCP3", "rome:G1602", "CAP Cuisine"),
        ];
        let lent = by_target(loans.iter());
        assert_eq!(lent["rome:D1102"], ["Boulanger", "CAP Boulanger"]);
        let both = digest(["rome:D1102", "rome:G1602"].into_iter(), &lent);
        assert_eq!(
            both,
            digest(["rome:G1602", "rome:D1102"].into_iter(), &lent),
            "order does not matter"
        );
        assert_ne!(both, digest(["rome:D1102"].into_iter(), &lent));
        assert_eq!(
            digest(["rome:A1101"].into_iter(), &lent),
            "",
            "nothing lent"
        );
        let fewer = by_target(loans[..3].iter());
        assert_ne!(
            both,
            digest(["rome:D1102", "rome:G1602"].into_iter(), &fewer)
        );
    }
}

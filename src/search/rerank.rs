//! Second-stage ranking: the best BM25 candidates are re-scored with features of how well
//! their title matches the query, whose weights were fitted on judged queries (`eval
//! --weight`, coordinate ascent on MRR@10 of the dev sets).
//!
//! The features look at the title only, read from its fast column, so re-ranking a few dozen
//! candidates costs microseconds: how much of the query the title covers, how much of the
//! title the query covers (a short title fully matched is a better answer than a long one
//! that also matches). Fitted, the precision weight is positive (among matching titles, the
//! one with the fewest other words wins) and the coverage weight negative: BM25 on the title
//! already rewards covering the query, and the fitted bonus tempers that excess.

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::DocAddress;

use super::columns::{DecodedColumn, Segments};
use super::rank::Ranking;
use crate::analysis::{self, Mode};
use crate::model::Lang;

/// How many BM25 candidates are re-ranked.
pub const RERANK_DEPTH: usize = 50;

/// The query's distinct stems, the unit of the title features.
pub fn query_stems(text: &str) -> HashSet<String> {
    analysis::terms(Mode::Stemmed(Lang::Fr), text)
        .into_iter()
        .collect()
}

/// A title's distinct stems, what [`title_bonus`] compares: computed once per title and
/// segment by the column cache.
pub fn title_stems(title: &str) -> Arc<[String]> {
    let mut stems = analysis::terms(Mode::Stemmed(Lang::Fr), title);
    stems.sort_unstable();
    stems.dedup();
    stems.into()
}

/// Title-match bonus of one candidate, from its title's [`title_stems`].
pub fn title_bonus(query: &HashSet<String>, title: &[String], ranking: &Ranking) -> f32 {
    if query.is_empty() || title.is_empty() {
        return 0.0;
    }
    let common = title.iter().filter(|stem| query.contains(*stem)).count() as f32;
    let coverage = common / query.len() as f32;
    let precision = common / title.len() as f32;
    ranking.title_coverage * coverage + ranking.title_precision * precision
}

/// A first-stage result with what re-ranking looks at, borrowed from the decoded columns.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub score: f32,
    pub address: DocAddress,
    pub id: &'a str,
    /// The key of the work it is one file of (`model::work`): its id for most documents.
    pub work: &'a str,
    pub title: &'a str,
    /// The title's [`title_stems`].
    pub title_stems: Arc<[String]>,
    pub kind: &'a str,
}

/// A re-ranked result: its score, its document, and the same document in other formats,
/// shown with it rather than as results of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub score: f32,
    pub address: DocAddress,
    pub other_formats: Vec<DocAddress>,
}

/// Re-scores `candidates`, sorts them best first, and collapses copies: the same page
/// published for two audiences (same title, same first-stage score) is shown once, under
/// the smallest id (`sp:particuliers/…` before `sp:professionnels/…`); the files of one
/// work (one name with several extensions in one folder, or other names that a `same_as`
/// joins: `model::work`) are shown once, at the best of them, listing the others.
pub fn rerank(
    query: &HashSet<String>,
    candidates: Vec<Candidate<'_>>,
    ranking: &Ranking,
) -> Vec<Ranked> {
    let mut scored: Vec<(f32, Candidate<'_>)> = candidates
        .into_iter()
        .map(|c| (c.score + title_bonus(query, &c.title_stems, ranking), c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(b.1.id)));
    collapse(scored, Copies::Collapse)
}

/// Whether [`collapse`] also shows once the copies of one page (same title, same score).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copies {
    Collapse,
    Keep,
}

/// `ordered` results, in their order, with the files of one work shown once, at the first
/// of them, listing the others; with [`Copies::Collapse`], a result with the title and the
/// first-stage score of one already kept is dropped too.
pub fn collapse(ordered: Vec<(f32, Candidate<'_>)>, copies: Copies) -> Vec<Ranked> {
    let mut kept: Vec<(Candidate<'_>, Ranked)> = Vec::with_capacity(ordered.len());
    for (score, candidate) in ordered {
        if let Some((_, same)) = kept.iter_mut().find(|(k, _)| k.work == candidate.work) {
            same.other_formats.push(candidate.address);
            continue;
        }
        let copy = copies == Copies::Collapse
            && kept.iter().any(|(k, _)| {
                k.title == candidate.title
                    && (k.score - candidate.score).abs() <= 1e-4 * k.score.abs().max(1.0)
            });
        if !copy {
            let ranked = Ranked {
                score,
                address: candidate.address,
                other_formats: Vec::new(),
            };
            kept.push((candidate, ranked));
        }
    }
    kept.into_iter().map(|(_, ranked)| ranked).collect()
}

/// The first-stage results with what re-ranking reads: id, title and kind, from the
/// decoded columns of `segments`.
pub fn candidates<'a>(
    searcher: &tantivy::Searcher,
    segments: &'a Segments,
    candidates: Vec<(f32, DocAddress)>,
) -> Vec<Candidate<'a>> {
    let mut out = Vec::with_capacity(candidates.len());
    for (score, address) in candidates {
        let segment_id = searcher.segment_reader(address.segment_ord).segment_id();
        let Some(columns) = segments.get(&segment_id) else {
            continue;
        };
        let read = |column: &'a Option<DecodedColumn>| {
            column.as_ref().map_or("", |c| c.first(address.doc_id))
        };
        out.push(Candidate {
            score,
            address,
            id: read(&columns.id),
            work: Some(read(&columns.work))
                .filter(|work| !work.is_empty())
                .unwrap_or_else(|| read(&columns.id)),
            title: read(&columns.title),
            title_stems: columns.title_stems(address.doc_id),
            kind: columns.kind(address.doc_id),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights() -> Ranking {
        Ranking {
            title_coverage: 1.0,
            title_precision: 1.0,
            kind_priors: Vec::new(),
            ..Ranking::default()
        }
    }

    #[test]
    fn a_title_made_of_the_query_words_gets_the_largest_bonus() {
        let query = query_stems("Formateur d'arabe");
        let same = title_bonus(
            &query,
            &title_stems("Formatrice / Formateur d'arabe"),
            &weights(),
        );
        let general = title_bonus(&query, &title_stems("Formateur / Formatrice"), &weights());
        let other = title_bonus(&query, &title_stems("Professeur de langues"), &weights());
        assert!(
            same > general && general > other,
            "{same} {general} {other}"
        );
        assert_eq!(other, 0.0);
    }

    #[test]
    fn reranking_sorts_by_the_new_score() {
        let query = query_stems("boulanger");
        let candidate = |score, doc, title, kind| Candidate {
            score,
            address: DocAddress::new(0, doc),
            id: ["doc0", "doc1", "doc2", "doc3", "doc4"][doc as usize],
            work: ["doc0", "doc1", "doc2", "doc3", "doc4"][doc as usize],
            title,
            title_stems: title_stems(title),
            kind,
        };
        let candidates = vec![
            candidate(2.0, 1, "Pâtissier", "fiche-metier"),
            candidate(1.5, 2, "Boulanger / Boulangère", "fiche-metier"),
        ];
        let ranked = rerank(&query, candidates.clone(), &weights());
        assert_eq!(ranked[0].address, DocAddress::new(0, 2));
        let mut penalised = weights();
        penalised.set("prior:fiche-metier", -1.0).expect("prior");
        penalised
            .set("prior:fiche-metier", -5.0)
            .expect("prior replaced");
        assert_eq!(penalised.kind_priors.len(), 1);
    }

    #[test]
    fn copies_of_one_page_are_shown_once_under_the_smallest_id() {
        let copy = |id, doc| Candidate {
            score: 3.0,
            address: DocAddress::new(0, doc),
            id,
            work: id,
            title: "Salaire",
            title_stems: title_stems("Salaire"),
            kind: "fiche-pratique",
        };
        let other = Candidate {
            score: 2.0,
            title: "Prime",
            title_stems: title_stems("Prime"),
            ..copy("sp:particuliers/F2", 3)
        };
        let candidates = vec![
            copy("sp:professionnels/F1", 1),
            copy("sp:particuliers/F1", 2),
            other,
        ];
        let ranked = rerank(&query_stems("salaire"), candidates, &Ranking::default());
        assert_eq!(
            ranked.iter().map(|r| r.address.doc_id).collect::<Vec<_>>(),
            [2, 3]
        );
    }

    #[test]
    fn one_document_in_several_files_is_one_result_listing_them() {
        let file = |id, doc, score| Candidate {
            score,
            address: DocAddress::new(0, doc),
            id,
            work: crate::model::work::work_key(id, None),
            title: "Accord cadre",
            title_stems: title_stems("Accord cadre"),
            kind: "",
        };
        let candidates = vec![
            file("spo/accord.docx", 1, 3.0),
            file("spo/accord.md", 2, 2.9),
            file("spo/accord.pdf", 3, 2.8),
            file("spo/autre.pdf", 4, 2.7),
            file("cio/accord.pdf", 5, 2.6),
            Candidate {
                work: "spo/accord",
                ..file("spo/accord-cadre-v2.odt", 6, 2.5)
            },
        ];
        let ranked = rerank(&query_stems("accord"), candidates, &Ranking::default());
        let shown: Vec<(u32, Vec<u32>)> = ranked
            .iter()
            .map(|r| {
                (
                    r.address.doc_id,
                    r.other_formats.iter().map(|a| a.doc_id).collect(),
                )
            })
            .collect();
        assert_eq!(shown, [(1, vec![2, 3, 6]), (4, vec![]), (5, vec![])]);
    }
}

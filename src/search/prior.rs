//! Priors by kind of resource, added to the first-stage score of every match: a kind that
//! answers fewer questions (a navigation page, a certification for a job title) must not
//! fill the candidates that re-ranking sees, which a prior added after the first stage could
//! not prevent once 25,000 certifications compete with 1,600 job fiches.
//!
//! A query that asks for a qualification (it names a kind of diploma: CAP, BTS, bac pro,
//! licence, master, titre professionnel...) takes the qualification priors instead, which
//! put the certifications first.

use std::sync::Arc;

use tantivy::collector::{Collector, TopDocs};
use tantivy::{DocAddress, DocId, Score, SegmentReader};

use super::columns::{DecodedColumn, SegmentColumns, Segments};
use super::query::{Occurrence, ParsedQuery};
use super::rank::Ranking;
use crate::analysis::fold;
use crate::model::Facet;

/// Words that name a kind of qualification, folded. "titre" counts only before "pro" or
/// "professionnel" (a "titre de séjour" is not a diploma).
const QUALIFICATION_WORDS: [&str; 21] = [
    "cap",
    "capa",
    "bep",
    "bepa",
    "bac",
    "bp",
    "bpa",
    "bt",
    "bts",
    "btsa",
    "dut",
    "deust",
    "licence",
    "master",
    "mastere",
    "doctorat",
    "diplome",
    "diplomes",
    "cqp",
    "bpjeps",
    "certification",
];

/// Whether the query names a kind of qualification.
pub fn asks_for_qualification(parsed: &ParsedQuery) -> bool {
    let words: Vec<String> = parsed
        .clauses
        .iter()
        .filter(|clause| clause.occurrence != Occurrence::MustNot)
        .flat_map(|clause| {
            clause
                .text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| !word.is_empty())
                .map(fold)
                .collect::<Vec<_>>()
        })
        .collect();
    words.iter().enumerate().any(|(index, word)| {
        QUALIFICATION_WORDS.contains(&word.as_str())
            || (word == "titre"
                && words
                    .get(index + 1)
                    .is_some_and(|next| next == "pro" || next == "professionnel"))
    })
}

/// The prior of each kind for `parsed`: the qualification priors when it asks for a
/// qualification, the kind priors otherwise.
pub fn priors_for<'a>(parsed: &ParsedQuery, ranking: &'a Ranking) -> &'a [(String, f32)] {
    if asks_for_qualification(parsed) {
        &ranking.qualification_priors
    } else {
        &ranking.kind_priors
    }
}

/// The prior of each document of one segment, read from its decoded kind column
/// (`columns`); 0 without one.
pub fn segment_priors(
    priors: &[(String, f32)],
    columns: Option<&Arc<SegmentColumns>>,
) -> impl Fn(DocId) -> f32 {
    let columns = columns.cloned();
    let by_ord: Vec<f32> = columns
        .as_deref()
        .and_then(kind_column)
        .map(|column| column.terms().iter().map(|t| prior_of(t, priors)).collect())
        .unwrap_or_default();
    move |doc: DocId| {
        columns
            .as_deref()
            .and_then(kind_column)
            .and_then(|column| column.ords(doc).next())
            .and_then(|ord| by_ord.get(ord as usize))
            .copied()
            .unwrap_or(0.0)
    }
}

/// The best `limit` matches by first-stage score plus the prior of their kind, read from the
/// decoded kind column of each segment.
pub fn top_with_priors(
    limit: usize,
    parsed: &ParsedQuery,
    ranking: &Ranking,
    segments: &Segments,
) -> impl Collector<Fruit = Vec<(Score, DocAddress)>> {
    let priors: Vec<(String, f32)> = priors_for(parsed, ranking).to_vec();
    let segments: Segments = segments.clone();
    TopDocs::with_limit(limit).tweak_score(move |segment: &SegmentReader| {
        let prior_of = segment_priors(&priors, segments.get(&segment.segment_id()));
        move |doc: DocId, score: Score| score + prior_of(doc)
    })
}

/// The decoded kind column of a segment.
fn kind_column(columns: &SegmentColumns) -> Option<&DecodedColumn> {
    columns.facets.get(Facet::Kind.index())?.as_ref()
}

/// The prior of one kind.
pub fn prior_of(kind: &str, priors: &[(String, f32)]) -> f32 {
    priors
        .iter()
        .find(|(known, _)| known == kind)
        .map_or(0.0, |(_, prior)| *prior)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    #[test]
    fn a_query_naming_a_kind_of_diploma_asks_for_a_qualification() {
        for query in [
            "BTS banque",
            "cap cuisine",
            "Titre pro secrétaire",
            "diplôme d'État",
        ] {
            assert!(asks_for_qualification(&parse(query)), "{query}");
        }
        for query in [
            "boulanger",
            "titre de séjour",
            "capacité",
            "banque -bts",
            "",
        ] {
            assert!(!asks_for_qualification(&parse(query)), "{query}");
        }
    }

    #[test]
    fn each_kind_has_its_prior_and_a_qualification_query_takes_its_own() {
        let ranking = Ranking::default();
        let kinds = priors_for(&parse("boulanger"), &ranking);
        let diplomas = priors_for(&parse("CAP boulanger"), &ranking);
        assert!(prior_of("certification", kinds) < prior_of("fiche-metier", kinds));
        assert!(prior_of("certification", diplomas) > prior_of("fiche-metier", diplomas));
        assert!(prior_of("certification-inactive", diplomas) < prior_of("certification", diplomas));
        assert_eq!(prior_of("kind-of-no-prior", kinds), 0.0);
    }
}

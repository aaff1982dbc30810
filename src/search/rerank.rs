//! Second-stage ranking: the best BM25 candidates are re-scored with features of how well
//! their title matches the query, whose weights were fitted on judged queries (`eval
//! --weight`, coordinate ascent on MRR@10 of the dev sets).
//!
//! The features look at the title only, read from its fast column, so re-ranking a few dozen
//! candidates costs microseconds: how much of the query the title covers, how much of the
//! title the query covers (a short title fully matched is a better answer than a long one
//! that also matches), and whether they are the same words.

use std::collections::HashSet;

use tantivy::DocAddress;

use super::rank::Ranking;
use crate::analysis::{self, Lang, Mode};

/// How many BM25 candidates are re-ranked.
pub const RERANK_DEPTH: usize = 50;

/// The query's distinct stems, the unit of the title features.
pub fn query_stems(text: &str) -> HashSet<String> {
    analysis::terms(Mode::Stemmed(Lang::Fr), text).into_iter().collect()
}

/// Title-match bonus of one candidate.
pub fn title_bonus(query: &HashSet<String>, title: &str, ranking: &Ranking) -> f32 {
    if query.is_empty() {
        return 0.0;
    }
    let title: HashSet<String> = analysis::terms(Mode::Stemmed(Lang::Fr), title).into_iter().collect();
    if title.is_empty() {
        return 0.0;
    }
    let common = query.intersection(&title).count() as f32;
    let coverage = common / query.len() as f32;
    let precision = common / title.len() as f32;
    let same = if common as usize == query.len() && common as usize == title.len() { 1.0 } else { 0.0 };
    ranking.title_coverage * coverage + ranking.title_precision * precision + ranking.title_same * same
}

/// Re-scores `candidates` (BM25 score, address, title) and sorts them best first.
pub fn rerank(
    query: &HashSet<String>,
    candidates: Vec<(f32, DocAddress, String)>,
    ranking: &Ranking,
) -> Vec<(f32, DocAddress)> {
    let mut scored: Vec<(f32, DocAddress)> = candidates
        .into_iter()
        .map(|(score, address, title)| (score + title_bonus(query, &title, ranking), address))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights() -> Ranking {
        Ranking { title_coverage: 1.0, title_precision: 1.0, title_same: 1.0, ..Ranking::default() }
    }

    #[test]
    fn a_title_made_of_the_query_words_gets_the_largest_bonus() {
        let query = query_stems("Formateur d'arabe");
        let same = title_bonus(&query, "Formatrice / Formateur d'arabe", &weights());
        let general = title_bonus(&query, "Formateur / Formatrice", &weights());
        let other = title_bonus(&query, "Professeur de langues", &weights());
        assert!(same > general && general > other, "{same} {general} {other}");
        assert_eq!(other, 0.0);
    }

    #[test]
    fn reranking_sorts_by_the_new_score() {
        let query = query_stems("boulanger");
        let candidates = vec![
            (2.0, DocAddress::new(0, 1), "Pâtissier".to_string()),
            (1.5, DocAddress::new(0, 2), "Boulanger / Boulangère".to_string()),
        ];
        let ranked = rerank(&query, candidates, &weights());
        assert_eq!(ranked[0].1, DocAddress::new(0, 2));
    }
}

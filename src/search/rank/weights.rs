//! The weights of the ranking, one place for all of them: field weights, bonuses, priors by
//! kind, the semantic fusion's, the alternatives'; each settable by name for
//! `spo-search eval --weight name=value`.

use crate::search::synonyms::Source;
use crate::semantic::{full, SemanticMode};

/// Field weights and bonuses of the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub title: f32,
    pub headings: f32,
    pub keywords: f32,
    pub body: f32,
    /// Titles lent by the documents that refer to this one (a job's certifications and
    /// ONISEP fiches).
    pub vocabulary: f32,
    pub exact_title: f32,
    pub exact_body: f32,
    pub root_title: f32,
    pub root_body: f32,
    pub fuzzy_title: f32,
    pub prefix_title: f32,
    pub phrase_title: f32,
    pub phrase_body: f32,
    /// Words allowed between the words of a proximity match in the body.
    pub proximity_slop: u32,
    /// Scale of every clause on the text of the referential records ([`crate::schema::Part::Records`]).
    pub records: f32,
    /// Re-ranking bonus for the share of the query's words found in the title.
    pub title_coverage: f32,
    /// Re-ranking bonus for the share of the title's words found in the query.
    pub title_precision: f32,
    /// Weight of the other name of a renamed body or scheme that the query names.
    pub renamed: f32,
    /// Weight of an unknown word of the query found as two words that the index knows
    /// (`compound::split`: "électrobobinier" ~ "électro bobinier"); 0 turns it off.
    pub split_compound: f32,
    /// Weight of two adjacent words of the query found as one word that the index knows
    /// (`compound::joins`: "porte parole" ~ "porteparole"); 0 turns it off.
    pub joined_words: f32,
    /// Weight of an expression of the Code du travail numérique's synonym list that the
    /// query stands for ([`crate::search::synonyms`]); 0 turns the list off.
    pub synonym_cdtn: f32,
    /// Weight of an equivalent expression of the TESS thesaurus; 0 turns it off.
    pub synonym_tess: f32,
    /// Queries of up to this many words must match all of them ([`super::min_match`]).
    pub all_words_up_to: u32,
    /// Share of the words of a longer query that must match ([`super::min_match`]).
    pub min_match_share: f32,
    /// Bonus (or penalty) by kind of resource, added to the first-stage score
    /// ([`crate::search::prior`]): navigation pages that only list other pages answer fewer
    /// questions than the pages themselves; a job title asks for the job fiche before the
    /// certifications.
    pub kind_priors: Vec<(String, f32)>,
    /// The priors of a query that names a kind of qualification (CAP, BTS, master...): the
    /// certifications first.
    pub qualification_priors: Vec<(String, f32)>,
    /// How many active certifications leading to a job come right after its job fiche when
    /// that fiche is the best result (`search::followers`); 0 turns it off.
    pub job_followers: u32,
    /// With the semantic layer on, the weight `a` of the lexical score in the fusion
    /// `a · minmax(lexical) + (1 − a) · minmax(cosine)` of the re-ranked candidates.
    pub semantic_lexical: f32,
    /// Added to `semantic_lexical` for each word of the query past the first.
    pub semantic_lexical_per_word: f32,
    /// Added to `semantic_lexical` when the best lexical answer's title has every word of
    /// the query: exact lexical evidence.
    pub semantic_lexical_title_hit: f32,
    /// Added to `semantic_lexical` times the best lexical answer's lead over the second, as
    /// a share of the spread of the candidates' lexical scores.
    pub semantic_lexical_margin: f32,
    /// Added to `semantic_lexical` by kind of the best lexical answer.
    pub semantic_lexical_kinds: Vec<(String, f32)>,
    /// Above this many expected matches (the sum of the document frequencies of a query's
    /// words, each by its most frequent form), a search takes the
    /// first stage of [`crate::search::first_stage`] instead of walking the query tree over
    /// every match; 0 makes every search that can take it do so.
    pub first_stage_from: f32,
}

impl Default for Ranking {
    /// Weights fitted by coordinate ascent on MRR@10 of the two dev query sets (ROME
    /// appellations and CDTN queries, summed); see the README for the figures.
    fn default() -> Self {
        Ranking {
            title: 0.5,
            headings: 0.15,
            keywords: 0.0,
            body: 1.0,
            vocabulary: 0.05,
            exact_title: 0.15,
            exact_body: 0.15,
            root_title: 0.2,
            root_body: 0.05,
            fuzzy_title: 0.3,
            prefix_title: 0.3,
            phrase_title: 0.5,
            phrase_body: 0.3,
            proximity_slop: 2,
            records: 0.5,
            title_coverage: -3.0,
            title_precision: 4.0,
            renamed: 0.5,
            split_compound: 1.0,
            joined_words: 0.5,
            synonym_cdtn: 0.3,
            synonym_tess: 0.3,
            all_words_up_to: 1,
            min_match_share: 0.0,
            kind_priors: vec![
                ("dossier".into(), -3.0),
                ("theme".into(), -3.0),
                ("fiche-pratique".into(), 0.5),
                ("certification".into(), -4.0),
                ("certification-inactive".into(), -16.0),
                ("formation".into(), -4.0),
                ("offre-de-formation".into(), -4.0),
                ("fiche-metier-onisep".into(), -4.0),
            ],
            qualification_priors: vec![
                ("dossier".into(), -3.0),
                ("theme".into(), -3.0),
                ("certification".into(), 12.0),
                ("certification-inactive".into(), 4.0),
                ("fiche-metier".into(), -12.0),
                ("fiche-metier-onisep".into(), -12.0),
            ],
            job_followers: 2,
            semantic_lexical: 0.6,
            semantic_lexical_per_word: 0.0,
            semantic_lexical_title_hit: 0.0,
            semantic_lexical_margin: 0.0,
            semantic_lexical_kinds: Vec::new(),
            first_stage_from: 10_000.0,
        }
    }
}

impl Ranking {
    /// The default weights for search in `mode`: with the transformer (`full`), the fusion's
    /// lexical weight fitted for it ([`full::LEXICAL_WEIGHT`]).
    pub fn for_semantic(mode: SemanticMode) -> Ranking {
        let mut ranking = Ranking::default();
        if mode == SemanticMode::Full {
            ranking.semantic_lexical = full::LEXICAL_WEIGHT;
        }
        ranking
    }

    /// Sets one weight by name (`title=1.5`); an error names the known weights.
    pub fn set(&mut self, name: &str, value: f32) -> Result<(), String> {
        for (prefix, priors) in [
            ("semantic_lexical_kind:", &mut self.semantic_lexical_kinds),
            ("prior:", &mut self.kind_priors),
            ("qprior:", &mut self.qualification_priors),
        ] {
            if let Some(kind) = name.strip_prefix(prefix) {
                priors.retain(|(k, _)| k != kind);
                priors.push((kind.to_string(), value));
                return Ok(());
            }
        }
        let slot = match name {
            "title" => &mut self.title,
            "headings" => &mut self.headings,
            "keywords" => &mut self.keywords,
            "body" => &mut self.body,
            "vocabulary" => &mut self.vocabulary,
            "exact_title" => &mut self.exact_title,
            "exact_body" => &mut self.exact_body,
            "root_title" => &mut self.root_title,
            "root_body" => &mut self.root_body,
            "fuzzy_title" => &mut self.fuzzy_title,
            "prefix_title" => &mut self.prefix_title,
            "phrase_title" => &mut self.phrase_title,
            "phrase_body" => &mut self.phrase_body,
            "records" => &mut self.records,
            "title_coverage" => &mut self.title_coverage,
            "title_precision" => &mut self.title_precision,
            "min_match_share" => &mut self.min_match_share,
            "renamed" => &mut self.renamed,
            "split_compound" => &mut self.split_compound,
            "joined_words" => &mut self.joined_words,
            "synonym_cdtn" => &mut self.synonym_cdtn,
            "synonym_tess" => &mut self.synonym_tess,
            "first_stage_from" => &mut self.first_stage_from,
            "all_words_up_to" => {
                self.all_words_up_to = value.max(0.0) as u32;
                return Ok(());
            }
            "semantic_lexical" => &mut self.semantic_lexical,
            "semantic_lexical_per_word" => &mut self.semantic_lexical_per_word,
            "semantic_lexical_title_hit" => &mut self.semantic_lexical_title_hit,
            "semantic_lexical_margin" => &mut self.semantic_lexical_margin,
            "job_followers" => {
                self.job_followers = value.max(0.0) as u32;
                return Ok(());
            }
            "proximity_slop" => {
                self.proximity_slop = value.max(0.0) as u32;
                return Ok(());
            }
            _ => {
                return Err(format!(
                    "unknown weight {name}; known: title headings keywords body vocabulary exact_title \
                     exact_body root_title root_body fuzzy_title prefix_title phrase_title phrase_body proximity_slop records title_coverage title_precision semantic_lexical semantic_lexical_per_word \
                     semantic_lexical_title_hit semantic_lexical_margin \
                     semantic_lexical_kind:<kind> renamed \
                     split_compound joined_words synonym_cdtn synonym_tess all_words_up_to min_match_share job_followers first_stage_from prior:<kind> qprior:<kind>"
                ))
            }
        };
        *slot = value;
        Ok(())
    }

    /// The weight of the synonyms of `source`.
    pub fn synonym(&self, source: Source) -> f32 {
        match source {
            Source::Cdtn => self.synonym_cdtn,
            Source::Tess => self.synonym_tess,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transformer_fuses_with_its_own_lexical_weight() {
        let full_ranking = Ranking::for_semantic(SemanticMode::Full);
        assert_eq!(full_ranking.semantic_lexical, full::LEXICAL_WEIGHT);
        assert_ne!(full_ranking, Ranking::default());
        for mode in [SemanticMode::Off, SemanticMode::Static] {
            assert_eq!(Ranking::for_semantic(mode), Ranking::default());
        }
    }
}

//! Synonyms from public thesauri, applied at query time: the Code du travail numérique's list
//! of acronyms and equivalent expressions (`cdtn`) and the TESS labour thesaurus
//! (`tess`), copied unchanged into `data/thesaurus/` and embedded in the binary.
//!
//! An expression of the query that a list knows ("CSE", "compte épargne temps") brings the
//! expressions it stands for ("comité social et économique", "CET"), searched as weighted
//! alternatives of the words typed (`Ranking::synonym_cdtn`, `Ranking::synonym_tess`).
//! Expressions are compared through the analysis of the documents (folded, stemmed, stop
//! words out), consecutive words of the query against a map from each expression's first
//! stem: a lookup per query word, never a scan of the lists.

mod cdtn;
mod tess;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::analysis::{self, Mode};
use crate::model::Lang;

const CDTN_JSON: &str = include_str!("../../../data/thesaurus/cdtn-synonyms.json");
const TESS_JSON: &str = include_str!("../../../data/thesaurus/tess.json");

/// Most alternatives searched for one query: each costs a phrase query per field.
pub const MAX_ALTERNATIVES: usize = 4;

/// Where a synonym comes from; each source has its own weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The Code du travail numérique's list.
    Cdtn,
    /// The TESS thesaurus.
    Tess,
}

/// A synonym list that cannot be read: the file embedded in the binary is damaged.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ThesaurusError {
    #[error("the synonym list {list} is not of the expected form: {error}")]
    Format { list: &'static str, error: String },
    #[error("the synonym list {list}, entry {entry} ({text:?}): {reason}")]
    Entry {
        list: &'static str,
        entry: usize,
        text: String,
        reason: String,
    },
}

/// One rule of a list: the expressions that bring it, and those it brings.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule<T> {
    pub when: Vec<T>,
    pub offer: Vec<T>,
}

impl Rule<String> {
    /// A group of equivalent expressions: each brings the others.
    fn equivalent(group: Vec<String>) -> Self {
        Rule {
            offer: group.clone(),
            when: group,
        }
    }
}

/// An expression as the lists write it, and its stems as queries are compared with it.
struct Expression {
    text: String,
    stems: Vec<String>,
}

/// The lists, analysed once.
pub struct Synonyms {
    /// Each distinct expression once (by its stems).
    expressions: Vec<Expression>,
    /// The rules, each with the expressions it offers.
    rules: Vec<(Source, Vec<usize>)>,
    /// First stem of an expression → (the expression, a rule it brings).
    triggers: HashMap<String, Vec<(usize, usize)>>,
}

/// A synonym to search: an expression the query stands for, and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative<'a> {
    pub text: &'a str,
    pub source: Source,
    /// Words typed for words searched, at most 1: a phrase scores about the sum of its
    /// words, so an expansion of three words for an acronym of one is scaled by 1/3 to
    /// weigh like the word typed, never more.
    pub scale: f32,
}

/// The embedded lists, read and analysed on first use; an error names the damaged list.
pub fn table() -> Result<&'static Synonyms, ThesaurusError> {
    static TABLE: OnceLock<Result<Synonyms, ThesaurusError>> = OnceLock::new();
    TABLE
        .get_or_init(|| load(CDTN_JSON, TESS_JSON))
        .as_ref()
        .map_err(Clone::clone)
}

fn load(cdtn: &str, tess: &str) -> Result<Synonyms, ThesaurusError> {
    let cdtn = cdtn::parse(cdtn)?;
    let tess = tess::parse(tess)?;
    tracing::debug!(
        left_out = tess.ambiguous.len(),
        "TESS terms whose equivalents are ambiguous are left out"
    );
    Ok(Synonyms::build([
        (Source::Cdtn, cdtn),
        (Source::Tess, tess.rules),
    ]))
}

fn stems(text: &str) -> Vec<String> {
    analysis::terms(Mode::Stemmed(Lang::Fr), text)
}

impl Synonyms {
    /// Analyses the rules of each source; expressions that are only stop words ("ce") are
    /// left out, since no query can be compared with them.
    pub fn build(sources: impl IntoIterator<Item = (Source, Vec<Rule<String>>)>) -> Synonyms {
        let mut synonyms = Synonyms {
            expressions: Vec::new(),
            rules: Vec::new(),
            triggers: HashMap::new(),
        };
        let mut by_stems: HashMap<Vec<String>, usize> = HashMap::new();
        let mut intern = |synonyms: &mut Synonyms, text: &str| -> Option<usize> {
            let stems = stems(text);
            if stems.is_empty() {
                return None;
            }
            Some(*by_stems.entry(stems.clone()).or_insert_with(|| {
                synonyms.expressions.push(Expression {
                    text: text.to_string(),
                    stems,
                });
                synonyms.expressions.len() - 1
            }))
        };
        for (source, rules) in sources {
            for rule in rules {
                let offer: Vec<usize> = rule
                    .offer
                    .iter()
                    .filter_map(|text| intern(&mut synonyms, text))
                    .collect();
                let when: Vec<usize> = rule
                    .when
                    .iter()
                    .filter_map(|text| intern(&mut synonyms, text))
                    .collect();
                // A rule of one expression ("comité d'entreprise, ce => c_e" once "ce" and
                // the private token are out) offers nothing.
                if when.is_empty() || offer.is_empty() || (offer.len() == 1 && when == offer) {
                    continue;
                }
                let index = synonyms.rules.len();
                synonyms.rules.push((source, offer));
                for expression in when {
                    let first = synonyms.expressions[expression].stems[0].clone();
                    synonyms
                        .triggers
                        .entry(first)
                        .or_default()
                        .push((expression, index));
                }
            }
        }
        synonyms
    }

    /// The expressions that `query` stands for and did not type, from the sources that
    /// `wanted` accepts, at most [`MAX_ALTERNATIVES`]. The longest expression of the query
    /// wins over the shorter ones inside it ("prime exceptionnelle de pouvoir d'achat", not
    /// "pouvoir d'achat").
    pub fn alternatives(
        &self,
        query: &str,
        wanted: impl Fn(Source) -> bool,
    ) -> Vec<Alternative<'_>> {
        let query = stems(query);
        // (start, length, rule) of each expression of the query that brings a rule.
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for start in 0..query.len() {
            for &(expression, rule) in self.triggers.get(&query[start]).into_iter().flatten() {
                let stems = &self.expressions[expression].stems;
                if wanted(self.rules[rule].0) && query[start..].starts_with(stems) {
                    found.push((start, stems.len(), rule));
                }
            }
        }
        found.sort_by_key(|&(start, length, _)| (std::cmp::Reverse(length), start));
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut out: Vec<Alternative<'_>> = Vec::new();
        let mut offered: Vec<usize> = Vec::new();
        for (start, length, rule) in found {
            let end = start + length;
            let inside_another = spans
                .iter()
                .any(|&(s, e)| s < end && start < e && (s, e) != (start, end));
            if inside_another {
                continue;
            }
            spans.push((start, end));
            let (source, offer) = &self.rules[rule];
            for &expression in offer {
                let stems = &self.expressions[expression].stems;
                let typed = query.windows(stems.len()).any(|window| window == stems);
                if typed || offered.contains(&expression) {
                    continue;
                }
                if out.len() == MAX_ALTERNATIVES {
                    return out;
                }
                offered.push(expression);
                out.push(Alternative {
                    text: &self.expressions[expression].text,
                    source: *source,
                    scale: (length as f32 / stems.len() as f32).min(1.0),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(texts: &[&str]) -> Rule<String> {
        Rule::equivalent(texts.iter().map(|t| t.to_string()).collect())
    }

    fn texts(alternatives: Vec<Alternative<'_>>) -> Vec<&str> {
        alternatives.into_iter().map(|a| a.text).collect()
    }

    fn sample() -> Synonyms {
        Synonyms::build([
            (
                Source::Cdtn,
                vec![
                    group(&["comité social et économique", "CSE"]),
                    group(&["prime exceptionnelle de pouvoir d'achat", "PEPA"]),
                    group(&["pouvoir d'achat", "revenu réel"]),
                    Rule {
                        when: vec!["frais de repas".into()],
                        offer: vec!["indemnité de repas".into()],
                    },
                    group(&["ce", "comité d'établissement"]),
                ],
            ),
            (
                Source::Tess,
                vec![group(&[
                    "Travail temporaire",
                    "Intérim",
                    "Travail intérimaire",
                ])],
            ),
        ])
    }

    #[test]
    fn an_expression_of_the_query_brings_the_others_through_the_analysis() {
        let table = sample();
        let all = |_| true;
        assert_eq!(
            texts(table.alternatives("élection du CSE", all)),
            ["comité social et économique"]
        );
        // Case, accents, elision and plural do not matter; a multi-word expression matches
        // as consecutive words only.
        assert_eq!(
            texts(table.alternatives("Comite Social et Economique: les élus", all)),
            ["CSE"]
        );
        assert!(table
            .alternatives("comité économique et social", all)
            .is_empty());
        // An expansion weighs like the acronym typed; an acronym is never weighed up.
        assert_eq!(table.alternatives("CSE", all)[0].scale, 1.0 / 3.0);
        assert_eq!(
            table.alternatives("comité social et économique", all)[0].scale,
            1.0
        );
        assert_eq!(
            texts(table.alternatives("les contrats de travail intérimaires", all)),
            ["Travail temporaire", "Intérim"]
        );
        // One way.
        assert_eq!(
            texts(table.alternatives("frais de repas", all)),
            ["indemnité de repas"]
        );
        assert!(table.alternatives("indemnité de repas", all).is_empty());
        // An expression of stop words only can never match.
        assert!(table.alternatives("ce que dit le code", all).is_empty());
        assert_eq!(
            texts(table.alternatives("comité d'établissement", all)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn the_longest_expression_wins_and_what_was_typed_is_not_offered() {
        let table = sample();
        let all = |_| true;
        assert_eq!(
            texts(table.alternatives(
                "versement de la prime exceptionnelle de pouvoir d'achat",
                all
            )),
            ["PEPA"]
        );
        assert_eq!(
            texts(table.alternatives("baisse du pouvoir d'achat", all)),
            ["revenu réel"]
        );
        // Both sides typed: nothing to add.
        assert!(table
            .alternatives("CSE comité social et économique", all)
            .is_empty());
    }

    #[test]
    fn sources_are_chosen_and_alternatives_bounded() {
        let table = sample();
        let only_cdtn = |source| source == Source::Cdtn;
        assert!(table.alternatives("intérim", only_cdtn).is_empty());
        let tess = table.alternatives("intérim", |_| true);
        assert!(tess.iter().all(|a| a.source == Source::Tess));
        let many = table.alternatives("CSE PEPA intérim revenu réel", |_| true);
        assert_eq!(many.len(), MAX_ALTERNATIVES);
    }

    #[test]
    fn the_embedded_lists_are_read_whole() {
        let table = table().expect("the embedded lists are valid");
        let from = |source| table.rules.iter().filter(|(s, _)| *s == source).count();
        // 166 lines; four offer nothing: one expression left once stop words ("ce") and
        // private tokens are out, or expressions that analyse alike.
        assert_eq!(from(Source::Cdtn), 162);
        // 1,418 terms with equivalents, less the 21 whose equivalents are ambiguous.
        assert_eq!(from(Source::Tess), 1_397);
        let parsed = tess::parse(TESS_JSON).unwrap();
        assert_eq!(parsed.ambiguous.len(), 21, "{:?}", parsed.ambiguous);
        let cse = table.alternatives("CSE", |source| source == Source::Cdtn);
        assert_eq!(texts(cse), ["comité social et économique"]);
    }

    #[test]
    fn a_damaged_list_is_an_error_not_a_panic() {
        let error = load("[\"a, b\"", TESS_JSON).err().expect("an error");
        assert!(error.to_string().contains("cdtn-synonyms.json"), "{error}");
        let error = load(CDTN_JSON, "{}").err().expect("an error");
        assert!(error.to_string().contains("tess.json"), "{error}");
    }
}

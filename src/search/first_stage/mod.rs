//! The first stage of a large search. When the words of a query are in many documents (the
//! document frequencies of its words, each by its most frequent form, add up to more than
//! [`Ranking::first_stage_from`]), the query tree of
//! [`super::rank`] is not walked over every match, which costs in proportion to the matches:
//! 1. **candidates**: the best [`CANDIDATES`] documents of a flat union of a few terms per
//!    word — its stem in the `words` field of each part (all of a document's text), its exact
//!    form and its root in the titles — and of the stems of the alternatives the query means
//!    (thesaurus synonyms, renamed bodies, joined words); tantivy skips most of the matches
//!    by block-max WAND;
//! 2. **scores**: the tree scores only those candidates (a seek to each), plus the prior of
//!    their kind, and the best go on to re-ranking as before;
//! 3. **counts**: the number of matches and the facet counts are those of the same words,
//!    with the tree's rule of how many must match, counted without scoring: exactly up to
//!    [`count::EXACT_UP_TO`] matches, estimated beyond from evenly spread stripes of
//!    documents and marked as estimates ([`count`]).
//!
//! A query that the union cannot stand for keeps the tree over every match: a typed phrase,
//! a code, a word that no document has (typo tolerance, split compounds), the completion of a
//! last word, and the date order.

pub mod count;
mod rescore;

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};

use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use super::facets::FacetCollector;
use super::query::{Occurrence, ParsedQuery};
use super::rank::{self, part_weight, Ranking};
use super::statistics::PartStatistics;
use super::{code, compound, prior, renamed, synonyms, SearchError};
use crate::analysis::{self, Mode};
use crate::model::Lang;
use crate::schema::Fields;

/// Candidates that the first stage hands to the query tree.
pub const CANDIDATES: usize = 100;

/// One word of the query, or one alternative, as the terms that find it.
struct Word {
    /// A typed word: its stem in the `words` field of each part, its exact form and root in
    /// the titles; an alternative: its stems in the `words` field of each part.
    terms: Vec<(Term, f32)>,
    /// Whether a document has it with all of its terms of one field (an alternative's
    /// words), rather than with any of them (a typed word's forms).
    together: bool,
    /// The document must have it (`+word`); otherwise it counts towards the words that
    /// must match ([`rank::min_match`]).
    required: bool,
}

impl Word {
    /// About how many documents have it: its most frequent term's document frequency.
    fn expected(&self, searcher: &Searcher) -> u64 {
        self.terms
            .iter()
            .map(|(term, _)| searcher.doc_freq(term).unwrap_or(0))
            .max()
            .unwrap_or(0)
    }

    /// The query of the documents that have it, unscored.
    fn matching(&self) -> Box<dyn Query> {
        if !self.together {
            return any_term(&self.terms, false);
        }
        let mut fields: Vec<tantivy::schema::Field> =
            self.terms.iter().map(|(t, _)| t.field()).collect();
        fields.dedup();
        let per_field = fields
            .into_iter()
            .map(|field| {
                let all: Vec<(Occur, Box<dyn Query>)> = self
                    .terms
                    .iter()
                    .filter(|(term, _)| term.field() == field)
                    .map(|(term, _)| {
                        let query = TermQuery::new(term.clone(), IndexRecordOption::Basic);
                        (Occur::Must, Box::new(query) as Box<dyn Query>)
                    })
                    .collect();
                (
                    Occur::Should,
                    Box::new(BooleanQuery::new(all)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(BooleanQuery::new(per_field))
    }
}

/// The first stage of one query, when the query can take it.
pub struct FirstStage {
    words: Vec<Word>,
    /// How many of the optional words a document must have, when no word is required.
    optional_needed: usize,
    /// About how many documents the query matches (more, not fewer).
    expected: u64,
    /// The prior of each kind for the query ([`prior::priors_for`]).
    priors: Vec<(String, f32)>,
    /// The query's facet filters and excluded words, as the tree has them.
    restrictions: Vec<(Occur, Box<dyn Query>)>,
}

impl FirstStage {
    /// The first stage of `parsed` on `searcher`'s commit, whose languages are `langs`, or `None` when the tree over every
    /// match should run: the query has no text or a form that the union cannot stand for, or
    /// its words are in few enough documents that walking all of them costs little.
    pub fn plan(
        searcher: &Searcher,
        parsed: &ParsedQuery,
        fields: &Fields,
        langs: &[Lang],
        ranking: &Ranking,
        known_word: &dyn Fn(&str) -> bool,
    ) -> Result<Option<FirstStage>, SearchError> {
        if !parsed.has_text() {
            return Ok(None);
        }
        let mut words = Vec::new();
        let mut restrictions = Vec::new();
        for clause in &parsed.clauses {
            if clause.occurrence == Occurrence::MustNot {
                if let Some(query) = rank::exclusion(clause, fields, langs) {
                    restrictions.push((Occur::MustNot, query));
                }
                continue;
            }
            let unknown = analysis::terms(Mode::Exact, &clause.text)
                .iter()
                .any(|word| !known_word(word));
            if clause.phrase || unknown || code::document_id(&clause.text).is_some() {
                return Ok(None);
            }
            let terms = typed_word_terms(&clause.text, fields, ranking);
            if !terms.is_empty() {
                words.push(Word {
                    terms,
                    together: false,
                    required: clause.occurrence == Occurrence::Must,
                });
            }
        }
        // The alternatives the query means, weighted as the tree weighs them.
        let text = super::highlight_text(parsed);
        let mut alternatives: Vec<(String, f32)> = Vec::new();
        for mention in renamed::mentioned(&text) {
            let names = mention.other_names.iter();
            alternatives.extend(names.map(|name| (name.to_string(), ranking.renamed)));
        }
        let table = synonyms::table()?;
        for synonym in table.alternatives(&text, |source| ranking.synonym(source) > 0.0) {
            let weight = ranking.synonym(synonym.source) * synonym.scale;
            alternatives.push((synonym.text.to_string(), weight));
        }
        if ranking.joined_words > 0.0 {
            let joined = compound::joins(parsed, known_word).into_iter();
            alternatives.extend(joined.map(|word| (word, ranking.joined_words)));
        }
        for (alternative, weight) in alternatives {
            let terms: Vec<(Term, f32)> = stem_terms(&alternative, fields, ranking)
                .into_iter()
                .map(|(term, term_weight)| (term, term_weight * weight))
                .collect();
            if !terms.is_empty() && weight > 0.0 {
                words.push(Word {
                    terms,
                    together: true,
                    required: false,
                });
            }
        }
        let optional = words.iter().filter(|word| !word.required).count();
        let expected: u64 = words.iter().map(|word| word.expected(searcher)).sum();
        if words.is_empty() || (expected as f32) <= ranking.first_stage_from {
            return Ok(None);
        }
        if let Some(filter) = rank::filters(parsed, fields) {
            restrictions.push((Occur::Must, filter));
        }
        Ok(Some(FirstStage {
            optional_needed: rank::min_match(optional, ranking),
            expected,
            priors: prior::priors_for(parsed, ranking).to_vec(),
            words,
            restrictions,
        }))
    }

    /// The best `depth` documents of the first stage, scored by `tree` (the query of
    /// [`rank::build`]) plus the prior of their kind, best first.
    pub fn candidates(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        tree: &dyn Query,
        segments: &super::columns::Segments,
        depth: usize,
    ) -> Result<Vec<(f32, DocAddress)>, SearchError> {
        let statistics = PartStatistics::new(searcher, fields);
        let best = self.best_of_union(searcher, &statistics, segments, depth)?;
        let mut addresses: Vec<DocAddress> = best.into_iter().map(|c| c.1).collect();
        addresses.sort();
        let weight = rescore::for_seeking(tree).weight(
            EnableScoring::enabled_from_statistics_provider(&statistics, searcher),
        )?;
        let mut scored = Vec::with_capacity(addresses.len());
        for group in addresses.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
            let reader = searcher.segment_reader(group[0].segment_ord);
            let prior_of = prior::segment_priors(&self.priors, segments.get(&reader.segment_id()));
            let mut scorer = weight.scorer(reader, 1.0)?;
            for address in group {
                if scorer.doc() < address.doc_id {
                    scorer.seek(address.doc_id);
                }
                if scorer.doc() == address.doc_id {
                    scored.push((scorer.score() + prior_of(address.doc_id), *address));
                }
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        scored.truncate(depth);
        Ok(scored)
    }

    /// The best [`CANDIDATES`] (or `depth`) documents of the union by its score plus the
    /// prior of their kind, found by block-max WAND: a document can only enter them when its
    /// score passes the last one's total minus the largest prior, which is the threshold
    /// the pruning gets.
    fn best_of_union(
        &self,
        searcher: &Searcher,
        statistics: &PartStatistics<'_>,
        segments: &super::columns::Segments,
        depth: usize,
    ) -> Result<Vec<Candidate>, SearchError> {
        let wanted = CANDIDATES.max(depth);
        let union = self.union();
        let weight = union.weight(EnableScoring::enabled_from_statistics_provider(
            statistics, searcher,
        ))?;
        let largest_prior = self
            .priors
            .iter()
            .map(|(_, prior)| *prior)
            .fold(0.0f32, f32::max);
        let mut best: BinaryHeap<Reverse<Candidate>> = BinaryHeap::with_capacity(wanted + 1);
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let prior_of = prior::segment_priors(&self.priors, segments.get(&reader.segment_id()));
            let alive = reader.alive_bitset();
            let mut threshold = f32::MIN;
            weight.for_each_pruning(f32::MIN, reader, &mut |doc, score| {
                if alive.is_some_and(|alive| alive.is_deleted(doc)) {
                    return threshold;
                }
                let total = score + prior_of(doc);
                let candidate = Candidate(total, DocAddress::new(ord as u32, doc));
                if best.len() < wanted {
                    best.push(Reverse(candidate));
                } else if best.peek().is_some_and(|Reverse(last)| candidate > *last) {
                    best.pop();
                    best.push(Reverse(candidate));
                }
                if best.len() == wanted {
                    threshold = best
                        .peek()
                        .map_or(f32::MIN, |Reverse(last)| last.0 - largest_prior);
                }
                threshold
            })?;
        }
        let mut best: Vec<Candidate> = best
            .into_iter()
            .map(|Reverse(candidate)| candidate)
            .collect();
        best.sort_by(|a, b| b.cmp(a));
        Ok(best)
    }

    /// The union that finds the candidates: every term of every word, weighted; a query with
    /// a required word, a filter or an excluded word adds them as they are (tantivy then
    /// scores every match of the union, which still costs a fraction of the tree).
    fn union(&self) -> Box<dyn Query> {
        let mut seen = HashSet::new();
        let mut terms: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in self.words.iter().filter(|word| !word.required) {
            for (term, weight) in &word.terms {
                if seen.insert(term.clone()) {
                    terms.push((Occur::Should, scored_term(term, *weight)));
                }
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .words
            .iter()
            .filter(|word| word.required)
            .map(|word| (Occur::Must, any_term(&word.terms, true)))
            .collect();
        if clauses.is_empty() && self.restrictions.is_empty() {
            return Box::new(BooleanQuery::new(terms));
        }
        if !terms.is_empty() {
            let optional = BooleanQuery::new(terms);
            let occur = if clauses.is_empty() {
                Occur::Must
            } else {
                Occur::Should
            };
            clauses.push((occur, Box::new(optional)));
        }
        clauses.extend(
            self.restrictions
                .iter()
                .map(|(occur, query)| (*occur, query.box_clone())),
        );
        Box::new(BooleanQuery::new(clauses))
    }

    /// The number of matches and, with `facets`, their facet counts: exactly up to
    /// [`count::EXACT_UP_TO`], estimated beyond ([`count::count`]).
    pub fn count(
        &self,
        searcher: &Searcher,
        facets: Option<&FacetCollector>,
    ) -> tantivy::Result<count::Counted> {
        count::count(searcher, self.matching().as_ref(), facets, self.expected)
    }

    /// The query whose matches are counted: the words with the tree's rule of how many must
    /// match, the filters and exclusions; without scores.
    fn matching(&self) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut optional: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &self.words {
            let query = word.matching();
            if word.required {
                clauses.push((Occur::Must, query));
            } else {
                optional.push((Occur::Should, query));
            }
        }
        if clauses.is_empty() && !optional.is_empty() {
            let needed = self.optional_needed.clamp(1, optional.len());
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::with_minimum_required_clauses(
                    optional, needed,
                )),
            ));
        }
        clauses.extend(
            self.restrictions
                .iter()
                .map(|(occur, query)| (*occur, query.box_clone())),
        );
        Box::new(BooleanQuery::new(clauses))
    }
}

/// A document of the union with its score plus prior; the better of two has the larger
/// total, then the smaller address.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate(f32, DocAddress);

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

/// A term scored by BM25 with `weight`.
fn scored_term(term: &Term, weight: f32) -> Box<dyn Query> {
    let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
    Box::new(BoostQuery::new(Box::new(query), weight))
}

/// A document that has any of `terms`, scored or not.
fn any_term(terms: &[(Term, f32)], scored: bool) -> Box<dyn Query> {
    let clauses = terms
        .iter()
        .map(|(term, weight)| {
            let query: Box<dyn Query> = if scored {
                scored_term(term, *weight)
            } else {
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic))
            };
            (Occur::Should, query)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The stems of `text` in the `words` field of each part, weighted as the tree weighs the
/// body.
fn stem_terms(text: &str, fields: &Fields, ranking: &Ranking) -> Vec<(Term, f32)> {
    let stems = analysis::terms(Mode::Stemmed(Lang::Fr), text);
    let mut terms = Vec::new();
    for part in &fields.parts {
        for stem in &stems {
            let weight = part_weight(part.part, ranking.body, ranking);
            terms.push((Term::from_field_text(part.words, stem), weight));
        }
    }
    terms
}

/// The terms of a typed word: its stems in all the text, its exact forms and roots in the
/// titles, of each part, weighted as the tree weighs the body, the exact titles and the
/// roots of titles.
fn typed_word_terms(text: &str, fields: &Fields, ranking: &Ranking) -> Vec<(Term, f32)> {
    let mut terms = stem_terms(text, fields, ranking);
    let exact = analysis::terms(Mode::Exact, text);
    let roots = analysis::terms(Mode::Root, text);
    for part in &fields.parts {
        let weight = |weight| part_weight(part.part, weight, ranking);
        for word in &exact {
            let term = Term::from_field_text(part.title_exact, word);
            terms.push((term, weight(ranking.exact_title)));
        }
        for root in &roots {
            let term = Term::from_field_text(part.title_root, root);
            terms.push((term, weight(ranking.root_title)));
        }
    }
    terms
}

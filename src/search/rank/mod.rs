//! From a parsed query to a scored tantivy query: BM25 over weighted fields, with bonuses for
//! exact (unstemmed) matches, phrases, typo-tolerant and prefix matches on titles.
//!
//! Every weight lives in [`Ranking`], so that `spo-search eval --weight name=value` can
//! measure a change without recompiling.

use std::collections::HashSet;

use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::query::{Clause, Occurrence, ParsedQuery};
use super::synonyms;
use super::{code, compound, renamed};
use crate::analysis::{self, Mode};
use crate::model::{territory, Facet, Lang};
use crate::schema::{Fields, Part};

mod alternatives;
mod phrase;
mod weighted;
mod weights;

use alternatives::{other_name, split_compounds, word_anywhere};
use phrase::{proximity, typed_phrase};
pub use weighted::Weighted;
pub use weights::Ranking;

/// Shortest word given typo tolerance; longer words allow two edits from this length on.
const FUZZY_MIN_CHARS: usize = 5;
const FUZZY_TWO_EDITS_CHARS: usize = 9;
/// Most words of one query given typo tolerance (each a Levenshtein automaton over the
/// titles, the costliest clause); the others are matched as written. A 31-word query of
/// typos otherwise cost 60 ms.
pub const MAX_FUZZY_WORDS: usize = 4;
/// Shortest last word completed as a prefix.
const PREFIX_MIN_CHARS: usize = 3;

/// Builds the query: `langs` are the languages present in the index; `complete_last` asks for
/// prefix matching of the last word (search as you type).
pub fn build(
    parsed: &ParsedQuery,
    fields: &Fields,
    langs: &[Lang],
    ranking: &Ranking,
    complete_last: bool,
    known_word: &dyn Fn(&str) -> bool,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // The optional words, each with all its forms: some of them must match ([`min_match`]).
    let mut optional_words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut seen = Seen {
        stems: HashSet::new(),
        exact: HashSet::new(),
        known_word,
        fuzzy_left: MAX_FUZZY_WORDS,
    };
    let last_word = parsed
        .clauses
        .iter()
        .rposition(|c| c.occurrence != Occurrence::MustNot && !c.phrase);
    for (index, clause) in parsed.clauses.iter().enumerate() {
        match clause.occurrence {
            Occurrence::MustNot => {
                if let Some(query) = exclusion(clause, fields, langs) {
                    clauses.push((Occur::MustNot, query));
                }
            }
            Occurrence::Must | Occurrence::Should if clause.phrase => {
                if let Some(query) = typed_phrase(clause, fields, langs) {
                    clauses.push((Occur::Must, query));
                }
                let scoring = words(clause, fields, langs, ranking, false, &mut seen);
                clauses.extend(scoring.all().map(|q| (Occur::Should, q)));
            }
            Occurrence::Must | Occurrence::Should => {
                let complete = complete_last && Some(index) == last_word;
                let forms = words(clause, fields, langs, ranking, complete, &mut seen);
                clauses.extend(forms.scoring.into_iter().map(|q| (Occur::Should, q)));
                let mut parts = forms.matching;
                parts.extend(coded_document(clause, fields));
                parts.extend(split_compounds(clause, fields, langs, ranking, known_word));
                if parts.is_empty() {
                    // A stop word, or a word already met in another form.
                    continue;
                }
                // A word matches when any of its forms does.
                let word: Box<dyn Query> = Box::new(BooleanQuery::new(
                    parts.into_iter().map(|q| (Occur::Should, q)).collect(),
                ));
                match clause.occurrence {
                    Occurrence::Should => optional_words.push((Occur::Should, word)),
                    _ => clauses.push((Occur::Must, word)),
                }
            }
        }
    }
    // A former or current name of a body or scheme that the query names (Pôle emploi,
    // France Travail) finds the documents that use the other one, as a word of the query.
    for mention in renamed::mentioned(&super::highlight_text(parsed)) {
        for name in mention.other_names {
            if let Some(query) = other_name(name, fields, langs, ranking, ranking.renamed) {
                optional_words.push((Occur::Should, query));
            }
        }
    }
    // An expression that a thesaurus knows brings its synonyms, weighted by their source.
    if let Ok(table) = synonyms::table() {
        let text = super::highlight_text(parsed);
        for synonym in table.alternatives(&text, |source| ranking.synonym(source) > 0.0) {
            let weight = ranking.synonym(synonym.source) * synonym.scale;
            if let Some(query) = other_name(synonym.text, fields, langs, ranking, weight) {
                optional_words.push((Occur::Should, query));
            }
        }
    }
    // Two adjacent words that the documents write as one: an optional word of its own.
    if ranking.joined_words > 0.0 {
        for joined in compound::joins(parsed, known_word) {
            let query = word_anywhere(&joined, fields, langs, ranking);
            optional_words.push((Occur::Should, boosted(query, ranking.joined_words)));
        }
    }
    // Without a required word or phrase, enough of the optional words must match
    // ([`min_match`]): a filter alone (a Must clause) would otherwise make every optional
    // word optional, and a query of several words would find the documents that have any one
    // of them. With a required word or phrase, the optional words only add to the score.
    let has_required = clauses.iter().any(|(occur, _)| *occur == Occur::Must);
    if has_required {
        clauses.extend(optional_words);
    } else if !optional_words.is_empty() {
        let required = min_match(optional_words.len(), ranking);
        clauses.push((
            Occur::Must,
            Box::new(BooleanQuery::with_minimum_required_clauses(
                optional_words,
                required,
            )),
        ));
    }
    clauses.extend(
        proximity(parsed, fields, langs, ranking)
            .into_iter()
            .map(|q| (Occur::Should, q)),
    );
    if !parsed.has_text() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    if let Some(filter) = filters(parsed, fields) {
        clauses.push((Occur::Must, filter));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// How many of a query's `words` (its optional words that are not stop words) a document
/// must match: all of them up to [`Ranking::all_words_up_to`], then the share
/// [`Ranking::min_match_share`] of them (rounded down, never fewer). A query of two words
/// finds the documents that have both, not the noise of either alone; a long question
/// tolerates the words that its answer does not use.
pub fn min_match(words: usize, ranking: &Ranking) -> usize {
    let all_up_to = ranking.all_words_up_to as usize;
    if words <= all_up_to {
        words.max(1)
    } else {
        let share = (words as f32 * ranking.min_match_share).floor() as usize;
        share.clamp(all_up_to.max(1), words)
    }
}

/// Score of the document that a code of the query names (`J1501`, `RNCP34021`): above any
/// text match, so that it comes first.
const CODED_DOCUMENT_SCORE: f32 = 1_000.0;

/// The document that a word of the query names by its code ([`code::document_id`]).
fn coded_document(clause: &Clause, fields: &Fields) -> Option<Box<dyn Query>> {
    let id = code::document_id(&clause.text)?;
    let query = TermQuery::new(
        Term::from_field_text(fields.id, &id),
        IndexRecordOption::Basic,
    );
    Some(Box::new(ConstScoreQuery::new(
        Box::new(query),
        CODED_DOCUMENT_SCORE,
    )))
}

fn boosted(query: impl Query, weight: f32) -> Box<dyn Query> {
    Box::new(Weighted::new(Box::new(query), weight))
}

fn term_query(field: Field, text: &str) -> TermQuery {
    TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    )
}

/// What the clauses built so far cover, and which words the index knows.
struct Seen<'a> {
    stems: HashSet<(Lang, String)>,
    exact: HashSet<String>,
    /// Whether a folded word occurs in the index: only unknown words get typo tolerance.
    known_word: &'a dyn Fn(&str) -> bool,
    /// Words that may still get typo tolerance ([`MAX_FUZZY_WORDS`]).
    fuzzy_left: usize,
}

/// The queries of the words of one clause.
struct WordForms {
    /// Forms that make a document match: the word's stem, its exact form, its derivational
    /// root in a title (and in a body when the corpus lacks the word itself), a
    /// typo-tolerant or prefix match.
    matching: Vec<Box<dyn Query>>,
    /// Forms that only add to the score of a document that matches otherwise: the
    /// derivational root in a body of a word that the corpus has ("brasserie" ~
    /// "brasseur"), which alone finds fragments of unrelated words ("quantique" ~
    /// "quantité").
    scoring: Vec<Box<dyn Query>>,
}

impl WordForms {
    fn all(self) -> impl Iterator<Item = Box<dyn Query>> {
        self.matching.into_iter().chain(self.scoring)
    }
}

/// The weight of a clause on the text of `part`: the records' clauses are scaled by
/// [`Ranking::records`].
pub(crate) fn part_weight(part: Part, weight: f32, ranking: &Ranking) -> f32 {
    match part {
        Part::Documentation => weight,
        Part::Records => weight * ranking.records,
    }
}

/// The queries of the words of one clause, each word once per query, on the text of
/// both parts.
fn words(
    clause: &Clause,
    fields: &Fields,
    langs: &[Lang],
    ranking: &Ranking,
    complete_last: bool,
    seen: &mut Seen<'_>,
) -> WordForms {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let mut scoring: Vec<Box<dyn Query>> = Vec::new();
    for &lang in langs {
        for stem in analysis::terms(Mode::Stemmed(lang), &clause.text) {
            if !seen.stems.insert((lang, stem.clone())) {
                continue;
            }
            for text in &fields.parts {
                let lang_fields = text.lang(lang);
                let per_field: Vec<(Occur, Box<dyn Query>)> = [
                    (lang_fields.title, ranking.title),
                    (lang_fields.headings, ranking.headings),
                    (lang_fields.keywords, ranking.keywords),
                    (lang_fields.body, ranking.body),
                    (lang_fields.vocabulary, ranking.vocabulary),
                ]
                .into_iter()
                .map(|(field, weight)| (field, part_weight(text.part, weight, ranking)))
                .filter(|(_, weight)| *weight > 0.0)
                .map(|(field, weight)| (Occur::Should, boosted(term_query(field, &stem), weight)))
                .collect();
                out.push(Box::new(BooleanQuery::new(per_field)));
            }
        }
    }
    if langs.contains(&Lang::Fr) {
        // A word that the corpus has is found as itself: its family in a body only adds to
        // the score. A word that it lacks may be found by its family.
        let known = analysis::terms(Mode::Exact, &clause.text)
            .iter()
            .all(|word| (seen.known_word)(word));
        for root in analysis::terms(Mode::Root, &clause.text) {
            if !seen.exact.insert(format!("root:{root}")) {
                continue;
            }
            for text in &fields.parts {
                out.push(boosted(
                    term_query(text.title_root, &root),
                    part_weight(text.part, ranking.root_title, ranking),
                ));
                let in_body = boosted(
                    term_query(text.body_root, &root),
                    part_weight(text.part, ranking.root_body, ranking),
                );
                if known {
                    scoring.push(in_body);
                } else {
                    out.push(in_body);
                }
            }
        }
    }
    let exact_terms = analysis::terms(Mode::Exact, &clause.text);
    let count = exact_terms.len();
    for (position, exact) in exact_terms.into_iter().enumerate() {
        if !seen.exact.insert(exact.clone()) {
            continue;
        }
        let chars = exact.chars().count();
        // A word of the index is spelled as someone wrote it: typo tolerance is for the
        // others, and it is the costliest clause (a Levenshtein automaton over the titles).
        let fuzzy = chars >= FUZZY_MIN_CHARS
            && ranking.fuzzy_title > 0.0
            && seen.fuzzy_left > 0
            && !(seen.known_word)(&exact);
        if fuzzy {
            seen.fuzzy_left -= 1;
        }
        let prefix = complete_last
            && position + 1 == count
            && chars >= PREFIX_MIN_CHARS
            && ranking.prefix_title > 0.0;
        for text in &fields.parts {
            let weight = |weight| part_weight(text.part, weight, ranking);
            out.push(boosted(
                term_query(text.title_exact, &exact),
                weight(ranking.exact_title),
            ));
            out.push(boosted(
                term_query(text.body_exact, &exact),
                weight(ranking.exact_body),
            ));
            let term = Term::from_field_text(text.title_exact, &exact);
            if fuzzy {
                let distance = if chars >= FUZZY_TWO_EDITS_CHARS { 2 } else { 1 };
                out.push(boosted(
                    FuzzyTermQuery::new(term.clone(), distance, true),
                    weight(ranking.fuzzy_title),
                ));
            }
            if prefix {
                out.push(boosted(
                    FuzzyTermQuery::new_prefix(term, 0, true),
                    weight(ranking.prefix_title),
                ));
            }
        }
    }
    WordForms {
        matching: out,
        scoring,
    }
}

/// The stemmed fields of every part for `lang`: title, headings, body and keywords.
fn stemmed_fields(fields: &Fields, lang: Lang) -> impl Iterator<Item = Field> + '_ {
    fields.parts.iter().flat_map(move |part| {
        let lang_fields = part.lang(lang);
        [
            lang_fields.title,
            lang_fields.headings,
            lang_fields.body,
            lang_fields.keywords,
        ]
    })
}

/// An excluded word or phrase: any document that has it, in any form, is left out.
pub(crate) fn exclusion(
    clause: &Clause,
    fields: &Fields,
    langs: &[Lang],
) -> Option<Box<dyn Query>> {
    if clause.phrase {
        return typed_phrase(clause, fields, langs);
    }
    let mut terms = Vec::new();
    for &lang in langs {
        for stem in analysis::terms(Mode::Stemmed(lang), &clause.text) {
            for field in stemmed_fields(fields, lang) {
                terms.push(Term::from_field_text(field, &stem));
            }
        }
    }
    (!terms.is_empty()).then(|| Box::new(TermSetQuery::new(terms)) as Box<dyn Query>)
}

/// Facet filters: AND across facets, OR within one; they do not change scores. A territory
/// keeps the documents that cover it ([`territory::covering`]).
pub(crate) fn filters(parsed: &ParsedQuery, fields: &Fields) -> Option<Box<dyn Query>> {
    let mut by_facet: Vec<(Field, Vec<Term>)> = Vec::new();
    for filter in &parsed.filters {
        let field = fields.facet(filter.facet);
        let values = match filter.facet {
            Facet::Territory => territory::covering(&filter.value),
            _ => vec![filter.value.clone()],
        };
        let terms = values
            .iter()
            .map(|value| Term::from_field_text(field, value));
        match by_facet.iter_mut().find(|(f, _)| *f == field) {
            Some((_, known)) => known.extend(terms),
            None => by_facet.push((field, terms.collect())),
        }
    }
    if by_facet.is_empty() {
        return None;
    }
    let musts: Vec<(Occur, Box<dyn Query>)> = by_facet
        .into_iter()
        .map(|(_, terms)| {
            (
                Occur::Must,
                Box::new(TermSetQuery::new(terms)) as Box<dyn Query>,
            )
        })
        .collect();
    Some(Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(musts)),
        0.0,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::build_schema;
    use crate::search::query::parse;

    /// Regression (issue 11, item 2): every unknown word of a query got its own Levenshtein
    /// automaton, so 31 typos cost 31 of them.
    #[test]
    fn typo_tolerance_is_given_to_a_bounded_number_of_words() {
        let fields = Fields::resolve(&build_schema()).unwrap();
        let typos: Vec<String> = (0..31).map(|i| format!("boulangrie{i:02}x")).collect();
        let parsed = parse(&typos.join(" "));
        let unknown = |_: &str| false;
        let query = build(
            &parsed,
            &fields,
            &[Lang::Fr],
            &Ranking::default(),
            false,
            &unknown,
        );
        let fuzzy = format!("{query:?}").matches("FuzzyTermQuery").count();
        // One automaton per word and part of the corpus.
        assert_eq!(fuzzy, MAX_FUZZY_WORDS * fields.parts.len());
        let short = build(
            &parse("boulangrie patissrie"),
            &fields,
            &[Lang::Fr],
            &Ranking::default(),
            false,
            &unknown,
        );
        assert_eq!(
            format!("{short:?}").matches("FuzzyTermQuery").count(),
            2 * fields.parts.len()
        );
    }
}

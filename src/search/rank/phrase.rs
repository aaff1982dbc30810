//! Phrases: a quoted phrase of the query, matched as its words in order, and the bonuses
//! for the query's words found together (a phrase in the title, close to each other in the
//! body).

use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query};
use tantivy::schema::Field;
use tantivy::tokenizer::Token;
use tantivy::Term;

use super::{boosted, part_weight, stemmed_fields, term_query, Ranking};
use crate::analysis::{self, Mode};
use crate::model::Lang;
use crate::schema::Fields;
use crate::search::query::{Clause, ParsedQuery};

/// Bonuses for the query's words appearing together: as a phrase in the title, and close to
/// each other in the body.
pub(super) fn proximity(
    parsed: &ParsedQuery,
    fields: &Fields,
    langs: &[Lang],
    ranking: &Ranking,
) -> Vec<Box<dyn Query>> {
    let text = parsed.loose_text();
    let mut out = Vec::new();
    for &lang in langs {
        let tokens = analysis::tokens(Mode::Stemmed(lang), &text);
        if tokens.len() < 2 {
            continue;
        }
        let first = tokens[0].position;
        let terms = |field: Field| -> Vec<(usize, Term)> {
            tokens
                .iter()
                .map(|t| (t.position - first, Term::from_field_text(field, &t.text)))
                .collect()
        };
        for part in &fields.parts {
            let lang_fields = part.lang(lang);
            if ranking.phrase_title > 0.0 {
                out.push(boosted(
                    PhraseQuery::new_with_offset_and_slop(terms(lang_fields.title), 1),
                    part_weight(part.part, ranking.phrase_title, ranking),
                ));
            }
            if ranking.phrase_body > 0.0 {
                let slop = ranking.proximity_slop;
                out.push(boosted(
                    PhraseQuery::new_with_offset_and_slop(terms(lang_fields.body), slop),
                    part_weight(part.part, ranking.phrase_body, ranking),
                ));
            }
        }
    }
    out
}

/// `tokens` in `field`: the term alone for one token, else the tokens at their relative
/// positions; `None` for no token.
pub(super) fn words_in_order(field: Field, tokens: &[Token]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [only] => Some(Box::new(term_query(field, &only.text))),
        [first, ..] => Some(Box::new(PhraseQuery::new_with_offset(
            tokens
                .iter()
                .map(|t| {
                    (
                        t.position - first.position,
                        Term::from_field_text(field, &t.text),
                    )
                })
                .collect(),
        ))),
    }
}

/// A quoted phrase: its words in order in the title, headings or body of some language.
pub(super) fn typed_phrase(
    clause: &Clause,
    fields: &Fields,
    langs: &[Lang],
) -> Option<Box<dyn Query>> {
    let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for &lang in langs {
        let tokens = analysis::tokens(Mode::Stemmed(lang), &clause.text);
        for field in stemmed_fields(fields, lang) {
            if let Some(query) = words_in_order(field, &tokens) {
                alternatives.push((Occur::Should, query));
            }
        }
    }
    (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
}

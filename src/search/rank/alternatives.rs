//! Forms of the query that it did not type but means, each a weighted alternative beside the
//! words typed: the other name of a renamed body or a thesaurus synonym (its words in order),
//! and the two known words that an unknown compound splits into.

use tantivy::query::{BooleanQuery, Occur, Query};

use super::phrase::words_in_order;
use super::{boosted, part_weight, term_query, Clause, Ranking};
use crate::analysis::{self, Mode};
use crate::model::Lang;
use crate::schema::Fields;
use crate::search::compound;
#[cfg(doc)]
use crate::search::{renamed, synonyms};

/// A name that the query did not type but means (a [`renamed`] body, a [`synonyms`]
/// expression): its words together in a title, headings or body, weighted like the words
/// typed, times `times`.
pub(super) fn other_name(
    name: &str,
    fields: &Fields,
    langs: &[Lang],
    ranking: &Ranking,
    times: f32,
) -> Option<Box<dyn Query>> {
    let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for &lang in langs {
        let tokens = analysis::tokens(Mode::Stemmed(lang), name);
        for part in &fields.parts {
            let lang_fields = part.lang(lang);
            for (field, weight) in [
                (lang_fields.title, ranking.title),
                (lang_fields.headings, ranking.headings),
                (lang_fields.body, ranking.body),
            ] {
                let weight = part_weight(part.part, weight, ranking);
                if weight <= 0.0 {
                    continue;
                }
                if let Some(query) = words_in_order(field, &tokens) {
                    per_field.push((Occur::Should, boosted(query, weight)));
                }
            }
        }
    }
    (!per_field.is_empty() && times > 0.0).then(|| boosted(BooleanQuery::new(per_field), times))
}

/// The words of `clause` that the index does not know, each found as the two words of its
/// split that it knows, both in one document ([`compound::split`]), times
/// [`Ranking::split_compound`]: alternative forms of the word.
pub(super) fn split_compounds(
    clause: &Clause,
    fields: &Fields,
    langs: &[Lang],
    ranking: &Ranking,
    known_word: &dyn Fn(&str) -> bool,
) -> Vec<Box<dyn Query>> {
    if ranking.split_compound <= 0.0 {
        return Vec::new();
    }
    analysis::terms(Mode::Exact, &clause.text)
        .iter()
        .filter(|word| !known_word(word))
        .filter_map(|word| compound::split(word, known_word))
        .map(|(head, tail)| {
            let both = BooleanQuery::new(vec![
                (Occur::Must, word_anywhere(&head, fields, langs, ranking)),
                (Occur::Must, word_anywhere(&tail, fields, langs, ranking)),
            ]);
            boosted(both, ranking.split_compound)
        })
        .collect()
}

/// A folded word in any text field, stemmed per language and exact, weighted like a word
/// that the query typed (without its typo-tolerant, prefix and root forms).
pub(super) fn word_anywhere(
    word: &str,
    fields: &Fields,
    langs: &[Lang],
    ranking: &Ranking,
) -> Box<dyn Query> {
    let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for part in &fields.parts {
        let weight = |weight| part_weight(part.part, weight, ranking);
        for &lang in langs {
            let lang_fields = part.lang(lang);
            for stem in analysis::terms(Mode::Stemmed(lang), word) {
                for (field, field_weight) in [
                    (lang_fields.title, ranking.title),
                    (lang_fields.headings, ranking.headings),
                    (lang_fields.keywords, ranking.keywords),
                    (lang_fields.body, ranking.body),
                ] {
                    if field_weight > 0.0 {
                        per_field.push((
                            Occur::Should,
                            boosted(term_query(field, &stem), weight(field_weight)),
                        ));
                    }
                }
            }
        }
        per_field.push((
            Occur::Should,
            boosted(
                term_query(part.title_exact, word),
                weight(ranking.exact_title),
            ),
        ));
        per_field.push((
            Occur::Should,
            boosted(
                term_query(part.body_exact, word),
                weight(ranking.exact_body),
            ),
        ));
    }
    Box::new(BooleanQuery::new(per_field))
}

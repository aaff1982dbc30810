//! Words written apart that the documents write together, and the other way round, decided
//! on the query side against the words that the index knows: an elision split by a space
//! ("prud' hommes" → "prud'hommes"), a compound written as one word that the documents write
//! as two ("électrobobinier" → "électro" + "bobinier"), two words that the documents write as
//! one ("porte parole" → "porteparole").
//!
//! The documents are not re-analysed: their text keeps its one analysis, and a query only
//! gains alternatives that the index can match, so a word spelled as the documents spell it
//! still finds them as itself, first.

use super::query::ParsedQuery;
use crate::analysis::{self, Mode};

/// Shortest part of a split compound, in characters: shorter parts ("pré", "co") are
/// prefixes more often than words.
const MIN_PART_CHARS: usize = 4;

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Joins each word that ends with an apostrophe to the next word when the index knows the
/// joined word ("prud' hommes" → "prud'hommes"): in French an apostrophe after a letter
/// is never followed by a space, so the space was typed by mistake. An apostrophe that
/// closes a quotation ("'cadre' salarié") gives a word that the index does not know, and
/// stays.
pub fn join_split_elisions(parsed: &mut ParsedQuery, known_word: &dyn Fn(&str) -> bool) {
    let mut index = 0;
    while index + 1 < parsed.clauses.len() {
        let (first, next) = (&parsed.clauses[index], &parsed.clauses[index + 1]);
        let joinable = !first.phrase
            && !next.phrase
            && first.occurrence == next.occurrence
            && first.text.ends_with(is_apostrophe)
            && first
                .text
                .trim_end_matches(is_apostrophe)
                .ends_with(char::is_alphabetic)
            && next.text.starts_with(char::is_alphabetic);
        let joined = joinable.then(|| format!("{}{}", first.text, next.text));
        match joined {
            Some(joined) if first_word_known(&joined, known_word) => {
                parsed.clauses[index].text = joined;
                parsed.clauses.remove(index + 1);
            }
            _ => index += 1,
        }
    }
}

/// Whether the first word of `text`, as indexed, is one the index knows.
fn first_word_known(text: &str, known_word: &dyn Fn(&str) -> bool) -> bool {
    analysis::terms(Mode::Exact, text)
        .first()
        .is_some_and(|word| known_word(word))
}

/// The split of a folded `word` into two words that the index knows, the most balanced one
/// first; `None` when there is none.
pub fn split(word: &str, known_word: &dyn Fn(&str) -> bool) -> Option<(String, String)> {
    let bounds: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
    let chars = bounds.len();
    if chars < 2 * MIN_PART_CHARS {
        return None;
    }
    let mut cuts: Vec<usize> = (MIN_PART_CHARS..=chars - MIN_PART_CHARS).collect();
    cuts.sort_by_key(|&cut| std::cmp::Reverse(cut.min(chars - cut)));
    cuts.into_iter()
        .map(|cut| (&word[..bounds[cut]], &word[bounds[cut]..]))
        .find(|(head, tail)| known_word(head) && known_word(tail))
        .map(|(head, tail)| (head.to_string(), tail.to_string()))
}

/// The words that two adjacent words of the query make when joined and that the index
/// knows ("porte parole", "porte-parole" → "porteparole"), from the words that are neither
/// excluded nor quoted; two words are adjacent when nothing, not even a stop word, stands
/// between them.
pub fn joins(parsed: &ParsedQuery, known_word: &dyn Fn(&str) -> bool) -> Vec<String> {
    let tokens = analysis::tokens(Mode::Exact, &parsed.loose_text());
    let mut out: Vec<String> = Vec::new();
    for pair in tokens.windows(2) {
        if pair[1].position != pair[0].position + 1 {
            continue;
        }
        let joined = format!("{}{}", pair[0].text, pair[1].text);
        if known_word(&joined) && !out.contains(&joined) {
            out.push(joined);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn known(words: &'static [&'static str]) -> impl Fn(&str) -> bool {
        move |word| words.contains(&word)
    }

    fn texts(parsed: &ParsedQuery) -> Vec<&str> {
        parsed.clauses.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn an_elision_split_by_a_space_is_joined_when_the_index_knows_the_word() {
        let index = known(&["aujourdhui", "presquile", "emploi", "cadresalarie"]);
        let mut parsed = parse("aujourd' hui sur la presqu’ île");
        join_split_elisions(&mut parsed, &index);
        assert_eq!(texts(&parsed), ["aujourd'hui", "sur", "la", "presqu’île"]);
        let mut parsed = parse("l' emploi");
        join_split_elisions(&mut parsed, &index);
        assert_eq!(texts(&parsed), ["l'emploi"]);
        assert_eq!(analysis::terms(Mode::Exact, "l'emploi"), ["emploi"]);
    }

    #[test]
    fn an_apostrophe_that_is_not_an_elision_stays() {
        let index = known(&["cadresalarie", "emploi"]);
        for query in ["'cadre' salarié", "3' emploi", "' emploi", "-aujourd' hui"] {
            let mut parsed = parse(query);
            let before = parsed.clone();
            join_split_elisions(&mut parsed, &known(&["emploi"]));
            assert_eq!(parsed, before, "{query}");
        }
        // Unknown once joined: the words stay apart.
        let mut parsed = parse("aujourd' hui");
        join_split_elisions(&mut parsed, &index);
        assert_eq!(texts(&parsed), ["aujourd'", "hui"]);
        // Not across a quoted phrase or an exclusion.
        let mut parsed = parse("aujourd' \"hui\"");
        join_split_elisions(&mut parsed, &known(&["aujourdhui"]));
        assert_eq!(parsed.clauses.len(), 2);
    }

    #[test]
    fn an_unknown_word_splits_into_two_known_ones_the_most_balanced_way() {
        let index = known(&[
            "thermo",
            "soudeur",
            "ther",
            "mosoudeur",
            "thermosoud",
            "eur",
        ]);
        assert_eq!(
            split("thermosoudeur", &index),
            Some(("thermo".into(), "soudeur".into()))
        );
        assert_eq!(split("soudeur", &index), None);
        assert_eq!(split("abcdefg", &|_| true), None, "parts of 4 characters");
        assert_eq!(
            split("abcdefgh", &|_| true),
            Some(("abcd".into(), "efgh".into()))
        );
        let accented = known(&["éléc", "troménager"]);
        assert_eq!(
            split("éléctroménager", &accented),
            Some(("éléc".into(), "troménager".into()))
        );
    }

    #[test]
    fn adjacent_words_join_when_the_index_knows_the_joined_word() {
        let index = known(&["garderobe", "autoecole"]);
        assert_eq!(joins(&parse("garde robe"), &index), ["garderobe"]);
        assert_eq!(joins(&parse("garde-robe ancienne"), &index), ["garderobe"]);
        assert_eq!(
            joins(&parse("auto école et garde robe"), &index),
            ["autoecole", "garderobe"]
        );
        // Not across a stop word, a quoted phrase or an exclusion.
        assert!(joins(&parse("garde de robe"), &index).is_empty());
        assert!(joins(&parse("garde \"robe\""), &index).is_empty());
        assert!(joins(&parse("garde -robe"), &index).is_empty());
        assert!(joins(&parse("garde costume"), &index).is_empty());
    }
}

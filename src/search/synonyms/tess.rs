//! The TESS labour and employment thesaurus (`data/thesaurus/tess.json`): a JSON array of
//! terms; a term's `equivalent` holds the expressions it stands for, joined by spaces
//! ("Intérim Travail intérimaire", "Partenariat public privé PPP"), sometimes by `;`.
//!
//! Splitting them: a new expression starts at a capitalised word, unless the word before is
//! a connector ("Association des maires de France") or ends with a hyphen or an apostrophe
//! ("Assistance publique- Hôpitaux de Paris"). Two cases stay ambiguous, and such a term is
//! left out whole rather than guessed: an acronym after lowercase words that is not the
//! initials of those words nor of the term ("Chèque emploi TPE": an expression of its own,
//! or part of one?), and a one-word expression that is also a word of the term or of another
//! expression (the "Pays Bas" of "Pays-Bas", the "El Salvador" of "Salvador": a name
//! in two words, not two names).

use serde::Deserialize;

use super::{Rule, ThesaurusError};
use crate::analysis::fold;

const LIST: &str = "tess.json";

/// One term of the thesaurus; its other relations (generic, specific, related) are not
/// synonyms and are not read.
#[derive(Deserialize)]
struct Term {
    term: String,
    #[serde(default)]
    equivalent: String,
}

/// What reading the thesaurus gave.
pub struct Parsed {
    pub rules: Vec<Rule<String>>,
    /// Terms whose equivalents could not be split with confidence, left out.
    pub ambiguous: Vec<String>,
}

/// The equivalence groups of the thesaurus: each term with the expressions of its
/// `equivalent`.
pub fn parse(json: &str) -> Result<Parsed, ThesaurusError> {
    let terms: Vec<Term> = serde_json::from_str(json).map_err(|error| ThesaurusError::Format {
        list: LIST,
        error: error.to_string(),
    })?;
    let mut parsed = Parsed {
        rules: Vec::new(),
        ambiguous: Vec::new(),
    };
    for (index, term) in terms.iter().enumerate() {
        let equivalent = term.equivalent.trim();
        if equivalent.is_empty() {
            continue;
        }
        if term.term.trim().is_empty() {
            return Err(ThesaurusError::Entry {
                list: LIST,
                entry: index + 1,
                text: term.equivalent.clone(),
                reason: "equivalents without a term".into(),
            });
        }
        match split(&term.term, equivalent) {
            Some(expressions) => {
                let mut group = vec![term.term.trim().to_string()];
                group.extend(expressions);
                parsed.rules.push(Rule::equivalent(group));
            }
            None => parsed.ambiguous.push(term.term.clone()),
        }
    }
    Ok(parsed)
}

/// Lowercase words after which a capitalised word continues the same name.
const CONNECTORS: &[&str] = &[
    "a", "au", "aux", "avec", "chez", "contre", "d", "dans", "de", "des", "du", "en", "entre",
    "et", "l", "la", "le", "les", "ou", "par", "pour", "sans", "sous", "sur",
];

/// The expressions of `equivalent`, or `None` when where they start is ambiguous.
fn split(term: &str, equivalent: &str) -> Option<Vec<String>> {
    let mut expressions: Vec<Vec<&str>> = Vec::new();
    for piece in equivalent.split(';') {
        let mut words = piece.split_whitespace();
        let Some(first) = words.next() else { continue };
        expressions.push(vec![first]);
        for word in words {
            let current = expressions.last_mut().expect("one expression at least");
            let previous = current.last().copied().unwrap_or_default();
            if !starts_expression(previous, word) {
                current.push(word);
                continue;
            }
            if is_acronym(word) && !is_acronym(previous) {
                let letters = fold(&word.replace('-', ""));
                if letters != initials(current) && letters != initials(&[term]) {
                    return None;
                }
            }
            expressions.push(vec![word]);
        }
    }
    let texts: Vec<String> = expressions.iter().map(|words| words.join(" ")).collect();
    if expressions.len() > 1 {
        let words_of = |text: &str| -> Vec<String> {
            text.split([' ', '-', '\'', '’'])
                .filter(|w| !w.is_empty())
                .map(fold)
                .collect()
        };
        for (index, words) in expressions.iter().enumerate() {
            let [word] = words.as_slice() else { continue };
            if is_acronym(word) {
                continue;
            }
            let word = fold(word);
            let elsewhere = words_of(term).contains(&word)
                || texts
                    .iter()
                    .enumerate()
                    .any(|(other, text)| other != index && words_of(text).contains(&word));
            if elsewhere {
                return None;
            }
        }
    }
    Some(texts)
}

/// Whether `word` (after `previous`) begins a new expression.
fn starts_expression(previous: &str, word: &str) -> bool {
    let capitalised = word.chars().next().is_some_and(char::is_uppercase);
    let last_of_previous = previous
        .rsplit(['\'', '’'])
        .next()
        .map(fold)
        .unwrap_or_default();
    capitalised
        && !previous.ends_with(['-', '\'', '’'])
        && !CONNECTORS.contains(&last_of_previous.as_str())
}

/// Two letters or more, all capitals ("PPP", "AP-HP").
fn is_acronym(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// The folded first letters of the words of `texts` that are not connectors.
fn initials(texts: &[&str]) -> String {
    texts
        .iter()
        .flat_map(|text| text.split([' ', '-', '\'', '’']))
        .map(fold)
        .filter(|word| !word.is_empty() && !CONNECTORS.contains(&word.as_str()))
        .filter_map(|word| word.chars().next())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalents_are_split_at_capitalised_words_that_start_a_name() {
        let split = |term, equivalent| split(term, equivalent).unwrap();
        assert_eq!(
            split("Travail temporaire", "Intérim Travail intérimaire"),
            ["Intérim", "Travail intérimaire"]
        );
        assert_eq!(
            split("Contrat de partenariat", "Partenariat public privé PPP"),
            ["Partenariat public privé", "PPP"]
        );
        // The acronym of the term, after another expression.
        assert_eq!(
            split("Affection de longue durée", "Maladie de longue durée ALD"),
            ["Maladie de longue durée", "ALD"]
        );
        // Capitalised words after a connector or a hyphen belong to the name.
        assert_eq!(
            split("AMF", "Association des maires de France"),
            ["Association des maires de France"]
        );
        assert_eq!(
            split("AP-HP", "Assistance publique- Hôpitaux de Paris"),
            ["Assistance publique- Hôpitaux de Paris"]
        );
        assert_eq!(
            split("Cour", "Cour d'Appel Cour de Cassation"),
            ["Cour d'Appel", "Cour de Cassation"]
        );
        assert_eq!(
            split(
                "Fermeture",
                "Entreprise en liquidation ;Fermeture d'entreprise"
            ),
            ["Entreprise en liquidation", "Fermeture d'entreprise"]
        );
    }

    #[test]
    fn ambiguous_equivalents_are_not_guessed() {
        // An acronym that is not the initials of what comes before it nor of the term.
        assert_eq!(
            split("Chèque emploi très petite entreprise", "Chèque emploi TPE"),
            None
        );
        // One name in two capitalised words.
        assert_eq!(split("Pays-Bas", "Pays Bas"), None);
        assert_eq!(split("Salvador", "El Salvador"), None);
    }

    #[test]
    fn the_thesaurus_gives_groups_and_names_the_terms_left_out() {
        let json = r#"[
            {"term": "Gestion du personnel", "generic": "", "specific": ["Paie"], "equivalent": ""},
            {"term": "GPEC", "equivalent": "Gestion prévisionnelle des emplois et des compétences"},
            {"term": "Pays-Bas", "equivalent": "Pays Bas", "related": ""}
        ]"#;
        let parsed = parse(json).unwrap();
        assert_eq!(parsed.rules.len(), 1);
        assert_eq!(
            parsed.rules[0].when,
            [
                "GPEC",
                "Gestion prévisionnelle des emplois et des compétences"
            ]
        );
        assert_eq!(parsed.ambiguous, ["Pays-Bas"]);
    }

    #[test]
    fn a_damaged_thesaurus_is_a_clear_error() {
        for json in [
            "[{\"term\": \"A\", \"equivalent\": 3}]",
            "[{\"equivalent\": \"B\"}]",
            "[{\"term\": \"A\", \"equiv",
        ] {
            let error = parse(json).err().expect(json);
            assert!(error.to_string().contains("tess.json"), "{error}");
        }
        let error = parse("[{\"term\": \" \", \"equivalent\": \"B\"}]")
            .err()
            .unwrap();
        assert!(error.to_string().contains("entry 1"), "{error}");
    }
}

//! The query language, as people type it: natural language by default, with optional
//! "exact phrases", -exclusions, +required words, OR, and `facet:value` filters.
//!
//! Parsing never fails: unbalanced quotes close at the end, stray operators are ignored,
//! unknown `name:value` pairs are plain words, and the work is capped at [`MAX_CLAUSES`].

use crate::analysis::{fold, slug};
use crate::model::{Facet, Filter};

/// Most clauses (words, phrases, filters) read from one query; the rest is ignored.
pub const MAX_CLAUSES: usize = 32;
/// Longest query read, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// Whether a clause must, should or must not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurrence {
    Should,
    Must,
    MustNot,
}

/// One word or phrase of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub text: String,
    pub occurrence: Occurrence,
    /// Quoted: the words must appear together, in order.
    pub phrase: bool,
}

/// A query once parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
    /// Filters: AND across facets, OR within one.
    pub filters: Vec<Filter>,
    /// True when the query was cut to [`MAX_CLAUSES`] or [`MAX_QUERY_CHARS`].
    pub truncated: bool,
}

impl ParsedQuery {
    /// True when no clause carries words to search (only filters, or nothing).
    pub fn has_text(&self) -> bool {
        self.clauses
            .iter()
            .any(|c| c.occurrence != Occurrence::MustNot)
    }

    /// The words typed outside quotes and exclusions, in order, joined by spaces: the
    /// text whose neighbouring words may be read together (proximity, joined compounds).
    pub fn loose_text(&self) -> String {
        self.clauses
            .iter()
            .filter(|c| c.occurrence != Occurrence::MustNot && !c.phrase)
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The query as understood, in the query language itself.
    pub fn understood(&self) -> String {
        let mut parts = Vec::new();
        for clause in &self.clauses {
            let prefix = match clause.occurrence {
                Occurrence::Should => "",
                Occurrence::Must => "+",
                Occurrence::MustNot => "-",
            };
            if clause.phrase {
                parts.push(format!("{prefix}\"{}\"", clause.text));
            } else {
                parts.push(format!("{prefix}{}", clause.text));
            }
        }
        for filter in &self.filters {
            parts.push(filter.to_string());
        }
        parts.join(" ")
    }
}

/// Parses a query. Never fails.
pub fn parse(input: &str) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    let text: String = input.chars().take(MAX_QUERY_CHARS).collect();
    parsed.truncated = text.len() < input.len();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut occurrence = Occurrence::Should;
        match chars.peek() {
            None => break,
            Some('-') => {
                chars.next();
                occurrence = Occurrence::MustNot;
            }
            Some('+') => {
                chars.next();
                occurrence = Occurrence::Must;
            }
            _ => {}
        }
        let (text, phrase) = if chars.peek().is_some_and(|c| is_quote(*c)) {
            chars.next();
            let phrase: String = chars.by_ref().take_while(|c| !is_quote(*c)).collect();
            (phrase, true)
        } else {
            let word: String = chars.by_ref().take_while(|c| !c.is_whitespace()).collect();
            (word, false)
        };
        let text = text.trim().to_string();
        if text.is_empty() || (!phrase && occurrence == Occurrence::Should && text == "OR") {
            continue;
        }
        if parsed.clauses.len() + parsed.filters.len() >= MAX_CLAUSES {
            parsed.truncated = true;
            break;
        }
        if !phrase {
            if let Some(filter) = split_filter(&text, &mut chars) {
                if occurrence != Occurrence::MustNot {
                    parsed.filters.push(filter);
                    continue;
                }
            }
        }
        let text = text.replace(':', " ").trim().to_string();
        if !text.is_empty() {
            parsed.clauses.push(Clause {
                text,
                occurrence,
                phrase,
            });
        }
    }
    parsed
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '«' | '»' | '“' | '”')
}

/// `type:formation` or `reseau:"mission locale"` → a filter (the facet named by its
/// query-language or field name, accents and case ignored); `None` for other words.
fn split_filter(word: &str, rest: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<Filter> {
    let (prefix, value) = word.split_once(':')?;
    let facet = Facet::from_name(&fold(prefix))?;
    let value = if value.is_empty() && rest.peek().is_some_and(|c| is_quote(*c)) {
        rest.next();
        rest.by_ref()
            .take_while(|c| !is_quote(*c))
            .collect::<String>()
    } else if let Some(stripped) = value.strip_prefix(is_quote) {
        let mut quoted = stripped.trim_end_matches(is_quote).to_string();
        if !value.ends_with(is_quote) || value.chars().count() == 1 {
            let more: String = rest.by_ref().take_while(|c| !is_quote(*c)).collect();
            quoted.push(' ');
            quoted.push_str(&more);
        }
        quoted
    } else {
        value.to_string()
    };
    // Facet values are slugs: `reseau:"Mission locale"` means `mission-locale`.
    let value = facet.canonical(&slug(&value));
    (!value.is_empty()).then(|| Filter::new(facet, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(parsed: &ParsedQuery) -> Vec<(&str, Occurrence, bool)> {
        parsed
            .clauses
            .iter()
            .map(|c| (c.text.as_str(), c.occurrence, c.phrase))
            .collect()
    }

    #[test]
    fn natural_language_is_a_list_of_should_words() {
        let parsed = parse("aide soignant formation");
        assert_eq!(parsed.clauses.len(), 3);
        assert!(parsed
            .clauses
            .iter()
            .all(|c| c.occurrence == Occurrence::Should && !c.phrase));
        assert_eq!(parsed.understood(), "aide soignant formation");
    }

    #[test]
    fn operators_phrases_and_filters() {
        let parsed = parse("\"contrat d'apprentissage\" -stage +salaire cap OR bep type:fiche-metier reseau:\"Mission locale\"");
        assert_eq!(
            words(&parsed),
            [
                ("contrat d'apprentissage", Occurrence::Should, true),
                ("stage", Occurrence::MustNot, false),
                ("salaire", Occurrence::Must, false),
                ("cap", Occurrence::Should, false),
                ("bep", Occurrence::Should, false),
            ]
        );
        assert_eq!(
            parsed.filters,
            [
                Filter::new(Facet::Kind, "fiche-metier"),
                Filter::new(Facet::Network, "mission-locale")
            ]
        );
    }

    #[test]
    fn hostile_input_never_fails() {
        for input in [
            "\"",
            "\"\"\"",
            "-",
            "+",
            "- + OR",
            ":",
            "type:",
            "a:b:c",
            "🙂 \u{0}",
            "«  »",
        ] {
            let parsed = parse(input);
            assert!(
                parsed.clauses.iter().all(|c| !c.text.trim().is_empty()),
                "{input:?}"
            );
        }
        assert_eq!(
            words(&parse("\"emploi saisonnier")),
            [("emploi saisonnier", Occurrence::Should, true)]
        );
        assert_eq!(
            words(&parse("heure:sup")),
            [("heure sup", Occurrence::Should, false)]
        );
    }

    #[test]
    fn long_queries_are_capped_and_say_so() {
        let pasted = "mot ".repeat(600);
        let parsed = parse(&pasted);
        assert!(parsed.truncated);
        assert_eq!(parsed.clauses.len(), MAX_CLAUSES);
        assert!(!parse("court").truncated);
    }
}

//! The Code du travail numérique's synonym list (`data/thesaurus/cdtn-synonyms.json`): a JSON
//! array of lines in Elasticsearch's synonym syntax. `a, b, c` are equivalent expressions;
//! `a, b => c` rewrites `a` and `b` into `c`, one way. `a/b` inside an expression gives two
//! spellings (`accre/acre`). An expression with an underscore (`c_e`, `covid_19`, `t_e_s`) is
//! Elasticsearch's private token, not words anyone types: it is left out, and a line whose
//! right side is only such tokens is an equivalence of its left side.

use super::{Rule, ThesaurusError};

const LIST: &str = "cdtn-synonyms.json";

/// The rules of the list, as expressions' texts: (when typed, offer).
pub fn parse(json: &str) -> Result<Vec<Rule<String>>, ThesaurusError> {
    let lines: Vec<String> =
        serde_json::from_str(json).map_err(|error| ThesaurusError::Format {
            list: LIST,
            error: error.to_string(),
        })?;
    let mut rules = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let bad = |reason: &str| ThesaurusError::Entry {
            list: LIST,
            entry: index + 1,
            text: line.clone(),
            reason: reason.to_string(),
        };
        let mut sides = line.split("=>");
        let left = expressions(sides.next().unwrap_or_default());
        let right = sides.next().map(expressions);
        if sides.next().is_some() {
            return Err(bad("more than one \"=>\""));
        }
        if left.is_empty() {
            return Err(bad("no expression before \"=>\" or the first comma"));
        }
        match right {
            Some(right) if !right.is_empty() => rules.push(Rule {
                when: left,
                offer: right,
            }),
            Some(_) => rules.push(Rule::equivalent(left)),
            None if !line.contains(',') && !line.contains('/') => {
                return Err(bad("a single expression: nothing it is equivalent to"))
            }
            None => rules.push(Rule::equivalent(left)),
        }
    }
    Ok(rules)
}

/// The expressions of one side of a line, without Elasticsearch's private tokens.
fn expressions(side: &str) -> Vec<String> {
    side.split([',', '/'])
        .map(str::trim)
        .filter(|expression| !expression.is_empty() && !expression.contains('_'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(lines: &[&str]) -> Vec<Rule<String>> {
        parse(&serde_json::to_string(lines).unwrap()).unwrap()
    }

    #[test]
    fn a_line_is_a_group_of_equivalent_expressions() {
        let parsed = rules(&[
            "plan d'épargne retraite ,per",
            "allocation de logement, al/alf",
        ]);
        assert_eq!(parsed[0].when, ["plan d'épargne retraite", "per"]);
        assert_eq!(parsed[0].offer, parsed[0].when);
        assert_eq!(parsed[1].when, ["allocation de logement", "al", "alf"]);
    }

    #[test]
    fn an_arrow_is_one_way_and_private_tokens_are_left_out() {
        let parsed = rules(&[
            "frais de repas => indemnité de repas",
            "prime annuelle, pa => p_a",
            "titre restaurant, t_r",
        ]);
        assert_eq!(parsed[0].when, ["frais de repas"]);
        assert_eq!(parsed[0].offer, ["indemnité de repas"]);
        assert_eq!(parsed[1].when, ["prime annuelle", "pa"]);
        assert_eq!(parsed[1].offer, parsed[1].when);
        assert_eq!(parsed[2].when, ["titre restaurant"]);
    }

    #[test]
    fn a_damaged_list_is_a_clear_error() {
        let error = parse("[\"a, b\", 3]").unwrap_err();
        assert!(error.to_string().contains("cdtn-synonyms.json"), "{error}");
        for (line, reason) in [
            ("a => b => c", "more than one"),
            ("seul", "a single expression"),
            (" , => b", "no expression"),
        ] {
            let error = parse(&serde_json::to_string(&[line]).unwrap()).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(reason), "{message}");
            assert!(message.contains("entry 1"), "{message}");
        }
        assert!(parse("{\"not\": \"a list\"}").is_err());
        assert!(parse("[\"tronqu").is_err());
    }
}

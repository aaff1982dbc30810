//! Bodies and schemes that changed their name (Pôle emploi → France Travail, Direccte →
//! DREETS, DIF → CPF...): the maintained list of `data/renamed.toml`, embedded in the binary.
//! A query that names one side also finds the documents that use the other, and the
//! answer carries a notice ("Pôle emploi, devenu France Travail en 2024").

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::analysis::{self, Mode};
use crate::model::Lang;

const RENAMED_TOML: &str = include_str!("../../data/renamed.toml");

/// One renaming, as the list gives it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// The former names, the usual one first.
    old: Vec<String>,
    /// The current names, the usual one first.
    new: Vec<String>,
    since: u16,
    /// The verb of the notice, agreed with the first former name.
    became: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct List {
    renamed: Vec<Entry>,
}

/// A renaming that a query mentions, as answers carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// The former name.
    pub old: String,
    /// The current name.
    pub new: String,
    /// The year of the change.
    pub since: u16,
    /// One line for people: "Pôle emploi, devenu France Travail en 2024".
    pub notice: String,
}

/// A renaming that a query mentions, and the names it did not type.
#[derive(Debug)]
pub struct Mention {
    pub renamed: Renamed,
    /// The names of the other side: searched as well.
    pub other_names: Vec<&'static str>,
}

/// An entry of the list with the stems of its names, as queries are compared with them.
struct Known {
    entry: Entry,
    old: Vec<Vec<String>>,
    new: Vec<Vec<String>>,
}

/// The list, parsed once.
fn list() -> &'static [Known] {
    static LIST: OnceLock<Vec<Known>> = OnceLock::new();
    LIST.get_or_init(|| {
        let list: List = toml::from_str(RENAMED_TOML).expect("data/renamed.toml is valid");
        list.renamed
            .into_iter()
            .map(|entry| Known {
                old: entry.old.iter().map(|name| stems(name)).collect(),
                new: entry.new.iter().map(|name| stems(name)).collect(),
                entry,
            })
            .collect()
    })
}

fn stems(text: &str) -> Vec<String> {
    analysis::terms(Mode::Stemmed(Lang::Fr), text)
}

/// Whether `name` occurs in `query` as consecutive words.
fn occurs(name: &[String], query: &[String]) -> bool {
    !name.is_empty() && query.windows(name.len()).any(|window| window == name)
}

/// The renamings whose names `text` (the words of a query) mentions, on either side.
pub fn mentioned(text: &str) -> Vec<Mention> {
    let query = stems(text);
    let mut found = Vec::new();
    for Known { entry, old, new } in list() {
        let typed_old = old.iter().any(|name| occurs(name, &query));
        let typed_new = new.iter().any(|name| occurs(name, &query));
        if !typed_old && !typed_new {
            continue;
        }
        let mut other_names: Vec<&'static str> = Vec::new();
        if typed_old && !typed_new {
            other_names.extend(entry.new.iter().map(String::as_str));
        }
        if typed_new && !typed_old {
            other_names.extend(entry.old.iter().map(String::as_str));
        }
        found.push(Mention {
            renamed: Renamed {
                old: entry.old[0].clone(),
                new: entry.new[0].clone(),
                since: entry.since,
                notice: format!(
                    "{}, {} {} en {}",
                    entry.old[0], entry.became, entry.new[0], entry.since
                ),
            },
            other_names,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_valid_and_every_entry_has_names_on_both_sides() {
        assert!(list().len() >= 10);
        for Known { entry, old, new } in list() {
            assert!(!old.is_empty() && !new.is_empty(), "{entry:?}");
            assert!(old.iter().chain(new).all(|name| !name.is_empty()));
            assert!((1990..2100).contains(&entry.since));
        }
    }

    #[test]
    fn a_name_on_either_side_brings_the_other_and_the_notice() {
        let found = mentioned("inscription à Pôle Emploi");
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].renamed.notice,
            "Pôle emploi, devenu France Travail en 2024"
        );
        assert_eq!(found[0].other_names, ["France Travail"]);
        let found = mentioned("france travail inscription");
        assert_eq!(found[0].other_names, ["Pôle emploi"]);
        let found = mentioned("droits individuels à la formation");
        assert_eq!(found[0].renamed.new, "CPF");
        assert!(found[0]
            .other_names
            .contains(&"compte personnel de formation"));
        // Both names typed: nothing else to search, the notice still applies.
        let both = mentioned("pole emploi france travail");
        assert!(both[0].other_names.is_empty());
        // Words of a name apart are not the name.
        assert!(mentioned("travail en France").is_empty());
        assert!(mentioned("emploi du pôle").is_empty());
    }
}

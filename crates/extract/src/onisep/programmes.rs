//! ONISEP initial-education programmes (`ideo-formations-initiales`): one document per
//! programme, with its kind, duration, level and ministry, referring to the RNCP
//! certification it prepares.

use super::{capitalized, domains, required, slug_of_link, LINK};
use crate::blocks::Sections;
use crate::table::{field, Table};
use crate::{Code, ExtractError, Extracted, Reference, Relation};

/// The column of the programme's title, which identifies a programme table.
pub(super) const TITLE: &str = "libellé formation principal";

/// Kind of the documents.
const KIND: &str = "formation";

/// Every programme of ONISEP's table is one of initial education.
const ACCESS_ROUTE: &str = "formation-initiale";

/// Ministry values that say nothing.
const UNKNOWN: &str = "non renseigné";

/// The programmes of a programme table, in its order; a fiche listed twice keeps its first
/// row.
pub(super) fn read(
    table: &Table,
    warnings: &mut Vec<String>,
) -> Result<Vec<Extracted>, ExtractError> {
    let (title, link) = (required(table, TITLE)?, required(table, LINK)?);
    let column = |name: &str| table.column(name);
    let [kind, acronym, duration, rncp, level, ministry, domain] = [
        "libellé type formation",
        "sigle type formation",
        "durée",
        "code RNCP",
        "libellé niveau RNCP",
        "tutelle",
        "domaine/sous-domaine",
    ]
    .map(column);
    let value = |row, column: Option<usize>| column.map_or("", |column| field(row, column));
    let mut seen = std::collections::HashSet::new();
    let mut documents = Vec::new();
    for (index, row) in table.rows().iter().enumerate() {
        let Some(slug) = slug_of_link(field(row, link)) else {
            warnings.push(format!("row {}: no onisep.fr link, skipped", index + 2));
            continue;
        };
        let name = field(row, title);
        if name.is_empty() {
            warnings.push(format!("row {}: no programme title, skipped", index + 2));
            continue;
        }
        if !seen.insert(slug.to_string()) {
            warnings.push(format!("row {}: {slug} already read, skipped", index + 2));
            continue;
        }
        let level_label = value(row, level);
        let programme = Programme {
            kind: value(row, kind),
            acronym: value(row, acronym),
            duration: value(row, duration),
            rncp: Code::rncp(value(row, rncp)),
            level: level_of(level_label),
            level_label,
            ministry: Some(value(row, ministry)).filter(|m| !m.is_empty() && *m != UNKNOWN),
            domains: domains(value(row, domain)),
        };
        documents.push(programme.document(slug, capitalized(name), field(row, link)));
    }
    Ok(documents)
}

/// "niveau 5 (bac + 2)" → 5.
fn level_of(label: &str) -> Option<u8> {
    let rest = label.trim().strip_prefix("niveau")?.trim_start();
    let digit = rest.chars().next()?.to_digit(10)?;
    u8::try_from(digit)
        .ok()
        .filter(|level| (1..=8).contains(level))
}

/// What a row says of a programme.
struct Programme<'a> {
    kind: &'a str,
    acronym: &'a str,
    duration: &'a str,
    rncp: Option<Code>,
    level: Option<u8>,
    level_label: &'a str,
    ministry: Option<&'a str>,
    domains: Vec<String>,
}

impl Programme<'_> {
    fn document(self, slug: &str, title: String, url: &str) -> Extracted {
        let mut facts = Vec::new();
        if !self.kind.is_empty() {
            facts.push(capitalized(self.kind));
        }
        if !self.duration.is_empty() {
            facts.push(format!("en {}", self.duration));
        }
        if self.level.is_some() {
            facts.push(self.level_label.to_string());
        }
        let mut description = format!("{}.", facts.join(", "));
        if let Some(code) = &self.rncp {
            description.push_str(&format!(" Prépare la certification {}.", code.value()));
        }
        if let Some(ministry) = self.ministry {
            description.push_str(&format!(" Tutelle : {ministry}."));
        }
        // The description says what the programme is; the body lists its domains.
        let mut body = Sections::default();
        body.list("Domaines", self.domains.iter().cloned());
        let (body, headings) = body.finish();
        let keywords: Vec<String> = [self.kind, self.acronym]
            .into_iter()
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .chain(self.domains)
            .collect();
        Extracted {
            key: Some(slug.to_string()),
            title: Some(title),
            description: Some(description),
            headings,
            body,
            language: Some("fr".to_string()),
            url: Some(url.to_string()),
            keywords,
            kind: Some(KIND.to_string()),
            level: self.level,
            access_routes: vec![ACCESS_ROUTE.to_string()],
            references: self
                .rncp
                .into_iter()
                .map(|code| Reference::new(Relation::Prepares, code))
                .collect(),
            ..Extracted::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_their_labels() {
        assert_eq!(level_of("niveau 5 (bac + 2)"), Some(5));
        assert_eq!(level_of("niveau 8 (doctorat)"), Some(8));
        assert_eq!(level_of("non inscrit au RNCP"), None);
        assert_eq!(level_of(""), None);
    }
}

//! ONISEP job fiches (`ideo-metiers`): one document per fiche, merged over the rows that
//! list it once per publication, referring to the ROME job it describes.

use std::collections::HashMap;

use super::{capitalized, domains, required, slug_of_link, LINK};
use crate::blocks::Sections;
use crate::table::{field, Table};
use crate::{Code, ExtractError, Extracted, Reference, Relation};

/// The column of the job's title, which identifies a job table.
pub(super) const TITLE: &str = "libellé métier";

/// Kind of the documents.
const KIND: &str = "fiche-metier-onisep";

/// The fiches of a job table, in the order of their first row.
pub(super) fn read(
    table: &Table,
    warnings: &mut Vec<String>,
) -> Result<Vec<Extracted>, ExtractError> {
    let (title, link) = (required(table, TITLE)?, required(table, LINK)?);
    let column = |name: &str| table.column(name);
    let [rome, rome_label, domain, gfe, publication, year] = [
        "code ROME (V.3)",
        "libellé ROME (V.3)",
        "domaine/sous-domaine",
        "GFE",
        "nom publication",
        "année",
    ]
    .map(column);
    let value = |row, column: Option<usize>| column.map_or("", |column| field(row, column));
    let mut order: Vec<String> = Vec::new();
    let mut fiches: HashMap<String, Fiche> = HashMap::new();
    for (index, row) in table.rows().iter().enumerate() {
        let Some(slug) = slug_of_link(field(row, link)) else {
            warnings.push(format!("row {}: no onisep.fr link, skipped", index + 2));
            continue;
        };
        if field(row, title).is_empty() {
            warnings.push(format!("row {}: no job title, skipped", index + 2));
            continue;
        }
        let fiche = fiches.entry(slug.to_string()).or_insert_with(|| {
            order.push(slug.to_string());
            Fiche {
                title: capitalized(field(row, title)),
                url: field(row, link).to_string(),
                ..Fiche::default()
            }
        });
        let code = value(row, rome);
        if let Some(code) = Code::rome(code) {
            let label = value(row, rome_label);
            fiche.add_job(code, label);
        }
        for keyword in domains(value(row, domain))
            .into_iter()
            .chain(non_empty(value(row, gfe)))
        {
            if !fiche.keywords.contains(&keyword) {
                fiche.keywords.push(keyword);
            }
        }
        let publication = value(row, publication);
        if !publication.is_empty() {
            let year = value(row, year);
            let named = if year.is_empty() {
                publication.to_string()
            } else {
                format!("{publication} ({year})")
            };
            if !fiche.publications.contains(&named) {
                fiche.publications.push(named);
            }
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|slug| fiches.remove(&slug).map(|fiche| fiche.document(slug)))
        .collect())
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

/// One job fiche, merged over its rows.
#[derive(Default)]
struct Fiche {
    title: String,
    url: String,
    /// ROME code and label.
    jobs: Vec<(Code, String)>,
    keywords: Vec<String>,
    publications: Vec<String>,
}

impl Fiche {
    fn add_job(&mut self, code: Code, label: &str) {
        if !self.jobs.iter().any(|(known, _)| *known == code) {
            self.jobs.push((code, label.replace("''", "'")));
        }
    }

    fn document(self, slug: String) -> Extracted {
        let description = match self.jobs.first() {
            Some((code, label)) => format!(
                "Fiche métier de l'ONISEP. Métier du ROME : {label} ({}).",
                code.value()
            ),
            None => "Fiche métier de l'ONISEP.".to_string(),
        };
        // The description says which ROME job this is; the body lists the rest.
        let mut body = Sections::default();
        if self.jobs.len() > 1 {
            let jobs = self
                .jobs
                .iter()
                .map(|(code, label)| format!("{label} ({})", code.value()));
            body.list("Métiers du ROME", jobs);
        }
        body.list("Domaines", self.keywords.iter().cloned());
        body.list("Publications de l'ONISEP", self.publications);
        let (body, headings) = body.finish();
        Extracted {
            key: Some(slug),
            title: Some(self.title),
            description: Some(description),
            headings,
            body,
            language: Some("fr".to_string()),
            url: Some(self.url),
            keywords: self.keywords,
            kind: Some(KIND.to_string()),
            references: self
                .jobs
                .into_iter()
                .map(|(code, label)| Reference::new(Relation::Describes, code).labelled(&label))
                .collect(),
            ..Extracted::default()
        }
    }
}

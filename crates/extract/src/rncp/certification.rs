//! One certification of the RNCP export: its row of `rncp_info` (repeated rows merged) and
//! what the other tables say of it, assembled into a document.
//!
//! The title is the certification's title preceded by its kind as people say it ("BTS
//! Banque, conseiller de clientèle (particuliers)", "Titre professionnel Secrétaire
//! assistant"): the register keeps the kind apart, and a diploma is asked for by it. An
//! inactive certification stays (it is still asked about: old diplomas, VAE); its kind is
//! `certification-inactive`, and its description says which certification replaces it.

use std::collections::HashMap;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::{by_certification, FORMAT};
use crate::blocks::Sections;
use crate::date::DateFormat;
use crate::table::{field, Table};
use crate::{Code, ExtractError, Extracted, Reference, Relation};

/// Kind of an active certification.
const ACTIVE_KIND: &str = "certification";
/// Kind of a certification that is no longer delivered.
const INACTIVE_KIND: &str = "certification-inactive";

/// Public page of a certification, followed by its number without `RNCP`.
const FICHE_URL: &str = "https://www.francecompetences.fr/recherche/rncp/";

/// Section titles, in body order (the status is the description; the access routes are a
/// facet, shown with the document's metadata).
const JOBS: &str = "Métiers visés";
const BLOCKS: &str = "Blocs de compétences";
const CERTIFIERS: &str = "Certificateurs";
const DOMAINS: &str = "Domaines (NSF)";

/// Abbreviations of kinds of certification (`Abrege_Code`) and how a title names them.
const KIND_PREFIXES: [(&str, &str); 27] = [
    ("CAP", "CAP"),
    ("CAPA", "CAPA"),
    ("BEP", "BEP"),
    ("BEPA", "BEPA"),
    ("BAC PRO", "Bac pro"),
    ("BTn", "Bac techno"),
    ("BP", "BP"),
    ("BPA", "BPA"),
    ("BT", "BT"),
    ("BTA", "BTA"),
    ("BMA", "BMA"),
    ("DMA", "DMA"),
    ("MC4", "MC"),
    ("MC5", "MC"),
    ("CS", "CS"),
    ("BTS", "BTS"),
    ("BTSA", "BTSA"),
    ("BTSMarit", "BTS maritime"),
    ("DUT", "DUT"),
    ("DEUST", "DEUST"),
    ("TP", "Titre professionnel"),
    ("LICENCE", "Licence"),
    ("Licence Professionnelle", "Licence professionnelle"),
    ("MASTER", "Master"),
    ("Titre ingénieur", "Titre d'ingénieur"),
    ("DE", "Diplôme d'État"),
    ("DOCTORAT", "Doctorat"),
];

/// Access routes (`rncp_voix_acces` codes) and their slugs.
const ACCESS_ROUTES: [(&str, &str); 6] = [
    ("CONTRATA", "apprentissage"),
    ("CONTRATP", "contrat-professionnalisation"),
    ("EXP", "vae"),
    ("PFC", "formation-continue"),
    ("ELEVE", "formation-initiale"),
    ("CANDIDATURE", "candidature-individuelle"),
];

/// What the other tables say of the certifications, by number.
pub(super) struct Joined<'a> {
    /// ROME code and label of the jobs it leads to.
    jobs: HashMap<&'a str, Vec<[&'a str; 2]>>,
    /// Code and title of its blocks of skills.
    blocks: HashMap<&'a str, Vec<[&'a str; 2]>>,
    /// Code and label of its access routes.
    access: HashMap<&'a str, Vec<[&'a str; 2]>>,
    certifiers: HashMap<&'a str, Vec<[&'a str; 1]>>,
    /// Code and label of its NSF domains.
    domains: HashMap<&'a str, Vec<[&'a str; 2]>>,
}

impl<'a> Joined<'a> {
    pub(super) fn new(
        tables: &'a HashMap<&'static str, Table>,
        warnings: &mut Vec<String>,
    ) -> Self {
        let access = by_certification(tables, "voix_acces", ["code_libelle", "intitule"], warnings);
        let mut unknown: Vec<&str> = access
            .values()
            .flatten()
            .map(|[code, _]| *code)
            .filter(|code| !ACCESS_ROUTES.iter().any(|(known, _)| known == code))
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        for code in unknown {
            warnings.push(format!(
                "voix_acces: access route {code:?} unknown, ignored"
            ));
        }
        Joined {
            access,
            jobs: by_certification(tables, "rome", ["Rome", "libelle"], warnings),
            blocks: by_certification(
                tables,
                "blocs_competences",
                ["numero_bloc", "intitule"],
                warnings,
            ),
            certifiers: by_certification(tables, "certificateurs", ["Certificateur"], warnings),
            domains: by_certification(tables, "nsf", ["code", "Libelle"], warnings),
        }
    }
}

/// A certification as `rncp_info` gives it.
pub(super) struct Certification<'a> {
    pub(super) number: &'a str,
    pub(super) title: &'a str,
    end_of_registration: &'a str,
    active: bool,
    level: Option<u8>,
    kind_code: &'a str,
    kind_label: &'a str,
    registration: &'a str,
    previous: Vec<&'a str>,
    next: Vec<&'a str>,
}

impl<'a> Certification<'a> {
    /// Every certification of `info`, in its order; the rows of one number are merged (the
    /// export repeats a certification once per predecessor). Fails without the number or
    /// title column.
    pub(super) fn read_all(
        info: &'a Table,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<Certification<'a>>, ExtractError> {
        let required = |name: &str| {
            info.column(name).ok_or_else(|| {
                ExtractError::malformed(FORMAT, format!("table info has no column {name}"))
            })
        };
        let (number, title) = (required("Numero_Fiche")?, required("Intitule")?);
        let optional = |name: &str| info.column(name);
        let columns = [
            "Date_Fin_Enregistrement",
            "Actif",
            "Nomenclature_Europe_Intitule",
            "Abrege_Code",
            "Abrege_Intitule",
            "Type_Enregistrement",
            "Ancienne_Certification",
            "Nouvelle_Certification",
        ]
        .map(optional);
        let [end, active, level, kind_code, kind_label, registration, previous, next] = columns;
        let value = |row, column: Option<usize>| column.map_or("", |column| field(row, column));
        let mut order: Vec<&str> = Vec::new();
        let mut read: HashMap<&str, Certification> = HashMap::new();
        for row in info.rows() {
            let (code, name) = (field(row, number), field(row, title));
            if code.is_empty() || name.is_empty() {
                warnings.push("info: row without Numero_Fiche or Intitule skipped".to_string());
                continue;
            }
            let certification = read.entry(code).or_insert_with(|| {
                order.push(code);
                Certification {
                    number: code,
                    title: name,
                    end_of_registration: value(row, end),
                    active: value(row, active).eq_ignore_ascii_case("ACTIVE"),
                    level: european_level(value(row, level)),
                    kind_code: value(row, kind_code),
                    kind_label: value(row, kind_label),
                    registration: value(row, registration),
                    previous: Vec::new(),
                    next: Vec::new(),
                }
            });
            for (list, column) in [
                (&mut certification.previous, previous),
                (&mut certification.next, next),
            ] {
                let other = value(row, column);
                if !other.is_empty() && !list.contains(&other) {
                    list.push(other);
                }
            }
        }
        Ok(order
            .into_iter()
            .filter_map(|code| read.remove(code))
            .collect())
    }

    /// The document of this certification; `titles` gives the titles of the others (for
    /// the certifications that replace it or that it replaces).
    pub(super) fn document(&self, joined: &Joined<'a>, titles: &HashMap<&str, &str>) -> Extracted {
        let title = titled(self.kind_code, self.title);
        let end = DateFormat::parse("%m/%d/%y")
            .ok()
            .and_then(|format| format.read(self.end_of_registration));
        let named = |number: &str| match titles.get(number) {
            Some(title) => format!("{number} ({})", one_line(title)),
            None => number.to_string(),
        };
        let mut status = vec![if self.active {
            "Certification active, enregistrée au RNCP.".to_string()
        } else {
            "Certification qui n'est plus délivrée (inactive au RNCP).".to_string()
        }];
        let mut facts = Vec::new();
        if let Some(level) = self.level {
            facts.push(format!("Niveau {level}"));
        }
        if !self.kind_label.is_empty() {
            facts.push(self.kind_label.to_string());
        }
        if !self.registration.is_empty() {
            facts.push(self.registration.to_lowercase());
        }
        if !facts.is_empty() {
            status.push(format!("{}.", facts.join(", ")));
        }
        if let Some(end) = end {
            status.push(format!(
                "Fin d'enregistrement : {:02}/{:02}/{}.",
                end.day(),
                end.month(),
                end.year()
            ));
        }
        let replaced_by: Vec<String> = self.next.iter().map(|number| named(number)).collect();
        if !replaced_by.is_empty() {
            status.push(format!("Remplacée par : {}.", replaced_by.join(", ")));
        }
        if !self.previous.is_empty() {
            let previous: Vec<String> = self.previous.iter().map(|number| named(number)).collect();
            status.push(format!("Remplace : {}.", previous.join(", ")));
        }
        let description = status.join(" ");

        let rows = |map: &HashMap<&'a str, Vec<[&'a str; 2]>>| -> Vec<[&'a str; 2]> {
            map.get(self.number).cloned().unwrap_or_default()
        };
        let jobs = rows(&joined.jobs);
        let blocks = rows(&joined.blocks);
        let access = rows(&joined.access);
        let domains = rows(&joined.domains);
        let certifiers: Vec<&str> = joined
            .certifiers
            .get(self.number)
            .into_iter()
            .flatten()
            .map(|[name]| *name)
            .filter(|name| !name.is_empty())
            .collect();

        let mut body = Sections::default();
        body.list(
            JOBS,
            jobs.iter()
                .map(|[code, label]| format!("{} ({code})", label.replace("''", "'"))),
        );
        body.list(
            BLOCKS,
            blocks
                .iter()
                .map(|[code, label]| format!("{code} : {}", one_line(label))),
        );
        body.list(CERTIFIERS, certifiers.iter().map(|name| name.to_string()));
        body.list(
            DOMAINS,
            domains
                .iter()
                .map(|[code, label]| format!("{code} {label}")),
        );
        let (body, headings) = body.finish();

        let mut references: Vec<Reference> = jobs
            .iter()
            .filter_map(|[code, label]| {
                let reference = Reference::new(Relation::LeadsTo, Code::rome(code)?);
                Some(reference.labelled(&label.replace("''", "'")))
            })
            .collect();
        let certifications = [
            (Relation::ReplacedBy, &self.next),
            (Relation::Replaces, &self.previous),
        ];
        for (relation, numbers) in certifications {
            for number in numbers {
                if let Some(code) = Code::rncp(number) {
                    let label = titles.get(number).copied().unwrap_or_default();
                    references.push(Reference::new(relation, code).labelled(label));
                }
            }
        }
        references.dedup();

        let mut keywords: Vec<String> = Vec::new();
        for keyword in
            std::iter::once(self.kind_label).chain(domains.iter().map(|[_, label]| *label))
        {
            if !keyword.is_empty() && !keywords.iter().any(|k| k == keyword) {
                keywords.push(keyword.to_string());
            }
        }
        let mut access_routes: Vec<String> = Vec::new();
        for [code, _] in &access {
            if let Some((_, slug)) = ACCESS_ROUTES.iter().find(|(known, _)| known == code) {
                if !access_routes.iter().any(|route| route == slug) {
                    access_routes.push((*slug).to_string());
                }
            }
        }
        Extracted {
            key: Some(self.number.to_string()),
            alt_titles: other_names(self.kind_code, self.title),
            title: Some(title),
            description: Some(description),
            headings,
            body,
            language: Some("fr".to_string()),
            url: self
                .number
                .strip_prefix("RNCP")
                .map(|digits| format!("{FICHE_URL}{digits}/")),
            keywords,
            kind: Some(
                if self.active {
                    ACTIVE_KIND
                } else {
                    INACTIVE_KIND
                }
                .to_string(),
            ),
            level: self.level,
            access_routes,
            references,
            ..Extracted::default()
        }
    }
}

/// `niveau5` → 5, for the levels 1 to 8.
fn european_level(value: &str) -> Option<u8> {
    let digits = value.trim().to_ascii_lowercase();
    let digits = digits.strip_prefix("niveau").unwrap_or(&digits).trim();
    digits.parse().ok().filter(|level| (1..=8).contains(level))
}

/// The title with its kind in front, as people name the certification, unless the title
/// already starts with it: `BTS` + "Banque" → "BTS Banque".
fn titled(kind_code: &str, title: &str) -> String {
    let title = one_line(title);
    let prefix = KIND_PREFIXES
        .iter()
        .find(|(code, _)| *code == kind_code)
        .map(|(_, prefix)| *prefix);
    match prefix {
        Some(prefix) if !starts_with_ignoring_case(&title, prefix) => format!("{prefix} {title}"),
        _ => title,
    }
}

/// The other names of a professional title, as people say them: "TP Secrétaire assistant",
/// "Titre pro Secrétaire assistant".
fn other_names(kind_code: &str, title: &str) -> Vec<String> {
    if kind_code != "TP" {
        return Vec::new();
    }
    let title = one_line(title);
    ["TP", "Titre pro"]
        .into_iter()
        .map(|name| format!("{name} {title}"))
        .collect()
}

/// Whether `text` starts with `prefix`, whatever their case, accents and apostrophes
/// ("Diplôme d’Etat" starts with "Diplôme d'État").
fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    let folded = |text: &str| -> String {
        text.nfd()
            .filter(|c| !is_combining_mark(*c))
            .map(|c| if c == '\u{2019}' { '\'' } else { c })
            .flat_map(char::to_lowercase)
            .collect()
    };
    folded(text).starts_with(&folded(prefix))
}

/// The text on one line: the register's titles may hold line breaks.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_say_the_kind_once() {
        assert_eq!(
            titled("BTS", "Banque, conseiller\nde clientèle"),
            "BTS Banque, conseiller de clientèle"
        );
        assert_eq!(
            titled("TP", "Secrétaire assistant"),
            "Titre professionnel Secrétaire assistant"
        );
        assert_eq!(titled("CAP", "CAP Cuisine"), "CAP Cuisine");
        assert_eq!(
            titled("DE", "Diplôme d'Etat d'aide-soignant (DEAS)"),
            "Diplôme d'Etat d'aide-soignant (DEAS)"
        );
        assert_eq!(
            titled("DE", "Diplôme d’État d'accompagnant éducatif et social"),
            "Diplôme d’État d'accompagnant éducatif et social"
        );
        assert_eq!(titled("Autre", "Coach sportif"), "Coach sportif");
        assert_eq!(titled("", "Coach sportif"), "Coach sportif");
    }

    #[test]
    fn professional_titles_have_their_short_names() {
        assert_eq!(
            other_names("TP", "Secrétaire assistant"),
            ["TP Secrétaire assistant", "Titre pro Secrétaire assistant"]
        );
        assert!(other_names("BTS", "Banque").is_empty());
    }

    #[test]
    fn levels_of_the_european_framework() {
        assert_eq!(european_level("niveau5"), Some(5));
        assert_eq!(european_level("Niveau 8"), Some(8));
        assert_eq!(european_level("niveau9"), None);
        assert_eq!(european_level(""), None);
    }
}

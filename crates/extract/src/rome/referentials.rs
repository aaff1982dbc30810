//! Lookups over the tables of a ROME release, joined on `code_rome` (job profile) and
//! `code_ogr` (skill, knowledge, work context): built once, borrowed from the tables.
//!
//! Every table but `referentiel_code_rome` is optional: a missing table or column leaves its
//! part of the fiches empty and is reported as a warning. Tables this module does not know
//! that have a `code_rome` column are joined generically: their label columns become
//! keywords of the fiche.

use std::collections::HashMap;

use crate::table::{field, Table};

/// Tables read by name; any other table with a `code_rome` column is joined generically.
/// `coherence_item` qualifies each skill link (core or emerging skill) rather than the fiche,
/// so it is deliberately not joined.
const KNOWN_TABLES: &[&str] = &[
    "referentiel_code_rome",
    "texte",
    "liens_rome_referentiels",
    "item",
    "referentiel_competence",
    "referentiel_savoir",
    "referentiel_contexte_travail",
    "descriptif_rubrique",
    "composition_bloc",
    "rubrique_mobilite",
    "cr_gd_dp",
    "referentiel_code_rome_riasec",
    "referentiel_appellation",
    "coherence_item",
];

/// Name of the table of alternative job titles, absent from some releases.
const APPELLATION_TABLE: &str = "referentiel_appellation";

/// One sentence of a fiche's free text (`texte` table).
pub(super) struct Sentence<'a> {
    /// `definition` or `acces_metier`.
    pub(super) kind: &'a str,
    pub(super) position: u32,
    pub(super) text: &'a str,
}

/// A link from a fiche to a skill, knowledge or work context (`liens_rome_referentiels`).
pub(super) struct Link<'a> {
    pub(super) bloc: &'a str,
    pub(super) rubrique: &'a str,
    pub(super) code_ogr: &'a str,
}

/// A label and the category it is listed under.
#[derive(Clone, Copy)]
pub(super) struct Labelled<'a> {
    pub(super) label: &'a str,
    /// Empty when unknown.
    pub(super) category: &'a str,
}

/// Everything joined onto a fiche, by `code_rome` or `code_ogr`.
#[derive(Default)]
pub(super) struct Referentials<'a> {
    pub(super) job_titles: HashMap<&'a str, &'a str>,
    pub(super) texts: HashMap<&'a str, Vec<Sentence<'a>>>,
    pub(super) links: HashMap<&'a str, Vec<Link<'a>>>,
    /// Skills (savoir-faire, savoir-être) and any other item, category from the competence
    /// referential (`cat_comp`).
    pub(super) skills: HashMap<&'a str, Labelled<'a>>,
    pub(super) knowledge: HashMap<&'a str, Labelled<'a>>,
    pub(super) work_contexts: HashMap<&'a str, Labelled<'a>>,
    /// `code_rubrique` -> (display position, label).
    pub(super) rubriques: HashMap<&'a str, (u32, &'a str)>,
    /// `code_compo_bloc` -> label.
    pub(super) blocs: HashMap<&'a str, &'a str>,
    /// Neighbouring jobs: (order, target `code_rome`).
    pub(super) mobility: HashMap<&'a str, Vec<(u32, &'a str)>>,
    /// Grand domaine and domaine professionnel labels.
    pub(super) domains: HashMap<&'a str, Vec<&'a str>>,
    /// RIASEC profile, spelled out.
    pub(super) riasec: HashMap<&'a str, Vec<&'static str>>,
    pub(super) appellations: HashMap<&'a str, Vec<&'a str>>,
    /// Labels from tables joined generically.
    pub(super) extra_keywords: HashMap<&'a str, Vec<&'a str>>,
}

type Tables = HashMap<String, Table>;

impl<'a> Referentials<'a> {
    /// Builds every lookup; problems go to `warnings`.
    pub(super) fn new(tables: &'a Tables, warnings: &mut Vec<String>) -> Self {
        let mut skills = labels_by_code(tables, "item", ["code_ogr", "libelle"], None, warnings);
        skills.extend(labels_by_code(
            tables,
            "referentiel_competence",
            ["code_ogr", "libelle_competence"],
            Some("cat_comp"),
            warnings,
        ));
        Referentials {
            job_titles: pairs(
                tables,
                "referentiel_code_rome",
                ["code_rome", "libelle_rome"],
                warnings,
            ),
            texts: texts(tables, warnings),
            links: links(tables, warnings),
            skills,
            knowledge: labels_by_code(
                tables,
                "referentiel_savoir",
                ["code_ogr_savoir", "libelle_savoir"],
                Some("categorie_savoir"),
                warnings,
            ),
            work_contexts: labels_by_code(
                tables,
                "referentiel_contexte_travail",
                ["code_ogr", "libelle_cont_travail"],
                Some("libelle_type_cont_trav"),
                warnings,
            ),
            rubriques: rubriques(tables, warnings),
            blocs: pairs(
                tables,
                "composition_bloc",
                ["code_compo_bloc", "libelle_bloc"],
                warnings,
            ),
            mobility: mobility(tables, warnings),
            domains: domains(tables, warnings),
            riasec: riasec(tables, warnings),
            appellations: appellations(tables, warnings),
            extra_keywords: generic_keywords(tables),
        }
    }
}

/// `key` -> `value` columns of a table.
fn pairs<'a>(
    tables: &'a Tables,
    name: &str,
    headers: [&str; 2],
    warnings: &mut Vec<String>,
) -> HashMap<&'a str, &'a str> {
    let Some((table, [key, value])) = columns(tables, name, &headers, warnings) else {
        return HashMap::new();
    };
    table
        .rows()
        .iter()
        .map(|row| (field(row, key), field(row, value)))
        .collect()
}

/// `code_ogr` -> label and category (empty when the table has no such column), for rows
/// with a label.
fn labels_by_code<'a>(
    tables: &'a Tables,
    name: &str,
    [code_header, label_header]: [&str; 2],
    category_header: Option<&str>,
    warnings: &mut Vec<String>,
) -> HashMap<&'a str, Labelled<'a>> {
    let Some((table, [code, label])) =
        columns(tables, name, &[code_header, label_header], warnings)
    else {
        return HashMap::new();
    };
    let category = category_header.and_then(|header| table.column(header));
    table
        .rows()
        .iter()
        .map(|row| {
            let entry = Labelled {
                label: field(row, label),
                category: category
                    .map(|column| field(row, column))
                    .unwrap_or_default(),
            };
            (field(row, code), entry)
        })
        .filter(|(_, entry)| !entry.label.is_empty())
        .collect()
}

/// Free-text sentences by `code_rome`; rows whose position is not a number are skipped.
fn texts<'a>(
    tables: &'a Tables,
    warnings: &mut Vec<String>,
) -> HashMap<&'a str, Vec<Sentence<'a>>> {
    let mut texts: HashMap<&str, Vec<Sentence>> = HashMap::new();
    let headers = [
        "code_rome",
        "libelle_type_texte",
        "position_phrase",
        "libelle_texte",
    ];
    let Some((table, [code, kind, position_column, text])) =
        columns(tables, "texte", &headers, warnings)
    else {
        return texts;
    };
    for row in table.rows() {
        let position_text = field(row, position_column);
        let Ok(position) = position_text.parse() else {
            warnings.push(format!(
                "texte: position_phrase {position_text:?} is not a number"
            ));
            continue;
        };
        let sentence = Sentence {
            kind: field(row, kind),
            position,
            text: field(row, text),
        };
        texts.entry(field(row, code)).or_default().push(sentence);
    }
    texts
}

/// Links to skills, knowledge and work contexts by `code_rome`.
fn links<'a>(tables: &'a Tables, warnings: &mut Vec<String>) -> HashMap<&'a str, Vec<Link<'a>>> {
    let mut links: HashMap<&str, Vec<Link>> = HashMap::new();
    let headers = ["code_rome", "code_compo_bloc", "code_rubrique", "code_ogr"];
    let Some((table, [code, bloc, rubrique, code_ogr])) =
        columns(tables, "liens_rome_referentiels", &headers, warnings)
    else {
        return links;
    };
    for row in table.rows() {
        let link = Link {
            bloc: field(row, bloc),
            rubrique: field(row, rubrique),
            code_ogr: field(row, code_ogr),
        };
        links.entry(field(row, code)).or_default().push(link);
    }
    links
}

/// `code_rubrique` -> (display position, label); an unreadable position sorts last.
fn rubriques<'a>(
    tables: &'a Tables,
    warnings: &mut Vec<String>,
) -> HashMap<&'a str, (u32, &'a str)> {
    let headers = ["code_rubrique", "position_rubrique", "libelle_rubrique"];
    let Some((table, [code, position, label])) =
        columns(tables, "descriptif_rubrique", &headers, warnings)
    else {
        return HashMap::new();
    };
    table
        .rows()
        .iter()
        .map(|row| {
            let position = field(row, position).parse().unwrap_or(u32::MAX);
            (field(row, code), (position, field(row, label)))
        })
        .collect()
}

/// Neighbouring jobs by `code_rome`: (order, target); an unreadable order sorts last.
fn mobility<'a>(
    tables: &'a Tables,
    warnings: &mut Vec<String>,
) -> HashMap<&'a str, Vec<(u32, &'a str)>> {
    let mut mobility: HashMap<&str, Vec<(u32, &str)>> = HashMap::new();
    let headers = ["code_rome", "code_rome_cible", "numero_ordre"];
    let Some((table, [code, target, order])) =
        columns(tables, "rubrique_mobilite", &headers, warnings)
    else {
        return mobility;
    };
    for row in table.rows() {
        let order = field(row, order).parse().unwrap_or(u32::MAX);
        mobility
            .entry(field(row, code))
            .or_default()
            .push((order, field(row, target)));
    }
    mobility
}

/// Grand domaine and domaine professionnel labels by `code_rome`.
fn domains<'a>(tables: &'a Tables, warnings: &mut Vec<String>) -> HashMap<&'a str, Vec<&'a str>> {
    let mut domains: HashMap<&str, Vec<&str>> = HashMap::new();
    let headers = ["code_rome", "libelle_grand_domaine"];
    let Some((table, [code, grand_domaine])) = columns(tables, "cr_gd_dp", &headers, warnings)
    else {
        return domains;
    };
    // The v460 release spells the column "professionel".
    let domaine = table
        .column("libelle_domaine_professionnel")
        .or_else(|| table.column("libelle_domaine_professionel"));
    for row in table.rows() {
        let labels = std::iter::once(grand_domaine)
            .chain(domaine)
            .map(|column| field(row, column));
        domains.entry(field(row, code)).or_default().extend(labels);
    }
    domains
}

/// RIASEC profile (major, then minor letter) spelled out, by `code_rome`.
fn riasec<'a>(
    tables: &'a Tables,
    warnings: &mut Vec<String>,
) -> HashMap<&'a str, Vec<&'static str>> {
    let mut profiles: HashMap<&str, Vec<&str>> = HashMap::new();
    let headers = ["code_rome", "riasec_majeur", "riasec_mineur"];
    let Some((table, [code, major, minor])) =
        columns(tables, "referentiel_code_rome_riasec", &headers, warnings)
    else {
        return profiles;
    };
    for row in table.rows() {
        let profile = [major, minor]
            .into_iter()
            .filter_map(|column| riasec_label(field(row, column)));
        profiles
            .entry(field(row, code))
            .or_default()
            .extend(profile);
    }
    profiles
}

/// The table `name` and the indexes of its columns `headers`; `None` (with a warning) when
/// the table or one of the columns is missing.
fn columns<'t, const N: usize>(
    tables: &'t Tables,
    name: &str,
    headers: &[&str; N],
    warnings: &mut Vec<String>,
) -> Option<(&'t Table, [usize; N])> {
    let Some(table) = tables.get(name) else {
        warnings.push(format!("table {name} is missing"));
        return None;
    };
    let mut indexes = [0; N];
    for (index, header) in indexes.iter_mut().zip(headers) {
        let Some(column) = table.column(header) else {
            warnings.push(format!("table {name} has no column {header}, ignored"));
            return None;
        };
        *index = column;
    }
    Some((table, indexes))
}

/// The RIASEC letter spelled out.
fn riasec_label(letter: &str) -> Option<&'static str> {
    Some(match letter {
        "R" => "Réaliste",
        "I" => "Investigateur",
        "A" => "Artistique",
        "S" => "Social",
        "E" => "Entreprenant",
        "C" => "Conventionnel",
        _ => return None,
    })
}

/// Alternative job titles (long and short labels) by `code_rome`, when the release has them.
fn appellations<'a>(
    tables: &'a Tables,
    warnings: &mut Vec<String>,
) -> HashMap<&'a str, Vec<&'a str>> {
    let mut titles: HashMap<&str, Vec<&str>> = HashMap::new();
    let Some(table) = tables.get(APPELLATION_TABLE) else {
        return titles;
    };
    let labels: Vec<usize> = ["libelle_appellation_long", "libelle_appellation_court"]
        .into_iter()
        .filter_map(|header| table.column(header))
        .collect();
    let Some(code) = table.column("code_rome").filter(|_| !labels.is_empty()) else {
        warnings.push(format!(
            "table {APPELLATION_TABLE} lacks code_rome or libelle_appellation_*, ignored"
        ));
        return titles;
    };
    for row in table.rows() {
        let entry = titles.entry(field(row, code)).or_default();
        entry.extend(
            labels
                .iter()
                .map(|&column| field(row, column))
                .filter(|title| !title.is_empty()),
        );
    }
    titles
}

/// Labels of unknown tables that have a `code_rome` column, by `code_rome`. Label columns are
/// those not named like codes (`code*`, `numero*`, `position*`, `id`, `id_*`); a value counts when it
/// has at least two letters, which leaves out flags such as "O"/"N" and numbers.
fn generic_keywords(tables: &Tables) -> HashMap<&str, Vec<&str>> {
    let mut keywords: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut unknown: Vec<(&String, &Table)> = tables
        .iter()
        .filter(|(name, _)| !KNOWN_TABLES.contains(&name.as_str()))
        .collect();
    unknown.sort_by_key(|(name, _)| *name);
    for (_, table) in unknown {
        let Some(code) = table.column("code_rome") else {
            continue;
        };
        let label_columns: Vec<usize> = table
            .headers()
            .enumerate()
            .filter(|(_, header)| {
                let header = header.to_lowercase();
                header != "id"
                    && !["code", "numero", "position", "id_"]
                        .iter()
                        .any(|prefix| header.starts_with(prefix))
            })
            .map(|(index, _)| index)
            .collect();
        for row in table.rows() {
            let labels = label_columns
                .iter()
                .map(|&column| field(row, column))
                .filter(|value| value.chars().filter(|c| c.is_alphabetic()).nth(1).is_some());
            keywords.entry(field(row, code)).or_default().extend(labels);
        }
    }
    keywords
}

//! Extractor for a ROME 4.0 release (France Travail's referential of jobs): a folder of CSV
//! tables giving one document per job profile (`code_rome`).
//!
//! Tables are found by name whatever their version (`unix_<table>_v<NNN>_utf8.csv`), columns
//! by header name. Each fiche gets its definition, access conditions, skills, knowledge, work
//! contexts and neighbouring jobs as body sections; its domains, RIASEC profile and tags as
//! keywords; its appellations (when the release has them) as alternative titles. Only
//! `referentiel_code_rome` is required; bad rows are skipped and reported.

mod fiche;
mod referentials;
mod tables;

use std::collections::HashSet;
use std::path::Path;

use crate::table::field;
use crate::{ExtractError, Extracted};
use fiche::JobRow;
use referentials::Referentials;

const FORMAT: &str = "rome";

/// The table listing the fiches, the only one required.
const JOBS_TABLE: &str = "referentiel_code_rome";

/// Flags of `referentiel_code_rome` that become keywords when set to "O".
const FLAG_KEYWORDS: &[(&str, &str)] = &[
    ("emploi_reglemente", "Emploi réglementé"),
    ("emploi_cadre", "Emploi cadre"),
    ("transition_num", "Transition numérique"),
    ("transition_demo", "Transition démographique"),
];

/// Column of the ecological transition class ("Emploi Vert", "Emploi Brun"...), a keyword
/// unless it is the neutral "Emploi Blanc".
const ECOLOGICAL_TRANSITION: &str = "transition_eco";
const NEUTRAL_ECOLOGICAL_CLASS: &str = "Emploi Blanc";

/// The fiches of a release and what was skipped while reading it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReleaseExtraction {
    /// One document per job profile, in the order of `referentiel_code_rome`.
    pub fiches: Vec<Extracted>,
    /// Skipped rows and ignored tables or columns, one sentence each.
    pub warnings: Vec<String>,
}

/// Extracts one document per `code_rome` from a release folder, with the warnings about
/// skipped rows, missing optional tables and ignored columns.
///
/// Fails when the folder cannot be read, a table is over 64 MiB, or `referentiel_code_rome`
/// (with its `code_rome` and `libelle_rome` columns) is missing.
pub fn extract(dir: &Path) -> Result<ReleaseExtraction, ExtractError> {
    let tables::Release {
        tables,
        date,
        mut warnings,
    } = tables::load(dir)?;
    let jobs = tables
        .get(JOBS_TABLE)
        .ok_or_else(|| ExtractError::malformed(FORMAT, format!("missing table {JOBS_TABLE}")))?;
    let required = |header: &str| {
        jobs.column(header).ok_or_else(|| {
            ExtractError::malformed(FORMAT, format!("table {JOBS_TABLE} has no column {header}"))
        })
    };
    let (code_column, title_column) = (required("code_rome")?, required("libelle_rome")?);
    let flag_columns: Vec<(usize, &str)> = FLAG_KEYWORDS
        .iter()
        .filter_map(|(header, keyword)| Some((jobs.column(header)?, *keyword)))
        .collect();
    let ecological_column = jobs.column(ECOLOGICAL_TRANSITION);

    let lookups = Referentials::new(&tables, &mut warnings);
    let mut seen = HashSet::new();
    let mut fiches = Vec::with_capacity(jobs.rows().len());
    for row in jobs.rows() {
        let (code, title) = (field(row, code_column), field(row, title_column));
        if code.is_empty() || title.is_empty() {
            warnings.push(format!(
                "{JOBS_TABLE}: row without code_rome or libelle_rome skipped"
            ));
            continue;
        }
        if !seen.insert(code) {
            warnings.push(format!("{JOBS_TABLE}: duplicate code_rome {code} skipped"));
            continue;
        }
        let flags = flag_columns
            .iter()
            .filter(|(column, _)| field(row, *column) == "O")
            .map(|(_, keyword)| *keyword);
        let ecological = ecological_column
            .map(|column| field(row, column))
            .filter(|class| *class != NEUTRAL_ECOLOGICAL_CLASS);
        let job = JobRow {
            code,
            title,
            tags: ecological.into_iter().chain(flags).collect(),
        };
        fiches.push(fiche::build(job, &lookups, date));
    }
    Ok(ReleaseExtraction { fiches, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Instant;

    const RELEASE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/rome");
    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/rome");

    fn fiche<'a>(fiches: &'a [Extracted], code: &str) -> &'a Extracted {
        fiches
            .iter()
            .find(|fiche| fiche.key.as_deref() == Some(code))
            .unwrap_or_else(|| panic!("no fiche {code}"))
    }

    /// A copy of the fixture release without the files named in `left_out`.
    fn fixture_without(left_out: &[&str]) -> tempfile::TempDir {
        let copy = tempfile::tempdir().expect("temporary folder");
        for entry in std::fs::read_dir(FIXTURE).expect("fixture folder") {
            let path: PathBuf = entry.expect("fixture entry").path();
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            if !left_out.iter().any(|table| name.starts_with(table)) {
                std::fs::copy(&path, copy.path().join(name)).expect("copy fixture file");
            }
        }
        copy
    }

    #[test]
    fn whole_real_release() {
        let started = Instant::now();
        let extraction = extract(Path::new(RELEASE)).expect("release extracts");
        eprintln!(
            "ROME v460: {} fiches in {:?}",
            extraction.fiches.len(),
            started.elapsed()
        );
        assert_eq!(extraction.fiches.len(), 1584);
        assert_eq!(extraction.warnings, Vec::<String>::new());
        for fiche in &extraction.fiches {
            assert!(
                !fiche.body.contains("''"),
                "{:?} keeps doubled apostrophes",
                fiche.key
            );
            assert!(
                fiche.description.is_some() && fiche.headings.len() >= 4,
                "{:?}",
                fiche.key
            );
        }
    }

    #[test]
    fn real_fiche_a1101() {
        let fiches = extract(Path::new(RELEASE))
            .expect("release extracts")
            .fiches;
        let a1101 = fiche(&fiches, "A1101");
        assert_eq!(
            a1101.title.as_deref(),
            Some("Conducteur / Conductrice d'engins agricoles")
        );
        assert_eq!(
            a1101.url.as_deref(),
            Some("https://candidat.francetravail.fr/metierscope/fiche-metier/A1101")
        );
        assert_eq!(
            a1101.date.map(|d| d.to_string()).as_deref(),
            Some("2025-09-18")
        );
        assert_eq!(a1101.language.as_deref(), Some("fr"));
        assert_eq!(
            a1101.headings,
            [
                "Définition",
                "Accès à l'emploi",
                "Compétences",
                "Savoirs",
                "Contextes de travail",
                "Métiers proches"
            ]
        );
        assert!(a1101
            .description
            .as_deref()
            .is_some_and(|text| text.starts_with(
                "Réalise des travaux agricoles mécanisés. Aménage et prépare les terrains"
            )));
        for expected in [
            "## Définition\n\nRéalise des travaux agricoles mécanisés.\nAménage et prépare",
            "en assure l'entretien et la maintenance de premier niveau.",
            "même s'il est possible de les obtenir en cours d'emploi.",
            "option \"Tracteurs et machines agricoles\"",
            "\n\n### Savoir-faire\n\n- Contrôler le fonctionnement d'un dispositif de sécurité\n",
            "\n- Conduire un véhicule agricole\n",
            "\n\n### Savoir-être professionnels\n\n- Faire preuve d'autonomie\n",
            "\n- Fonctionnement des engins agricoles\n",
            "Horaires et durée du travail\n",
            "- Conducteur / Conductrice d'engins d'exploitation forestière (A1102)",
        ] {
            assert!(
                a1101.body.contains(expected),
                "A1101 body lacks {expected:?}"
            );
        }
        assert_eq!(
            a1101.keywords,
            [
                "Agriculture et Pêche, Espaces naturels et Espaces verts, Soins aux animaux",
                "Engins agricoles et forestiers",
                "Réaliste",
            ]
        );
        assert!(
            a1101.alt_titles.is_empty(),
            "the bundled release has no appellations"
        );
        let neighbour = crate::Reference::new(
            crate::Relation::Neighbour,
            crate::Code::rome("A1102").unwrap(),
        )
        .labelled("Conducteur / Conductrice d'engins d'exploitation forestière");
        assert!(
            a1101.references.contains(&neighbour),
            "{:?}",
            a1101.references
        );
    }

    #[test]
    fn fixture_fiches_joins_and_tags() {
        let extraction = extract(Path::new(FIXTURE)).expect("fixture extracts");
        let codes: Vec<_> = extraction
            .fiches
            .iter()
            .filter_map(|fiche| fiche.key.as_deref())
            .collect();
        assert_eq!(codes, ["A1101", "K2111"]);
        let a1101 = fiche(&extraction.fiches, "A1101");
        assert_eq!(
            a1101.date.map(|d| d.to_string()).as_deref(),
            Some("2024-02-01")
        );
        assert_eq!(
            a1101.description.as_deref(),
            Some("Réalise des travaux d'essai. Utilise l'engin du banc de test.")
        );
        assert_eq!(
            a1101.body,
            "## Définition\n\nRéalise des travaux d'essai.\nUtilise l'engin du banc de test.\n\n\
             ## Compétences\n\n### Savoir-faire\n\n- Conduire un engin d'essai\n\n\
             ### Savoir-être professionnels\n\n- Faire preuve de patience\n\n\
             ## Savoirs\n\n### Techniques professionnelles\n\n- Mécanique des bancs de test\n\n\
             ## Contextes de travail\n\n### Horaires et durée du travail\n\n- Travail de nuit\n\n\
             ## Métiers proches\n\n- Formateur / Formatrice (K2111)"
        );
        assert_eq!(
            a1101.keywords,
            [
                "Agriculture",
                "Engins agricoles",
                "Réaliste",
                "Conventionnel",
                "Emploi Vert",
                "Emploi réglementé",
                "Culture de céréales (à l’exception du riz)",
                "Élevage d’essai",
            ]
        );
        let k2111 = fiche(&extraction.fiches, "K2111");
        assert_eq!(k2111.keywords, ["Transition numérique"]);
        assert_eq!(k2111.headings, ["Accès à l'emploi"]);
    }

    #[test]
    fn fixture_appellations_become_alternative_titles() {
        let fiches = extract(Path::new(FIXTURE))
            .expect("fixture extracts")
            .fiches;
        assert_eq!(
            fiche(&fiches, "A1101").alt_titles,
            [
                "Pilote de banc d'essai agricole",
                "Pilote banc essai",
                "Essayeur / Essayeuse de tracteurs lunaires"
            ]
        );
        assert_eq!(
            fiche(&fiches, "K2111").alt_titles,
            ["Animateur / Animatrice d'ateliers imaginaires"]
        );
    }

    #[test]
    fn fixture_bad_rows_are_skipped_and_reported() {
        let extraction = extract(Path::new(FIXTURE)).expect("fixture extracts");
        let warnings = &extraction.warnings;
        assert_eq!(warnings.len(), 5, "{warnings:?}");
        for expected in [
            "referentiel_code_rome row 4: 3 fields, the header has 10",
            "referentiel_code_rome: row without code_rome or libelle_rome skipped",
            "referentiel_code_rome: duplicate code_rome A1101 skipped",
            "texte: position_phrase \"deux\" is not a number",
            "cr_gd_dp: version 998 ignored, 999 kept",
        ] {
            assert!(
                warnings.iter().any(|warning| warning == expected),
                "no warning {expected:?}"
            );
        }
    }

    #[test]
    fn missing_jobs_table_or_column_is_malformed() {
        let without_jobs = fixture_without(&["unix_referentiel_code_rome_v"]);
        assert_eq!(
            extract(without_jobs.path()),
            Err(ExtractError::malformed(
                "rome",
                "missing table referentiel_code_rome"
            ))
        );
        let bad_header = fixture_without(&["unix_referentiel_code_rome_v"]);
        std::fs::write(
            bad_header
                .path()
                .join("unix_referentiel_code_rome_v1_utf8.csv"),
            "code_rome,intitule\nA1101,Titre\n",
        )
        .expect("write test table");
        assert_eq!(
            extract(bad_header.path()),
            Err(ExtractError::malformed(
                "rome",
                "table referentiel_code_rome has no column libelle_rome"
            ))
        );
        let empty = tempfile::tempdir().expect("temporary folder");
        assert!(matches!(
            extract(empty.path()),
            Err(ExtractError::Malformed { .. })
        ));
        assert!(matches!(
            extract(&empty.path().join("absent")),
            Err(ExtractError::Io(_))
        ));
    }

    #[test]
    fn missing_optional_tables_and_garbage_degrade_to_warnings() {
        let release = fixture_without(&["unix_texte", "unix_item", "unix_referentiel_savoir"]);
        std::fs::write(
            release.path().join("unix_rubrique_mobilite_v999_utf8.csv"),
            b"\x00\xff\"\n\"\"\"",
        )
        .expect("write garbage table");
        let extraction = extract(release.path()).expect("release extracts");
        let a1101 = fiche(&extraction.fiches, "A1101");
        assert_eq!(a1101.description, None);
        assert!(!a1101
            .headings
            .iter()
            .any(|heading| heading == "Définition" || heading == "Métiers proches"));
        assert!(a1101
            .body
            .contains("### Savoir-faire\n\n- Conduire un engin d'essai"));
        for expected in [
            "table texte is missing",
            "table rubrique_mobilite has no column code_rome, ignored",
        ] {
            assert!(
                extraction
                    .warnings
                    .iter()
                    .any(|warning| warning == expected),
                "no warning {expected:?}"
            );
        }
    }
}

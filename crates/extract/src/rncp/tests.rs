use std::path::{Path, PathBuf};

use super::*;
use crate::{Code, Reference, Relation};

const EXPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/rncp");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/rncp");

fn certification<'a>(documents: &'a [Extracted], number: &str) -> &'a Extracted {
    documents
        .iter()
        .find(|document| document.key.as_deref() == Some(number))
        .unwrap_or_else(|| panic!("no certification {number}"))
}

/// A copy of the fixture export, with `changes` (file name, new content or `None` to
/// leave the file out).
fn fixture_with(changes: &[(&str, Option<&[u8]>)]) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("temporary folder");
    for entry in std::fs::read_dir(FIXTURE).expect("fixture folder") {
        let path: PathBuf = entry.expect("fixture entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !changes.iter().any(|(changed, _)| *changed == name) {
            std::fs::copy(&path, copy.path().join(&name)).expect("copy fixture file");
        }
    }
    for (name, content) in changes {
        if let Some(content) = content {
            std::fs::write(copy.path().join(name), content).expect("write changed file");
        }
    }
    copy
}

#[test]
fn whole_real_export() {
    let extraction = extract(Path::new(EXPORT)).expect("export extracts");
    assert_eq!(extraction.certifications.len(), 17_369);
    assert_eq!(extraction.warnings, Vec::<String>::new());
    let active = extraction
        .certifications
        .iter()
        .filter(|c| c.kind.as_deref() == Some("certification"))
        .count();
    assert_eq!(active, 4_481, "4,542 active rows, some repeated");
    for document in &extraction.certifications {
        assert!(
            document.title.as_deref().is_some_and(|t| !t.contains('\n')),
            "{:?}",
            document.key
        );
        assert!(
            document.level.is_some_and(|level| (3..=8).contains(&level)),
            "{:?}",
            document.key
        );
    }
}

#[test]
fn real_certification_bts_banque() {
    let documents = extract(Path::new(EXPORT))
        .expect("export extracts")
        .certifications;
    let bts = certification(&documents, "RNCP1174");
    assert_eq!(
        bts.title.as_deref(),
        Some("BTS Banque, conseiller de clientèle (particuliers)")
    );
    assert_eq!(bts.kind.as_deref(), Some("certification"));
    assert_eq!(bts.level, Some(5));
    assert_eq!(
        bts.url.as_deref(),
        Some("https://www.francecompetences.fr/recherche/rncp/1174/")
    );
    let description = bts.description.as_deref().unwrap_or_default();
    assert!(
        description.starts_with("Certification active"),
        "{description}"
    );
    assert!(
        description.contains("Fin d'enregistrement : 01/01/2024."),
        "{description}"
    );
    assert!(
        description.contains("RNCP1175 (Banque option : B marché des professionnels)"),
        "{description}"
    );
    assert!(bts
        .keywords
        .iter()
        .any(|k| k == "Brevet de technicien supérieur"));
    let replaced = certification(&documents, "RNCP1175");
    assert_eq!(replaced.kind.as_deref(), Some("certification-inactive"));
    let said = replaced.description.as_deref().unwrap_or_default();
    assert!(
        said.contains("Remplacée par : RNCP1174 (Banque, conseiller de clientèle (particuliers))."),
        "{said}"
    );
    let successor = Reference::new(Relation::ReplacedBy, Code::Rncp("RNCP1174".into()))
        .labelled("Banque, conseiller de clientèle (particuliers)");
    assert!(
        replaced.references.contains(&successor),
        "{:?}",
        replaced.references
    );
}

#[test]
fn real_certification_leads_to_its_jobs_by_its_routes() {
    let documents = extract(Path::new(EXPORT))
        .expect("export extracts")
        .certifications;
    let first = certification(&documents, "RNCP34001");
    let jobs: Vec<&Reference> = first
        .references
        .iter()
        .filter(|r| r.relation == Relation::LeadsTo)
        .collect();
    assert!(jobs.iter().any(|r| r.code == Code::Rome("A1101".into())
        && r.label.as_deref() == Some("Conduite d'engins agricoles et forestiers")));
    assert!(
        first
            .body
            .contains("- Conduite d'engins agricoles et forestiers (A1101)"),
        "{}",
        first.body
    );
    assert!(!first.body.contains("''"));
    let with_routes = documents
        .iter()
        .find(|d| d.access_routes.len() == 6)
        .expect("a certification open by every route");
    let mut routes = with_routes.access_routes.clone();
    routes.sort();
    assert_eq!(
        routes,
        [
            "apprentissage",
            "candidature-individuelle",
            "contrat-professionnalisation",
            "formation-continue",
            "formation-initiale",
            "vae"
        ]
    );
}

#[test]
fn fixture_joins_merges_and_reports() {
    let extraction = extract(Path::new(FIXTURE)).expect("fixture extracts");
    let numbers: Vec<&str> = extraction
        .certifications
        .iter()
        .filter_map(|c| c.key.as_deref())
        .collect();
    assert_eq!(numbers, ["RNCP900", "RNCP901", "RNCP902"]);
    let renewed = certification(&extraction.certifications, "RNCP901");
    assert_eq!(
        renewed.title.as_deref(),
        Some("CAP Pâtisserie imaginaire rénovée")
    );
    assert_eq!(renewed.level, Some(3));
    assert_eq!(
        renewed.access_routes,
        ["apprentissage", "vae", "formation-initiale"]
    );
    assert_eq!(
        renewed.references,
        [
            Reference::new(Relation::LeadsTo, Code::Rome("D1104".into()))
                .labelled("Pâtisserie, confiserie, chocolaterie et glacerie"),
            Reference::new(Relation::Replaces, Code::Rncp("RNCP900".into()))
                .labelled("Pâtisserie imaginaire"),
            Reference::new(Relation::Replaces, Code::Rncp("RNCP899".into())),
        ]
    );
    assert_eq!(
        renewed.body,
        "## Métiers visés\n\n- Pâtisserie, confiserie, chocolaterie et glacerie (D1104)\n\n\
         ## Blocs de compétences\n\n- RNCP901BC01 : Réaliser des entremets imaginaires\n\
         - RNCP901BC02 : Présenter une vitrine\n\n\
         ## Certificateurs\n\n- MINISTERE DE L'EDUCATION NATIONALE\n\n\
         ## Domaines (NSF)\n\n- 221 Agro-alimentaire, alimentation, cuisine"
    );
    let old = certification(&extraction.certifications, "RNCP900");
    assert_eq!(old.kind.as_deref(), Some("certification-inactive"));
    assert!(old
        .description
        .as_deref()
        .is_some_and(|d| d.contains("Remplacée par : RNCP901 (Pâtisserie imaginaire rénovée).")));
    let guard = certification(&extraction.certifications, "RNCP902");
    assert_eq!(
        guard.title.as_deref(),
        Some("Titre professionnel Gardien de phare lunaire")
    );
    assert!(
        !guard
            .description
            .as_deref()
            .unwrap_or_default()
            .contains("Fin d'enregistrement"),
        "30 February is not a date"
    );
    assert_eq!(
        guard.access_routes,
        ["formation-continue", "contrat-professionnalisation"]
    );
    assert!(guard.body.contains("- Code d'un autre temps (X9999)"));
    assert_eq!(
        extraction.warnings,
        [
            "info row 7: 3 fields, the header has 11",
            "voix_acces: access route \"NOUVEAU\" unknown, ignored",
            "info: row without Numero_Fiche or Intitule skipped",
        ]
    );
}

#[test]
fn missing_info_table_or_column_is_malformed() {
    let without_info = fixture_with(&[("rncp_info.csv", None)]);
    assert_eq!(
        extract(without_info.path()),
        Err(ExtractError::malformed("rncp", "missing table rncp_info"))
    );
    let bad_header = fixture_with(&[("rncp_info.csv", Some(b"Numero;Intitule\nRNCP1;Titre\n"))]);
    assert_eq!(
        extract(bad_header.path()),
        Err(ExtractError::malformed(
            "rncp",
            "table info has no column Numero_Fiche"
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
fn hostile_tables_degrade_to_warnings() {
    let huge = format!(
        "CodeRNCP;numero_bloc;intitule;;\nRNCP901;RNCP901BC01;{};;\n",
        "é".repeat(40_000)
    );
    let export = fixture_with(&[
        ("rncp_nsf.csv", None),
        ("rncp_certificateurs.csv", Some(b"\x00\xff\"\n\"\"\"")),
        ("rncp_rome.csv", Some(b"CodeRNCP;EtatFiche;Rome;libelle;;\nRNCP901;;D1104;P\xe2tisserie d\x92exception;;\n")),
        ("rncp_blocs_competences.csv", Some(huge.as_bytes())),
        ("notes.csv", Some(b"a;b\n")),
    ]);
    let extraction = extract(export.path()).expect("export extracts");
    assert_eq!(extraction.certifications.len(), 3);
    let renewed = certification(&extraction.certifications, "RNCP901");
    assert!(
        renewed.body.contains("- Pâtisserie d’exception (D1104)"),
        "Windows-1252 decoded"
    );
    assert!(!renewed
        .headings
        .iter()
        .any(|h| h == "Blocs de compétences" || h == "Certificateurs"));
    for expected in [
        "notes.csv: not a table of the RNCP export, ignored",
        "table nsf is missing",
        "table certificateurs has no column CodeRNCP, ignored",
    ] {
        assert!(
            extraction.warnings.iter().any(|w| w == expected),
            "no warning {expected:?} in {:?}",
            extraction.warnings
        );
    }
    assert!(extraction
        .warnings
        .iter()
        .any(|w| w.starts_with("blocs_competences row 2: a field is over")));
}

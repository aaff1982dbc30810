use super::*;
use crate::{Code, Reference, Relation};

const JOBS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/onisep/ideo-metiers.csv"
));
const PROGRAMMES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/onisep/ideo-formations-initiales.csv"
));

fn fiche<'a>(documents: &'a [Extracted], slug: &str) -> &'a Extracted {
    documents
        .iter()
        .find(|d| d.key.as_deref() == Some(slug))
        .unwrap_or_else(|| panic!("no fiche {slug}"))
}

#[test]
fn real_job_fiches_merge_their_publications() {
    let extraction = extract(JOBS).expect("jobs extract");
    assert_eq!(extraction.documents.len(), 958, "one per onisep.fr link");
    assert_eq!(extraction.warnings, Vec::<String>::new());
    let orthoptist = fiche(&extraction.documents, "MET.877");
    assert_eq!(orthoptist.title.as_deref(), Some("Orthoptiste"));
    assert_eq!(orthoptist.kind.as_deref(), Some("fiche-metier-onisep"));
    assert_eq!(
        orthoptist.url.as_deref(),
        Some("https://www.onisep.fr/http/redirection/metier/slug/MET.877")
    );
    assert_eq!(
        orthoptist.references,
        [Reference::new(Relation::Describes, Code::Rome("J1407".into())).labelled("Orthoptique")]
    );
    assert!(
        orthoptist
            .description
            .as_deref()
            .is_some_and(|d| d.contains("Orthoptique (J1407)")),
        "{}",
        orthoptist.body
    );
    assert!(orthoptist
        .body
        .contains("Travailler auprès des enfants (2023)"));
    assert!(orthoptist.keywords.iter().any(|k| k == "paramédical"));
    let merged = extraction
        .documents
        .iter()
        .filter(|d| d.body.matches("\n- ").count() > 6)
        .count();
    assert!(merged > 0, "some fiches gather several publications");
}

#[test]
fn real_programmes_prepare_their_certification() {
    let extraction = extract(PROGRAMMES).expect("programmes extract");
    assert_eq!(extraction.documents.len(), 6_086);
    assert_eq!(extraction.warnings, Vec::<String>::new());
    let first = fiche(&extraction.documents, "FOR.6913");
    assert_eq!(
        first.title.as_deref(),
        Some("Chargé d'accompagnement social et professionnel")
    );
    assert_eq!(first.kind.as_deref(), Some("formation"));
    assert_eq!(first.level, Some(5));
    assert_eq!(first.access_routes, ["formation-initiale"]);
    assert_eq!(
        first.references,
        [Reference::new(
            Relation::Prepares,
            Code::Rncp("RNCP7426".into())
        )]
    );
    assert_eq!(
        first.description.as_deref(),
        Some("Formation d'école spécialisée, en 2 ans, niveau 5 (bac + 2). Prépare la certification RNCP7426.")
    );
    let unregistered = fiche(&extraction.documents, "FOR.7172");
    assert_eq!(unregistered.level, None);
    assert!(unregistered.references.is_empty());
    let bts = extraction
        .documents
        .iter()
        .find(|d| d.title.as_deref() == Some("BTS banque, conseiller de clientèle (particuliers)"))
        .expect("the BTS banque programme");
    assert_eq!(
        bts.references,
        [Reference::new(
            Relation::Prepares,
            Code::Rncp("RNCP1174".into())
        )]
    );
}

#[test]
fn hostile_files_fail_clearly_or_skip_their_bad_rows() {
    assert!(matches!(
        extract(b"a;b\n1;2\n"),
        Err(ExtractError::Malformed { .. })
    ));
    assert!(matches!(extract(b""), Err(ExtractError::Malformed { .. })));
    let no_link = "\"libellé métier\";\"code ROME (V.3)\"\nboulanger;D1102\n";
    assert!(matches!(
        extract(no_link.as_bytes()),
        Err(ExtractError::Malformed { .. })
    ));
    let huge = "x".repeat(crate::table::MAX_FIELD_BYTES + 1);
    let mut table =
        String::from("\"libellé métier\";\"lien site onisep.fr\";\"code ROME (V.3)\"\n");
    table.push_str("boulanger;https://www.onisep.fr/metier/slug/MET.1;D1102\n");
    table.push_str("sans lien;;D1102\n");
    table.push_str(";https://www.onisep.fr/metier/slug/MET.2;D1102\n");
    table.push_str(&format!(
        "{huge};https://www.onisep.fr/metier/slug/MET.3;D1102\n"
    ));
    table.push_str("boulangère;https://www.onisep.fr/metier/slug/MET.1;D1103\n");
    table.push_str("tronqué;https://www.onisep");
    let extraction = extract(table.as_bytes()).expect("a job table");
    let slugs: Vec<&str> = extraction
        .documents
        .iter()
        .filter_map(|d| d.key.as_deref())
        .collect();
    assert_eq!(slugs, ["MET.1"]);
    assert_eq!(
        extraction.documents[0].references.len(),
        2,
        "merged rows keep both jobs"
    );
    assert_eq!(extraction.warnings.len(), 4, "{:?}", extraction.warnings);
    let windows = b"\"libell\xe9 m\xe9tier\";\"lien site onisep.fr\"\n\xe9b\xe9niste;https://www.onisep.fr/metier/slug/MET.4\n";
    let decoded = extract(windows).expect("a Windows-1252 job table");
    assert_eq!(decoded.documents[0].title.as_deref(), Some("Ébéniste"));
}

use super::*;
use crate::{Code, Reference, Relation};

const SAMPLE: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/lheo/exemple-bts-onisep.xml"
));
const OFFERS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/lheo/offres-paca.xml"
));

#[test]
fn the_real_sample_offer() {
    let extraction = extract(SAMPLE).expect("sample extracts");
    assert!(extraction.warnings.is_empty(), "{:?}", extraction.warnings);
    let [Ok(offer)] = extraction.documents.as_slice() else {
        panic!("one offer: {:?}", extraction.documents);
    };
    assert_eq!(offer.key.as_deref(), Some("9436_18706"));
    assert_eq!(
        offer.title.as_deref(),
        Some("BTS négociation et relation client")
    );
    assert_eq!(
        offer.level,
        Some(5),
        "code-niveau-sortie 6 is niveau III, bac + 2"
    );
    assert_eq!(offer.departments, ["29"]);
    assert_eq!(offer.access_routes, ["formation-initiale"]);
    assert_eq!(
        offer.url.as_deref(),
        Some("https://www2.cndp.fr/archivage/valid/brochadmin/bouton/c052.htm")
    );
    assert_eq!(
        offer.references,
        [
            Reference::new(Relation::LeadsTo, Code::Rome("D1402".into())),
            Reference::new(Relation::LeadsTo, Code::Rome("D1403".into())),
            Reference::new(Relation::LeadsTo, Code::Rome("D1408".into())),
            Reference::new(Relation::Prepares, Code::Rncp("RNCP474".into())),
        ]
    );
    assert_eq!(
        offer.headings,
        [
            "Objectif",
            "Résultats attendus",
            "Contenu",
            "Sessions",
            "Organisme responsable"
        ]
    );
    assert!(offer.body.contains("- Lycée Kerneuzec, QUIMPERLÉ (29391) : du 01/09/2015 au 31/08/2017, temps plein, 2 ans"), "{}", offer.body);
    assert!(
        offer.body.contains("Gestion de clientèles ( 5 heures"),
        "HTML content as text"
    );
    assert!(!offer.body.contains("<p>") && !offer.body.contains("&lt;"));
    assert!(offer
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("A la fois vendeur, manager et commercial")));
}

#[test]
fn a_feed_of_several_offers_keeps_the_good_ones() {
    let extraction = extract(OFFERS).expect("feed extracts");
    assert_eq!(extraction.documents.len(), 5);
    let cooking = extraction.documents[0].as_ref().expect("first offer");
    assert_eq!(
        cooking.title.as_deref(),
        Some("CAP Cuisine en apprentissage")
    );
    assert_eq!(cooking.level, Some(3));
    assert_eq!(
        cooking.departments,
        ["05"],
        "Gap, and Briançon by its postcode"
    );
    assert_eq!(cooking.access_routes, ["apprentissage"]);
    assert!(cooking.body.contains("- Centre de formation des Écrins, Gap (05000) : du 01/09/2025 au 30/06/2027, temps plein, 2 ans"), "{}", cooking.body);
    assert!(cooking
        .body
        .contains(": à partir du 01/09/2026, temps plein, 2 ans"));
    assert!(cooking
        .body
        .contains("- Antenne de Briançon, Briançon (05100) : dates à préciser"));
    assert!(cooking.body.contains("Contenu\n\n"), "{}", cooking.body);
    assert_eq!(
        extraction.warnings,
        ["formation PACA-001: <intitule-formation> repeated, the first one kept"]
    );
    let secretary = extraction.documents[1].as_ref().expect("second offer");
    assert_eq!(
        secretary.departments,
        ["13"],
        "from the commune's INSEE code"
    );
    assert_eq!(secretary.description, None, "`-` is LHÉO's nothing");
    assert_eq!(
        secretary.references,
        [Reference::new(
            Relation::Prepares,
            Code::Rncp("RNCP36805".into())
        )]
    );
    assert_eq!(secretary.level, Some(4));
    let failures: Vec<String> = extraction.documents[2..]
        .iter()
        .map(|result| result.as_ref().expect_err("a failure").to_string())
        .collect();
    assert_eq!(
        failures,
        [
            "malformed lheo: formation 3: no numero",
            "malformed lheo: formation 4: no intitule-formation",
            "malformed lheo: formation 5: numero PACA-001 already given",
        ]
    );
}

#[test]
fn hostile_files_fail_clearly() {
    for (bytes, expected) in [
        (&b"\xff\xfe<lheo/>"[..], "not UTF-8"),
        (b"<offres/>", "root element is <offres>"),
        (b"<lheo><offres><formation", "malformed lheo"),
        (
            b"<!DOCTYPE lheo [<!ENTITY a \"aa\">]><lheo/>",
            "malformed lheo",
        ),
    ] {
        let error = extract(bytes).expect_err("a failure").to_string();
        assert!(error.contains(expected), "{error}");
    }
    let empty = extract(b"<lheo xmlns=\"http://www.lheo.org/2.2\"><offres/></lheo>")
        .expect("an empty feed");
    assert!(empty.documents.is_empty());
    let huge = format!(
        "<lheo><offres><formation numero=\"1\"><intitule-formation>Énorme</intitule-formation><contenu-formation>{}</contenu-formation></formation><formation numero=\"2\"><intitule-formation>Normale</intitule-formation></formation></offres></lheo>",
        "x".repeat(MAX_FIELD_BYTES + 1)
    );
    let extraction = extract(huge.as_bytes()).expect("a feed");
    let error = extraction.documents[0]
        .as_ref()
        .expect_err("the huge one fails")
        .to_string();
    assert!(error.contains("<contenu-formation> is over"), "{error}");
    assert!(extraction.documents[1].is_ok(), "the other offer is kept");
}

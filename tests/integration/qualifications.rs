//! Qualifications and training (issue 12): the certifications, ONISEP fiches and training
//! offers of the bundled corpus ranked in their place, their links to the jobs, and the
//! level, access and territory facets on a hand-counted fixture.

use std::path::Path;

use spo_search::model::link::Direction;
use spo_search::model::{Filter, Relation};
use spo_search::search::{Engine, SearchRequest};

use crate::support::{bundled_index, engine, index_into, top_ids, write_files};

fn fixture(path: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::read(root.join(path)).expect("read fixture")
}

fn kind_of(engine: &Engine, id: &str) -> String {
    let document = engine.document(id).expect("read").expect("present");
    document.facets[spo_search::model::Facet::Kind].join(",")
}

#[test]
fn a_diploma_name_finds_the_certification_first() {
    let ids = top_ids(engine(), "BTS banque", 10);
    assert_eq!(
        ids.first().map(String::as_str),
        Some("rncp:RNCP1174"),
        "{ids:?}"
    );
    assert_eq!(kind_of(engine(), &ids[0]), "certification");
}

#[test]
fn a_job_title_finds_the_job_fiche_first_and_its_certifications_below() {
    let ids = top_ids(engine(), "boulanger", 50);
    assert_eq!(
        ids.first().map(String::as_str),
        Some("rome:D1102"),
        "{ids:?}"
    );
    // The CAP Boulanger, which leads to the job and names it, comes right after the fiche;
    // the BP is among the results, below.
    assert_eq!(
        ids.get(1).map(String::as_str),
        Some("rncp:RNCP18704"),
        "{ids:?}"
    );
    assert!(ids.iter().any(|id| id == "rncp:RNCP13856"), "{ids:?}");
    for certification in ["rncp:RNCP18704", "rncp:RNCP13856"] {
        assert_eq!(kind_of(engine(), certification), "certification");
    }
    // The diploma of a job follows its fiche; without the rule, it does not.
    let ids = top_ids(engine(), "aide soignant", 10);
    assert_eq!(&ids[..2], ["rome:J1501", "rncp:RNCP4495"], "{ids:?}");
    let mut ranking = spo_search::search::rank::Ranking::default();
    ranking.set("job_followers", 0.0).expect("weight");
    let plain = Engine::open(bundled_index())
        .expect("open")
        .with_ranking(ranking);
    let ids = top_ids(&plain, "aide soignant", 10);
    assert_ne!(
        ids.get(1).map(String::as_str),
        Some("rncp:RNCP4495"),
        "{ids:?}"
    );
    // A query that names a diploma gets the certifications first, not the fiche.
    let ids = top_ids(engine(), "CAP boulanger", 3);
    assert_eq!(
        ids.first().map(String::as_str),
        Some("rncp:RNCP18704"),
        "{ids:?}"
    );
}

#[test]
fn the_aide_soignant_fiche_links_to_the_diplome_d_etat() {
    let fiche = engine().document("rome:J1501").unwrap().expect("fiche");
    let diploma = fiche
        .links
        .iter()
        .find(|link| link.id == "rncp:RNCP4495")
        .expect("the DEAS among the links");
    assert_eq!(
        (diploma.relation, diploma.direction, diploma.present),
        (Relation::LeadsTo, Direction::Incoming, true)
    );
    assert!(diploma.title.contains("aide-soignant"), "{}", diploma.title);
    let certification = engine().document("rncp:RNCP4495").unwrap().expect("DEAS");
    assert!(certification
        .links
        .iter()
        .any(|link| link.id == "rome:J1501"
            && link.relation == Relation::LeadsTo
            && link.direction == Direction::Outgoing));
}

/// A corpus of the hand-written RNCP export (three certifications), the two PACA training
/// offers (Gap, Marseille) and one national note.
fn qualification_corpus(root: &Path) {
    let rncp = |name: &str| fixture(&format!("rncp/{name}"));
    let tables = [
        "rncp_info.csv",
        "rncp_rome.csv",
        "rncp_voix_acces.csv",
        "rncp_nsf.csv",
        "rncp_certificateurs.csv",
        "rncp_blocs_competences.csv",
    ]
    .map(|name| (format!("rncp/{name}"), rncp(name)));
    for (path, bytes) in &tables {
        write_files(root, &[(path.as_str(), bytes.as_slice())]);
    }
    let offers = fixture("lheo/offres-paca.xml");
    write_files(
        root,
        &[
            (
                "rncp/source.toml",
                b"format = \"rncp\"\nid_prefix = \"rncp:\"\n[metadata]\nkind = \"certification\"\nterritory = \"national\"\n",
            ),
            (
                "lheo/source.toml",
                b"format = \"lheo\"\nid_prefix = \"lheo:\"\n[metadata]\nkind = \"offre-de-formation\"\nterritory = \"paca\"\n",
            ),
            ("lheo/offres.xml", offers.as_slice()),
            (
                "notes/source.toml",
                b"[metadata]\nterritory = \"national\"\n",
            ),
            ("notes/regles.md", b"# Les regles nationales\n\nUn texte national."),
        ],
    );
}

fn counts(response: &spo_search::search::SearchResponse, facet: &str) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = response
        .facets
        .iter()
        .find(|counts| counts.name == facet)
        .map(|counts| {
            counts
                .values
                .iter()
                .map(|value| (value.value.clone(), value.count))
                .collect()
        })
        .unwrap_or_default();
    counts.sort();
    counts
}

#[test]
fn level_access_and_territory_facets_count_a_hand_counted_fixture() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    qualification_corpus(&corpus);
    let report = index_into(&corpus, &index);
    let engine = Engine::open(&index).expect("open");
    let search = |filters: &[&str]| {
        let request = SearchRequest {
            filters: filters
                .iter()
                .map(|f| Filter::parse(f).expect("filter"))
                .collect(),
            limit: 50,
            facets: true,
            ..Default::default()
        };
        engine.search(&request).expect("search")
    };
    let all = search(&[]);
    let mut ids: Vec<String> = all.hits.iter().map(|hit| hit.id.clone()).collect();
    ids.sort();
    // RNCP903 is a truncated row, two offers have no number or no title, one repeats a
    // number: each is reported, and the rest is indexed.
    assert_eq!(
        ids,
        [
            "lheo:PACA-001",
            "lheo:PACA-002",
            "notes/regles.md",
            "rncp:RNCP900",
            "rncp:RNCP901",
            "rncp:RNCP902"
        ],
        "{:?}",
        report.failures
    );
    // By hand: levels 3 (RNCP900, RNCP901, the CAP offer), 4 (the offer PACA-002 at LHÉO's
    // level 5) and 5 (RNCP902); access routes from the RNCP codes and the offers' extras.
    let level = |v: &str, n: u64| (v.to_string(), n);
    assert_eq!(
        counts(&all, "niveau"),
        [level("3", 3), level("4", 1), level("5", 1)]
    );
    assert_eq!(
        counts(&all, "acces"),
        [
            level("apprentissage", 2),
            level("contrat-professionnalisation", 1),
            level("formation-continue", 2),
            level("formation-initiale", 1),
            level("vae", 1),
        ]
    );
    assert_eq!(
        counts(&search(&["niveau:3", "acces:apprentissage"]), "niveau"),
        [level("3", 2)]
    );
    // Gap, its postcode and its department all mean 05: the national documents stay, the
    // offer in Gap is added, the one in Marseille is not.
    for territory in [
        "territoire:gap",
        "territoire:05000",
        "territoire:hautes-alpes",
    ] {
        let mut kept: Vec<String> = search(&[territory])
            .hits
            .into_iter()
            .map(|hit| hit.id)
            .collect();
        kept.sort();
        assert_eq!(
            kept,
            [
                "lheo:PACA-001",
                "notes/regles.md",
                "rncp:RNCP900",
                "rncp:RNCP901",
                "rncp:RNCP902"
            ],
            "{territory}"
        );
    }
}

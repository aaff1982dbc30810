//! What people get for what they type (issue 13): codes, nonsense, the command line's output
//! and the README's examples, on the bundled corpus.

use std::process::Command;

use spo_search::search::eval::{evaluate, parse_queries};
use spo_search::search::{SearchRequest, SearchResponse};

use crate::support::{bundled_index, engine};

fn search(query: &str) -> SearchResponse {
    let request = SearchRequest {
        query: query.into(),
        limit: 10,
        snippets: true,
        ..Default::default()
    };
    engine().search(&request).expect("search")
}

#[test]
fn a_code_finds_its_document_first_and_titles_show_their_code() {
    for (query, id, code) in [
        ("J1501", "rome:J1501", "J1501"),
        ("k2111", "rome:K2111", "K2111"),
        ("fiche d1102", "rome:D1102", "D1102"),
    ] {
        let response = search(query);
        let first = response.hits.first().expect("a hit");
        assert_eq!(first.id, id, "{query}");
        assert!(
            first.title.ends_with(&format!("({code})")),
            "{query}: {}",
            first.title
        );
    }
    let document = engine().document("rome:D1102").unwrap().unwrap();
    assert!(document.title.ends_with("(D1102)"), "{}", document.title);
    // Other documents have no code beside their title.
    let pratique = engine().document("sp:professionnels/F40").unwrap().unwrap();
    assert_eq!(pratique.title, "Fin d'un contrat à durée déterminée (CDD)");
}

#[test]
fn nonsense_does_not_find_noise() {
    // "quantique" is in one job fiche (Astronome, "physique quantique") and in one
    // certification's title (a master "Dispositifs quantiques"); "xylophoniste" in none.
    // Fragments of its family ("quantité") and fuzzy matches no longer pad the list.
    let response = search("xylophoniste quantique");
    assert_eq!(
        response
            .hits
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        ["rome:K2409", "rncp:RNCP10788"]
    );
    for hit in &response.hits {
        let marked = hit.title_html.contains("<mark>")
            || hit.snippets.iter().any(|s| s.html.contains("<mark>"));
        assert!(marked, "{}: nothing marked", hit.id);
    }
    assert_eq!(search("xylophoniste").total, 0);
    // A word that the corpus lacks may still be found by its family.
    assert!(search("brasseur").total > 0);
}

#[test]
fn the_command_line_prints_colour_only_to_a_terminal() {
    let output = Command::new(env!("CARGO_BIN_EXE_spo-search"))
        .args(["search", "boulanger", "--limit", "3", "--index"])
        .arg(bundled_index())
        .output()
        .expect("run search");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(output.status.success(), "{text}");
    assert!(text.contains("Boulanger"), "{text}");
    assert!(!text.contains('\u{1b}'), "escape codes in a pipe: {text:?}");
}

#[test]
fn the_readme_example_of_a_judged_query_file_is_one_that_eval_reads() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("query_id\tquery\tdoc_id\tgrade")
        .expect("the example");
    let example = &readme[start..start + readme[start..].find("```").expect("its end")];
    let queries = parse_queries(example).expect("the example parses");
    assert_eq!(queries.len(), 2);
    let report = evaluate(engine(), &queries, 10).expect("eval");
    assert_eq!(report.missing_doc_ids, 0, "its ids are ids of the index");
    assert!(report.mrr > 0.0, "{report:?}");
}

#[test]
fn a_renamed_body_is_found_under_both_names_and_the_answer_says_so() {
    // The service-public fiches of 2020 say "Pôle emploi"; the query says "France Travail".
    let response = search("france travail inscription");
    assert_eq!(
        response.hits.first().map(|h| h.id.as_str()),
        Some("sp:particuliers/F1636"),
        "{:?}",
        response.hits.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
    let notices: Vec<&str> = response.renamed.iter().map(|r| r.notice.as_str()).collect();
    assert_eq!(notices, ["Pôle emploi, devenu France Travail en 2024"]);
    // And the other way.
    let response = search("pôle emploi");
    assert_eq!(response.renamed.len(), 1);
    assert!(search("inscription").renamed.is_empty());
}

#[tokio::test]
async fn facet_values_carry_their_french_label_in_the_api_and_the_page_shows_renamings() {
    use crate::api::{bundled_app, get, get_json};
    let app = bundled_app();
    let (status, body) = get_json(&app, "/api/v1/facets").await;
    assert_eq!(status, 200);
    let format = body["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "format")
        .expect("the format facet");
    assert_eq!(format["label"], "Format");
    let label_of = |value: &str| {
        format["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["value"] == value)
            .map(|v| v["label"].as_str().unwrap().to_string())
    };
    assert_eq!(label_of("pdf").as_deref(), Some("PDF"));
    assert_eq!(label_of("html").as_deref(), Some("Page web"));
    let (_, search) = get_json(&app, "/api/v1/search?q=france+travail+inscription").await;
    assert_eq!(
        search["renamed"][0]["notice"],
        "Pôle emploi, devenu France Travail en 2024"
    );
    let types = search["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "type")
        .expect("the type facet");
    assert!(types["values"][0]["label"]
        .as_str()
        .is_some_and(|l| !l.is_empty()));
    let (_, _, page) = get(&app, "/?q=france+travail+inscription").await;
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("Pôle emploi, devenu France Travail en 2024"),
        "the page shows the notice"
    );
}

#[tokio::test]
async fn a_document_of_an_export_offers_its_own_record_never_the_export() {
    use crate::api::{bundled_app, get, get_json};
    let app = bundled_app();
    let (_, search) = get_json(&app, "/api/v1/search?q=J1501").await;
    let hit = &search["hits"][0];
    assert_eq!(hit["id"], "rome:J1501");
    assert_eq!(hit["file_url"], "/api/v1/documents/rome:J1501");
    let (status, record) = get_json(&app, "/api/v1/documents/rome:J1501").await;
    assert_eq!(status, 200);
    assert_eq!(record["id"], "rome:J1501");
    assert_eq!(record["file_url"], "/api/v1/documents/rome:J1501");
    let (_, travail) = get_json(&app, "/api/v1/search?q=format:json&per_page=1").await;
    let id = travail["hits"][0]["id"]
        .as_str()
        .expect("a travail-emploi fiche");
    let (_, _, page) = get(&app, &format!("/documents/{id}")).await;
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains(&format!("href=\"/api/v1/documents/{id}\"")),
        "{page}"
    );
    assert!(
        !page.contains("/files/travail-emploi"),
        "never the 17 MB export"
    );
    // A file that is the document itself is still offered as it is.
    let (_, _, page) = get(&app, "/documents/spo/accord-cadre-spo-paca.pdf").await;
    assert!(String::from_utf8(page)
        .unwrap()
        .contains("href=\"/files/spo/accord-cadre-spo-paca.pdf\""));
}

#[test]
fn one_document_in_five_formats_is_one_result_listing_its_formats() {
    let response = search("accord cadre SPO");
    let agreement: Vec<_> = response
        .hits
        .iter()
        .filter(|h| h.id.starts_with("spo/accord-cadre-spo-paca."))
        .collect();
    assert_eq!(
        agreement.len(),
        1,
        "{:?}",
        response.hits.iter().map(|h| &h.id).collect::<Vec<_>>()
    );
    assert_eq!(response.hits[0].id, agreement[0].id);
    let mut formats: Vec<&str> = agreement[0]
        .other_formats
        .iter()
        .map(|f| f.format.as_str())
        .chain([agreement[0].format.as_str()])
        .collect();
    formats.sort_unstable();
    assert_eq!(formats, ["docx", "html", "markdown", "odt", "pdf"]);
}

#[test]
fn sorted_by_date_one_document_in_five_formats_is_still_one_result() {
    use spo_search::search::Sort;
    let request = SearchRequest {
        query: "accord source:spo".into(),
        limit: 10,
        sort: Sort::Date,
        ..Default::default()
    };
    let engine = engine();
    let first_page = engine.search(&request).expect("search").hits;
    let agreement: Vec<_> = first_page
        .iter()
        .filter(|h| h.id.starts_with("spo/accord-cadre-spo-paca."))
        .collect();
    assert_eq!(agreement.len(), 1, "{first_page:?}");
    assert_eq!(agreement[0].other_formats.len(), 4);
    // The page after the agreement's shows none of its files again.
    let position = first_page
        .iter()
        .position(|h| h.id == agreement[0].id)
        .expect("shown");
    let next = SearchRequest {
        offset: position + 1,
        ..request
    };
    let rest = engine.search(&next).expect("search").hits;
    assert!(
        rest.iter()
            .all(|h| !h.id.starts_with("spo/accord-cadre-spo-paca.")),
        "{rest:?}"
    );
}

#[test]
fn files_declared_the_same_under_other_names_are_one_result() {
    use crate::support::{index_into, write_files};
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    write_files(
        &corpus,
        &[
            (
                "guides/apprentissage.md",
                "# L'apprentissage\n\nLe contrat d'apprentissage alterne école et entreprise."
                    .as_bytes(),
            ),
            (
                "guides/apprentissage.html",
                "<html><head><title>L'apprentissage</title></head><body>\
                 <p>Le contrat d'apprentissage alterne école et entreprise.</p></body></html>"
                    .as_bytes(),
            ),
            (
                "guides/guide-alternance-2024-v2.txt",
                "Guide de l'alternance\n\nLe contrat d'apprentissage alterne école et \
                 entreprise, édition 2024."
                    .as_bytes(),
            ),
            (
                "guides/guide-alternance-2024-v2.txt.meta.toml",
                b"same_as = \"guides/apprentissage.md\"\n",
            ),
            (
                "guides/autre.md",
                "# Un autre guide\n\nLe contrat d'apprentissage, vu autrement.".as_bytes(),
            ),
        ],
    );
    let index = dir.path().join("index");
    assert_eq!(index_into(&corpus, &index).failed, 0);
    let engine = spo_search::search::Engine::open(&index).expect("open");
    let request = SearchRequest {
        query: "apprentissage".into(),
        limit: 10,
        ..Default::default()
    };
    let hits = engine.search(&request).expect("search").hits;
    let mut shown: Vec<Vec<&str>> = hits
        .iter()
        .map(|hit| {
            let mut ids: Vec<&str> = std::iter::once(hit.id.as_str())
                .chain(hit.other_formats.iter().map(|other| other.id.as_str()))
                .collect();
            ids.sort_unstable();
            ids
        })
        .collect();
    shown.sort();
    assert_eq!(
        shown,
        [
            vec![
                "guides/apprentissage.html",
                "guides/apprentissage.md",
                "guides/guide-alternance-2024-v2.txt",
            ],
            vec!["guides/autre.md"],
        ]
    );
}

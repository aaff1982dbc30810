//! The web pages in-process: home, results, filters, pagination, "did you mean", print view,
//! document pages, downloads confined to the corpus, escaping, errors, and page weight.

use axum::http::{header, HeaderMap, StatusCode};

use crate::api::{bundled_app, fixture_app, fixture_corpus, get, starting_app};

/// Budget of a page before its results: HTML of the home page, CSS and JavaScript.
const PAGE_BUDGET_BYTES: usize = 50 * 1024;

async fn page(uri: &str) -> (StatusCode, HeaderMap, String) {
    let (status, headers, body) = get(&fixture_app(), uri).await;
    (
        status,
        headers,
        String::from_utf8(body).expect("UTF-8 page"),
    )
}

fn assert_html(headers: &HeaderMap) {
    let content_type = headers[header::CONTENT_TYPE].to_str().unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let policy = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap_or_default();
    assert!(policy.contains("default-src 'none'"), "{policy}");
}

#[tokio::test]
async fn the_home_page_is_french_accessible_and_light() {
    let (status, headers, html) = page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_html(&headers);
    for needle in [
        "<html lang=\"fr\">",
        "<a class=\"evitement\" href=\"#contenu\">Aller au contenu</a>",
        "<main id=\"contenu\"",
        "<label for=\"q\">",
        "role=\"search\"",
        "role=\"status\"",
        "<h1>",
        "Parcourir les 6 documents",
        "href=\"/?filter=reseau:cio\"",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external request"
    );
    let (_, css_headers, css) = get(&fixture_app(), "/static/site.css").await;
    let (_, js_headers, js) = get(&fixture_app(), "/static/site.js").await;
    assert!(css_headers[header::CONTENT_TYPE]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/css")));
    assert!(js_headers[header::CONTENT_TYPE]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/javascript")));
    let weight = html.len() + css.len() + js.len();
    assert!(weight < PAGE_BUDGET_BYTES, "{weight} bytes");
}

#[tokio::test]
async fn results_show_highlights_metadata_facets_and_sort() {
    let (status, headers, html) = page("/?q=apprentissage").await;
    assert_eq!(status, StatusCode::OK);
    assert_html(&headers);
    for needle in [
        "<title>« apprentissage » : 3 documents trouvés – Recherche documentaire</title>",
        "<h2 id=\"titre-resultats\">3 documents trouvés</h2>",
        "<a href=\"/documents/guides/apprentissage.md\">Le contrat d&#39;<mark>apprentissage</mark></a>",
        "<dt>Type</dt><dd>Guide</dd>",
        "<dt>Réseau</dt><dd>CIO</dd>",
        "<dt>Langue</dt><dd>Français</dd>",
        "<mark>apprentissage</mark>",
        "<legend>Réseau</legend>",
        "name=\"filter\" value=\"reseau:cio\"",
        "<select id=\"tri\" name=\"sort\" form=\"recherche\">",
        "href=\"/?q=apprentissage&#38;vue=impression\"",
        "value=\"apprentissage\"",
    ] {
        assert!(html.contains(needle), "missing {needle}\n{html}");
    }
}

#[tokio::test]
async fn filters_are_checked_removable_and_paginated() {
    let (_, _, html) = page("/?filter=reseau:mission-locale&per_page=1&page=2").await;
    for needle in [
        "<span class=\"sr-only\">Retirer le filtre </span>Réseau : Mission locale",
        "href=\"/?per_page=1\"",
        "aria-label=\"Pagination\"",
        "aria-current=\"page\"><span class=\"sr-only\">Page </span>2</a>",
        "rel=\"prev\"",
        "href=\"/?filter=reseau:mission-locale&#38;page=3&#38;per_page=1\"",
        "<ol class=\"liste\" start=\"2\">",
        "<input type=\"hidden\" name=\"per_page\" value=\"1\">",
    ] {
        assert!(html.contains(needle), "missing {needle}\n{html}");
    }
    // The chosen value is checked; the facet keeps offering its other values.
    let chosen = html
        .find("value=\"reseau:mission-locale\"")
        .expect("mission-locale box");
    assert!(html[chosen..chosen + 80].contains("checked"), "{html}");
    assert!(
        html.contains("value=\"reseau:cio\""),
        "other networks stay selectable\n{html}"
    );
}

#[tokio::test]
async fn a_page_past_the_last_redirects_to_the_last() {
    // Three documents of the Missions locales, one a page: page 70 is page 3.
    let (status, headers, _) = page("/?filter=reseau:mission-locale&per_page=1&page=70").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "/?filter=reseau:mission-locale&page=3&per_page=1"
    );
    let (status, _, html) = page("/?filter=reseau:mission-locale&per_page=1&page=3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("page 3 sur 3"), "{html}");
    // Nothing found: the first page, which says so.
    let (status, headers, _) = page("/?q=zzkwyx&page=7").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/?q=zzkwyx");
    let (status, _, _) = page("/?q=zzkwyx").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_misspelt_query_offers_a_respelling() {
    let (status, _, html) = page("/?q=aprentissage").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Vouliez-vous dire : <a href=\"/?q=apprentissage\">apprentissage</a>"),
        "{html}"
    );
}

#[tokio::test]
async fn the_print_view_lists_the_first_results_with_full_addresses() {
    let (status, _, html) = page("/?q=apprentissage&vue=impression").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Sélection de documents</h1>"));
    assert!(html.contains("Recherche « apprentissage » : 3 documents trouvés."));
    assert!(html
        .contains("Retrouver cette liste : http://spo.test/?q=apprentissage&#38;vue=impression"));
    assert!(html.contains("Fiche : http://spo.test/documents/guides/apprentissage.md"));
    assert!(html.contains("data-imprimer"));
}

#[tokio::test]
async fn results_can_be_chosen_then_printed_and_shared_as_a_selection() {
    let (_, _, html) = page("/?q=apprentissage").await;
    for needle in [
        "<form id=\"selection\" class=\"outils\" action=\"/\" method=\"get\">",
        "<input type=\"hidden\" name=\"vue\" value=\"impression\">",
        "<input type=\"checkbox\" form=\"selection\" name=\"doc\" value=\"guides/apprentissage.md\"",
        ">Imprimer la sélection</button>",
        "data-copier-selection hidden>Copier le lien de la sélection</button>",
        "href=\"/?q=apprentissage&#38;vue=impression\">Imprimer les 50 premiers</a>",
    ] {
        assert!(html.contains(needle), "missing {needle}\n{html}");
    }
    // The form sends the chosen ids; an unknown one is left out, the order is kept.
    let (status, _, html) =
        page("/?q=apprentissage&vue=impression&doc=fiches/permis-conduire.md&doc=nope&doc=guides/apprentissage.md").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2 documents choisis"), "{html}");
    let first = html.find("Fiche : http://spo.test/documents/fiches/permis-conduire.md");
    let second = html.find("Fiche : http://spo.test/documents/guides/apprentissage.md");
    assert!(first.is_some() && first < second, "{html}");
    assert!(html.contains(
        "Retrouver cette liste : http://spo.test/?q=apprentissage&#38;vue=impression\
         &#38;doc=fiches%2Fpermis-conduire.md&#38;doc=nope&#38;doc=guides%2Fapprentissage.md"
    ));
    assert_eq!(html.matches("<li class=\"resultat\">").count(), 2);
}

#[tokio::test]
async fn results_come_before_the_filters_which_are_a_disclosure() {
    let (_, _, html) = page("/?q=apprentissage&filter=reseau:cio").await;
    let results = html.find("<section class=\"resultats\"").expect("results");
    let filters = html
        .find("<details id=\"filtres\" class=\"filtres\" open>")
        .expect("filters in a disclosure");
    assert!(results < filters, "results first");
    assert!(html.contains("<summary><h2 id=\"titre-filtres\">Affiner la recherche</h2></summary>"));
    // The active filter is a chip above the list, which removes it.
    let chip = html
        .find("<a class=\"puce\" href=\"/?q=apprentissage\">")
        .expect("chip");
    assert!(chip < html.find("<ol class=\"liste\"").expect("list"));
}

#[tokio::test]
async fn nothing_found_hides_the_tools_and_says_where_to_go() {
    let (status, _, html) = page("/?q=zzkwyx").await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "Aucun document ne correspond à votre recherche",
        "Aucun document ne correspond : que faire ?",
        "Ce fonds documentaire compte 6 documents, dont :",
        "<strong>un CIO (centre d’information et d’orientation)</strong>",
        "<strong>une Mission locale</strong>",
        "<strong>un point Information Jeunesse</strong>",
        "<strong>France Travail</strong>",
        "href=\"/?filter=reseau:cio\">ses documents ici (",
    ] {
        assert!(html.contains(needle), "missing {needle}\n{html}");
    }
    for absent in [
        "id=\"tri\"",
        "Imprimer",
        "Affiner la recherche",
        "id=\"filtres\"",
    ] {
        assert!(!html.contains(absent), "{absent} shown for nothing\n{html}");
    }
    // With filters: the same words without them, and their kinds of documents.
    let (_, _, html) = page("/?q=apprentissage&filter=langue:en").await;
    assert!(
        html.contains("Aucun document ne correspond : que faire ?"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"/?q=apprentissage\">« apprentissage » : 3 documents</a>"),
        "{html}"
    );
    assert!(
        html.contains("href=\"/?q=apprentissage&#38;filter=type:guide\">Guide ("),
        "{html}"
    );
}

#[tokio::test]
async fn a_query_of_several_words_that_finds_little_offers_one_without_its_rarest_word() {
    // Both words required: "permis", in fewer documents, is the one left out.
    let (_, _, html) = page("/?q=%2Bpermis+%2Bapprentissage").await;
    assert!(
        html.contains(
            "Essayez une recherche plus large : <a href=\"/?q=apprentissage\">« apprentissage » : 3 documents</a>"
        ),
        "{html}"
    );
}

#[tokio::test]
async fn document_pages_show_metadata_text_download_and_share_link() {
    for uri in [
        "/documents/guides/apprentissage.md",
        "/documents/guides%2Fapprentissage.md",
    ] {
        let (status, headers, html) = page(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_html(&headers);
        for needle in [
            "<h1>Le contrat d&#39;apprentissage</h1>",
            "<dt>Éditeur</dt><dd>CIO de test</dd>",
            "<dt>Public</dt><dd>Jeunes</dd>",
            "href=\"/files/guides/apprentissage.md\">Télécharger le fichier original (Markdown)</a>",
            "value=\"http://spo.test/documents/guides/apprentissage.md\"",
            "data-copier=\"lien\"",
            "pourcentage du Smic",
            "aria-label=\"Fil d’Ariane\"",
        ] {
            assert!(html.contains(needle), "{uri}: missing {needle}\n{html}");
        }
    }
    let (status, _, body) = get(&bundled_app(), "/documents/sp:particuliers/F10").await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).expect("UTF-8");
    assert!(
        html.contains("<dt>Type</dt><dd>Fiche pratique</dd>"),
        "{html}"
    );
    assert!(html.contains("Documents proches"));
    let (status, _, body) = get(&bundled_app(), "/documents/spo/accord-cadre-spo-paca.pdf").await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).expect("UTF-8");
    assert!(html.contains("<h3 class=\"page\">Page 1</h3>"));
    assert!(html.contains("Télécharger le fichier original (PDF)"));
}

#[tokio::test]
async fn original_files_are_downloaded_with_their_type_and_never_from_outside() {
    let (status, headers, body) = get(&fixture_app(), "/files/guides/apprentissage.md").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/markdown; charset=utf-8"
    );
    let original = std::fs::read(fixture_corpus().join("guides/apprentissage.md")).expect("read");
    assert_eq!(body, original);
    let (status, headers, _) = get(
        &fixture_app(),
        "/files/guides/sous%20dossier/%C3%A9t%C3%A9%202025.txt",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    let (status, headers, _) = get(&bundled_app(), "/files/spo/accord-cadre-spo-paca.pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    for uri in [
        "/files/../Cargo.toml",
        "/files/..%2F..%2FCargo.toml",
        "/files/guides/%2e%2e/%2e%2e/Cargo.toml",
        "/files/guides%2F..%2F..%2F..%2FCargo.toml",
        "/files/%2Fetc%2Fpasswd",
        "/files/guides/source.toml",
        "/files/guides",
        "/files/guides/%00",
        "/files/guides/%FF",
    ] {
        let (status, _, body) = get(&fixture_app(), uri).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{uri}: {status}"
        );
        assert!(
            !String::from_utf8_lossy(&body).contains("[package]"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn everything_typed_is_escaped() {
    let (status, _, html) = page("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#62;\""));
}

#[tokio::test]
async fn errors_are_french_pages_with_the_right_status() {
    let (status, headers, html) = page("/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_html(&headers);
    assert!(html.contains("<h1>Page introuvable</h1>"));
    let (status, _, html) = page("/documents/nope.md").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<h1>Document introuvable</h1>"));
    let (status, headers, body) = get(&starting_app(), "/?q=apprentissage").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(String::from_utf8_lossy(&body).contains("en cours de préparation"));
    let (status, _, html) = page("/?page=abc&per_page=-4&sort=%00&filter=%FF").await;
    assert_eq!(status, StatusCode::OK, "{html}");
}

#[tokio::test]
async fn document_pages_keep_the_structure_of_their_text() {
    let app = bundled_app();
    let (status, _, body) = get(&app, "/documents/rome:D1102").await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).expect("UTF-8 page");
    for needle in [
        "<h3 id=\"section-definition\">Définition <a class=\"ancre\" href=\"#section-definition\"",
        "<h3 id=\"section-competences\">Compétences <a class=\"ancre\"",
        "<h3 id=\"section-metiers-proches\">Métiers proches",
        "<li class=\"niveau-0\">",
    ] {
        assert!(html.contains(needle), "missing {needle}\n{html}");
    }
    // Group labels are headings under their section, and sentences end with a full stop.
    assert!(html.contains("<h4 id=\"section-"), "{html}");
    let text = &html[html.find("class=\"texte\"").expect("the text")..];
    assert!(!text.contains("<p>- ") && !text.contains("<p>#"), "{text}");
    let (_, _, body) = get(&app, "/documents/sp:particuliers/F10").await;
    let html = String::from_utf8(body).expect("UTF-8 page");
    assert!(
        html.contains("<h3 id=\"section-"),
        "DILA sections are headings\n{html}"
    );
    assert!(
        html.contains("<li class=\"niveau-0\">"),
        "DILA lists are lists\n{html}"
    );
    // Snippets show no marks and stay within one block.
    let (_, _, body) = get(&app, "/api/v1/search?q=contrat+apprentissage&per_page=20").await;
    let answer: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    let snippets: Vec<&str> = answer["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|hit| hit["snippets"].as_array().into_iter().flatten())
        .filter_map(|snippet| snippet["html"].as_str())
        .collect();
    assert!(snippets.len() > 10, "{snippets:?}");
    for snippet in snippets {
        assert!(
            !snippet.contains("## ") && !snippet.contains(" | ") && !snippet.starts_with("- "),
            "{snippet}"
        );
    }
}

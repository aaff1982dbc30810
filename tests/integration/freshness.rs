//! Dates and freshness (issue 13, item 4): where a document's date comes from, and what the
//! API and the pages say of a document older than its source allows.

use axum::Router;
use spo_search::search::{Engine, SearchRequest, Sort};
use spo_search::server::{app, AppState, ServeOptions};

use crate::api::{get, get_json};
use crate::support::{engine, index_into, write_files};

const AGREEMENT: [&str; 5] = ["docx", "html", "md", "odt", "pdf"];

#[test]
fn the_agreements_five_formats_have_its_real_date_and_it_no_longer_sorts_first() {
    for extension in AGREEMENT {
        let id = format!("spo/accord-cadre-spo-paca.{extension}");
        let document = engine().document(&id).unwrap().expect("the agreement");
        // From source.toml; the PDF's own CreationDate is the day it was rendered.
        assert_eq!(document.date.as_deref(), Some("2011-11-24"), "{id}");
        // A text of reference stays current five years.
        assert_eq!(document.stale_after.as_deref(), Some("2016-11-22"), "{id}");
    }
    let request = SearchRequest {
        query: "labellisation".into(),
        sort: Sort::Date,
        limit: 50,
        ..Default::default()
    };
    let hits = engine().search(&request).expect("search").hits;
    let position = hits
        .iter()
        .position(|h| h.id.starts_with("spo/accord-cadre-spo-paca."))
        .expect("the agreement is found");
    assert!(position > 0, "the 2011 draft is not the most recent");
    for newer in &hits[..position] {
        assert!(
            newer.date.as_deref() >= Some("2011-11-24"),
            "{} ({:?}) sorts before the agreement",
            newer.id,
            newer.date
        );
    }
}

/// A source of three guides: one dated 2019 under its kind's year, one dated 2019 that its
/// sidecar keeps current for ever, one without a date; and the app serving its index.
fn dated_guides() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let text = |title: &str| {
        format!("# {title}\n\nLe contrat d'apprentissage alterne école et entreprise.\n")
    };
    let (old, lasting, undated) = (
        text("Guide de 2019"),
        text("Guide durable"),
        text("Guide sans date"),
    );
    write_files(
        &corpus,
        &[
            (
                "guides/source.toml",
                b"[metadata]\nkind = \"fiche-pratique\"\nnetwork = \"cio\"\n",
            ),
            ("guides/ancien.md", old.as_bytes()),
            (
                "guides/ancien.md.meta.toml",
                b"date = \"2019-03-01\"\nurl = \"https://www.example.fr/ancien\"\n",
            ),
            ("guides/durable.md", lasting.as_bytes()),
            (
                "guides/durable.md.meta.toml",
                b"date = \"2019-03-01\"\nstale_after_days = 4000000\n",
            ),
            ("guides/sans-date.md", undated.as_bytes()),
        ],
    );
    let index = dir.path().join("index");
    let report = index_into(&corpus, &index);
    assert_eq!(report.failed, 0, "{report}");
    let state = AppState::new(
        crate::support::options(&corpus, &index),
        ServeOptions::default(),
    );
    state.set_ready(Engine::open(&index).expect("open the index"));
    (dir, app(state))
}

#[tokio::test]
async fn a_document_older_than_its_source_allows_says_so_in_the_api_and_on_its_pages() {
    let (_dir, app) = dated_guides();
    let (status, body) = get_json(&app, "/api/v1/search?q=apprentissage").await;
    assert_eq!(status, 200);
    let hit = |id: &str| {
        body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {body}"))
    };
    // A practical fiche stays current 365 days: 2019-03-01 is current until 2020-02-29.
    let old = hit("guides/ancien.md");
    assert_eq!(
        (&old["stale"], &old["stale_after"]),
        (&true.into(), &"2020-02-29".into())
    );
    let lasting = hit("guides/durable.md");
    assert_eq!(lasting["stale"], false);
    assert_eq!(lasting["stale_after"], "9999-12-31");
    let undated = hit("guides/sans-date.md");
    assert_eq!(undated["stale"], false);
    assert!(undated.get("stale_after").is_none(), "{undated}");
    let (_, document) = get_json(&app, "/api/v1/documents/guides/ancien.md").await;
    assert_eq!(document["stale"], true);
    let (_, document) = get_json(&app, "/api/v1/documents/guides/durable.md").await;
    assert_eq!(document["stale"], false);

    let notice = "Mis à jour le 1er mars 2019 — <a href=\"https://www.example.fr/ancien\">\
                  vérifiez sur le site de l’éditeur";
    let (_, _, page) = get(&app, "/?q=apprentissage").await;
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains(notice), "{page}");
    assert_eq!(
        page.matches("class=\"perime\"").count(),
        1,
        "only the old one"
    );
    let (_, _, page) = get(&app, "/documents/guides/ancien.md").await;
    assert!(String::from_utf8(page).unwrap().contains(notice));
    for current in ["durable", "sans-date"] {
        let (_, _, page) = get(&app, &format!("/documents/guides/{current}.md")).await;
        let page = String::from_utf8(page).unwrap();
        assert!(!page.contains("Mis à jour le"), "{current}");
    }
}

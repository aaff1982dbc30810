//! The JSON API in-process (`tower::ServiceExt::oneshot`): every route and every error; the
//! contract tests (OpenAPI, real socket) are in `api_contract.rs`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use spo_search::search::Engine;
use spo_search::server::{app, AppState, ServeOptions};
use tower::ServiceExt;

use crate::support::{bundled_index, corpus};

#[path = "api_contract.rs"]
pub mod contract;

/// The small corpus written for these tests.
pub fn fixture_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/web-corpus")
}

/// Number of documents in the fixture corpus.
pub const FIXTURE_DOCUMENTS: u64 = 6;

/// The fixture corpus's index, built once.
pub fn fixture_index() -> &'static Path {
    static INDEX: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("index");
        let report = crate::support::index_into(&fixture_corpus(), &path);
        assert_eq!(report.failed, 0, "{report}");
        (dir, path)
    });
    path
}

/// The application over the fixture corpus, ready.
pub fn fixture_app() -> Router {
    let state = AppState::new(
        crate::support::options(fixture_corpus(), fixture_index()),
        ServeOptions::default(),
    );
    state.set_ready(Engine::open(fixture_index()).expect("open the fixture index"));
    app(state)
}

/// The application over the bundled corpus, ready.
pub fn bundled_app() -> Router {
    // The tests check answers, not speed: a debug build on a loaded machine may take
    // seconds for the first searches over the bundled corpus (28,000 documents), so the
    // request timeout is not the service's 10 s.
    let options = ServeOptions {
        request_timeout: std::time::Duration::from_secs(600),
        ..ServeOptions::default()
    };
    let state = AppState::new(crate::support::options(corpus(), bundled_index()), options);
    state.set_ready(Engine::open(bundled_index()).expect("open the bundled index"));
    app(state)
}

/// The application while the index is still being built.
pub fn starting_app() -> Router {
    app(AppState::new(
        crate::support::options(fixture_corpus(), fixture_index()),
        ServeOptions::default(),
    ))
}

/// Sends one request; returns status, headers and body.
pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024 * 1024)
        .await
        .expect("body");
    (parts.status, parts.headers, bytes.to_vec())
}

/// `GET uri` with a Host header.
pub async fn get(app: &Router, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let request = Request::get(uri)
        .header(header::HOST, "spo.test")
        .body(Body::empty())
        .expect("request");
    send(app, request).await
}

/// `GET uri`, the body read as JSON.
pub async fn get_json(app: &Router, uri: &str) -> (StatusCode, Value) {
    let (status, headers, body) = get(app, uri).await;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{uri}: {content_type}"
    );
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

/// Asserts the one error shape, and returns its code.
fn error_code(body: &Value) -> &str {
    let error = body["error"].as_object().expect("error object");
    assert_eq!(error.len(), 2, "{body}");
    assert!(!error["message"].as_str().unwrap_or_default().is_empty());
    error["code"].as_str().expect("error code")
}

fn ids(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn search_gives_hits_snippets_facets_and_the_query_understood() {
    let app = fixture_app();
    let (status, body) = get_json(&app, "/api/v1/search?q=apprentissage").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&body)[0], "guides/apprentissage.md");
    assert_eq!(body["query"], "apprentissage");
    assert_eq!(body["understood"], "apprentissage");
    assert_eq!(
        (body["page"].as_u64(), body["per_page"].as_u64()),
        (Some(1), Some(10))
    );
    assert!(body["total"].as_u64().is_some_and(|n| n >= 3));
    assert!(body["took_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    let hit = &body["hits"][0];
    assert_eq!(hit["title"], "Le contrat d'apprentissage");
    assert_eq!(hit["kind"], "guide");
    assert_eq!(hit["network"], "cio");
    assert_eq!(hit["page_url"], "/documents/guides/apprentissage.md");
    assert_eq!(hit["file_url"], "/files/guides/apprentissage.md");
    let snippet = hit["snippets"][0]["html"].as_str().expect("snippet");
    assert!(snippet.contains("<mark>apprentissage</mark>"), "{snippet}");
    let facets = body["facets"].as_array().expect("facets");
    let names: Vec<&str> = facets.iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "reseau",
            "type",
            "public",
            "territoire",
            "niveau",
            "acces",
            "langue",
            "format",
            "source"
        ]
    );
    let networks: u64 = facets[0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| v["count"].as_u64())
        .sum();
    assert_eq!(Some(networks), body["total"].as_u64());
}

#[tokio::test]
async fn filters_and_paging_narrow_the_results() {
    let app = fixture_app();
    let (_, body) = get_json(&app, "/api/v1/search?filter=reseau:mission-locale").await;
    assert_eq!(body["total"], 3);
    assert!(body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .all(|hit| hit["network"] == "mission-locale"));
    let (_, both) = get_json(
        &app,
        "/api/v1/search?filter=reseau:mission-locale&filter=reseau:cio",
    )
    .await;
    assert_eq!(both["total"], FIXTURE_DOCUMENTS);
    let (_, english) = get_json(&app, "/api/v1/search?filter=langue:en").await;
    assert_eq!(ids(&english), ["fiches/english-guide.txt"]);
    let (_, first) = get_json(&app, "/api/v1/search?q=apprentissage&per_page=1").await;
    let (_, second) = get_json(&app, "/api/v1/search?q=apprentissage&per_page=1&page=2").await;
    assert_eq!(first["last_page"], first["total"]);
    assert_eq!(second["page"], 2);
    assert_ne!(ids(&first), ids(&second));
    let (_, typed) = get_json(&app, "/api/v1/search?q=apprentissage%20type:guide").await;
    assert_eq!(typed["understood"], "apprentissage type:guide");
}

#[tokio::test]
async fn sort_by_date_puts_recent_documents_first() {
    let app = bundled_app();
    let (status, body) = get_json(
        &app,
        "/api/v1/search?q=formation&sort=date&per_page=20&filter=source:service-public",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let dates: Vec<&str> = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|hit| hit["date"].as_str())
        .collect();
    assert!(dates.len() > 5, "{body}");
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[tokio::test]
async fn every_bad_parameter_is_a_json_400() {
    let app = fixture_app();
    for uri in [
        "/api/v1/search?page=0",
        "/api/v1/search?page=abc",
        "/api/v1/search?per_page=101",
        "/api/v1/search?page=200&per_page=10",
        "/api/v1/search?sort=random",
        "/api/v1/search?filter=nocolon",
        "/api/v1/search?filter=couleur:bleu",
        "/api/v1/search?filter=type:",
        "/api/v1/search?unknown=1",
        "/api/v1/suggest",
        "/api/v1/suggest?q=a&limit=0",
        "/api/v1/suggest?q=a&limit=21",
        "/api/v1/facets?x=1",
        "/api/v1/documents/guides/apprentissage.md?x=1",
        "/api/v1/documents/guides/apprentissage.md/similar?limit=99",
        "/api/v1/documents/%FF%FE",
    ] {
        let (status, body) = get_json(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(error_code(&body), "invalid_parameter", "{uri}");
    }
}

#[tokio::test]
async fn documents_are_found_by_both_kinds_of_id_raw_or_encoded() {
    let app = fixture_app();
    for uri in [
        "/api/v1/documents/guides/apprentissage.md",
        "/api/v1/documents/guides%2Fapprentissage.md",
    ] {
        let (status, body) = get_json(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(body["id"], "guides/apprentissage.md");
        assert_eq!(body["title"], "Le contrat d'apprentissage");
        assert!(body["body"]
            .as_str()
            .is_some_and(|text| text.contains("pourcentage du Smic")));
        assert_eq!(body["publisher"], "CIO de test");
        assert_eq!(body["audience"], serde_json::json!(["jeunes"]));
    }
    let (status, body) = get_json(
        &app,
        "/api/v1/documents/guides/sous%20dossier/%C3%A9t%C3%A9%202025.txt",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["title"], "Jobs d'été et emplois saisonniers");
    assert_eq!(
        body["file_url"],
        "/files/guides/sous%20dossier/%C3%A9t%C3%A9%202025.txt"
    );

    let bundled = bundled_app();
    for uri in [
        "/api/v1/documents/sp:particuliers/F10",
        "/api/v1/documents/sp%3Aparticuliers%2FF10",
    ] {
        let (status, body) = get_json(&bundled, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert_eq!(body["id"], "sp:particuliers/F10");
        assert_eq!(body["format"], "dila-xml");
    }
    let (status, body) =
        get_json(&bundled, "/api/v1/documents/spo/accord-cadre-spo-paca.pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body["page_starts"].as_array().expect("pages").is_empty());
}

#[tokio::test]
async fn similar_documents_exclude_the_document_itself() {
    let app = fixture_app();
    let (status, body) = get_json(
        &app,
        "/api/v1/documents/guides/apprentissage.md/similar?limit=3",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], "guides/apprentissage.md");
    let similar = ids(&body);
    assert!(!similar.is_empty() && similar.len() <= 3);
    assert!(!similar.contains(&"guides/apprentissage.md".to_string()));
    let (status, body) = get_json(
        &bundled_app(),
        "/api/v1/documents/sp%3Aparticuliers%2FF10/similar",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["id"], "sp:particuliers/F10");
}

#[tokio::test]
async fn missing_documents_and_routes_are_404_and_wrong_methods_405() {
    let app = fixture_app();
    for (uri, code) in [
        ("/api/v1/documents/nope.md", "document_not_found"),
        ("/api/v1/documents/nope.md/similar", "document_not_found"),
        ("/api/v1/nothing", "route_not_found"),
        ("/api/v2/search", "route_not_found"),
    ] {
        let (status, body) = get_json(&app, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(error_code(&body), code, "{uri}");
    }
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/search")
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(error_code(&body), "method_not_allowed");
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/search")
        .header(header::CONTENT_LENGTH, "1000000")
        .body(Body::from(vec![b'x'; 1_000_000]))
        .expect("request");
    let (status, _, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(error_code(&body), "payload_too_large");
}

#[tokio::test]
async fn suggestions_complete_titles_and_words() {
    let app = fixture_app();
    let (status, body) = get_json(&app, "/api/v1/suggest?q=appren").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["query"], "appren");
    let suggestions: Vec<&str> = body["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(suggestions.contains(&"apprentissage"), "{suggestions:?}");
    let (_, body) = get_json(&app, "/api/v1/suggest?q=aide%20mobil&limit=3").await;
    assert_eq!(body["suggestions"], serde_json::json!(["aide mobilite"]));
    let long = "a".repeat(5000);
    let (status, _) = get_json(&app, &format!("/api/v1/suggest?q={long}")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn facets_count_the_whole_corpus() {
    let (status, body) = get_json(&fixture_app(), "/api/v1/facets").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["documents"], FIXTURE_DOCUMENTS);
    let network = &body["facets"][0];
    assert_eq!(network["name"], "reseau");
    assert_eq!(
        network["values"],
        serde_json::json!([
            {"value": "cio", "label": "CIO", "count": 3},
            {"value": "mission-locale", "label": "Mission locale", "count": 3}
        ])
    );
}

#[tokio::test]
async fn health_is_503_until_the_index_is_open() {
    let starting = starting_app();
    for uri in ["/health", "/api/v1/search?q=x", "/api/v1/facets"] {
        let (status, headers, body) = get(&starting, uri).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(headers.contains_key(header::RETRY_AFTER));
        let body: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(error_code(&body), "not_ready");
    }
    let (status, body) = get_json(&fixture_app(), "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    assert_eq!(body["documents"], FIXTURE_DOCUMENTS);
}

#[tokio::test]
async fn metrics_count_requests_errors_and_the_index() {
    let app = fixture_app();
    get(&app, "/api/v1/search?q=cio").await;
    get(&app, "/api/v1/search?page=0").await;
    get(&app, "/api/v1/documents/guides/apprentissage.md").await;
    // The web page counts as a search too; the unfindable one, with its filter.
    get(&app, "/?q=zzqxwv&filter=reseau:cio").await;
    let (status, headers, body) = get(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/plain")));
    let text = String::from_utf8(body).expect("UTF-8");
    for line in [
        "spo_http_requests_total{route=\"/api/v1/search\",status=\"200\"} 1",
        "spo_http_requests_total{route=\"/api/v1/search\",status=\"400\"} 1",
        "spo_http_errors_total{route=\"/api/v1/search\",code=\"invalid_parameter\"} 1",
        "spo_http_requests_total{route=\"/api/v1/documents/{*path}\",status=\"200\"} 1",
        "spo_http_request_duration_seconds_count{route=\"/api/v1/search\"} 2",
        "spo_index_ready 1",
        "spo_index_documents 6",
        "spo_searches_total{results=\"some\"} 1",
        "spo_searches_total{results=\"none\"} 1",
        "spo_search_filters_total{facet=\"reseau\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
    }
    let size = text
        .lines()
        .find_map(|l| l.strip_prefix("spo_index_size_bytes "))
        .and_then(|n| n.parse::<u64>().ok());
    assert!(size.is_some_and(|n| n > 1000), "{text}");
}

#[tokio::test]
async fn cors_is_off_by_default_and_allows_configured_origins() {
    let request = |app: &Router| {
        let app = app.clone();
        async move {
            let request = Request::get("/api/v1/facets")
                .header(header::ORIGIN, "https://partenaire.example")
                .body(Body::empty())
                .expect("request");
            send(&app, request).await.1
        }
    };
    let closed = request(&fixture_app()).await;
    assert!(!closed.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    let options = ServeOptions {
        cors_origins: vec!["https://partenaire.example".into()],
        ..ServeOptions::default()
    };
    let state = AppState::new(
        crate::support::options(fixture_corpus(), fixture_index()),
        options,
    );
    state.set_ready(Engine::open(fixture_index()).expect("open"));
    let partner = app(state);
    let open = request(&partner).await;
    assert_eq!(
        open[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://partenaire.example"
    );
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/search?q=x")
        .header(header::ORIGIN, "https://partenaire.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = send(&partner, preflight).await;
    assert!(status.is_success(), "{status}");
    assert!(headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .is_ok_and(|methods| methods.contains("GET")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_beyond_the_configured_threads_wait_their_turn() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let options = ServeOptions {
        search_threads: 2,
        ..ServeOptions::default()
    };
    let state = AppState::new(
        crate::support::options(fixture_corpus(), fixture_index()),
        options,
    );
    state.set_ready(Engine::open(fixture_index()).expect("open"));
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (state, running, most) = (state.clone(), running.clone(), most.clone());
        tasks.push(tokio::spawn(async move {
            state
                .run(move |engine| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok(engine.searcher().num_docs())
                })
                .await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task").ok(), Some(FIXTURE_DOCUMENTS));
    }
    assert!((1..=2).contains(&most.load(Ordering::SeqCst)));
}

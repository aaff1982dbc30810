//! The admin API, in-process: tokens, uploads and removals with hostile names and contents,
//! re-indexing, reports, and stored XSS through what documentalists upload.

use std::path::Path;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use spo_search::admin::AdminToken;
use spo_search::search::Engine;
use spo_search::server::{app, AppState, ServeOptions};

use crate::api::{fixture_corpus, get, get_json, send};
use crate::support::index_into;

pub const TOKEN: &str = "documentaliste-0123456789";

/// A copy of the fixture corpus and its index, served with the admin API on.
pub struct Served {
    _dir: tempfile::TempDir,
    pub corpus: std::path::PathBuf,
    pub app: Router,
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn served(options: ServeOptions) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
    copy_dir(&fixture_corpus(), &corpus);
    index_into(&corpus, &index);
    let state = AppState::new(crate::support::options(&corpus, &index), options);
    state.set_ready(Engine::open(&index).unwrap());
    Served {
        _dir: dir,
        corpus,
        app: app(state),
    }
}

/// The fixture corpus, copied, served with the admin token [`TOKEN`] and a 64 KiB upload limit.
pub fn with_admin() -> Served {
    served(ServeOptions {
        admin_token: Some(AdminToken::new(TOKEN).unwrap()),
        max_upload_bytes: 64 * 1024,
        ..ServeOptions::default()
    })
}

/// A multipart body with one part `file`, and its content type.
pub fn multipart(file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "spo-boundary-7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &Router,
    source: &str,
    file_name: &str,
    content: &[u8],
) -> (StatusCode, Value) {
    let (content_type, body) = multipart(file_name, content);
    let request = Request::post(format!("/api/v1/admin/sources/{source}/files"))
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap();
    let (status, _, bytes) = send(app, request).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn admin(app: &Router, method: &str, uri: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, bytes) = send(app, request).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn total(app: &Router, query: &str) -> u64 {
    let (_, body) = get_json(app, &format!("/api/v1/search?q={query}")).await;
    body["total"].as_u64().unwrap()
}

#[tokio::test]
async fn missing_or_wrong_tokens_get_a_bare_401_and_no_token_means_no_admin_api() {
    let served = with_admin();
    for authorization in [
        None,
        Some("Bearer wrong-token-wrong-token"),
        Some(TOKEN),
        Some("Basic eDp5"),
    ] {
        let mut request = Request::post("/api/v1/admin/reindex");
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        let (status, headers, body) = send(&served.app, request.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        assert_eq!(body["error"]["message"], "missing or wrong admin token");
    }
    let (status, _) = admin(&served.app, "GET", "/api/v1/admin/report").await;
    assert_eq!(status, StatusCode::OK);

    let public = served_without_admin();
    let (status, _) = admin(&public, "GET", "/api/v1/admin/report").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn served_without_admin() -> Router {
    let state = AppState::new(
        crate::support::options(fixture_corpus(), "/nonexistent"),
        ServeOptions::default(),
    );
    app(state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_reindex_and_remove_a_document() {
    let served = with_admin();
    assert_eq!(total(&served.app, "sellier").await, 0);
    let (status, body) = upload(
        &served.app,
        "guides",
        "../../Sellier Garnisseur.md",
        "# Sellier garnisseur\n\nLe sellier travaille le cuir.".as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["path"], "guides/sellier-garnisseur.md");
    assert!(served.corpus.join("guides/sellier-garnisseur.md").is_file());
    assert!(!served.corpus.join("../Sellier Garnisseur.md").exists());

    let (status, outcome) = admin(&served.app, "POST", "/api/v1/admin/reindex?wait=true").await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["report"]["failed"], 0);
    assert_eq!(total(&served.app, "sellier").await, 1);

    let (status, body) = upload(&served.app, "guides", "sellier-garnisseur.md", b"# Autre\n").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );

    let (status, body) = admin(
        &served.app,
        "DELETE",
        "/api/v1/admin/sources/guides/files/sellier-garnisseur.md",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    admin(&served.app, "POST", "/api/v1/admin/reindex?wait=true").await;
    assert_eq!(total(&served.app, "sellier").await, 0);

    let (status, report) = admin(&served.app, "GET", "/api/v1/admin/report").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["running"], false);
    assert_eq!(
        report["last"]["report"]["documents"],
        crate::api::FIXTURE_DOCUMENTS
    );
}

/// Regression (issue 11, item 0): a `wait=true` re-index answered 503 once its run
/// outlasted the public request timeout. It now waits up to the admin timeout, then answers
/// 202 with where to follow the run. A run always takes longer than a millisecond, whatever
/// the machine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waited_reindex_is_not_cut_by_the_public_request_timeout() {
    let hurried = served(ServeOptions {
        admin_token: Some(AdminToken::new(TOKEN).unwrap()),
        request_timeout: std::time::Duration::from_millis(1),
        ..ServeOptions::default()
    });
    let (status, outcome) = admin(
        &hurried.app,
        "POST",
        "/api/v1/admin/reindex?wait=true&rebuild=true",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(
        outcome["report"]["documents"],
        crate::api::FIXTURE_DOCUMENTS
    );

    let impatient = served(ServeOptions {
        admin_token: Some(AdminToken::new(TOKEN).unwrap()),
        admin_timeout: std::time::Duration::from_millis(1),
        ..ServeOptions::default()
    });
    let request = Request::post("/api/v1/admin/reindex?wait=true&rebuild=true")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&impatient.app, request).await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(headers[header::LOCATION], "/api/v1/admin/report");
    let ticket = body["reindex_ticket"].as_u64().unwrap();
    let mut last = Value::Null;
    for _ in 0..600 {
        let (_, report) = admin(&impatient.app, "GET", "/api/v1/admin/report").await;
        last = report["last"].clone();
        if last["ticket"].as_u64() >= Some(ticket) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        last["report"]["documents"],
        crate::api::FIXTURE_DOCUMENTS,
        "the run went on and its report is where the 202 said: {last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_uploads_and_removals_are_refused_with_their_reason() {
    let served = with_admin();
    let pdf = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/spo/accord-cadre-spo-paca.pdf"
    ))
    .unwrap();
    let cases: [(&str, &str, &[u8], StatusCode, &str); 8] = [
        (
            "guides",
            "fiche.html",
            &pdf[..2000],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "guides",
            "outil.pdf",
            b"MZ\x90\0 this is no PDF",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "guides",
            "script.sh",
            b"#!/bin/sh\nrm -rf /",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "guides",
            ".htaccess",
            b"x",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "guides",
            "vide.md",
            b"",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "..",
            "fiche.md",
            b"# x",
            StatusCode::NOT_FOUND,
            "source_not_found",
        ),
        (
            "nope",
            "fiche.md",
            b"# x",
            StatusCode::NOT_FOUND,
            "source_not_found",
        ),
        (
            "guides",
            "grand.md",
            &[b'a'; 70 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (source, name, content, status, code) in cases {
        let (got, body) = upload(&served.app, source, name, content).await;
        assert_eq!(got, status, "{source}/{name}: {body}");
        assert_eq!(body["error"]["code"], code, "{source}/{name}");
    }
    let not_multipart = Request::post("/api/v1/admin/sources/guides/files")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("# Fiche"))
        .unwrap();
    let (status, _, body) = send(&served.app, not_multipart).await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_parameter");
    for uri in [
        "/api/v1/admin/sources/guides/files/source.toml",
        "/api/v1/admin/sources/guides/files/..%2Fsource.toml",
        "/api/v1/admin/sources/..%2Fguides/files/apprentissage.md",
        "/api/v1/admin/sources/guides/files/absent.md",
    ] {
        let (status, body) = admin(&served.app, "DELETE", uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
    }
    assert!(served.corpus.join("guides/source.toml").is_file());
    let names: Vec<String> = std::fs::read_dir(served.corpus.join("guides"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".upload")), "{names:?}");
}

#[tokio::test]
async fn while_the_index_is_not_ready_nothing_is_stored_or_removed() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    copy_dir(&fixture_corpus(), &corpus);
    let options = ServeOptions {
        admin_token: Some(AdminToken::new(TOKEN).unwrap()),
        ..ServeOptions::default()
    };
    let starting = app(AppState::new(
        crate::support::options(&corpus, dir.path().join("index")),
        options,
    ));
    let (status, body) = upload(&starting, "guides", "attente.md", b"# Attente\n").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(!corpus.join("guides/attente.md").exists());
    let uri = "/api/v1/admin/sources/guides/files/apprentissage.md";
    let (status, body) = admin(&starting, "DELETE", uri).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(corpus.join("guides/apprentissage.md").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_documents_are_listed_with_their_reason() {
    let served = with_admin();
    std::fs::write(
        served.corpus.join("guides/casse.pdf"),
        b"%PDF-1.4\nnot a real pdf",
    )
    .unwrap();
    admin(&served.app, "POST", "/api/v1/admin/reindex?wait=true").await;
    let (status, body) = admin(&served.app, "GET", "/api/v1/admin/failures").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 1, "{body}");
    let failure = &body["failures"][0];
    assert!(
        failure.to_string().contains("guides/casse.pdf"),
        "{failure}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_markup_is_escaped_in_titles_snippets_and_file_names() {
    let served = with_admin();
    let (status, body) = upload(
        &served.app,
        "guides",
        "<img src=x onerror=alert(1)>.txt",
        "<script>alert('titre')</script> Tapissier\nTapissier <b onmouseover=alert(2)>décorateur</b>."
            .as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let path = body["path"].as_str().unwrap().to_string();
    assert!(!path.contains('<') && !path.contains('>'), "{path}");
    admin(&served.app, "POST", "/api/v1/admin/reindex?wait=true").await;
    let (status, _, page) = get(&served.app, "/?q=tapissier").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("Tapissier"), "the document is found");
    assert!(!page.contains("<script>alert"), "title markup escaped");
    assert!(!page.contains("<b onmouseover"), "snippet markup escaped");
    assert!(
        page.contains("&lt;script&gt;alert"),
        "title text kept, escaped"
    );
    let (_, json) = get_json(&served.app, "/api/v1/search?q=tapissier").await;
    assert!(json["hits"][0]["title_html"]
        .as_str()
        .is_some_and(|t| t.starts_with("&lt;script&gt;")));
    let snippet = json["hits"][0]["snippets"][0]["html"].as_str().unwrap();
    assert!(
        snippet.contains("&lt;b onmouseover") && !snippet.contains("<b "),
        "{snippet}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_file_names_in_the_corpus_neither_inject_headers_nor_markup() {
    let served = with_admin();
    let guides = served.corpus.join("guides");
    std::fs::write(guides.join("a\r\nX-Evil: 1.md"), "# Doreur\n\nLe doreur.").unwrap();
    std::fs::write(
        guides.join("<svg onload=alert(1)>.md"),
        "# Doreur sur bois\n\nDorure.",
    )
    .unwrap();
    admin(&served.app, "POST", "/api/v1/admin/reindex?wait=true").await;

    let (status, headers, _) = get(&served.app, "/files/guides/a%0D%0AX-Evil%3A%201.md").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("x-evil").is_none());
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        !disposition.contains('\r') && !disposition.contains('\n'),
        "{disposition}"
    );
    assert!(
        disposition.ends_with("a%0D%0AX%2DEvil%3A%201%2Emd"),
        "{disposition}"
    );

    let (status, _, page) = get(&served.app, "/?q=doreur").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("sur bois"), "both documents are found");
    assert!(
        !page.contains("<svg"),
        "file names are escaped in links and text"
    );
    let (status, _, document) = get(
        &served.app,
        "/documents/guides/%3Csvg%20onload=alert(1)%3E.md",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!String::from_utf8(document).unwrap().contains("<svg"));
}

/// Regression (issue 11, item 7): `javascript:` and `data:` URLs of sidecars and JSON `url`
/// fields were shown as links; only http(s) URLs are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_http_urls_of_documents_are_shown_as_links() {
    let served = with_admin();
    let guides = served.corpus.join("guides");
    let cases = [
        ("ciseleur.md", "javascript:alert(document.domain)"),
        ("graveur.md", "data:text/html,<script>alert(1)</script>"),
        ("orfevre.md", "https://www.onisep.fr/orfevre"),
    ];
    for (name, url) in cases {
        let title = name.trim_end_matches(".md");
        std::fs::write(
            guides.join(name),
            format!("# {title} émailleur\n\nMétier d'art."),
        )
        .unwrap();
        std::fs::write(
            guides.join(format!("{name}.meta.toml")),
            format!("url = {url:?}\n"),
        )
        .unwrap();
    }
    admin(&served.app, "POST", "/api/v1/admin/reindex?wait=true").await;
    let (_, json) = get_json(&served.app, "/api/v1/search?q=emailleur").await;
    let hits = json["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 3, "{json}");
    let urls: Vec<&str> = hits.iter().filter_map(|h| h["url"].as_str()).collect();
    assert_eq!(urls, ["https://www.onisep.fr/orfevre"], "{json}");
    let (_, _, page) = get(&served.app, "/?q=emailleur").await;
    let page = String::from_utf8(page).unwrap();
    assert!(
        !page.contains("javascript:") && !page.contains("data:text"),
        "{page}"
    );
    for id in ["guides/ciseleur.md", "guides/graveur.md"] {
        let (_, document) = get_json(&served.app, &format!("/api/v1/documents/{id}")).await;
        assert!(document["url"].is_null(), "{document}");
    }
}

/// Regression (issue 11, item 9): failed admin authentications were never limited (600
/// wrong tokens in 0.24 s). After 10 failures, a client gets 429 whatever token it sends;
/// other clients are not affected.
#[tokio::test]
async fn failed_authentications_are_rate_limited_per_client() {
    let served = with_admin();
    let from = |client: &str, token: &str| {
        let mut request = Request::get("/api/v1/admin/report")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let address: std::net::SocketAddr = format!("{client}:4000").parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(address));
        request
    };
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (status, _, _) = send(&served.app, from("10.9.9.9", "wrong-token-wrong-token")).await;
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10..], [429; 2]);
    let (status, headers, _) = send(&served.app, from("10.9.9.9", TOKEN)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right token"
    );
    assert!(headers.contains_key(header::RETRY_AFTER));
    let (status, _, _) = send(&served.app, from("10.9.9.8", TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "another client");
}

/// Regression (issue 11, item 12): an unknown source was a `file_not_found` whose message
/// nested another one (`no file at "no source folder named \"nope\""`).
#[tokio::test]
async fn unknown_sources_and_missing_files_say_so_plainly() {
    let served = with_admin();
    let (status, body) = upload(&served.app, "nope", "fiche.md", b"# Fiche").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "source_not_found");
    assert_eq!(body["error"]["message"], "no source folder named \"nope\"");
    let (status, body) = admin(
        &served.app,
        "DELETE",
        "/api/v1/admin/sources/guides/files/absent.md",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "file_not_found");
    assert_eq!(body["error"]["message"], "no file at \"guides/absent.md\"");
}

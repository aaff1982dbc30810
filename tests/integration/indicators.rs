//! The steering committee's dashboard: coverage equal to hand counts on a corpus written for
//! it; the page and its exports in agreement, every chart with its table; clear errors for
//! bad periods; the private setting; the Grafana dashboard against `/metrics`. The use
//! counts themselves are tested in `usage.rs`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use spo_search::admin::AdminToken;
use spo_search::indicators::IndicatorOptions;
use spo_search::search::Engine;
use spo_search::server::{app, AppState, ServeOptions};

use crate::api::{fixture_corpus, get, get_json, send};
use crate::support::{index_into, write_files};

/// A PDF of one page without any text (a scan, as far as indexing can tell).
fn pdf_without_text() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        "<< /Length 0 >>\nstream\n\nendstream",
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", n + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

/// A corpus whose figures are counted by hand:
/// - `cio` (network cio, kind guide, Bouches-du-Rhône: department 13): dated 2001 and 2024,
///   one undated, and a PDF without text (undated);
/// - `ft` (network France Travail, kind fiche-metier, national): one fiche-pratique dated 2025
///   (its sidecar sets the kind), one undated fiche-metier, and a DOCX that cannot be read.
fn counted_corpus(root: &Path) -> PathBuf {
    let corpus = root.join("corpus");
    let source = |network: &str, kind: &str, territory: &str| {
        format!(
            "format = \"files\"\n\n[metadata]\nnetwork = \"{network}\"\nkind = \"{kind}\"\n\
             territory = \"{territory}\"\nlanguage = \"fr\"\n"
        )
    };
    let (cio, ft) = (
        source("cio", "guide", "bouches-du-rhone"),
        source("france-travail", "fiche-metier", "national"),
    );
    let pdf = pdf_without_text();
    write_files(
        &corpus,
        &[
            ("cio/source.toml", cio.as_bytes()),
            (
                "cio/ancien.md",
                "# Choisir son orientation\n\nLe centre d’information et d’orientation reçoit les élèves et leurs familles.".as_bytes(),
            ),
            ("cio/ancien.md.meta.toml", b"date = \"2001-05-01\"\n"),
            (
                "cio/recent.md",
                "# Les formations en alternance\n\nLe contrat d’apprentissage associe l’école et l’entreprise.".as_bytes(),
            ),
            ("cio/recent.md.meta.toml", b"date = \"2024-01-10\"\n"),
            (
                "cio/sans-date.md",
                "# Préparer un entretien\n\nLes conseillers aident à préparer un entretien d’embauche.".as_bytes(),
            ),
            ("cio/scan.pdf", &pdf),
            ("ft/source.toml", ft.as_bytes()),
            (
                "ft/boulanger.txt",
                "Devenir boulanger : la formation se fait souvent par la voie de l’apprentissage.".as_bytes(),
            ),
            (
                "ft/boulanger.txt.meta.toml",
                b"date = \"2025-06-01\"\nkind = \"fiche-pratique\"\n",
            ),
            (
                "ft/patissier.txt",
                "Le métier de pâtissier demande de la rigueur et le goût du travail bien fait.".as_bytes(),
            ),
            ("ft/casse.docx", b"ceci n'est pas une archive zip"),
        ],
    );
    corpus
}

/// A state over `corpus` indexed into `index`, ready, with these indicator settings.
pub fn ready_state(corpus: &Path, index: &Path, indicators: IndicatorOptions) -> AppState {
    let options = ServeOptions {
        rate_limit: None,
        indicators,
        ..ServeOptions::default()
    };
    let state = AppState::new(crate::support::options(corpus, index), options);
    state.set_ready(Engine::open(index).expect("open the index"));
    state
}

/// The rows of table `id` of a JSON export, as (first cell, the other cells).
pub fn rows(body: &Value, id: &str) -> Vec<Vec<Value>> {
    let table = body["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no table {id}"));
    let keys: Vec<&str> = table["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["key"].as_str().expect("key"))
        .collect();
    table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| keys.iter().map(|k| row[*k].clone()).collect())
        .collect()
}

/// The counted corpus indexed in a temporary folder and served in-process.
fn counted_app() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = counted_corpus(dir.path());
    let index = dir.path().join("index");
    let report = index_into(&corpus, &index);
    assert_eq!((report.documents, report.failed), (6, 1), "{report}");
    let app = app(ready_state(&corpus, &index, IndicatorOptions::default()));
    (dir, app)
}

#[tokio::test]
async fn coverage_equals_the_hand_counts_of_a_fixture_corpus() {
    let (_dir, app) = counted_app();
    let (status, body) = get_json(&app, "/api/v1/indicators?older_than=5").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["documents"], 6);
    let columns: Vec<&str> = body["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "reseau-type")
        .unwrap()["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        [
            "network",
            "fiche-metier",
            "fiche-pratique",
            "guide",
            "total"
        ]
    );
    let json = |v: serde_json::Value| v;
    assert_eq!(
        rows(&body, "reseau-type"),
        [
            vec![json("cio".into()), 0.into(), 0.into(), 4.into(), 4.into()],
            vec![
                json("france-travail".into()),
                1.into(),
                1.into(),
                0.into(),
                2.into()
            ],
        ]
    );
    assert_eq!(
        rows(&body, "par-territoire"),
        [
            vec![json("13".into()), 4.into()],
            vec![json("national".into()), 2.into()],
        ]
    );
    assert_eq!(
        rows(&body, "par-format"),
        [
            vec![json("markdown".into()), 3.into()],
            vec![json("text".into()), 2.into()],
            vec![json("pdf".into()), 1.into()],
        ]
    );
    assert_eq!(
        rows(&body, "par-langue"),
        [vec![json("fr".into()), 6.into()]]
    );
    assert_eq!(
        rows(&body, "annees"),
        [
            vec![json("2001".into()), 1.into()],
            vec![json("2024".into()), 1.into()],
            vec![json("2025".into()), 1.into()],
            vec![json("Sans date".into()), 3.into()],
        ]
    );
    let old = body["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "fraicheur")
        .unwrap();
    assert!(old["columns"][3]["label"]
        .as_str()
        .is_some_and(|label| label.starts_with("Datés d’avant 20")));
    assert_eq!(
        rows(&body, "fraicheur"),
        [
            vec![
                json("cio".into()),
                4.into(),
                2.into(),
                1.into(),
                25.0.into()
            ],
            vec![json("ft".into()), 2.into(), 1.into(), 0.into(), 0.0.into()],
        ]
    );
    assert_eq!(
        rows(&body, "pdf-sans-texte"),
        [vec![json("cio/scan.pdf".into())]]
    );
    let failures = rows(&body, "echecs");
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0][0], "ft/casse.docx");
    // Every facet of the table has its table (`rows` panics on a missing one), whatever
    // facets are added later.
    for facet in spo_search::model::Facet::ALL {
        rows(&body, &format!("par-{}", facet.alias()));
    }
}

/// A request for `uri` from the client at `address`, as the server sees it behind no proxy.
pub fn from(address: &str, uri: &str) -> Request<Body> {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(address.parse::<SocketAddr>().unwrap()));
    request
}

/// The rows of the table `id` of a dashboard page, as the raw values of their cells.
fn page_rows(html: &str, id: &str) -> Option<Vec<Vec<String>>> {
    let start = html.find(&format!("data-tableau=\"{id}\""))?;
    let table = &html[start..start + html[start..].find("</table>")?];
    let body = &table[table.find("<tbody>")?..];
    let unescape = |text: &str| {
        text.replace("&#39;", "'")
            .replace("&#34;", "\"")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let rows = body
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("data-valeur=\"")
                .skip(1)
                .map(|cell| unescape(&cell[..cell.find('"').unwrap_or(0)]))
                .collect()
        })
        .collect();
    Some(rows)
}

/// The rows of a CSV export (byte-order mark, `;`, CRLF; no field of these tests is quoted).
fn csv_rows(csv: &str) -> Vec<Vec<String>> {
    let csv = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    csv.split("\r\n")
        .filter(|line| !line.is_empty())
        .skip(1)
        .map(|line| line.split(';').map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn the_page_and_its_exports_agree_and_every_chart_has_its_table() {
    let (_dir, app) = counted_app();
    for uri in [
        "/api/v1/search?q=boulanger",
        "/api/v1/search?q=apprentissage&filter=type:guide",
        "/?q=xyzzyqwerty",
        "/?q=orientation&filter=reseau:cio&filter=territoire:bouches-du-rhone",
        "/documents/cio/recent.md",
        "/api/v1/documents/ft/boulanger.txt",
    ] {
        let (status, _, _) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
    let (status, headers, html) = get(&app, "/tableau-de-bord").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = String::from_utf8(html).unwrap();
    let (_, all) = get_json(&app, "/api/v1/indicators").await;
    let ids: Vec<&str> = all["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() > 10, "{ids:?}");
    for id in &ids {
        let (status, headers, csv) =
            get(&app, &format!("/api/v1/indicators?table={id}&format=csv")).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let csv = csv_rows(&String::from_utf8(csv).unwrap());
        let json: Vec<Vec<String>> = rows(&all, id)
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|cell| match cell {
                        Value::String(text) => text,
                        Value::Null => String::new(),
                        Value::Number(n) if n.is_f64() => {
                            format!("{:.1}", n.as_f64().unwrap()).replace('.', ",")
                        }
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(csv, json, "{id}: CSV and JSON");
        match page_rows(&html, id) {
            Some(page) => assert_eq!(page, csv, "{id}: page and CSV"),
            None => assert!(csv.is_empty(), "{id}: rows missing from the page"),
        }
        let section = &html[html
            .find(&format!("<section class=\"indicateur\" id=\"{id}\""))
            .unwrap()..];
        let section = &section[..section.find("</section>").unwrap()];
        if let Some(chart) = section.find("<svg") {
            let table = section
                .find("<table")
                .expect("a chart is followed by its table");
            assert!(chart < table, "{id}");
        }
    }
    let entries = page_rows(&html, "entrees").unwrap();
    let figures = |row: &[String]| {
        [
            row[0].clone(),
            row[1].clone(),
            row[2].clone(),
            row[4].clone(),
            row[5].clone(),
        ]
    };
    assert_eq!(
        figures(&entries[0]),
        ["pages web", "1", "1", "2", "1"],
        "web: one found, one not"
    );
    assert_eq!(figures(&entries[1]), ["API", "2", "0", "2", "1"]);
    let filters = page_rows(&html, "filtres").unwrap();
    let filtered: Vec<(&str, &str)> = filters
        .iter()
        .map(|r| (r[0].as_str(), r[3].as_str()))
        .collect();
    assert!(
        filtered.contains(&("Type de document", "1")),
        "{filtered:?}"
    );
    assert!(filtered.contains(&("Réseau", "1")) && filtered.contains(&("Territoire", "1")));
    assert_eq!(
        html.matches("<svg").count(),
        5,
        "searches, documents, filters, kinds, years"
    );
}

#[tokio::test]
async fn bad_periods_and_tables_get_a_clear_400() {
    let app = app(ready_state(
        &fixture_corpus(),
        crate::support::bundled_index(),
        IndicatorOptions::default(),
    ));
    for (uri, needle) in [
        ("/api/v1/indicators?from=2026-02-31", "from"),
        (
            "/api/v1/indicators?from=2026-03-01&to=2026-02-01",
            "before it starts",
        ),
        (
            "/api/v1/indicators?from=2000-01-01&to=2026-01-01",
            "longer than",
        ),
        ("/api/v1/indicators?table=nope", "recherches"),
        ("/api/v1/indicators?format=csv", "table="),
        ("/api/v1/indicators?older_than=0", "between 1 and"),
        ("/api/v1/indicators?colour=red", "colour"),
    ] {
        let (status, body) = get_json(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{uri}: {message}");
    }
    let (status, _, html) = get(&app, "/tableau-de-bord?du=hier").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&html).contains("Adresse incorrecte"));
}

#[tokio::test]
async fn a_private_dashboard_asks_for_the_admin_token() {
    let token = "comite-de-pilotage-0123";
    let options = ServeOptions {
        admin_token: Some(AdminToken::new(token).unwrap()),
        indicators: IndicatorOptions {
            private: true,
            ..IndicatorOptions::default()
        },
        ..ServeOptions::default()
    };
    let index = crate::support::bundled_index();
    let state = AppState::new(crate::support::options(fixture_corpus(), index), options);
    state.set_ready(Engine::open(index).unwrap());
    let app = app(state);
    let request = |uri: &str, authorization: Option<String>| {
        let mut request = Request::get(uri);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        request.body(Body::empty()).unwrap()
    };
    let (status, headers, html) = send(&app, request("/tableau-de-bord", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        headers[header::WWW_AUTHENTICATE],
        "Basic realm=\"spo-search\", charset=\"UTF-8\""
    );
    assert!(String::from_utf8_lossy(&html).contains("Accès réservé"));
    let (status, headers, _) = send(&app, request("/api/v1/indicators", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("comite:{token}"));
    for (uri, authorization) in [
        ("/tableau-de-bord", format!("Basic {basic}")),
        (
            "/api/v1/indicators?table=entrees&format=csv",
            format!("Basic {basic}"),
        ),
        ("/api/v1/indicators", format!("Bearer {token}")),
    ] {
        let (status, _, _) = send(&app, request(uri, Some(authorization))).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
    let (status, _, _) = send(
        &app,
        request("/api/v1/indicators", Some("Bearer faux".into())),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_metric_of_the_grafana_dashboard_exists_in_metrics() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/grafana/spo-search.json");
    let dashboard: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("valid JSON");
    assert!(dashboard["title"].is_string() && dashboard["uid"].is_string());
    let mut expressions = Vec::new();
    collect_expressions(&dashboard, &mut expressions);
    let mut names: Vec<String> = expressions
        .iter()
        .flat_map(|expr| {
            expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| word.starts_with("spo_"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() >= 8, "{names:?}");
    let app = app(ready_state(
        &fixture_corpus(),
        crate::support::bundled_index(),
        IndicatorOptions::default(),
    ));
    get(&app, "/api/v1/search?q=stage").await;
    get(&app, "/api/v1/nope").await;
    let (_, _, metrics) = get(&app, "/metrics").await;
    let metrics = String::from_utf8(metrics).unwrap();
    for name in names {
        let exposed = metrics.lines().any(|line| {
            line.strip_prefix(&name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        });
        assert!(exposed, "{name} is not in /metrics");
    }
}

/// Every `expr` of a Grafana dashboard's targets.
fn collect_expressions(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, item) in object {
                match (key.as_str(), item) {
                    ("expr", Value::String(expr)) => out.push(expr.clone()),
                    _ => collect_expressions(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_expressions(item, out)),
        _ => {}
    }
}

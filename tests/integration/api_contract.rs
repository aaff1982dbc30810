//! The API contract: the OpenAPI document checked against the real routes, and the whole
//! application on a real socket with concurrent clients.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use serde_json::{json, Value};

use super::{bundled_app, fixture_app, get, get_json, send};
use crate::admin::{multipart, with_admin, TOKEN};

/// Every public route of the API, as the router declares them, in the OpenAPI form.
const API_ROUTES: [&str; 9] = [
    "/api/v1/search",
    "/api/v1/documents/{id}",
    "/api/v1/documents/{id}/similar",
    "/api/v1/suggest",
    "/api/v1/facets",
    "/api/v1/indicators",
    "/api/v1/openapi.json",
    "/health",
    "/metrics",
];

/// Every admin operation (method and path), as `api::admin::routes` declares them, in the
/// OpenAPI form, with the calls made to it in turn: query string and status expected. A
/// file is uploaded, then removed.
type AdminOperation = (
    &'static str,
    &'static str,
    &'static [(&'static str, StatusCode)],
);
const ADMIN_OPERATIONS: [AdminOperation; 5] = [
    (
        "post",
        "/api/v1/admin/sources/{source}/files",
        &[
            ("", StatusCode::CREATED),
            ("", StatusCode::CONFLICT),
            ("?replace=true", StatusCode::CREATED),
        ],
    ),
    (
        "delete",
        "/api/v1/admin/sources/{source}/files/{name}",
        &[("", StatusCode::OK), ("", StatusCode::NOT_FOUND)],
    ),
    (
        "post",
        "/api/v1/admin/reindex",
        &[("", StatusCode::ACCEPTED), ("?wait=true", StatusCode::OK)],
    ),
    ("get", "/api/v1/admin/report", &[("", StatusCode::OK)]),
    ("get", "/api/v1/admin/failures", &[("", StatusCode::OK)]),
];

/// The file uploaded and removed through the admin operations (a name kept as it is).
const UPLOADED: &str = "contrat-essai.md";

#[tokio::test]
async fn the_openapi_document_matches_the_real_routes() {
    let app = fixture_app();
    let (status, doc) = get_json(&app, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: Vec<&str> = paths.keys().map(String::as_str).collect();
    let mut expected = API_ROUTES.to_vec();
    expected.extend(ADMIN_OPERATIONS.iter().map(|(_, path, _)| *path));
    documented.sort_unstable();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(documented, expected);
    for path in API_ROUTES {
        let operations = paths[path].as_object().expect("operations");
        assert_eq!(operations.keys().collect::<Vec<_>>(), ["get"], "{path}");
        let operation = &operations["get"];
        let mut query = Vec::new();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] == "query" && parameter["required"] == true {
                let example = parameter["example"]
                    .as_str()
                    .expect("required parameters have an example");
                query.push(format!(
                    "{}={example}",
                    parameter["name"].as_str().unwrap_or_default()
                ));
            }
        }
        let mut uri = path.replace("{id}", "guides/apprentissage.md");
        if !query.is_empty() {
            uri = format!("{uri}?{}", query.join("&"));
        }
        let (status, headers, body) = get(&app, &uri).await;
        let declared = &operation["responses"][status.as_str()];
        assert!(
            declared.is_object(),
            "{uri}: status {status} is not documented"
        );
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_documented_body(&doc, declared, &headers, &body, &uri);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_admin_operations_match_the_admin_routes() {
    let served = with_admin();
    let without_token = fixture_app();
    let (status, doc) = get_json(&served.app, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let (_, public_doc) = get_json(&without_token, "/api/v1/openapi.json").await;
    assert_eq!(doc, public_doc, "one document, with or without a token");
    let scheme = &doc["components"]["securitySchemes"]["admin_token"];
    assert_eq!(
        (&scheme["type"], &scheme["scheme"]),
        (&json!("http"), &json!("bearer"))
    );

    let mut documented = Vec::new();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        if path.starts_with("/api/v1/admin/") {
            let methods = operations.as_object().expect("operations").keys();
            documented.extend(methods.map(|method| (method.as_str(), path.as_str())));
        }
    }
    let mut expected: Vec<_> = ADMIN_OPERATIONS.iter().map(|(m, p, _)| (*m, *p)).collect();
    documented.sort_unstable();
    expected.sort_unstable();
    assert_eq!(documented, expected);

    for (method, path, calls) in ADMIN_OPERATIONS {
        let operation = &doc["paths"][path][method];
        assert_eq!(operation["tags"], json!(["admin"]), "{method} {path}");
        assert_eq!(operation["security"], json!([{ "admin_token": [] }]));
        let mut placeholders: Vec<&str> = path
            .split('{')
            .filter_map(|part| part.split_once('}'))
            .map(|(name, _)| name)
            .collect();
        let mut parameters: Vec<&str> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|parameter| parameter["in"] == "path")
            .filter_map(|parameter| parameter["name"].as_str())
            .collect();
        placeholders.sort_unstable();
        parameters.sort_unstable();
        assert_eq!(placeholders, parameters, "{method} {path}");
        let form = &operation["requestBody"]["content"]["multipart/form-data"]["schema"];
        if !form.is_null() {
            assert_eq!(
                form["required"],
                json!(["file"]),
                "the part `multipart` sends"
            );
        }
        let request = |query: &str, token: bool| {
            let uri = path
                .replace("{source}", "guides")
                .replace("{name}", UPLOADED);
            let mut request = Request::builder()
                .method(method.to_ascii_uppercase().as_str())
                .uri(format!("{uri}{query}"));
            if token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
            }
            if form.is_null() {
                return request.body(Body::empty()).expect("request");
            }
            let (content_type, body) = multipart(UPLOADED, b"# Contrat\n\nUn contrat d'essai.");
            let request = request.header(header::CONTENT_TYPE, content_type);
            request.body(Body::from(body)).expect("request")
        };
        for (query, expected) in calls {
            let uri = format!("{method} {path}{query}");
            let (status, headers, body) = send(&served.app, request(query, true)).await;
            let text = String::from_utf8_lossy(&body);
            assert_eq!(status, *expected, "{uri}: {text}");
            let declared = &operation["responses"][status.as_str()];
            assert!(declared.is_object(), "{uri}: {status} is not documented");
            assert_documented_body(&doc, declared, &headers, &body, &uri);
        }
        let (status, headers, body) = send(&served.app, request("", false)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        let declared = &operation["responses"]["401"];
        assert!(declared["headers"]["WWW-Authenticate"].is_object());
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
        assert_documented_body(&doc, declared, &headers, &body, path);
        let (status, body) = {
            let (status, _, body) = send(&without_token, request("", true)).await;
            (
                status,
                serde_json::from_slice::<Value>(&body).expect("JSON"),
            )
        };
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "without a token: {method} {path}"
        );
        assert_eq!(body["error"]["code"], "route_not_found");
    }
    let tags = doc["tags"].as_array().expect("tags");
    let admin = tags
        .iter()
        .find(|tag| tag["name"] == "admin")
        .expect("admin tag");
    assert!(admin["description"]
        .as_str()
        .is_some_and(|d| d.contains("404 `route_not_found`")));
}

/// Checks an answer against its documented response: when that has a JSON schema, a JSON
/// object whose objects have only documented properties and every required one, down through
/// references, arrays and nullable references.
fn assert_documented_body(
    doc: &Value,
    declared: &Value,
    headers: &HeaderMap,
    body: &[u8],
    uri: &str,
) {
    let schema = &declared["content"]["application/json"]["schema"];
    let Some(reference) = schema["$ref"].as_str() else {
        return;
    };
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .is_ok_and(|t| t.starts_with("application/json")));
    let name = reference.rsplit('/').next().unwrap_or_default();
    assert!(
        doc["components"]["schemas"][name]["properties"].is_object(),
        "{uri}: {name} has no properties"
    );
    let body: Value = serde_json::from_slice(body).expect("JSON");
    assert!(body.is_object(), "{uri}: a JSON object");
    assert_matches_schema(doc, schema, &body, uri);
}

/// Checks `value` against `schema` (see [`assert_documented_body`]).
fn assert_matches_schema(doc: &Value, schema: &Value, value: &Value, at: &str) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        let resolved = &doc["components"]["schemas"][name];
        assert!(resolved.is_object(), "{at}: no schema {name}");
        return assert_matches_schema(doc, resolved, value, &format!("{at} ({name})"));
    }
    if let Some(alternatives) = schema["oneOf"].as_array() {
        let mut others = alternatives.iter().filter(|a| a["type"] != "null");
        let (Some(other), None) = (others.next(), others.next()) else {
            panic!("{at}: only nullable references are checked, not {schema}");
        };
        if !value.is_null() {
            assert_matches_schema(doc, other, value, at);
        }
        return;
    }
    match value {
        Value::Object(object) => {
            let Some(properties) = schema["properties"].as_object() else {
                return;
            };
            for (key, item) in object {
                let property = properties.get(key);
                assert!(property.is_some(), "{at}: {key} is not documented");
                assert_matches_schema(doc, &properties[key], item, &format!("{at}.{key}"));
            }
            for required in schema["required"].as_array().into_iter().flatten() {
                let required = required.as_str().unwrap_or_default();
                assert!(object.contains_key(required), "{at}: {required} missing");
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_matches_schema(doc, &schema["items"], item, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

/// A minimal HTTP/1.1 client: one request per connection, the whole answer read.
pub async fn http_get(address: std::net::SocketAddr, path: &str) -> (u16, String) {
    http_request(address, "GET", path, "").await
}

/// One `method` request with extra header lines (each ending in `\r\n`) and no body;
/// returns the status and the body.
pub async fn http_request(
    address: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_socket_serves_concurrent_clients_and_shuts_down_gracefully() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, bundled_app())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let paths = [
        ("/api/v1/search?q=boulanger", "\"hits\""),
        (
            "/api/v1/search?q=apprentissage&filter=type:fiche-droits",
            "\"facets\"",
        ),
        ("/api/v1/suggest?q=boul", "\"suggestions\""),
        ("/api/v1/documents/rome:D1102", "\"body\""),
        ("/?q=contrat%20d%27apprentissage", "<mark>"),
        ("/health", "\"ready\""),
    ];
    let mut clients = Vec::new();
    for client in 0..16 {
        clients.push(tokio::spawn(async move {
            for round in 0..6 {
                let (path, expected) = paths[(client + round) % paths.len()];
                let (status, body) = http_get(address, path).await;
                assert_eq!(status, 200, "{path}");
                assert!(body.contains(expected), "{path}");
            }
        }));
    }
    for client in clients {
        client.await.expect("client");
    }
    stop.send(()).expect("server still running");
    server.await.expect("server task").expect("served");
}

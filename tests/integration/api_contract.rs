//! The API contract: the OpenAPI document checked against the real routes, and the whole
//! application on a real socket with concurrent clients.

use axum::http::{header, StatusCode};
use serde_json::Value;

use super::{bundled_app, fixture_app, get, get_json};

/// Every route of the API, as the router declares them, in the OpenAPI form.
const API_ROUTES: [&str; 8] = [
    "/api/v1/search",
    "/api/v1/documents/{id}",
    "/api/v1/documents/{id}/similar",
    "/api/v1/suggest",
    "/api/v1/facets",
    "/api/v1/openapi.json",
    "/health",
    "/metrics",
];

#[tokio::test]
async fn the_openapi_document_matches_the_real_routes() {
    let app = fixture_app();
    let (status, doc) = get_json(&app, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: Vec<&str> = paths.keys().map(String::as_str).collect();
    let mut expected = API_ROUTES.to_vec();
    documented.sort_unstable();
    expected.sort_unstable();
    assert_eq!(documented, expected);
    for (path, operations) in paths {
        let operations = operations.as_object().expect("operations");
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
        let Some(reference) = declared["content"]["application/json"]["schema"]["$ref"].as_str()
        else {
            continue;
        };
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/json")));
        let name = reference.rsplit('/').next().unwrap_or_default();
        let schema = &doc["components"]["schemas"][name];
        let body: Value = serde_json::from_slice(&body).expect("JSON");
        let object = body.as_object().expect("a JSON object");
        let properties = schema["properties"].as_object().expect("properties");
        for key in object.keys() {
            assert!(
                properties.contains_key(key),
                "{uri}: {key} is not in {name}"
            );
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            let required = required.as_str().unwrap_or_default();
            assert!(object.contains_key(required), "{uri}: {required} missing");
        }
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

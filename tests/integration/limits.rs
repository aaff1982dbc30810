//! The public service's limits: rate limiting per client (also behind a trusted proxy) and
//! oversized or malformed requests, in-process, answered as JSON on the API and as pages on
//! the web; and on a real socket, connections closed when their request head is late, and
//! capped per client and in total.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;
use spo_search::server::limits::RateLimit;
use spo_search::server::listen::{self, ConnectionLimits};
use spo_search::server::ServeOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::admin::served;
use crate::api::{get, get_json, send};

fn from(address: &str, uri: &str) -> Request<Body> {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    let address: SocketAddr = address.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(address));
    request
}

#[tokio::test]
async fn each_client_is_rate_limited_on_public_routes_with_retry_after() {
    let served = served(ServeOptions {
        rate_limit: Some(RateLimit {
            per_second: 0.5,
            burst: 3.0,
        }),
        ..ServeOptions::default()
    });
    for _ in 0..3 {
        let (status, _, _) =
            send(&served.app, from("10.1.1.1:4000", "/api/v1/search?q=stage")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, body) =
        send(&served.app, from("10.1.1.1:4001", "/api/v1/search?q=stage")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers[header::RETRY_AFTER], "2");
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let (status, headers, _) = send(&served.app, from("10.1.1.1:4002", "/?q=stage")).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the web page counts too"
    );
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let (status, _, _) = send(&served.app, from("10.1.1.1:4003", "/health")).await;
    assert_eq!(status, StatusCode::OK, "health is never limited");
    let (status, _, _) = send(&served.app, from("10.9.9.9:4000", "/api/v1/search?q=stage")).await;
    assert_eq!(status, StatusCode::OK, "another client has its own budget");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, _, _) = send(&served.app, from("10.1.1.1:4004", "/api/v1/search?q=stage")).await;
    assert_eq!(status, StatusCode::OK, "the budget refills");
}

#[tokio::test]
async fn oversized_and_malformed_requests_get_a_clear_4xx() {
    let served = served(ServeOptions::default());
    let long = format!("/api/v1/search?q={}", "a".repeat(9000));
    let (status, body) = get_json(&served.app, &long).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::URI_TOO_LONG, Some("uri_too_long"))
    );
    let mut request = Request::get("/api/v1/search?q=stage");
    for i in 0..20 {
        request = request.header(format!("x-filler-{i}"), "v".repeat(1000));
    }
    let (status, _, body) = send(&served.app, request.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert!(String::from_utf8_lossy(&body).contains("headers_too_large"));
    for uri in ["/api/v1/search?page=-1&q=x", "/api/v1/search?per_page=abc"] {
        let (status, body) = get_json(&served.app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
    }
    let (status, _, _) = get(&served.app, "/files/..%2F..%2Fetc%2Fpasswd").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let served = served(ServeOptions {
        rate_limit: Some(RateLimit {
            per_second: 0.5,
            burst: 2.0,
        }),
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..ServeOptions::default()
    });
    let via_proxy = |client: &str| {
        let mut request = from("127.0.0.1:5000", "/api/v1/search?q=stage");
        request
            .headers_mut()
            .insert("x-forwarded-for", client.parse().unwrap());
        request
    };
    for _ in 0..2 {
        let (status, _, _) = send(&served.app, via_proxy("198.51.100.1, 203.0.113.1")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _, _) = send(&served.app, via_proxy("198.51.100.2, 203.0.113.1")).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged first entry changes nothing"
    );
    let (status, _, _) = send(&served.app, via_proxy("203.0.113.2")).await;
    assert_eq!(status, StatusCode::OK, "another client behind the proxy");
}

#[tokio::test]
async fn a_web_page_gets_html_for_the_limits_and_the_api_gets_json() {
    let served = served(ServeOptions::default());
    let oversized = |path: &str| {
        Request::post(path)
            .header(header::CONTENT_LENGTH, "20000")
            .body(Body::from(vec![b'a'; 20_000]))
            .unwrap()
    };
    let crowded = |path: &str| {
        let mut request = Request::get(path);
        for i in 0..20 {
            request = request.header(format!("x-filler-{i}"), "v".repeat(1000));
        }
        request.body(Body::empty()).unwrap()
    };
    let cases = [
        (oversized("/?q=stage"), StatusCode::PAYLOAD_TOO_LARGE, false),
        (
            oversized("/api/v1/search?q=stage"),
            StatusCode::PAYLOAD_TOO_LARGE,
            true,
        ),
        (
            crowded("/?q=stage"),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            false,
        ),
        (
            crowded("/api/v1/search?q=stage"),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            true,
        ),
    ];
    for (request, expected, api) in cases {
        let path = request.uri().to_string();
        let (status, headers, body) = send(&served.app, request).await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, expected, "{path}");
        let content_type = headers[header::CONTENT_TYPE].to_str().unwrap();
        if api {
            assert_eq!(content_type, "application/json", "{path}");
            assert!(body.starts_with("{\"error\":{\"code\":"), "{path}: {body}");
        } else {
            assert_eq!(content_type, "text/html; charset=utf-8", "{path}");
            assert!(
                body.contains("<h1>Requête trop volumineuse</h1>"),
                "{path}: {body}"
            );
            assert!(
                headers.contains_key(header::CONTENT_SECURITY_POLICY),
                "{path}"
            );
        }
    }
}

/// The fixture corpus served on a real loopback socket by `listen::serve`, with these
/// connection limits; dropping the sender stops it.
async fn listening(
    connections: ConnectionLimits,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    use spo_search::search::Engine;
    use spo_search::server::AppState;
    let index = crate::api::fixture_index();
    let options = ServeOptions {
        connections,
        rate_limit: None,
        ..ServeOptions::default()
    };
    let state = AppState::new(
        crate::support::options(crate::api::fixture_corpus(), index),
        options,
    );
    state.set_ready(Engine::open(index).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(listen::serve(listener, state, async {
        let _ = stopped.await;
    }));
    (address, stop)
}

/// A connection to `server` from the loopback address `from` (127.0.0.x).
async fn connect_from(from: &str, server: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(server).await.unwrap()
}

/// Everything the server sends until it closes the connection, or `None` if it is still
/// open after `patience`.
async fn until_closed(stream: &mut TcpStream, patience: Duration) -> Option<String> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(patience, stream.read_to_end(&mut answer)).await;
    match read {
        Ok(_) => Some(String::from_utf8_lossy(&answer).into_owned()),
        Err(_) => None,
    }
}

/// Regression (issue 11, item 1): a socket that sent nothing, half a request line, or one
/// byte at a time stayed open forever, and so did an idle kept-alive connection. The wait
/// allowed (20 s) is far above the header timeout (300 ms), so a slow machine cannot fail it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_whose_request_head_is_late_are_closed() {
    let (address, _stop) = listening(ConnectionLimits {
        header_timeout: Duration::from_millis(300),
        ..ConnectionLimits::default()
    })
    .await;
    let patience = Duration::from_secs(20);
    let mut silent = connect_from("127.0.0.1", address).await;
    let mut half_line = connect_from("127.0.0.1", address).await;
    half_line.write_all(b"GET /api/v1/sea").await.unwrap();
    let mut dripping = connect_from("127.0.0.1", address).await;
    let drip = tokio::spawn(async move {
        for byte in b"GET /api/v1/search?q=stage HTTP/1.1\r\nHost: x\r\n" {
            if dripping.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        until_closed(&mut dripping, patience).await
    });
    assert!(
        until_closed(&mut silent, patience).await.is_some(),
        "silent"
    );
    assert!(
        until_closed(&mut half_line, patience).await.is_some(),
        "half"
    );
    assert!(drip.await.unwrap().is_some(), "dripping");

    let mut kept_alive = connect_from("127.0.0.1", address).await;
    kept_alive
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut kept_alive, patience).await;
    let answer = answer.expect("an idle kept-alive connection is closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Regression (issue 11, item 1): connections were never capped, so one client could hold
/// every file descriptor of the process. Over a cap, a connection gets a plain 503 and is
/// closed; other clients are still served; /metrics shows the connections and open files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_capped_per_client_and_in_total() {
    let (address, _stop) = listening(ConnectionLimits {
        header_timeout: Duration::from_secs(60),
        max_connections: 3,
        max_per_client: 2,
    })
    .await;
    let patience = Duration::from_secs(20);
    let _first = connect_from("127.0.0.1", address).await;
    let _second = connect_from("127.0.0.1", address).await;
    let mut third = connect_from("127.0.0.1", address).await;
    let refused = until_closed(&mut third, patience).await.expect("closed");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(
        refused.contains("\"code\":\"too_many_connections\""),
        "{refused}"
    );
    assert!(refused.contains("from this client"), "{refused}");

    let third_client = connect_from("127.0.0.3", address).await;
    let mut fourth_client = connect_from("127.0.0.4", address).await;
    let refused = until_closed(&mut fourth_client, patience)
        .await
        .expect("closed");
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("to the service"), "{refused}");

    // Closing a connection frees its place (once the server has seen it close).
    drop(third_client);
    let mut metrics = String::new();
    for _ in 0..200 {
        let mut other = connect_from("127.0.0.2", address).await;
        let request = b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        other.write_all(request).await.unwrap();
        metrics = until_closed(&mut other, patience).await.expect("answered");
        if metrics.starts_with("HTTP/1.1 200") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    for line in [
        "spo_connections_open 3",
        "spo_connections_limit 3",
        "spo_connections_refused_total{reason=\"per_client\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line}\n{metrics}");
    }
    assert!(metrics.contains("\nspo_open_files_limit "), "{metrics}");
    assert!(metrics.contains("\nspo_open_files "), "{metrics}");
}

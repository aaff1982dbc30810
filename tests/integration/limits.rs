//! The public service's limits, in-process: rate limiting per client (also behind a trusted
//! proxy) and oversized or malformed requests, answered as JSON on the API and as pages on
//! the web.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;
use spo_search::server::limits::RateLimit;
use spo_search::server::ServeOptions;

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

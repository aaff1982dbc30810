//! The HTTP service: the state every handler shares and the calls it serves
//! (`state`, [`service`]), the middleware (request limits, rate limits, metrics, panics
//! caught), the one error type and its status mapping ([`error`]), and its two
//! presentations of the same calls: the JSON API ([`api`]) and the French web pages
//! ([`web`]), which never import each other.
//!
//! [`app`] builds the router from an [`AppState`]; the index may not be open yet, in which
//! case every route that needs it answers 503 until [`AppState::set_ready`] is called.
//! Whether an error is answered as JSON or as a web page is decided once, by path, by the
//! outermost layer (`present_errors`): handlers and middleware only say what went wrong.

pub mod api;
pub mod error;
pub mod freshness;
pub mod indicators;
pub mod limits;
pub mod links;
pub mod listen;
pub mod metrics;
pub mod service;
mod state;
pub mod web;

pub use state::{AppState, ServeOptions};

use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use error::{ApiError, Unpresented};

/// The header in which a replica names the published generation it serves.
pub const GENERATION_HEADER: &str = "x-index-generation";

/// The whole application: API, health, metrics and web pages, with their middleware.
pub fn app(state: AppState) -> Router {
    let mut api = api::routes()
        // Set before the CORS layer, so that preflight requests reach it.
        .method_not_allowed_fallback(method_not_allowed);
    if let Some(cors) = cors_layer(&state.options().cors_origins) {
        api = api.layer(cors);
    }
    if state.options().admin_token.is_some() {
        api = api.merge(api::admin::routes(&state));
    }
    let routes = Router::new()
        .merge(api)
        .route("/health", get(api::routes::health))
        .route("/metrics", get(api::routes::metrics))
        .merge(web::routes())
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed);
    with_middleware(routes, &state).with_state(state)
}

/// The middleware of every route, innermost first: the body limit, [`guard`] (declared
/// size, time limit, common headers), the URI, header and rate limits, panics caught, errors
/// presented, the metrics of every answer, and a replica's generation.
fn with_middleware(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    routes
        .layer(DefaultBodyLimit::max(state.options().max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::enforce,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(present_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            stamp_generation,
        ))
}

/// On a replica, names the published generation served in every answer, errors included
/// ([`GENERATION_HEADER`]): the one read when the request arrived.
async fn stamp_generation(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let generation = state.generation();
    let mut response = next.run(request).await;
    if let Some(generation) = generation {
        response
            .headers_mut()
            .insert(GENERATION_HEADER, HeaderValue::from(generation));
    }
    response
}

/// CORS for partner sites: read-only methods from the configured origins.
fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let values: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|origin| match HeaderValue::from_str(origin.trim()) {
                Ok(value) => Some(value),
                Err(_) => {
                    tracing::warn!(%origin, "ignoring an invalid CORS origin");
                    None
                }
            })
            .collect();
        AllowOrigin::list(values)
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::HEAD])
            .max_age(Duration::from_secs(3600)),
    )
}

/// Refuses oversized bodies, bounds the time of every request (public routes by the request
/// timeout, admin routes by their own: [`api::admin::time_limit`]) and sets the headers that
/// every response carries.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let options = state.options();
    let path = request.uri().path();
    let (limit, time_limit) = if api::admin::is_admin_path(path) {
        (
            options.max_upload_bytes,
            api::admin::time_limit(path, options),
        )
    } else {
        (options.max_body_bytes, Some(options.request_timeout))
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return ApiError::PayloadTooLarge(limit).into_response();
    }
    let mut response = match time_limit {
        Some(time_limit) => match tokio::time::timeout(time_limit, next.run(request)).await {
            Ok(response) => response,
            Err(_) => ApiError::Timeout(time_limit.as_millis()).into_response(),
        },
        None => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The pages' addresses hold what people search: they are never sent to other sites.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Whether an error on this path is answered in JSON (the API and its service routes,
/// `/health` and `/metrics`) rather than as a web page.
fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/health" || path == "/metrics"
}

/// Gives every error answer its body: JSON on the API's paths, a French page elsewhere;
/// the status and headers that the error set are kept.
async fn present_errors(request: Request, next: Next) -> Response {
    let api = is_api_path(request.uri().path());
    let (mut parts, body) = next.run(request).await.into_parts();
    let Some(Unpresented(error)) = parts.extensions.remove::<Unpresented>() else {
        return Response::from_parts(parts, body);
    };
    let (content_type, body): (_, Body) = if api {
        (api::JSON, api::error_body(&error).into())
    } else {
        parts.headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(web::PAGE_POLICY),
        );
        if let ApiError::Unauthorized = error {
            // A page behind the token (the private dashboard): the browser asks for it.
            parts.headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(web::TOKEN_CHALLENGE),
            );
        }
        (web::HTML, web::error_page(&error).into())
    };
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

async fn route_not_found(request: Request) -> ApiError {
    ApiError::RouteNotFound(request.uri().path().to_string())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The answer to a panic in a handler: a generic 500, the detail logged.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    ApiError::internal(format!("handler panicked: {detail}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexOptions;
    use axum::http::StatusCode;
    use tower::ServiceExt;

    /// Slow, panicking and fast routes, under the API and for the web, behind the
    /// middleware of [`app`].
    fn guarded(timeout: Duration) -> Router {
        let state = AppState::new(
            IndexOptions::new("corpus", "index"),
            ServeOptions {
                request_timeout: timeout,
                ..ServeOptions::default()
            },
        );
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late"
        };
        let routes = Router::new()
            .route("/slow", get(slow))
            .route("/api/v1/slow", get(slow))
            .route("/boom", get(boom))
            .route("/api/v1/boom", get(boom))
            .route("/fast", get(|| async { "ok" }).post(|| async { "ok" }))
            .route(
                "/api/v1/fast",
                get(|| async { "ok" }).post(|| async { "ok" }),
            );
        with_middleware(routes, &state).with_state(state)
    }

    async fn boom() -> &'static str {
        panic!("secret detail")
    }

    /// Status, `X-Content-Type-Options`, `Content-Type` and body of an answer.
    async fn call(router: Router, request: Request<Body>) -> (StatusCode, String, String, String) {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (nosniff, content_type) = (
            header(header::X_CONTENT_TYPE_OPTIONS),
            header(header::CONTENT_TYPE),
        );
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        let body = String::from_utf8_lossy(&body).into_owned();
        (status, nosniff, content_type, body)
    }

    fn get_request(uri: &str) -> Request<Body> {
        Request::get(uri).body(Body::empty()).expect("request")
    }

    #[tokio::test]
    async fn slow_requests_time_out_in_the_shape_of_their_path() {
        let router = guarded(Duration::from_millis(50));
        let fast = guarded(Duration::from_secs(5))
            .oneshot(get_request("/fast"))
            .await
            .expect("infallible");
        assert_eq!(fast.headers()[header::REFERRER_POLICY], "no-referrer");
        let (status, nosniff, content_type, body) =
            call(router.clone(), get_request("/api/v1/slow")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(nosniff, "nosniff");
        assert_eq!(content_type, "application/json");
        assert!(body.contains("\"code\":\"timeout\""), "{body}");
        let (status, nosniff, content_type, body) = call(router, get_request("/slow")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(nosniff, "nosniff");
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(body.contains("Délai dépassé"), "{body}");
        let (status, _, _, body) =
            call(guarded(Duration::from_secs(5)), get_request("/fast")).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    }

    #[tokio::test]
    async fn panics_become_a_generic_500() {
        let router = guarded(Duration::from_secs(5));
        let (status, _, _, body) = call(router.clone(), get_request("/api/v1/boom")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("\"code\":\"internal\""), "{body}");
        assert!(!body.contains("secret"), "{body}");
        let (status, _, content_type, body) = call(router, get_request("/boom")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(
            body.contains("Erreur du service") && !body.contains("secret"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn oversized_bodies_are_refused_before_the_handler() {
        for (path, shape) in [
            ("/api/v1/fast", "\"code\":\"payload_too_large\""),
            ("/fast", "Requête trop volumineuse"),
        ] {
            let request = Request::post(path)
                .header(header::CONTENT_LENGTH, "20000")
                .body(Body::from(vec![0u8; 20_000]))
                .expect("request");
            let (status, _, _, body) = call(guarded(Duration::from_secs(5)), request).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
            assert!(body.contains(shape), "{path}: {body}");
        }
    }

    #[test]
    fn cors_origins_are_read_from_the_options() {
        assert!(cors_layer(&[]).is_none());
        assert!(cors_layer(&["*".into()]).is_some());
        assert!(cors_layer(&["https://a.example".into(), "bad\nvalue".into()]).is_some());
    }
}

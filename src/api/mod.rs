//! The HTTP service: the JSON API under `/api/v1`, health and metrics, and the assembly of
//! the whole application (API + web pages) with its middleware.
//!
//! [`app`] builds the router from an [`AppState`]; the index may not be open yet, in which
//! case every route that needs it answers 503 until [`AppState::set_ready`] is called.

pub mod admin;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod openapi;
pub mod params;
pub mod routes;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::admin::{AdminToken, Reindexer};
use crate::index::IndexOptions;
use crate::search::Searcher;
use error::ApiError;
use limits::{RateLimit, RateLimiter};
use metrics::Metrics;

/// Settings of the service that do not depend on the index.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Longest time a request may take before a 503 `timeout` answer.
    pub request_timeout: Duration,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Origins allowed to call the API from a browser (`*` for any); none by default.
    pub cors_origins: Vec<String>,
    /// Searches run at once on the blocking pool; more wait their turn (until the timeout).
    /// Twice the cores by default: a slot is held from its hand-off to a pool thread to the
    /// answer's return, and with one slot per core the cores idled during those hand-offs
    /// (2,330 searches/s at 150 % CPU on 2 cores, 3,219/s with 4 slots).
    pub search_threads: usize,
    /// The admin API's token; no admin API without one.
    pub admin_token: Option<AdminToken>,
    /// Largest document uploaded through the admin API.
    pub max_upload_bytes: usize,
    /// Requests per client address on the public routes; `None`: unlimited.
    pub rate_limit: Option<RateLimit>,
    /// Addresses of our reverse proxies, whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            request_timeout: Duration::from_secs(10),
            max_body_bytes: 16 * 1024,
            cors_origins: Vec::new(),
            search_threads: std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
            admin_token: None,
            max_upload_bytes: 50 * 1024 * 1024,
            rate_limit: Some(RateLimit::default()),
            trusted_proxies: Vec::new(),
        }
    }
}

/// Either the open index, or why it could not be opened.
type Readiness = Result<Arc<Searcher>, String>;

struct Shared {
    readiness: OnceLock<Readiness>,
    corpus: PathBuf,
    index_dir: PathBuf,
    options: ServeOptions,
    metrics: Metrics,
    /// One permit per search allowed to run at once.
    search_slots: Arc<Semaphore>,
    /// Re-indexing of the served index, started with it.
    reindexer: OnceLock<Arc<Reindexer>>,
    rate_limiter: RateLimiter,
}

/// What every handler shares: the searcher once the index is open, the corpus folder for
/// downloads, the settings and the metrics. Cloning is cheap.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

impl AppState {
    /// A state whose index is not open yet: routes that need it answer 503.
    pub fn new(
        corpus: impl Into<PathBuf>,
        index_dir: impl Into<PathBuf>,
        options: ServeOptions,
    ) -> AppState {
        AppState {
            shared: Arc::new(Shared {
                readiness: OnceLock::new(),
                corpus: corpus.into(),
                index_dir: index_dir.into(),
                search_slots: Arc::new(Semaphore::new(options.search_threads.max(1))),
                reindexer: OnceLock::new(),
                rate_limiter: RateLimiter::new(options.rate_limit),
                options,
                metrics: Metrics::default(),
            }),
        }
    }

    /// Makes the service ready with this searcher (no effect if already ready or failed),
    /// and starts its re-indexer.
    pub fn set_ready(&self, searcher: Searcher) {
        let searcher = Arc::new(searcher);
        if self.shared.readiness.set(Ok(searcher.clone())).is_ok() {
            let options = IndexOptions::new(&self.shared.corpus, &self.shared.index_dir);
            let _ = self
                .shared
                .reindexer
                .set(Reindexer::start(options, searcher));
        }
    }

    /// The re-indexer of the served index, or 503 while the index is not open.
    pub fn reindexer(&self) -> Result<Arc<Reindexer>, ApiError> {
        self.searcher()?;
        self.shared
            .reindexer
            .get()
            .cloned()
            .ok_or_else(|| ApiError::NotReady("the index is being opened or built".into()))
    }

    /// The per-client rate limiter of the public routes.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.shared.rate_limiter
    }

    /// Records that the index could not be opened: the service stays unavailable.
    pub fn set_failed(&self, reason: impl std::fmt::Display) {
        tracing::error!(%reason, "the index could not be opened");
        let _ = self.shared.readiness.set(Err(reason.to_string()));
    }

    /// The searcher, or 503 while the index is not open.
    pub fn searcher(&self) -> Result<Arc<Searcher>, ApiError> {
        match self.shared.readiness.get() {
            Some(Ok(searcher)) => Ok(searcher.clone()),
            Some(Err(_)) => Err(ApiError::NotReady(
                "the index could not be opened; see the server log".into(),
            )),
            None => Err(ApiError::NotReady(
                "the index is being opened or built".into(),
            )),
        }
    }

    /// Runs `work` with the searcher on the blocking pool, off the async runtime, at most
    /// [`ServeOptions::search_threads`] at once: under load, requests queue here instead of
    /// crowding the cores with threads.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Searcher) -> Result<T, ApiError> + Send + 'static,
    {
        let searcher = self.searcher()?;
        let slot = self
            .shared
            .search_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let result = work(&searcher);
            drop(slot);
            result
        })
        .await
        .map_err(|error| ApiError::internal(format!("search task failed: {error}")))?
    }

    /// The corpus folder, whose files are offered for download.
    pub fn corpus(&self) -> &Path {
        &self.shared.corpus
    }

    /// The index folder.
    pub fn index_dir(&self) -> &Path {
        &self.shared.index_dir
    }

    /// The settings of the service.
    pub fn options(&self) -> &ServeOptions {
        &self.shared.options
    }

    /// The request metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }
}

/// The whole application: API, health, metrics and web pages, with their middleware.
pub fn app(state: AppState) -> Router {
    let mut api = Router::new()
        .route("/api/v1/search", get(routes::search))
        .route(
            "/api/v1/documents/{*path}",
            get(routes::document_or_similar),
        )
        .route("/api/v1/suggest", get(routes::suggest))
        .route("/api/v1/facets", get(routes::facets))
        .route("/api/v1/openapi.json", get(routes::openapi))
        // Set before the CORS layer, so that preflight requests reach it.
        .method_not_allowed_fallback(method_not_allowed);
    if let Some(cors) = cors_layer(&state.options().cors_origins) {
        api = api.layer(cors);
    }
    if state.options().admin_token.is_some() {
        api = api.merge(admin::routes(&state));
    }
    Router::new()
        .merge(api)
        .route("/health", get(routes::health))
        .route("/metrics", get(routes::metrics))
        .merge(crate::web::routes())
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.options().max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limits::enforce,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
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

/// Refuses oversized bodies, bounds the time of every request and sets the headers that
/// every response carries.
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let options = state.options();
    let limit = if admin::is_admin_path(request.uri().path()) {
        options.max_upload_bytes
    } else {
        options.max_body_bytes
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return ApiError::PayloadTooLarge(limit).into_response();
    }
    let mut response = match tokio::time::timeout(options.request_timeout, next.run(request)).await
    {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(options.request_timeout.as_millis()).into_response(),
    };
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Whether an error on this path is answered in JSON (API) rather than as a web page.
fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Answers an error as JSON for the API and as a French page for the web.
pub(crate) fn error_response(path: &str, error: ApiError) -> Response {
    if is_api_path(path) {
        error.into_response()
    } else {
        crate::web::error_page(&error)
    }
}

async fn route_not_found(request: Request) -> Response {
    let path = request.uri().path().to_string();
    error_response(&path, ApiError::RouteNotFound(path.clone()))
}

async fn method_not_allowed(request: Request) -> Response {
    error_response(request.uri().path(), ApiError::MethodNotAllowed)
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
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    /// A router with one slow and one panicking route behind the same middleware as [`app`].
    fn guarded(timeout: Duration) -> Router {
        let state = AppState::new(
            "corpus",
            "index",
            ServeOptions {
                request_timeout: timeout,
                ..ServeOptions::default()
            },
        );
        Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            )
            .route("/boom", get(boom))
            .route("/fast", get(|| async { "ok" }))
            .layer(middleware::from_fn_with_state(state.clone(), guard))
            .layer(CatchPanicLayer::custom(panic_response))
            .with_state(state)
    }

    async fn boom() -> &'static str {
        panic!("secret detail")
    }

    async fn call(router: Router, request: Request<Body>) -> (StatusCode, String, String) {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let nosniff = response
            .headers()
            .get(header::X_CONTENT_TYPE_OPTIONS)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, nosniff, String::from_utf8_lossy(&body).into_owned())
    }

    fn get_request(uri: &str) -> Request<Body> {
        Request::get(uri).body(Body::empty()).expect("request")
    }

    #[tokio::test]
    async fn slow_requests_time_out_with_the_json_shape() {
        let (status, nosniff, body) =
            call(guarded(Duration::from_millis(50)), get_request("/slow")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(nosniff, "nosniff");
        assert!(body.contains("\"code\":\"timeout\""), "{body}");
        let (status, _, body) = call(guarded(Duration::from_secs(5)), get_request("/fast")).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    }

    #[tokio::test]
    async fn panics_become_a_generic_500() {
        let (status, _, body) = call(guarded(Duration::from_secs(5)), get_request("/boom")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("\"code\":\"internal\""), "{body}");
        assert!(!body.contains("secret"), "{body}");
    }

    #[tokio::test]
    async fn oversized_bodies_are_refused_before_the_handler() {
        let request = Request::post("/fast")
            .header(header::CONTENT_LENGTH, "20000")
            .body(Body::from(vec![0u8; 20_000]))
            .expect("request");
        let (status, _, body) = call(guarded(Duration::from_secs(5)), request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(body.contains("\"code\":\"payload_too_large\""), "{body}");
    }

    #[test]
    fn cors_origins_are_read_from_the_options() {
        assert!(cors_layer(&[]).is_none());
        assert!(cors_layer(&["*".into()]).is_some());
        assert!(cors_layer(&["https://a.example".into(), "bad\nvalue".into()]).is_some());
    }
}

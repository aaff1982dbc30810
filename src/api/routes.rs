//! The handlers of the JSON API, each documented for the OpenAPI document.
//!
//! Handlers only translate HTTP to calls of the [`Searcher`](crate::search::Searcher); every
//! call to the index runs on the blocking pool through [`AppState::run`].

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa::OpenApi;

use super::error::{ApiError, ApiPath, ApiQuery, ErrorBody};
use super::metrics::IndexFigures;
use super::model::{
    facet_bodies, DocumentBody, FacetsBody, HealthBody, HitBody, SearchBody, SimilarBody,
    SuggestBody,
};
use super::openapi::ApiDoc;
use super::params::{
    parse_query, short_limit, NoParams, SearchParams, SimilarParams, SuggestParams,
};
use super::AppState;

/// Suffix of a document path that asks for similar documents instead.
pub const SIMILAR_SUFFIX: &str = "/similar";
/// Longest text completed by `suggest`, in characters.
const MAX_SUGGEST_CHARS: usize = 200;
/// Completions returned when `limit` is not given.
const DEFAULT_SUGGESTIONS: usize = 8;
/// Similar documents returned when `limit` is not given.
const DEFAULT_SIMILAR: usize = 5;

/// Search the documents.
///
/// One page of results with highlighted snippets, the facet counts over every matching
/// document, the total, the query as understood, and a respelling when few documents match.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of results", body = SearchBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchBody>, ApiError> {
    run_search(&state, params).await.map(Json)
}

/// Validates and runs a search off the async runtime (shared by the API and the web page).
pub async fn run_search(state: &AppState, params: SearchParams) -> Result<SearchBody, ApiError> {
    let request = params.to_request()?;
    let (page, per_page) = (params.page(), params.per_page());
    let counted = state.clone();
    state
        .run(move |searcher| {
            let response = searcher.search(&request)?;
            let respelled = response.suggestion.is_some();
            counted
                .metrics()
                .record_search(&request, response.total, respelled);
            Ok(SearchBody::new(params.q, page, per_page, response))
        })
        .await
}

/// One document: metadata and extracted text.
///
/// Ids contain `:` and `/` (`sp:particuliers/F2301`, `spo/accord-cadre-spo-paca.pdf`); they
/// may be sent as they are or percent-encoded.
#[utoipa::path(
    get,
    path = "/api/v1/documents/{id}",
    tag = "documents",
    params(("id" = String, Path, description = "Document id, raw or percent-encoded",
        example = "sp:particuliers/F2301")),
    responses(
        (status = 200, description = "The document", body = DocumentBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 404, description = "No document with this id", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn document(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentBody>, ApiError> {
    fetch_document(&state, id).await.map(Json)
}

/// Reads one document off the async runtime (shared by the API and the web page).
pub async fn fetch_document(state: &AppState, id: String) -> Result<DocumentBody, ApiError> {
    state
        .run(move |searcher| match searcher.document(&id)? {
            Some((doc, _)) => Ok(DocumentBody::from_stored(&doc, searcher.fields())),
            None => Err(ApiError::DocumentNotFound(id)),
        })
        .await
}

/// Documents similar to one document (its title and keywords as a query).
#[utoipa::path(
    get,
    path = "/api/v1/documents/{id}/similar",
    tag = "documents",
    params(("id" = String, Path, description = "Document id, raw or percent-encoded",
        example = "sp:particuliers/F2301"), SimilarParams),
    responses(
        (status = 200, description = "Similar documents, best first", body = SimilarBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 404, description = "No document with this id", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn similar(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<SimilarParams>,
) -> Result<Json<SimilarBody>, ApiError> {
    let limit = short_limit(params.limit, DEFAULT_SIMILAR)?;
    fetch_similar(&state, id, limit).await.map(Json)
}

/// Finds similar documents off the async runtime (shared by the API and the web page).
pub async fn fetch_similar(
    state: &AppState,
    id: String,
    limit: usize,
) -> Result<SimilarBody, ApiError> {
    state
        .run(move |searcher| match searcher.similar(&id, limit)? {
            Some(hits) => Ok(SimilarBody {
                id,
                hits: hits.into_iter().map(HitBody::from).collect(),
            }),
            None => Err(ApiError::DocumentNotFound(id)),
        })
        .await
}

/// The route `/api/v1/documents/{*path}`: a document, or its similar documents when the
/// path ends with `/similar` (ids may contain `/`, so one wildcard route serves both).
pub async fn document_or_similar(
    State(state): State<AppState>,
    ApiPath(path): ApiPath<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    match path.strip_suffix(SIMILAR_SUFFIX) {
        Some(id) => {
            let params = parse_query(query.as_deref())?;
            let body = similar(State(state), ApiPath(id.to_string()), ApiQuery(params)).await?;
            Ok(body.into_response())
        }
        None => {
            parse_query::<NoParams>(query.as_deref())?;
            Ok(document(State(state), ApiPath(path)).await?.into_response())
        }
    }
}

/// Completions for search as you type: titles, then frequent words.
#[utoipa::path(
    get,
    path = "/api/v1/suggest",
    tag = "search",
    params(SuggestParams),
    responses(
        (status = 200, description = "Completions, best first", body = SuggestBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn suggest(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SuggestParams>,
) -> Result<Json<SuggestBody>, ApiError> {
    let limit = short_limit(params.limit, DEFAULT_SUGGESTIONS)?;
    let query: String = params.q.chars().take(MAX_SUGGEST_CHARS).collect();
    state
        .run(move |searcher| {
            Ok(SuggestBody {
                suggestions: searcher.suggest(&query, limit),
                query,
            })
        })
        .await
        .map(Json)
}

/// Every facet and its values, with counts over the whole index.
#[utoipa::path(
    get,
    path = "/api/v1/facets",
    tag = "search",
    responses(
        (status = 200, description = "Facet counts of the whole index", body = FacetsBody),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn facets(
    State(state): State<AppState>,
    ApiQuery(_): ApiQuery<NoParams>,
) -> Result<Json<FacetsBody>, ApiError> {
    state
        .run(|searcher| {
            Ok(FacetsBody {
                documents: searcher.searcher().num_docs(),
                facets: facet_bodies(searcher.all_facets()?),
            })
        })
        .await
        .map(Json)
}

/// Readiness: 200 once the index is open, 503 while it is being built.
#[utoipa::path(
    get,
    path = "/health",
    tag = "service",
    responses(
        (status = 200, description = "Ready to answer searches", body = HealthBody),
        (status = 503, description = "The index is not ready yet", body = ErrorBody),
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<HealthBody>, ApiError> {
    let searcher = state.searcher()?;
    Ok(Json(HealthBody {
        status: "ready".into(),
        documents: searcher.searcher().num_docs(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

/// Prometheus metrics: requests, latencies, errors, what searches found (with and without
/// results, "did you mean", filters used: counts only, never the words searched), index
/// size and document count.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "service",
    responses(
        (status = 200, description = "Prometheus text exposition format",
            content_type = "text/plain", body = String),
    )
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let figures = match state.searcher() {
        Ok(searcher) => {
            let dir = state.index_dir().to_path_buf();
            tokio::task::spawn_blocking(move || IndexFigures {
                ready: true,
                documents: searcher.searcher().num_docs(),
                size_bytes: crate::index::folder_size(&dir),
            })
            .await
            .unwrap_or_default()
        }
        Err(_) => IndexFigures::default(),
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(figures),
    )
        .into_response()
}

/// This API's OpenAPI 3.1 document, generated from the handlers and body types.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "service",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")),
)]
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
